import { ManualClock } from '@obs/core';
import { fc, test } from '@fast-check/vitest';
import { describe, expect, it } from 'vitest';
import {
  InvalidValueError,
  LogHistogram,
  MetricTypeConflictError,
  createMetricsCollector,
  serializeFormat,
  type CollectedFamily,
  type CollectedMetrics,
  type MetricsProducer,
} from './index';
import { trickyRegistry } from './testing/fixtures';

describe('collect()', () => {
  it('returns every family with its series: values, sketches, classic buckets, metadata and times', () => {
    const clock = new ManualClock(1_000);
    const m = createMetricsCollector({ clock, maxSeriesPerMetric: 2 });
    m.describe('lat_seconds', { help: 'Latency.', unit: 'seconds', buckets: [0.1, 1] });
    m.increment('req_total', 2, { code: '200' });
    clock.set(2_000);
    m.gauge('temp', -1.5);
    m.gauge('unset', {});
    [0.05, 0.5, 5, 0, -2].forEach((v) => m.histogram('lat_seconds', v, { route: '/' }));
    for (const code of ['a', 'b', 'c']) m.increment('req_total', 1, { code }); // b and c go to the overflow series
    clock.set(3_000);
    const data = m.collect();
    expect(data.timestamp).toBe(3_000);
    expect(data.families.map((f) => [f.name, f.type])).toEqual([
      ['req_total', 'counter'],
      ['temp', 'gauge'],
      ['unset', 'gauge'],
      ['lat_seconds', 'histogram'],
    ]);
    const req = data.families[0]!;
    expect(req.startTimestamp).toBe(1_000);
    expect(req.droppedLabelSets).toBe(2);
    expect(req.series.map((s) => [s.labels, s.labelText, s.value, s.timestamp])).toEqual([
      [{ code: '200' }, 'code="200"', 2, 1_000],
      [{ code: 'a' }, 'code="a"', 1, 2_000],
      [{ otel_metric_overflow: 'true' }, 'otel_metric_overflow="true"', 2, 2_000],
    ]);
    expect(data.families[1]!.series[0]).toMatchObject({ labelText: '', value: -1.5 });
    expect(data.families[2]!.series).toEqual([]); // an unset gauge has no series
    const lat = data.families[3]!;
    expect(lat).toMatchObject({ help: 'Latency.', unit: 'seconds', bounds: [0.1, 1] });
    const h = lat.series[0]!;
    expect(h.value).toBeUndefined();
    expect(h.bucketCounts).toEqual([3, 1, 1]);
    expect(h.histogram).toMatchObject({ scale: 6, count: 5, sum: 3.55, min: -2, max: 5, zeroCount: 1 });
    // The sketch data rebuilds a sketch with the same statistics.
    const sketch = LogHistogram.fromSnapshot(h.histogram);
    expect(sketch.quantiles([0.25, 0.5, 1])).toEqual(
      m.getSketch('lat_seconds', { route: '/' })!.quantiles([0.25, 0.5, 1]),
    );
  });

  it('is a copy: later recording does not change collected data', () => {
    const m = createMetricsCollector({ clock: new ManualClock(0) });
    m.increment('a_total');
    m.histogram('h', 1);
    const before = m.collect();
    const json = JSON.stringify(before);
    m.increment('a_total');
    m.histogram('h', 2);
    expect(JSON.stringify(before)).toBe(json);
    // JSON carries the labels (parsed lazily in memory).
    expect(JSON.parse(json).families[0].series[0].labels).toEqual({});
  });

  it('keeps label values with escapes intact', () => {
    const data = trickyRegistry().collect();
    const labels = data.families.find((f) => f.name === 'http_requests_total')!.series.map((s) => s.labels);
    expect(labels).toContainEqual({ method: 'GET', path: '/a"b' });
    expect(labels).toContainEqual({ method: 'POST', path: 'C:\\dir\\' });
  });

  it('collectBatches gives the same families as collect, in parts', async () => {
    const m = createMetricsCollector({ clock: new ManualClock(0), maxSeriesPerMetric: 5000 });
    for (let i = 0; i < 3000; i++) m.increment('n_total', i, { i: String(i) });
    m.histogram('h', 3);
    m.gauge('unset', {});
    const parts: CollectedFamily[] = [];
    for await (const part of m.collectBatches({ sliceMs: 0.01, batchSize: 1000 })) parts.push(part);
    expect(parts.map((p) => [p.name, p.series.length])).toEqual([
      ['n_total', 1000],
      ['n_total', 1000],
      ['n_total', 1000],
      ['h', 1],
      ['unset', 0],
    ]);
    const joined = ['n_total', 'h', 'unset'].map((name) => {
      const same = parts.filter((p) => p.name === name);
      return { ...same[0], series: same.flatMap((p) => p.series) };
    });
    expect(JSON.stringify(joined)).toBe(JSON.stringify(m.collect().families));
    expect(() => m.collectBatches({ sliceMs: -1 })).toThrow('sliceMs');
    expect(() => m.collectBatches({ batchSize: 0 })).toThrow('batchSize');
  });
});

describe('exposition from any MetricsProducer', () => {
  it('serializes plain collected data (labels only, no label text) like the collector it came from', () => {
    const m = trickyRegistry();
    const plain = JSON.parse(JSON.stringify(m.collect())) as {
      families: Array<{ series: Array<{ labelText?: string }> }>;
    };
    for (const f of plain.families) for (const s of f.series) delete s.labelText;
    const producer: MetricsProducer = { collect: () => plain as unknown as CollectedMetrics };
    for (const format of ['prometheus', 'openmetrics'] as const) {
      expect(serializeFormat(producer, format).body).toBe(serializeFormat(m, format).body);
    }
  });

  it('rejects something that is not a producer with a typed error', () => {
    expect(() => serializeFormat({} as MetricsProducer, 'prometheus')).toThrow('MetricsProducer');
  });
});

/** Recordings: [kind, label, value] applied to a collector. */
type Op = ['c' | 'g' | 'h', 'x' | 'y', number];
const op = fc.tuple(
  fc.constantFrom<'c' | 'g' | 'h'>('c', 'g', 'h'),
  fc.constantFrom<'x' | 'y'>('x', 'y'),
  fc.double({ min: -1e4, max: 1e4, noNaN: true }),
);

function apply(m: ReturnType<typeof createMetricsCollector>, ops: readonly Op[]): void {
  for (const [kind, k, v] of ops) {
    if (kind === 'c') m.increment('c_total', Math.abs(v), { k });
    else if (kind === 'g') m.gauge('g', v, { k });
    else m.histogram('h', v, { k });
  }
}

describe('mergeFrom()', () => {
  test.prop([fc.array(fc.array(op, { maxLength: 40 }), { minLength: 1, maxLength: 4 })])(
    'merging the collected state of several collectors equals one collector that saw every value (counters, sketches, buckets)',
    (workers) => {
      const reference = createMetricsCollector({ clock: new ManualClock(0) });
      const merged = createMetricsCollector({ clock: new ManualClock(0) });
      for (const ops of workers) {
        const w = createMetricsCollector({ clock: new ManualClock(0) });
        apply(
          w,
          ops.filter(([kind]) => kind !== 'g'),
        );
        apply(
          reference,
          ops.filter(([kind]) => kind !== 'g'),
        );
        // Across a wire: JSON, labels only.
        merged.mergeFrom(JSON.parse(JSON.stringify(w.collect())));
      }
      for (const k of ['x', 'y']) {
        expect(merged.getCounter('c_total', { k })).toBeCloseTo(reference.getCounter('c_total', { k }), 6);
        const a = merged.getHistogramStats('h', { k });
        const b = reference.getHistogramStats('h', { k });
        expect({ ...a, sum: 0, mean: 0 }).toEqual({ ...b, sum: 0, mean: 0 });
        expect(a.sum).toBeCloseTo(b.sum, 6);
      }
      const buckets = (m: typeof merged) =>
        m
          .collect()
          .families.filter((f) => f.name === 'h')
          .flatMap((f) => f.series.map((s) => [s.labelText, s.bucketCounts]));
      expect(buckets(merged).sort()).toEqual(buckets(reference).sort());
    },
  );

  it('combines gauges by policy', () => {
    const worker = (v: number) => {
      const w = createMetricsCollector({ clock: new ManualClock(0) });
      w.gauge('mem', v);
      w.gauge('conns', v);
      return w.collect();
    };
    for (const [policy, expected] of [
      ['last', 2],
      ['sum', 8],
      ['min', 1],
      ['max', 5],
    ] as const) {
      const m = createMetricsCollector({ clock: new ManualClock(0) });
      for (const v of [5, 1, 2]) m.mergeFrom(worker(v), { gauges: (name) => (name === 'mem' ? policy : 'last') });
      expect(m.getGauge('mem')).toBe(expected);
      expect(m.getGauge('conns')).toBe(2);
    }
  });

  it('takes help, unit and bucket bounds from merged families and keeps the series limit', () => {
    const w = createMetricsCollector({ clock: new ManualClock(0) });
    w.describe('lat_seconds', { help: 'Latency.', unit: 'seconds', buckets: [0.5, 2] });
    w.histogram('lat_seconds', 1);
    for (let i = 0; i < 5; i++) w.increment('r_total', 1, { i: String(i) });
    const m = createMetricsCollector({ clock: new ManualClock(0), maxSeriesPerMetric: 3 });
    m.mergeFrom(w.collect());
    expect(serializeFormat(m, 'openmetrics').body).toContain('# UNIT lat_seconds seconds\n# HELP lat_seconds Latency.');
    expect(serializeFormat(m, 'openmetrics').body).toContain('lat_seconds_bucket{le="2"} 1');
    expect(m.getCounter('r_total', { otel_metric_overflow: 'true' })).toBe(2);
  });

  it('rejects bad input with a typed error and changes nothing', () => {
    const w = createMetricsCollector({ clock: new ManualClock(0) });
    w.increment('ok_total', 3);
    w.describe('h', { buckets: [1] });
    w.histogram('h', 0.5);
    const good = JSON.parse(JSON.stringify(w.collect())) as { families: CollectedFamily[] };
    const [ok, h] = good.families as [CollectedFamily, CollectedFamily];
    const m = createMetricsCollector({ clock: new ManualClock(0) });
    m.gauge('g', 1);
    m.describe('other_h', { buckets: [1, 2] });
    m.histogram('other_h', 1);
    const before = serializeFormat(m, 'openmetrics').body;
    const bad: Array<[unknown, new (...args: never[]) => Error]> = [
      [null, InvalidValueError],
      [{ families: 'x' }, InvalidValueError],
      [[{ ...ok, name: 'bad name' }], Error],
      [[ok, { ...ok, name: 'g' }], MetricTypeConflictError],
      [[ok, { ...ok, name: 'x_total', series: [{ labels: {}, value: -1, timestamp: 0 }] }], InvalidValueError],
      [[ok, { ...ok, name: 'x_total', series: [{ labels: {}, value: Infinity, timestamp: 0 }] }], InvalidValueError],
      [[ok, { ...ok, name: 'x_total', series: [{ labels: { 'bad-name': 'v' }, value: 1, timestamp: 0 }] }], Error],
      [[ok, { ...h, series: [{ ...h.series[0]!, bucketCounts: [1] }] }], InvalidValueError],
      [[ok, { ...h, series: [{ ...h.series[0]!, bucketCounts: [0, 2] }] }], InvalidValueError],
      [
        [ok, { ...h, series: [{ ...h.series[0]!, histogram: { ...h.series[0]!.histogram!, count: 9 } }] }],
        InvalidValueError,
      ],
      [[ok, { ...h, name: 'other_h' }], MetricTypeConflictError],
      [[ok], InvalidValueError], // with a bad gauge policy below
    ];
    bad.forEach(([input, type], i) => {
      const options = i === bad.length - 1 ? { gauges: 'avg' as never } : undefined;
      expect(() => m.mergeFrom(input as CollectedMetrics, options), `case ${i}`).toThrow(type);
      expect(serializeFormat(m, 'openmetrics').body, `case ${i}`).toBe(before);
    });
  });
});

describe('collect({ names })', () => {
  it('copies only the metrics named, in the order named, skipping unknown names', () => {
    const m = createMetricsCollector({ clock: new ManualClock(0) });
    m.increment('a_total', 1, { x: '1' });
    m.histogram('lat', 5);
    m.gauge('g', 2);
    const all = m.collect();
    const some = m.collect({ names: ['lat', 'nope', 'a_total'] });
    expect(some.families.map((f) => f.name)).toEqual(['lat', 'a_total']);
    expect(JSON.parse(JSON.stringify(some.families))).toEqual(
      JSON.parse(JSON.stringify([all.families[1], all.families[0]])),
    );
    expect(m.collect({ names: [] }).families).toEqual([]);
    expect(() => m.collect({ names: 'lat' as never })).toThrow(/array/);
  });

  it('runs only the callbacks of the metrics named', () => {
    const m = createMetricsCollector({ clock: new ManualClock(0) });
    let a = 0;
    let b = 0;
    m.observableGauge('a', () => ++a);
    m.observableGauge('b', () => ++b);
    expect(m.collect({ names: ['a'] }).families.map((f) => [f.name, f.series[0]!.value])).toEqual([['a', 1]]);
    expect([a, b]).toEqual([1, 0]);
    m.collect();
    expect([a, b]).toEqual([2, 1]);
  });
});
