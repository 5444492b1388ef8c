/**
 * The specification's usage, as a new user writes it: `const a = detect(name, v); if (a) …`.
 * Every case here is from issue 11 ("answer at once").
 */
import { describe, expect, it } from 'vitest';
import { ManualClock } from '@obs/core';
import { AnomalyType } from './AnomalyType';
import { createAnomalyDetector } from './AnomalyDetector';
import type { Anomaly } from './Anomaly';
import type { AnomalyEvent } from './events';
import { noisySeries } from './test-support/series';

/** 500 values of N(100, 5), one per clock second. */
function warmedUp() {
  const clock = new ManualClock(Date.UTC(2024, 0, 1));
  const detector = createAnomalyDetector({ clock });
  for (const v of noisySeries(1, 500, 100, 5)) {
    clock.advance(1000);
    expect(detector.detect('latency', v)).toBeUndefined();
  }
  return { clock, detector };
}

describe('detect() answers from the call that carries the anomaly', () => {
  it('500 x N(100, 5) then 1000: a SPIKE from that call; then 0: a DROP from that call', () => {
    const { clock, detector } = warmedUp();
    clock.advance(1000);
    const spike = detector.detect('latency', 1000);
    expect(spike).toMatchObject({
      anomalyType: AnomalyType.SPIKE,
      actualValue: 1000,
      timestamp: clock.now(),
      metricName: 'latency',
    });
    expect(spike!.expectedValue).toBeGreaterThan(90);
    expect(spike!.expectedValue).toBeLessThan(110);
    clock.advance(1000);
    const drop = detector.detect('latency', 0);
    expect(drop).toMatchObject({ anomalyType: AnomalyType.DROP, actualValue: 0, timestamp: clock.now() });
    expect(drop!.anomalyId).not.toBe(spike!.anomalyId);
    // The drop went the other way: the spike stays a spike.
    expect(detector.getDetectedAnomalies().map((a) => a.anomalyType)).toEqual([AnomalyType.SPIKE, AnomalyType.DROP]);
  });

  it('five spikes separated by normal values: five anomalies, each from its own call; getDetectedAnomalies(3) is the latest three', () => {
    const { clock, detector } = warmedUp();
    const normal = noisySeries(7, 5 * 50, 100, 5);
    const fromCalls: Anomaly[] = [];
    for (let k = 0; k < 5; k++) {
      clock.advance(1000);
      const a = detector.detect('latency', 1000 + 100 * k);
      expect(a?.anomalyType).toBe(AnomalyType.SPIKE);
      fromCalls.push(a!);
      for (let i = 0; i < 50; i++) {
        clock.advance(1000);
        expect(detector.detect('latency', normal[50 * k + i]!)).toBeUndefined();
      }
    }
    expect(detector.getDetectedAnomalies()).toEqual(fromCalls);
    expect(detector.getDetectedAnomalies(3)).toEqual(fromCalls.slice(2));
    expect(fromCalls.map((a) => a.actualValue)).toEqual([1000, 1100, 1200, 1300, 1400]);
  });

  it('detect(NaN) and detect(Infinity) change nothing, and the next spike is still reported at once', () => {
    const { clock, detector } = warmedUp();
    const twin = warmedUp().detector;
    const before = detector.calculateBaseline('latency')!;
    for (const bad of [Number.NaN, Number.POSITIVE_INFINITY, Number.NEGATIVE_INFINITY]) {
      expect(detector.detect('latency', bad)).toBeUndefined();
    }
    const after = detector.calculateBaseline('latency')!;
    expect({ ...after, ignoredCount: 0 }).toEqual({ ...before, ignoredCount: 0 });
    expect(after.ignoredCount).toBe(3);
    clock.advance(1000);
    const spike = detector.detect('latency', 1000);
    expect(spike?.anomalyType).toBe(AnomalyType.SPIKE);
    // Exactly what a detector that never saw the bad values reports.
    const same = twin.detect('latency', 1000, undefined, clock.now());
    expect({ ...spike, anomalyId: '' }).toEqual({ ...same, anomalyId: '' });
  });

  it('a constant series yields nothing', () => {
    const detector = createAnomalyDetector();
    for (let i = 0; i < 2000; i++) expect(detector.detect('const', 42, undefined, i * 1000)).toBeUndefined();
    expect(detector.getDetectedAnomalies()).toEqual([]);
    expect(detector.calculateBaseline('const')).toMatchObject({ mean: 42, stdDev: 0 });
  });

  it('a level shift is reported at once and then updated in place to TREND, with an anomaly/updated event', () => {
    const { clock, detector } = warmedUp();
    const events: AnomalyEvent[] = [];
    detector.events$.subscribe((e) => events.push(e));
    clock.advance(1000);
    const first = detector.detect('latency', 300);
    expect(first?.anomalyType).toBe(AnomalyType.SPIKE);
    for (const v of noisySeries(8, 30, 300, 5)) {
      clock.advance(1000);
      expect(detector.detect('latency', v)).toBeUndefined();
    }
    const [current] = detector.getDetectedAnomalies();
    expect(current).toMatchObject({ anomalyId: first!.anomalyId, anomalyType: AnomalyType.TREND, actualValue: 300 });
    const updates = events.filter((e) => e.type === 'anomaly/updated');
    expect(updates).toEqual([
      expect.objectContaining({ previousType: AnomalyType.SPIKE, anomalyType: AnomalyType.TREND, anomaly: current }),
    ]);
  });
});

describe('calculateBaseline()', () => {
  it('adds the mean and standard deviation of the learned baseline', () => {
    const { detector } = warmedUp();
    const base = detector.calculateBaseline('latency')!;
    expect(base.mean).toBe(base.expectedValue);
    expect(base.stdDev).toBe(base.scale);
    expect(Math.abs(base.mean - 100)).toBeLessThan(1.5);
    expect(base.stdDev).toBeGreaterThan(4);
    expect(base.stdDev).toBeLessThan(6);
  });

  it('has a configurable warm-up, 32 points by default', () => {
    for (const [config, warmup] of [
      [{}, 32],
      [{ warmupPoints: 5 }, 5],
      [{ warmupPoints: 100 }, 100],
      [{ scorer: { warmupPoints: 7 } }, 7],
    ] as const) {
      const detector = createAnomalyDetector(config);
      const values = noisySeries(3, warmup, 10, 1);
      values.forEach((v, i) => {
        expect(detector.calculateBaseline('w')).toBeUndefined();
        detector.detect('w', v, undefined, i * 1000);
      });
      expect(detector.calculateBaseline('w')).toMatchObject({ count: warmup });
    }
    expect(() => createAnomalyDetector({ warmupPoints: 0 })).toThrow(/warmupPoints/);
    expect(() => createAnomalyDetector({ warmupPoints: 2.5 })).toThrow(/warmupPoints/);
  });
});
