import { ManualClock } from '@obs/core';
import { fc, test } from '@fast-check/vitest';
import { describe, expect, it } from 'vitest';
import { InvalidSnapshotError, createMetricsCollector, serializeFormat, type MetricsSnapshot } from './index';

function populated() {
  const m = createMetricsCollector({ clock: new ManualClock(0), maxSeriesPerMetric: 3 });
  m.describe('lat_ms', { help: 'Latency.', buckets: [1, 10, 100] });
  m.increment('req_total', 3, { code: '200' });
  for (let i = 0; i < 5; i++) m.increment('req_total', 1, { code: String(500 + i) }); // 3 overflow
  m.gauge('temp', -4.5, { room: 'a"b' });
  m.gauge('unset', {});
  [0.5, 5, 50, 500, -1, 0].forEach((v) => m.histogram('lat_ms', v, { route: '/' }));
  m.timer('job_ms', 12);
  return m;
}

describe('snapshot / restore', () => {
  it('round-trips counters, gauges and histogram sketches through JSON', () => {
    const m = populated();
    const snap = JSON.parse(JSON.stringify(m.snapshot())) as MetricsSnapshot;
    const copy = createMetricsCollector({ clock: new ManualClock(0), maxSeriesPerMetric: 3 });
    copy.increment('stale_total');
    copy.restore(snap);
    expect(copy.listMetrics()).toEqual(m.listMetrics());
    expect(serializeFormat(copy, 'openmetrics').body).toBe(serializeFormat(m, 'openmetrics').body);
    expect(copy.getHistogramStats('lat_ms', { route: '/' })).toEqual(m.getHistogramStats('lat_ms', { route: '/' }));
    expect(copy.getCounter('req_total', { otel_metric_overflow: 'true' })).toBe(3);
    // Restored series keep working, overflow included.
    copy.increment('req_total', 1, { code: 'new' });
    expect(copy.getCounter('req_total', { otel_metric_overflow: 'true' })).toBe(4);
    copy.histogram('lat_ms', 7, { route: '/' });
    expect(copy.getHistogramStats('lat_ms', { route: '/' }).count).toBe(7);
  });

  test.prop([
    fc.array(fc.tuple(fc.constantFrom('a', 'b', 'c'), fc.double({ min: -1e3, max: 1e3, noNaN: true })), {
      maxLength: 100,
    }),
  ])('restore(snapshot()) preserves every statistic', (ops) => {
    const m = createMetricsCollector({ clock: new ManualClock(0) });
    for (const [k, v] of ops) m.histogram('h', v, { k });
    const copy = createMetricsCollector({ clock: new ManualClock(0) });
    copy.restore(JSON.parse(JSON.stringify(m.snapshot())));
    for (const k of ['a', 'b', 'c'])
      expect(copy.getHistogramStats('h', { k })).toEqual(m.getHistogramStats('h', { k }));
  });

  it('rejects bad snapshots and leaves the collector untouched', () => {
    const m = populated();
    const good = m.snapshot();
    const target = createMetricsCollector({ clock: new ManualClock(0), maxSeriesPerMetric: 3 });
    target.increment('keep_total', 5);
    const before = serializeFormat(target, 'openmetrics').body;
    const metric = (i: number) => good.metrics[i]!;
    const bad: unknown[] = [
      null,
      'x',
      { version: 2, metrics: [] },
      { version: 1, metrics: {} },
      { version: 1, metrics: [{ ...metric(0), name: 'bad name' }] },
      { version: 1, metrics: [metric(0), metric(0)] },
      { version: 1, metrics: [{ ...metric(0), type: 'nope' }] },
      { version: 1, metrics: [{ ...metric(0), series: [{ labels: { code: '1' }, value: -1 }] }] },
      { version: 1, metrics: [{ ...metric(0), series: [{ labels: { 'bad-label': '1' }, value: 1 }] }] },
      {
        version: 1,
        metrics: [
          {
            ...metric(0),
            series: [
              { labels: { a: '1' }, value: 1 },
              { labels: { a: '1' }, value: 2 },
            ],
          },
        ],
      },
      { version: 1, metrics: [{ ...metric(1), series: [{ labels: {}, value: NaN }] }] },
      {
        version: 1,
        metrics: [
          { ...metric(3), series: [{ labels: {}, histogram: { ...metric(3).series[0]!.histogram!, count: 99 } }] },
        ],
      },
      {
        version: 1,
        metrics: [
          { ...metric(3), series: [{ labels: {}, histogram: metric(3).series[0]!.histogram!, bucketCounts: [1] }] },
        ],
      },
      { version: 1, metrics: [{ ...metric(3), buckets: [3, 1] }] },
      { version: 1, metrics: [{ ...metric(0), buckets: [1] }] },
      {
        version: 1,
        metrics: [
          { ...metric(0), series: Array.from({ length: 10 }, (_, i) => ({ labels: { i: String(i) }, value: 1 })) },
        ],
      },
    ];
    for (const b of bad) expect(() => target.restore(b)).toThrow(InvalidSnapshotError);
    expect(serializeFormat(target, 'openmetrics').body).toBe(before);
  });
});

describe('restored series', () => {
  it('are exported with their restored values', () => {
    const m = populated();
    const copy = createMetricsCollector({ clock: new ManualClock(7), maxSeriesPerMetric: 3 });
    copy.restore(m.snapshot());
    const byName = (name: string) => copy.export().filter((p) => p.name === name);
    expect(
      byName('req_total')
        .map((p) => p.value)
        .sort(),
    ).toEqual([1, 1, 3, 3]);
    expect(byName('temp')).toEqual([
      { name: 'temp', value: -4.5, metricType: 'gauge', timestamp: 7, labels: { room: 'a"b' }, unit: '' },
    ]);
    expect(byName('unset')).toEqual([]);
    expect(byName('lat_ms')).toHaveLength(1);
  });
});
