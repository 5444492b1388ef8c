import { ManualClock } from '@obs/core';
import { createMetricsCollector } from '@obs/metrics';
import { describe, expect, it } from 'vitest';
import { ExemplarHistory } from './ExemplarHistory';

describe('ExemplarHistory', () => {
  it('keeps each exemplar once, oldest first, at most `capacity`, and drops those before `since`', () => {
    const clock = new ManualClock(1000);
    let n = 0;
    const metrics = createMetricsCollector({
      clock,
      exemplars: () => ({ traceId: (++n).toString(16).padStart(32, '0'), spanId: 'a'.repeat(16) }),
    });
    metrics.describe('lat', { buckets: [10] });
    const history = new ExemplarHistory(metrics, 3);
    for (let i = 0; i < 5; i++) {
      clock.advance(1000);
      metrics.histogram('lat', 5); // the same bucket: each replaces the last
      history.sample('lat', 0);
      history.sample('lat', 0); // nothing new: nothing repeated
    }
    expect(history.list().map((e) => [e.timestamp, e.traceId.slice(-1)])).toEqual([
      [4000, '3'],
      [5000, '4'],
      [6000, '5'],
    ]);
    history.sample('lat', 5500);
    expect(history.list().map((e) => e.timestamp)).toEqual([6000]);
    history.sample('unknown', 0);
    expect(history.list()).toHaveLength(1);
  });
});
