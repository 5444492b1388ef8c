import { ManualClock } from '@obs/core';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { createMetricsCollector, serializeFormat, type MetricsEvent } from './index';

// Captured before any test fakes timers (fake timers also freeze hrtime).
const realNs = process.hrtime.bigint.bind(process.hrtime);

afterEach(() => {
  vi.useRealTimers();
});

describe('metrics/point events', () => {
  it('are delivered in a batch after the recording calls return, only while observed', () => {
    vi.useFakeTimers();
    const clock = new ManualClock(5);
    const m = createMetricsCollector({ clock });
    m.increment('before_total'); // nobody listens: no event, no queue
    const seen: MetricsEvent[] = [];
    const sub = m.events$.subscribe((e) => seen.push(e));
    m.increment('req_total', 2, { code: '200' });
    m.gauge('temp', 20);
    m.histogram('lat_ms', 7);
    expect(seen).toEqual([]); // not synchronously
    vi.runAllTimers();
    expect(seen).toEqual([
      {
        type: 'metrics/point',
        ts: 5,
        source: 'metrics',
        point: { name: 'req_total', value: 2, metricType: 'counter', timestamp: 5, labels: { code: '200' }, unit: '' },
      },
      {
        type: 'metrics/point',
        ts: 5,
        source: 'metrics',
        point: { name: 'temp', value: 20, metricType: 'gauge', timestamp: 5, labels: {}, unit: '' },
      },
      {
        type: 'metrics/point',
        ts: 5,
        source: 'metrics',
        point: { name: 'lat_ms', value: 7, metricType: 'histogram', timestamp: 5, labels: {}, unit: '' },
      },
    ]);
    sub.unsubscribe();
    m.increment('req_total');
    vi.runAllTimers();
    expect(seen).toHaveLength(3);
  });

  it('a subscriber that blocks for 50 ms never blocks increment, and aggregates lose nothing', () => {
    vi.useFakeTimers();
    const m = createMetricsCollector({ clock: new ManualClock(0) });
    let blockedMs = 0;
    let delivered = 0;
    m.events$.subscribe(() => {
      delivered++;
      if (delivered === 1) {
        // Really block for 50 ms.
        const end = realNs() + 50_000_000n;
        while (realNs() < end);
      }
      blockedMs += 50;
      vi.advanceTimersByTime(0); // a re-entrant timer tick must not re-deliver
    });
    let callsWhileBlocked = 0;
    for (let i = 0; i < 1000; i++) {
      m.increment('req_total');
      if (blockedMs === 0) callsWhileBlocked++;
    }
    expect(callsWhileBlocked).toBe(1000); // every increment returned before any subscriber ran
    expect(m.getCounter('req_total')).toBe(1000);
    vi.runAllTimers();
    expect(delivered).toBe(1000);
    expect(m.getCounter('req_total')).toBe(1000);
  });

  it('a throwing subscriber does not break recording or the other subscribers', () => {
    vi.useFakeTimers();
    const m = createMetricsCollector({ clock: new ManualClock(0) });
    const errors: unknown[] = [];
    m.events$.subscribe({
      next: () => {
        throw new Error('boom');
      },
      error: (e) => errors.push(e),
    });
    const seen: string[] = [];
    m.events$.subscribe((e) => seen.push(e.type));
    m.increment('a_total');
    m.increment('a_total');
    try {
      vi.runAllTimers();
    } catch {
      // rxjs reports the subscriber's error asynchronously via its own timer; that is not ours to swallow
    }
    expect(seen).toEqual(['metrics/point', 'metrics/point']);
    expect(m.getCounter('a_total')).toBe(2);
  });

  it('drops point events (counted, with an event) past maxQueuedPoints; aggregates are exact', () => {
    vi.useFakeTimers();
    const m = createMetricsCollector({ clock: new ManualClock(0), maxQueuedPoints: 10 });
    const seen: MetricsEvent[] = [];
    m.events$.subscribe((e) => seen.push(e));
    for (let i = 0; i < 25; i++) m.histogram('h', i);
    vi.runAllTimers();
    expect(seen.filter((e) => e.type === 'metrics/point')).toHaveLength(10);
    expect(seen.at(-1)).toMatchObject({ type: 'metrics/points-dropped', count: 15 });
    expect(m.getHistogramStats('h').count).toBe(25);
  });
});

describe('cardinality limit', () => {
  it('routes new label sets to one overflow series, counts them and reports once', () => {
    const m = createMetricsCollector({ clock: new ManualClock(0), maxSeriesPerMetric: 3 });
    const events: MetricsEvent[] = [];
    m.events$.subscribe((e) => events.push(e));
    for (let i = 0; i < 10; i++) m.increment('req_total', 1, { user: String(i) });
    for (let i = 0; i < 3; i++) m.increment('req_total', 1, { user: String(i) }); // existing series still count
    expect([...m.series('req_total')]).toHaveLength(4);
    expect(m.getCounter('req_total', { user: '0' })).toBe(2);
    expect(m.getCounter('req_total', { otel_metric_overflow: 'true' })).toBe(7);
    expect(m.getDroppedLabelSets('req_total')).toBe(7);
    expect(m.getCounterTotal('req_total')).toBe(13);
    expect(events.filter((e) => e.type === 'metrics/cardinality-limit')).toEqual([
      {
        type: 'metrics/cardinality-limit',
        ts: 0,
        source: 'metrics',
        name: 'req_total',
        limit: 3,
        droppedLabels: { user: '3' },
      },
    ]);
    expect(serializeFormat(m, 'prometheus').body).toContain('req_total{otel_metric_overflow="true"} 7');
    // Other metrics have their own limit.
    m.increment('other_total', 1, { user: 'x' });
    expect(m.getCounter('other_total', { user: 'x' })).toBe(1);
  });

  it('applies to histograms and handles too', () => {
    const m = createMetricsCollector({ clock: new ManualClock(0), maxSeriesPerMetric: 1 });
    m.histogram('h', 1, { a: '1' });
    m.histogram('h', { a: '2' }).observe(5);
    expect(m.getHistogramStats('h', { otel_metric_overflow: 'true' }).count).toBe(1);
    expect(m.getDroppedLabelSets('h')).toBe(1);
  });

  it('frees room when series are removed', () => {
    const m = createMetricsCollector({ clock: new ManualClock(0), maxSeriesPerMetric: 1 });
    m.increment('x_total', 1, { a: '1' });
    m.removeSeries('x_total', { a: '1' });
    m.increment('x_total', 1, { a: '2' });
    expect(m.getCounter('x_total', { a: '2' })).toBe(1);
    expect(m.getDroppedLabelSets('x_total')).toBe(0);
  });

  it('keeps the label cache bounded while many label sets come and go', () => {
    const m = createMetricsCollector({ clock: new ManualClock(0), labelCacheSize: 4, maxSeriesPerMetric: 100 });
    for (let round = 0; round < 3; round++) for (let i = 0; i < 50; i++) m.increment('x_total', 1, { id: String(i) });
    for (let i = 0; i < 50; i++) expect(m.getCounter('x_total', { id: String(i) })).toBe(3);
  });
});
