import { ManualClock } from '@obs/core';
import { fc, test } from '@fast-check/vitest';
import { describe, expect, it } from 'vitest';
import {
  InvalidConfigError,
  InvalidLabelsError,
  InvalidMetricNameError,
  InvalidValueError,
  MetricLimitError,
  MetricTypeConflictError,
  MetricsError,
  MetricType,
  createMetricsCollector,
  serializeFormat,
  type MetricsCollector,
} from './index';

const clocked = (config: Parameters<typeof createMetricsCollector>[0] = {}) => {
  const clock = new ManualClock(1_000_000);
  return { clock, m: createMetricsCollector({ clock, ...config }) };
};

/** Everything observable about a collector, to prove a rejected call changed nothing. */
const state = (m: MetricsCollector) =>
  JSON.stringify({ snap: m.snapshot(), text: serializeFormat(m, 'openmetrics').body, points: m.export() });

describe('MetricType', () => {
  it('is an as-const enum with the seed values', () => {
    expect(MetricType).toEqual({
      COUNTER: 'counter',
      GAUGE: 'gauge',
      HISTOGRAM: 'histogram',
      SUMMARY: 'summary',
      TIMER: 'timer',
    });
  });
});

describe('counters', () => {
  it('increment defaults to 1 and sums per label set', () => {
    const { m } = clocked();
    m.increment('jobs_total');
    m.increment('jobs_total', 2.5);
    m.increment('jobs_total', 1, { queue: 'a' });
    expect(m.getCounter('jobs_total')).toBe(3.5);
    expect(m.getCounter('jobs_total', { queue: 'a' })).toBe(1);
    expect(m.getCounter('jobs_total', { queue: 'b' })).toBe(0);
    expect(m.getCounter('unknown_total')).toBe(0);
    expect(m.getCounterTotal('jobs_total')).toBe(4.5);
    expect(m.getMetric('jobs_total')?.metricType).toBe('counter');
  });

  test.prop([
    fc.dictionary(fc.stringMatching(/^[a-z_][a-z0-9_]{0,6}$/), fc.string(), { minKeys: 1, maxKeys: 5 }),
    fc.array(fc.nat({ max: 100 }), { minLength: 1, maxLength: 20 }),
  ])('series identity is independent of label order', (labels, increments) => {
    const { m } = clocked();
    const reversed = Object.fromEntries(Object.entries(labels).reverse());
    increments.forEach((v, i) => m.increment('x_total', v, i % 2 ? labels : reversed));
    expect(m.getCounter('x_total', reversed)).toBe(increments.reduce((a, b) => a + b, 0));
    expect([...m.series('x_total')]).toHaveLength(1);
  });

  it('rejects negative, NaN, infinite and non-number increments, changing nothing', () => {
    const { m } = clocked();
    m.increment('c_total', 1, { a: '1' });
    const before = state(m);
    for (const bad of [-1, -0.001, NaN, Infinity, -Infinity, '1', null, {}]) {
      expect(() => m.increment('c_total', bad as number, { a: '1' })).toThrow(InvalidValueError);
      expect(() => m.increment('new_total', bad as number)).toThrow(InvalidValueError);
    }
    expect(() => m.increment('c_total', -1)).toThrow(/can only increase/);
    expect(state(m)).toBe(before);
    expect(m.listMetrics()).toEqual(['c_total']);
  });

  it('rejects an increment that would overflow to Infinity', () => {
    const { m } = clocked();
    m.increment('big_total', Number.MAX_VALUE);
    expect(() => m.increment('big_total', Number.MAX_VALUE)).toThrow(InvalidValueError);
    expect(m.getCounter('big_total')).toBe(Number.MAX_VALUE);
  });
});

describe('gauges', () => {
  it('sets, reads and tracks label sets', () => {
    const { m } = clocked();
    expect(m.getGauge('temp_celsius')).toBeUndefined();
    m.gauge('temp_celsius', 21.5);
    m.gauge('temp_celsius', -3, { room: 'cellar' });
    m.gauge('temp_celsius', 0);
    expect(m.getGauge('temp_celsius')).toBe(0);
    expect(m.getGauge('temp_celsius', { room: 'cellar' })).toBe(-3);
    expect(m.getGauge('temp_celsius', { room: 'attic' })).toBeUndefined();
  });

  it('rejects non-finite values, changing nothing', () => {
    const { m } = clocked();
    m.gauge('g', 1);
    const before = state(m);
    for (const bad of [NaN, Infinity, -Infinity]) expect(() => m.gauge('g', bad)).toThrow(InvalidValueError);
    expect(() => m.gauge('g', '2' as unknown as number)).toThrow(InvalidLabelsError); // a string is not a value nor a label set
    expect(state(m)).toBe(before);
  });

  it('handles set, inc and dec; an unset gauge counts from 0 and is not exported', () => {
    const { m } = clocked();
    const g = m.gauge('in_flight', { pool: 'a' });
    expect(g.value).toBeUndefined();
    expect(m.export()).toEqual([]);
    g.inc();
    g.inc(4);
    g.dec(2);
    expect(g.value).toBe(3);
    g.set(-7.5);
    expect(m.getGauge('in_flight', { pool: 'a' })).toBe(-7.5);
    expect(() => g.set(NaN)).toThrow(InvalidValueError);
    expect(() => g.inc(Infinity)).toThrow(InvalidValueError);
    g.set(Number.MAX_VALUE);
    expect(() => g.inc(Number.MAX_VALUE)).toThrow(InvalidValueError);
    expect(g.value).toBe(Number.MAX_VALUE);
  });
});

describe('histograms and timers', () => {
  it('computes exact count/sum/min/max/mean and quantiles within 1%', () => {
    const { m } = clocked();
    for (let i = 1; i <= 1000; i++) m.histogram('size_bytes', i);
    const s = m.getHistogramStats('size_bytes');
    expect([s.count, s.sum, s.min, s.max, s.mean]).toEqual([1000, 500500, 1, 1000, 500.5]);
    for (const [p, exact] of [
      [s.p50, 500],
      [s.p90, 900],
      [s.p95, 950],
      [s.p99, 990],
    ] as const) {
      expect(Math.abs(p - exact) / exact).toBeLessThanOrEqual(0.01);
    }
    expect(Math.abs(m.getQuantile('size_bytes', 0.999)! - 999) / 999).toBeLessThanOrEqual(0.01);
    expect(m.getQuantile('size_bytes', 0)).toBe(1);
    expect(m.getQuantile('nothing', 0.5)).toBeUndefined();
    expect(() => m.getQuantile('size_bytes', 2)).toThrow(InvalidValueError);
  });

  it('returns zero stats for unknown or other-typed metrics', () => {
    const { m } = clocked();
    m.increment('c_total');
    const zero = { count: 0, sum: 0, min: 0, max: 0, mean: 0, p50: 0, p90: 0, p95: 0, p99: 0 };
    expect(m.getHistogramStats('nope')).toEqual(zero);
    expect(m.getHistogramStats('c_total')).toEqual(zero);
  });

  it('keeps zero and negative observations', () => {
    const { m } = clocked();
    [-10, -1, 0, 0, 5].forEach((v) => m.histogram('delta', v));
    const s = m.getHistogramStats('delta');
    expect([s.count, s.sum, s.min, s.max]).toEqual([5, -6, -10, 5]);
    expect(s.p50).toBe(0);
  });

  it('timers are histograms of milliseconds with their own type', () => {
    const { m } = clocked();
    m.timer('db_query_ms', 12);
    m.timer('db_query_ms', 30, { table: 'users' });
    const handle = m.timer('db_query_ms', { table: 'users' });
    handle.observe(10);
    const stop = handle.startTimer();
    const elapsed = stop();
    expect(elapsed).toBeGreaterThanOrEqual(0);
    expect(m.getHistogramStats('db_query_ms', { table: 'users' }).count).toBe(3);
    expect(m.getMetric('db_query_ms')?.metricType).toBe('timer');
    expect(m.getMetric('db_query_ms')?.getLatest()?.unit).toBe('ms');
    expect(() => m.histogram('db_query_ms', 1)).toThrow(MetricTypeConflictError);
  });

  it('rejects NaN/Infinity, sum overflow and the reserved le label, changing nothing', () => {
    const { m } = clocked();
    m.histogram('h', 1);
    const before = state(m);
    for (const bad of [NaN, Infinity, -Infinity]) {
      expect(() => m.histogram('h', bad)).toThrow(InvalidValueError);
      expect(() => m.timer('t', bad)).toThrow(InvalidValueError);
      expect(() => m.histogram('h', {}).observe(bad)).toThrow(InvalidValueError);
    }
    expect(() => m.histogram('h', 1, { le: '1' })).toThrow(InvalidLabelsError);
    m.histogram('big', Number.MAX_VALUE);
    expect(() => m.histogram('big', Number.MAX_VALUE)).toThrow(InvalidValueError);
    expect(m.getHistogramStats('big').count).toBe(1);
    m.removeMetric('big');
    m.removeMetric('t');
    expect(state(m)).toBe(before);
  });
});

describe('names, labels and types', () => {
  it('validates metric names against the Prometheus rule', () => {
    const { m } = clocked();
    for (const ok of ['a', '_x', 'ns:sub_total', 'A9_:']) expect(() => m.increment(ok)).not.toThrow();
    for (const bad of ['', '9a', 'a-b', 'a b', 'é', 'a.b', 'x'.repeat(600), 5, undefined]) {
      expect(() => m.increment(bad as string)).toThrow(InvalidMetricNameError);
      expect(() => m.gauge(bad as string, 1)).toThrow(InvalidMetricNameError);
      expect(() => m.histogram(bad as string, 1)).toThrow(InvalidMetricNameError);
      expect(() => m.counter(bad as string)).toThrow(InvalidMetricNameError);
    }
    expect(new InvalidMetricNameError('x')).toBeInstanceOf(MetricsError);
  });

  it('validates label names and values', () => {
    const { m } = clocked();
    for (const bad of [{ 'a-b': 'x' }, { '9': 'x' }, { a: 1 }, { a: null }, [], 'labels', 42]) {
      expect(() => m.increment('x_total', 1, bad as never)).toThrow(InvalidLabelsError);
    }
    expect(m.listMetrics()).toEqual([]);
  });

  it('treats __proto__ and constructor as ordinary labels without polluting prototypes', () => {
    const { m } = clocked();
    const labels = JSON.parse('{"__proto__": "p", "constructor": "c", "toString": "t"}') as Record<string, string>;
    m.increment('x_total', 1, labels);
    m.increment('x_total', 1, labels);
    expect(m.getCounter('x_total', labels)).toBe(2);
    const series = m.getMetric('x_total', labels)!;
    expect(Object.keys(series.labels).sort()).toEqual(['__proto__', 'constructor', 'toString']);
    expect(series.labels['__proto__']).toBe('p');
    expect(({} as Record<string, unknown>).p).toBeUndefined();
    expect(Object.prototype.hasOwnProperty.call(Object.prototype, 'p')).toBe(false);
    expect(serializeFormat(m, 'prometheus').body).toContain('x_total{__proto__="p",constructor="c",toString="t"} 2');
  });

  it('does not confuse label objects that inherit enumerable properties', () => {
    const { m } = clocked();
    m.increment('x_total', 1, { a: '1', b: '2' });
    const inherited = Object.create({ b: '2' }) as Record<string, string>;
    inherited.a = '1';
    m.increment('x_total', 5, inherited);
    expect(m.getCounter('x_total', { a: '1', b: '2' })).toBe(1);
    expect(m.getCounter('x_total', { a: '1' })).toBe(5);
  });

  it('a name reused with another type is a typed error and changes nothing', () => {
    const { m } = clocked();
    m.increment('x');
    const before = state(m);
    expect(() => m.gauge('x', 1)).toThrow(MetricTypeConflictError);
    expect(() => m.histogram('x', 1)).toThrow(MetricTypeConflictError);
    expect(() => m.timer('x', 1)).toThrow(MetricTypeConflictError);
    expect(() => m.gauge('x', {})).toThrow(MetricTypeConflictError);
    m.gauge('g', 1);
    expect(() => m.increment('g')).toThrow(MetricTypeConflictError);
    expect(() => m.counter('g')).toThrow(MetricTypeConflictError);
    m.removeMetric('g');
    expect(state(m)).toBe(before);
  });

  it('listMetrics, getMetric, series and export', () => {
    const { m, clock } = clocked();
    m.increment('a_total', 2, { k: 'v' });
    clock.advance(5);
    m.gauge('b', 7);
    m.histogram('c', 3);
    expect(m.listMetrics()).toEqual(['a_total', 'b', 'c']);
    expect([...m.series()].map((s) => s.name)).toEqual(['a_total', 'b', 'c']);
    const points = m.export();
    expect(points).toEqual([
      { name: 'a_total', value: 2, metricType: 'counter', timestamp: 1_000_000, labels: { k: 'v' }, unit: '' },
      { name: 'b', value: 7, metricType: 'gauge', timestamp: 1_000_005, labels: {}, unit: '' },
      { name: 'c', value: 3, metricType: 'histogram', timestamp: 1_000_005, labels: {}, unit: '' },
    ]);
    expect(Object.isFrozen(points[0]!.labels)).toBe(true);
    expect(m.getMetric('a_total', { k: 'other' })).toBeUndefined();
    expect(m.getMetric('zzz')).toBeUndefined();
  });

  it('addPoint records with the series semantics and the same validation', () => {
    const { m } = clocked();
    m.increment('c_total', 1);
    m.gauge('g', 1);
    m.histogram('h', 1);
    m.getMetric('c_total')!.addPoint(2);
    m.getMetric('g')!.addPoint(9);
    m.getMetric('h')!.addPoint(3);
    expect(m.getCounter('c_total')).toBe(3);
    expect(m.getGauge('g')).toBe(9);
    expect(m.getHistogramStats('h').count).toBe(2);
    expect(() => m.getMetric('c_total')!.addPoint(-1)).toThrow(InvalidValueError);
    expect(() => m.getMetric('h')!.addPoint(NaN)).toThrow(InvalidValueError);
  });
});

describe('bound handles', () => {
  it('counter handles record without lookups and survive removal of their series', () => {
    const { m } = clocked();
    const h = m.counter('req_total', { route: '/' });
    h.inc();
    h.inc(2);
    expect(h.value).toBe(3);
    expect(m.getCounter('req_total', { route: '/' })).toBe(3);
    expect(() => h.inc(-1)).toThrow(InvalidValueError);
    expect(() => h.inc(NaN)).toThrow(InvalidValueError);
    expect(m.removeSeries('req_total', { route: '/' })).toBe(true);
    expect(h.value).toBe(0);
    h.inc(5);
    expect(m.getCounter('req_total', { route: '/' })).toBe(5);
    m.removeMetric('req_total');
    h.inc();
    expect(m.getCounter('req_total', { route: '/' })).toBe(1);
  });

  it('histogram handles record into the same series as histogram(name, value, labels)', () => {
    const { m } = clocked();
    const h = m.histogram('lat_ms', { route: '/' });
    h.observe(1);
    m.histogram('lat_ms', 2, { route: '/' });
    expect(m.getHistogramStats('lat_ms', { route: '/' }).count).toBe(2);
    m.removeSeries('lat_ms', { route: '/' });
    h.observe(4);
    expect(m.getHistogramStats('lat_ms', { route: '/' }).count).toBe(1);
  });
});

describe('removal and limits', () => {
  it('removeSeries and removeMetric', () => {
    const { m } = clocked();
    m.increment('a_total', 1, { x: '1' });
    m.increment('a_total', 1, { x: '2' });
    expect(m.removeSeries('a_total', { x: '1' })).toBe(true);
    expect(m.removeSeries('a_total', { x: '1' })).toBe(false);
    expect(m.getCounter('a_total', { x: '2' })).toBe(1);
    expect(m.removeMetric('a_total')).toBe(true);
    expect(m.removeMetric('a_total')).toBe(false);
    expect(m.listMetrics()).toEqual([]);
    m.increment('a_total', 1, { x: '1' });
    expect(m.getCounter('a_total', { x: '1' })).toBe(1);
  });

  it('limits the number of metric names', () => {
    const { m } = clocked({ maxMetrics: 2 });
    m.increment('a');
    m.increment('b');
    expect(() => m.increment('c')).toThrow(MetricLimitError);
    expect(m.listMetrics()).toEqual(['a', 'b']);
  });

  it('validates its configuration', () => {
    for (const bad of [
      { metricsRetentionHours: 0 },
      { metricsRetentionHours: NaN },
      { retentionStepSeconds: -1 },
      { metricsRetentionHours: 10_000, retentionStepSeconds: 1 },
      { maxSeriesPerMetric: 1.5 },
      { maxMetrics: 0 },
      { seriesTtlSeconds: 0 },
      { histogramBuckets: [2, 1] },
      { histogramBuckets: [1, NaN] },
      { maxSketchBuckets: 4 },
      { clock: {} },
    ]) {
      expect(() => createMetricsCollector(bad as never)).toThrow(InvalidConfigError);
    }
  });

  it('describe sets help, unit and buckets, and rejects bad ones', () => {
    const { m } = clocked();
    m.describe('lat_seconds', { help: 'Latency.', unit: 'seconds', buckets: [0.1, 1] });
    m.histogram('lat_seconds', 0.5);
    const text = serializeFormat(m, 'openmetrics').body;
    expect(text).toContain('# UNIT lat_seconds seconds');
    expect(text).toContain('lat_seconds_bucket{le="1"} 1');
    expect(() => m.describe('lat_seconds', { buckets: [1, 2] })).toThrow(MetricTypeConflictError);
    m.describe('lat_seconds', { buckets: [0.1, 1], help: 'New.' });
    expect(serializeFormat(m, 'prometheus').body).toContain('# HELP lat_seconds New.');
    expect(() => m.describe('x', { unit: 'a b' })).toThrow(InvalidConfigError);
    expect(() => m.describe('x', { help: 5 as unknown as string })).toThrow(InvalidConfigError);
    expect(() => m.describe('x', { buckets: [3, 3] })).toThrow(InvalidConfigError);
    expect(() => m.describe('bad name', {})).toThrow(InvalidMetricNameError);
  });
});

describe('histogram by name after removal', () => {
  it('records into the new metric once a name is removed and reused, whatever its type', () => {
    const m = createMetricsCollector();
    m.histogram('lat_ms', 5);
    m.histogram('lat_ms', 6);
    expect(m.removeMetric('lat_ms')).toBe(true);
    m.histogram('lat_ms', 7);
    expect(m.getHistogramStats('lat_ms')).toMatchObject({ count: 1, min: 7, max: 7 });
    m.removeMetric('lat_ms');
    m.timer('lat_ms', 8);
    expect(() => m.histogram('lat_ms', 9)).toThrow(MetricTypeConflictError);
    expect(m.getHistogramStats('lat_ms')).toMatchObject({ count: 1, min: 8 });
    m.histogram('other_ms', 1);
    m.clear();
    m.histogram('other_ms', 2);
    m.timer('lat_ms', 3);
    expect(m.getHistogramStats('other_ms')).toMatchObject({ count: 1, sum: 2 });
    expect(m.getHistogramStats('lat_ms')).toMatchObject({ count: 1, sum: 3 });
  });
});
