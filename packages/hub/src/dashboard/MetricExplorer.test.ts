import { ManualClock } from '@obs/core';
import { fc, test } from '@fast-check/vitest';
import { createMetricsCollector, type MetricPoint } from '@obs/metrics';
import { describe, expect, it } from 'vitest';
import { MetricExplorer } from './MetricExplorer';

const T0 = Date.UTC(2026, 11, 1);

function setup(limits = {}) {
  const clock = new ManualClock(T0);
  const metrics = createMetricsCollector({ clock });
  const explorer = new MetricExplorer(metrics, clock, limits);
  return { clock, metrics, explorer };
}

function histogramPoint(name: string, value: number, labels: Record<string, string>): MetricPoint {
  return { name, value, metricType: 'histogram', timestamp: T0, labels, unit: '' } as MetricPoint;
}

describe('MetricExplorer', () => {
  it('lists and searches metric names with their type and series count', () => {
    const { metrics, explorer } = setup();
    metrics.increment('http_requests_total', 1, { route: '/a' });
    metrics.increment('http_requests_total', 1, { route: '/b' });
    metrics.gauge('queue_depth', 3);
    metrics.histogram('http_request_duration_ms', 12);
    expect(explorer.listMetrics()).toEqual({
      total: 3,
      metrics: [
        { name: 'http_request_duration_ms', type: 'histogram', series: 1 },
        { name: 'http_requests_total', type: 'counter', series: 2 },
        { name: 'queue_depth', type: 'gauge', series: 1 },
      ],
    });
    expect(explorer.listMetrics('HTTP', 1)).toEqual({
      total: 2,
      metrics: [{ name: 'http_request_duration_ms', type: 'histogram', series: 1 }],
    });
    expect(explorer.listSeries('http_requests_total', { route: '/b' })).toEqual({
      total: 1,
      series: [{ route: '/b' }],
    });
    expect(explorer.listSeries('nope', {})).toBeUndefined();
  });

  it('follows a counter as a rate over the matching series, through a reset', () => {
    const { clock, metrics, explorer } = setup();
    metrics.increment('req_total', 10, { route: '/a' });
    metrics.increment('req_total', 99, { route: '/b' });
    expect(explorer.query('req_total', { route: '/a' })?.points).toEqual([]);
    clock.advance(1000);
    metrics.increment('req_total', 5, { route: '/a' });
    explorer.sample();
    clock.advance(2000);
    metrics.increment('req_total', 8, { route: '/a' });
    explorer.sample();
    metrics.removeSeries('req_total', { route: '/a' });
    metrics.increment('req_total', 3, { route: '/a' });
    clock.advance(1000);
    explorer.sample();
    const r = explorer.query('req_total', { route: '/a' })!;
    expect(r).toMatchObject({ type: 'counter', valueKind: 'rate', matchedSeries: 1 });
    expect(r.points).toEqual([
      { ts: T0 + 1000, value: 5 },
      { ts: T0 + 3000, value: 4 },
      { ts: T0 + 4000, value: 3 },
    ]);
  });

  it('sums gauges and gives histogram quantiles of each interval', () => {
    const { clock, metrics, explorer } = setup();
    metrics.gauge('depth', 2, { q: 'a' });
    metrics.gauge('depth', 5, { q: 'b' });
    metrics.histogram('lat_ms', 1, { route: '/a' });
    explorer.query('depth', {});
    explorer.query('lat_ms', { route: '/a' });
    expect(explorer.wants('lat_ms')).toBe(true);
    for (let v = 1; v <= 100; v++) {
      metrics.histogram('lat_ms', v, { route: '/a' });
      explorer.observe(histogramPoint('lat_ms', v, { route: '/a' }));
      explorer.observe(histogramPoint('lat_ms', 1e6, { route: '/other' })); // filtered out
    }
    clock.advance(1000);
    explorer.sample();
    expect(explorer.query('depth', {})!.points).toEqual([{ ts: T0 + 1000, value: 7 }]);
    const [p] = explorer.query('lat_ms', { route: '/a' })!.points;
    expect(p!.value).toBe(100);
    expect(p!.p50).toBeCloseTo(50, -0.2);
    expect(Math.abs(p!.p99! - 99) / 99).toBeLessThan(0.011);
    // the next interval starts empty
    clock.advance(1000);
    explorer.sample();
    expect(explorer.query('lat_ms', { route: '/a' })!.points[1]).toEqual({
      ts: T0 + 2000,
      value: 0,
      p50: null,
      p90: null,
      p99: null,
    });
  });

  it('bounds watches, drops the least recently asked and forgets queries nobody asks for', () => {
    const { clock, metrics, explorer } = setup({ maxWatches: 2, watchTtlMs: 10_000, historySize: 3 });
    for (const n of ['a_total', 'b_total', 'c_total']) metrics.increment(n);
    explorer.query('a_total', {});
    clock.advance(1);
    explorer.query('b_total', {});
    clock.advance(1);
    explorer.query('c_total', {});
    expect(explorer.size).toBe(2);
    expect(explorer.wants('a_total')).toBe(false);
    for (let i = 0; i < 5; i++) {
      clock.advance(1000);
      explorer.sample();
    }
    expect(explorer.query('c_total', {})!.points).toHaveLength(3);
    clock.advance(8_000);
    explorer.query('c_total', {});
    clock.advance(3_000);
    explorer.sample();
    expect(explorer.size).toBe(1); // b_total expired; c_total was just asked for
  });

  test.prop([fc.array(fc.tuple(fc.constantFrom('/a', '/b'), fc.integer({ min: 0, max: 1000 })), { maxLength: 50 })])(
    'a counter rate integrates back to the increments of matching series',
    (steps) => {
      const { clock, metrics, explorer } = setup();
      metrics.increment('n_total', 0, { route: '/a' });
      explorer.query('n_total', { route: '/a' });
      let expected = 0;
      for (const [route, inc] of steps) {
        metrics.increment('n_total', inc, { route });
        if (route === '/a') expected += inc;
        clock.advance(500);
        explorer.sample();
      }
      const points = explorer.query('n_total', { route: '/a' })!.points;
      const integrated = points.reduce((sum, p) => sum + (p.value ?? 0) * 0.5, 0);
      expect(integrated).toBeCloseTo(expected, 6);
    },
  );
});
