import { describe, expect, it } from 'vitest';
import { createMetricsCollector } from '../index';
import { aggregateSnapshots } from './aggregateSnapshots';

describe('aggregateSnapshots', () => {
  it('merges snapshots as the aggregator does: sums, exact sketches, gauge policies, worker ids', () => {
    const states = [1, 2, 3].map((w) => {
      const m = createMetricsCollector();
      m.increment('jobs_total', w, { q: 'a' });
      for (let i = 0; i < 100; i++) m.histogram('lat', w * 100 + i);
      m.gauge('depth', w);
      m.gauge('heap', w * 10);
      return m.snapshot();
    });
    const reference = createMetricsCollector();
    for (let w = 1; w <= 3; w++) for (let i = 0; i < 100; i++) reference.histogram('lat', w * 100 + i);
    const { collector, report } = aggregateSnapshots(states, {
      gaugePolicies: { depth: 'max' },
      workerIds: ['a', 'b', 'c'],
    });
    expect(report).toEqual({ conflicts: 0, droppedSeries: 0, invalidSketches: 0, rejected: 0 });
    expect(collector.getCounter('jobs_total', { q: 'a' })).toBe(6);
    expect(collector.getHistogramStats('lat')).toEqual(reference.getHistogramStats('lat'));
    expect(collector.getGauge('depth')).toBe(3);
    expect(collector.getGauge('heap', { worker: 'b' })).toBe(20);
  });

  it('skips and counts what is malformed, and refuses a bad configuration', () => {
    const { snapshot, report } = aggregateSnapshots([
      null as never,
      { version: 2 } as never,
      {
        version: 1,
        metrics: [{ name: 'x', type: 'counter', help: '', unit: '', series: [{ labels: {}, value: -1 }] }],
      },
    ]);
    expect(report.rejected).toBe(3);
    expect(snapshot.metrics[0]!.series).toEqual([]);
    expect(() => aggregateSnapshots([], { gaugePolicy: 'avg' as never })).toThrow(/gauge policy/);
    expect(() => aggregateSnapshots({} as never)).toThrow(/array/);
  });
});
