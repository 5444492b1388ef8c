import { describe, expect, it, onTestFinished } from 'vitest';
import { config as rxjsConfig } from 'rxjs';
import { ManualClock, ObsError, ObsValidationError } from '@obs/core';
import { AnomalyType } from './AnomalyType';
import { createAnomalyDetector, type AnomalyDetector } from './AnomalyDetector';
import type { AnomalyEvent } from './events';
import { AnomalySnapshotError } from './errors';
import { createStreamScorer } from './createStreamScorer';
import { MINUTE, T0, gaussian, mulberry32, noisySeries } from './test-support/series';

function feed(
  detector: AnomalyDetector,
  name: string,
  values: readonly number[],
  start = T0,
  step = MINUTE,
  labels?: Record<string, string>,
) {
  return values.map((v, i) => detector.detect(name, v, labels, start + i * step)).filter((a) => a !== undefined);
}

describe('AnomalyDetector', () => {
  it('has no baseline for unknown series or during warm-up', () => {
    const detector = createAnomalyDetector();
    expect(detector.calculateBaseline('latency')).toBeUndefined();
    feed(detector, 'latency', noisySeries(1, 31, 100, 5));
    expect(detector.calculateBaseline('latency')).toBeUndefined();
    feed(detector, 'latency', [100], T0 + 31 * MINUTE);
    const base = detector.calculateBaseline('latency');
    expect(base).toMatchObject({ metricName: 'latency', count: 32, ignoredCount: 0, seasonalPeriod: undefined });
    expect(base!.expectedValue).toBeGreaterThan(95);
    expect(base!.expectedValue).toBeLessThan(105);
    expect(base!.scale).toBeGreaterThan(2);
    expect(base!.scale).toBeLessThan(10);
    expect(base!.min).toBeLessThanOrEqual(base!.max);
  });

  it('keeps one model per metric name and label set, whatever the label order', () => {
    const detector = createAnomalyDetector();
    feed(detector, 'm', new Array(40).fill(1), T0, MINUTE, { a: 'x', b: 'y' });
    feed(detector, 'm', new Array(40).fill(2), T0, MINUTE, { b: 'y', a: 'x' });
    feed(detector, 'm', new Array(40).fill(3), T0, MINUTE, { a: 'other' });
    expect(detector.seriesCount).toBe(2);
    expect(detector.calculateBaseline('m', { b: 'y', a: 'x' })!.count).toBe(80);
    expect(detector.calculateBaseline('m', { a: 'other' })!.expectedValue).toBe(3);
    expect(detector.calculateBaseline('m')).toBeUndefined();
  });

  it('ignores and counts NaN and infinities without poisoning the model', () => {
    const detector = createAnomalyDetector();
    const values = noisySeries(2, 100, 10, 1);
    values.forEach((v, i) => {
      detector.detect('x', v, undefined, T0 + i * MINUTE);
      if (i % 10 === 0)
        detector.detect('x', i % 20 === 0 ? Number.NaN : Number.POSITIVE_INFINITY, undefined, T0 + i * MINUTE);
    });
    const base = detector.calculateBaseline('x')!;
    expect(base.ignoredCount).toBe(10);
    expect(base.count).toBe(100);
    expect(Number.isFinite(base.expectedValue) && Number.isFinite(base.scale)).toBe(true);
  });

  it('rejects bad input with typed errors and leaves the state untouched', () => {
    const detector = createAnomalyDetector();
    feed(detector, 'ok', [1, 2, 3]);
    const bad: Array<() => unknown> = [
      () => detector.detect('', 1),
      () => detector.detect(42 as unknown as string, 1),
      () => detector.detect('x'.repeat(2000), 1),
      () => detector.detect('m', '12' as unknown as number),
      () => detector.detect('m', null as unknown as number),
      () => detector.detect('m', 1, { 'bad-name': 'v' }),
      () => detector.detect('m', 1, { a: 1 as unknown as string }),
      () => detector.detect('m', 1, [] as unknown as Record<string, string>),
      () => detector.detect('m', 1, undefined, Number.NaN),
      () => detector.detect('m', 1, undefined, '2024' as unknown as number),
      () => detector.score('', 1),
      () => detector.calculateBaseline(''),
      () => detector.getDetectedAnomalies(-1),
      () => detector.getDetectedAnomalies(Number.NaN),
    ];
    for (const call of bad) expect(call).toThrow(ObsValidationError);
    expect(detector.seriesCount).toBe(1);
  });

  it('validates labels of known series too, and never mixes up look-alike label sets', () => {
    const detector = createAnomalyDetector();
    feed(detector, 'm', new Array(40).fill(1), T0, MINUTE, { a: '1' });
    expect(() => detector.detect('m', 1, { a: 1 as unknown as string })).toThrow(ObsValidationError);
    expect(() => detector.detect('m', 1, { a: '1', 'b-c': 'x' })).toThrow(ObsValidationError);
    feed(detector, 'k', new Array(40).fill(1), T0, MINUTE, { a: 'x",b="y' });
    feed(detector, 'k', new Array(40).fill(2), T0, MINUTE, { a: 'x', b: 'y' });
    feed(detector, 'k', new Array(40).fill(3), T0, MINUTE, {});
    expect(detector.calculateBaseline('k', { a: 'x",b="y' })!.expectedValue).toBe(1);
    expect(detector.calculateBaseline('k', { a: 'x', b: 'y' })!.expectedValue).toBe(2);
    expect(detector.calculateBaseline('k')!.expectedValue).toBe(3);
    expect(detector.seriesCount).toBe(4);
  });

  it('treats __proto__ and constructor as ordinary labels', () => {
    const detector = createAnomalyDetector();
    const labels = JSON.parse('{"__proto__": "p", "constructor": "c"}') as Record<string, string>;
    feed(detector, 'm', new Array(40).fill(5), T0, MINUTE, labels);
    expect(detector.calculateBaseline('m', labels)!.labels).toEqual(labels);
    expect(({} as Record<string, unknown>)['p']).toBeUndefined();
  });

  it('validates its configuration', () => {
    const bad: unknown[] = [
      { maxSeries: 0 },
      { maxSeries: 1.5 },
      { maxAnomalies: -1 },
      { threshold: 0 },
      { threshold: 2 },
      { threshold: Number.NaN },
      { quietPoints: 0 },
      { suppressPoints: -1 },
      { suppressPoints: 0.5 },
      { scorer: { minEvidence: 0 } },
      { scorer: { extremeSigma: 0 } },
      { clock: {} },
      { scorer: { warmupPoints: 0 } },
      { scorer: { slowAlpha: 2 } },
      { scorer: { nope: 1 } },
      { scorer: 'fast' },
      null,
    ];
    for (const config of bad) expect(() => createAnomalyDetector(config as never)).toThrow(ObsValidationError);
    expect(() => createAnomalyDetector({ scorer: { warmupPoints: 100, slowAlpha: 0.05 } })).not.toThrow();
  });

  it('groups a same-side extreme point right after a report into that incident (suppressPoints), not one on the other side', () => {
    const run = (config: Parameters<typeof createAnomalyDetector>[0], tail: number[]) => {
      const detector = createAnomalyDetector(config);
      const values = [...noisySeries(17, 300, 0, 1), ...tail];
      return values.filter((v, i) => detector.detect('x', v, undefined, T0 + i * MINUTE) !== undefined).length;
    };
    // Spike, back to normal, spike again: one incident by default, two without suppression.
    expect(run({}, [25, 0, 25, 0, 0])).toBe(1);
    expect(run({ suppressPoints: 0 }, [25, 0, 25, 0, 0])).toBe(2);
    // Past the suppression window the second spike is news again.
    expect(run({}, [25, 0, 0, 0, 25, 0, 0])).toBe(2);
    // A drop right after a spike is news of its own.
    expect(run({}, [25, -25, 0, 0])).toBe(2);
  });

  it('evicts the least recently used series beyond maxSeries and says so', () => {
    const clock = new ManualClock(T0);
    const detector = createAnomalyDetector({ maxSeries: 2, clock });
    const events: AnomalyEvent[] = [];
    detector.events$.subscribe((e) => events.push(e));
    detector.detect('a', 1);
    detector.detect('b', 1);
    detector.detect('a', 1);
    detector.detect('c', 1, { k: 'v' });
    expect(detector.seriesCount).toBe(2);
    expect(detector.evictedSeries).toBe(1);
    expect(events).toEqual([
      { type: 'anomaly/series-evicted', ts: T0, source: 'anomaly', metricName: 'b', labels: {} },
    ]);
  });

  it('reports a spike once, from the call that carries it, with what was expected, how far off and why', () => {
    const clock = new ManualClock(T0);
    const detector = createAnomalyDetector({ clock });
    const events: AnomalyEvent[] = [];
    detector.events$.subscribe((e) => events.push(e));
    feed(detector, 'latency_ms', noisySeries(5, 300, 200, 10), T0, MINUTE, { route: '/api' });
    const spikeAt = T0 + 300 * MINUTE;
    const anomaly = detector.detect('latency_ms', 400, { route: '/api' }, spikeAt);
    expect(anomaly).toMatchObject({
      anomalyType: AnomalyType.SPIKE,
      metricName: 'latency_ms',
      actualValue: 400,
      timestamp: spikeAt,
    });
    expect(anomaly!.expectedValue).toBeGreaterThan(190);
    expect(anomaly!.expectedValue).toBeLessThan(210);
    expect(anomaly!.deviation).toBeGreaterThan(10);
    expect(anomaly!.details).toMatchObject({
      labels: { route: '/api' },
      predictor: 'ensemble',
      mainPredictor: 'baseline',
    });
    expect(anomaly!.details.nextValue).toBeUndefined();
    expect(anomaly!.details.reason).toMatch(/^value outside the range of all earlier values$/);
    expect(anomaly!.anomalyId).toMatch(/^anomaly-/);
    // The next point is back to normal: nothing new, and the spike stays a spike.
    expect(detector.detect('latency_ms', 201, { route: '/api' }, spikeAt + MINUTE)).toBeUndefined();
    expect(events.filter((e) => e.type === 'anomaly/detected')).toEqual([
      { type: 'anomaly/detected', ts: T0, source: 'anomaly', anomaly, labels: { route: '/api' } },
    ]);
    expect(detector.getDetectedAnomalies()).toEqual([anomaly]);
  });

  it('reports the first change of a long-constant series at once, then updates the same anomaly to TREND', () => {
    const clock = new ManualClock(T0);
    const detector = createAnomalyDetector({ clock });
    const events: AnomalyEvent[] = [];
    detector.events$.subscribe((e) => events.push(e));
    const updates: AnomalyEvent[] = [];
    detector.updates$.subscribe((e) => updates.push(e));
    feed(detector, 'x', new Array(200).fill(5));
    const first = detector.detect('x', 7, undefined, T0 + 200 * MINUTE);
    expect(first).toMatchObject({
      anomalyType: AnomalyType.SPIKE,
      actualValue: 7,
      expectedValue: 5,
      timestamp: T0 + 200 * MINUTE,
    });
    // The next point stays at the new level: a level shift, not a spike.
    expect(detector.detect('x', 7, undefined, T0 + 201 * MINUTE)).toBeUndefined();
    const [current] = detector.getDetectedAnomalies();
    expect(current).toMatchObject({
      anomalyId: first!.anomalyId,
      anomalyType: AnomalyType.TREND,
      actualValue: 7,
      expectedValue: 5,
      timestamp: T0 + 200 * MINUTE,
    });
    expect(current!.details).toMatchObject({ nextValue: 7 });
    expect(current!.details.reason).toMatch(/level shift/);
    expect(Object.isFrozen(current)).toBe(true);
    // The object handed out first is left as it was; the update is a new one.
    expect(first!.anomalyType).toBe(AnomalyType.SPIKE);
    const updated = {
      type: 'anomaly/updated',
      ts: T0,
      source: 'anomaly',
      anomaly: current,
      previousType: 'spike',
      anomalyType: 'trend',
      labels: {},
    };
    expect(events.filter((e) => e.type !== 'anomaly/detected')).toEqual([updated]);
    expect(updates).toEqual([updated]);
    // And nothing more for the rest of the new level.
    expect(feed(detector, 'x', new Array(100).fill(7), T0 + 202 * MINUTE)).toEqual([]);
    expect(detector.getDetectedAnomalies()).toEqual([current]);
  });

  it('calls a deep drop a DROP, from the call that carries it', () => {
    const detector = createAnomalyDetector();
    feed(detector, 'x', noisySeries(6, 300, 200, 10));
    expect(detector.detect('x', 0, undefined, T0 + 300 * MINUTE)?.anomalyType).toBe(AnomalyType.DROP);
    expect(detector.detect('x', 200, undefined, T0 + 301 * MINUTE)).toBeUndefined();
    expect(detector.getDetectedAnomalies().map((a) => a.anomalyType)).toEqual([AnomalyType.DROP]);
  });

  it('calls a steady ramp away from the baseline a TREND', () => {
    const detector = createAnomalyDetector();
    const g = gaussian(1);
    feed(
      detector,
      'x',
      Array.from({ length: 600 }, (_, i) => 100 + g() + (i >= 300 ? 0.5 * (i - 300) : 0)),
    );
    const found = detector.getDetectedAnomalies();
    expect(found[0]?.anomalyType).toBe(AnomalyType.TREND);
    expect(found[0]!.timestamp).toBeGreaterThanOrEqual(T0 + 300 * MINUTE);
    expect(found[0]!.details.reason).toMatch(/drift|level shift/);
  });

  it('scores exactly like the bare stream scorer the NAB adapter is built on', () => {
    const detector = createAnomalyDetector();
    const scorer = createStreamScorer();
    const values = noisySeries(40, 800, 3, 1);
    values[500] = 30;
    values.forEach((v, i) => {
      const t = T0 + i * MINUTE;
      expect(detector.score('x', v, undefined, t).score).toBe(scorer.update(v, t).score);
    });
  });

  it('keeps detecting while a subscriber throws', async () => {
    const detector = createAnomalyDetector();
    const errors: unknown[] = [];
    const seen: string[] = [];
    const unhandled: unknown[] = [];
    const previous = rxjsConfig.onUnhandledError;
    rxjsConfig.onUnhandledError = (e: unknown) => unhandled.push(e);
    onTestFinished(() => {
      rxjsConfig.onUnhandledError = previous;
    });
    detector.events$.subscribe(() => {
      throw new Error('subscriber bug');
    });
    detector.events$.subscribe({ next: (e) => seen.push(e.type), error: (e: unknown) => errors.push(e) });
    feed(detector, 'x', noisySeries(7, 200, 0, 1));
    const anomaly = detector.detect('x', 50, undefined, T0 + 200 * MINUTE);
    detector.detect('x', 0, undefined, T0 + 201 * MINUTE);
    expect(anomaly?.anomalyType).toBe(AnomalyType.SPIKE);
    expect(seen).toContain('anomaly/detected');
    expect(errors).toEqual([]);
    // RxJS reports a subscriber's error asynchronously, away from the producer.
    await new Promise((resolve) => setTimeout(resolve, 5));
    expect(unhandled.length).toBe(seen.length);
    expect(unhandled[0]).toEqual(new Error('subscriber bug'));
  });

  it('returns the latest anomalies, oldest first, and keeps at most maxAnomalies', () => {
    const detector = createAnomalyDetector({ maxAnomalies: 3 });
    const values = noisySeries(8, 2000, 0, 1);
    for (let k = 1; k <= 6; k++) {
      values[k * 300] = 40;
    }
    const found = feed(detector, 'x', values);
    expect(found.length).toBeGreaterThanOrEqual(6);
    const kept = detector.getDetectedAnomalies();
    expect(kept).toEqual(found.slice(-3));
    expect(detector.getDetectedAnomalies(2)).toEqual(found.slice(-2));
    expect(detector.getDetectedAnomalies(0)).toEqual([]);
    expect(kept[0]!.timestamp).toBeLessThan(kept[2]!.timestamp);
  });

  it('handles integer-valued bursty counts: ordinary bursts pass, a flood is found', () => {
    const u = mulberry32(11);
    // Mostly 0, sometimes 1-3: requests per second of a quiet endpoint.
    const counts = Array.from({ length: 1500 }, () => (u() < 0.8 ? 0 : 1 + Math.floor(u() * 3)));
    const detector = createAnomalyDetector();
    const before = feed(detector, 'req', counts, T0, 1000);
    expect(before.length).toBeLessThanOrEqual(2);
    const flood = detector.detect('req', 40, undefined, T0 + 1500 * 1000);
    expect(flood?.anomalyType).toBe(AnomalyType.SPIKE);
  });

  it('survives gaps in time without reporting the gap itself', () => {
    const detector = createAnomalyDetector();
    const values = noisySeries(12, 400, 50, 2);
    const found = values
      .map((v, i) => detector.detect('x', v, undefined, T0 + i * MINUTE + (i >= 200 ? 3 * 86_400_000 : 0)))
      .filter(Boolean);
    expect(found).toEqual([]);
  });

  it('learns a daily profile and reports a value normal overall but wrong for its time as SEASONALITY', () => {
    const detector = createAnomalyDetector();
    const g = gaussian(13);
    const step = 15 * MINUTE;
    const perDay = 96;
    const days = 14;
    const value = (i: number) => 100 + 50 * Math.sin((2 * Math.PI * i) / perDay) + g();
    const found = feed(
      detector,
      'traffic',
      Array.from({ length: perDay * days }, (_, i) => value(i)),
      T0,
      step,
    );
    expect(found).toEqual([]);
    expect(detector.calculateBaseline('traffic')!.seasonalPeriod).toBeDefined();
    // At the daily trough (sin = -1, value ~50) the series shows its daily mean instead.
    const troughIndex = perDay * days + (3 * perDay) / 4;
    feed(
      detector,
      'traffic',
      Array.from({ length: (3 * perDay) / 4 }, (_, k) => value(perDay * days + k)),
      T0 + perDay * days * step,
      step,
    );
    const anomaly = detector.detect('traffic', 100, undefined, T0 + troughIndex * step);
    expect(anomaly?.anomalyType).toBe(AnomalyType.SEASONALITY);
    expect(anomaly!.expectedValue).toBeLessThan(60);
    expect(anomaly!.details.seasonalPeriod).toBeDefined();
  });

  it('uses the clock for points without a timestamp', () => {
    const clock = new ManualClock(T0);
    const detector = createAnomalyDetector({ clock });
    for (const v of noisySeries(14, 200, 0, 1)) {
      clock.advance(MINUTE);
      detector.detect('x', v);
    }
    clock.advance(MINUTE);
    const spikeAt = clock.now();
    expect(detector.detect('x', 30)?.timestamp).toBe(spikeAt);
  });

  it('exposes the per-point score that detection thresholds', () => {
    const detector = createAnomalyDetector({ suppressPoints: 0 });
    const warm = detector.score('x', 1, undefined, T0);
    expect(warm).toMatchObject({ score: 0, judged: false, anomaly: undefined });
    noisySeries(15, 200, 0, 1).forEach((v, i) => detector.score('x', v, undefined, T0 + (i + 1) * MINUTE));
    const spike = detector.score('x', 25, undefined, T0 + 300 * MINUTE);
    expect(spike.judged).toBe(true);
    expect(spike.score).toBe(1);
    expect(spike.deviation).toBeGreaterThan(10);
    expect(spike.predictor).toBe('ensemble');
    expect(spike.anomaly?.anomalyType).toBe(AnomalyType.SPIKE);
    expect(spike.updated).toBeUndefined();
    const after = detector.score('x', 0, undefined, T0 + 301 * MINUTE);
    expect(after.anomaly).toBeUndefined();
    expect(after.score).toBeLessThan(0.5);
    // A spike the next point repeats is a level shift: that point reports the update
    // (without suppressPoints 0 this spike, two points after the first, would belong to its incident).
    detector.score('x', 25, undefined, T0 + 400 * MINUTE);
    const repeated = detector.score('x', 25, undefined, T0 + 401 * MINUTE);
    expect(repeated.updated?.anomalyType).toBe(AnomalyType.TREND);
  });

  it('forgets one series or all with reset()', () => {
    const detector = createAnomalyDetector();
    detector.detect('a', 1);
    detector.detect('b', 1, { k: 'v' });
    expect(detector.reset('b', { k: 'v' })).toBe(true);
    expect(detector.reset('b', { k: 'v' })).toBe(false);
    expect(detector.seriesCount).toBe(1);
    expect(detector.reset()).toBe(true);
    expect(detector.seriesCount).toBe(0);
  });

  describe('snapshot and restore', () => {
    it('round-trips every model through JSON', () => {
      const a = createAnomalyDetector();
      feed(a, 'x', noisySeries(20, 300, 10, 2));
      feed(a, 'y', noisySeries(21, 300, -5, 1), T0, MINUTE, { host: 'h1' });
      const b = createAnomalyDetector();
      b.restore(JSON.parse(JSON.stringify(a.snapshot())));
      expect(b.seriesCount).toBe(2);
      expect(b.calculateBaseline('y', { host: 'h1' })).toEqual(a.calculateBaseline('y', { host: 'h1' }));
      const next = noisySeries(22, 200, 10, 2);
      next[100] = 100;
      // Same scores and the same incidents (ids are per detector).
      const strip = (r: ReturnType<typeof a.score>) => ({
        ...r,
        anomaly: r.anomaly && { ...r.anomaly, anomalyId: '' },
      });
      next.forEach((v, i) => {
        const t = T0 + (300 + i) * MINUTE;
        expect(strip(b.score('x', v, undefined, t))).toEqual(strip(a.score('x', v, undefined, t)));
      });
    });

    it('restores a snapshot without the confidence histogram, re-learning the calibration', () => {
      const a = createAnomalyDetector();
      feed(a, 'x', noisySeries(24, 300, 10, 2));
      const snap = JSON.parse(JSON.stringify(a.snapshot())) as { version: 1; series: Array<Record<string, unknown>> };
      for (const entry of snap.series) delete entry['confidence'];
      const b = createAnomalyDetector();
      b.restore(snap);
      const first = b.score('x', 10, undefined, T0 + 300 * MINUTE);
      expect(first.judged).toBe(true);
      // Nothing to rank against yet: the raw score stands in for its rank.
      expect(first.confidence).toBeGreaterThanOrEqual(0);
      expect(first.confidence).toBeLessThanOrEqual(1);
      expect(b.snapshot().series[0]!.confidence!.reduce((x, y) => x + y, 0)).toBe(1);
    });

    it('rejects anything else with AnomalySnapshotError and keeps its state', () => {
      const a = createAnomalyDetector({ maxSeries: 2 });
      feed(a, 'x', noisySeries(23, 100, 10, 2));
      const before = a.snapshot();
      const good = JSON.parse(JSON.stringify(before)) as {
        series: Array<{ model: Record<string, unknown>; metricName: unknown; labels: unknown }>;
      };
      const entry = good.series[0]!;
      const bad: unknown[] = [
        null,
        42,
        { version: 2, series: [] },
        { version: 1 },
        { version: 1, series: {} },
        { version: 1, series: [null] },
        { version: 1, series: [{ ...entry, metricName: '' }] },
        { version: 1, series: [{ ...entry, labels: { 'a-b': 'x' } }] },
        { version: 1, series: [{ ...entry, model: { ...entry.model, slow: 'NaN' } }] },
        { version: 1, series: [{ ...entry, model: { ...entry.model, raw: [1] } }] },
        { version: 1, series: [{ ...entry, confidence: 'many' }] },
        { version: 1, series: [{ ...entry, confidence: [1, 2, 3] }] },
        { version: 1, series: [{ ...entry, confidence: new Array(256).fill(Number.NaN) }] },
        { version: 1, series: [entry, entry] },
        { version: 1, series: [entry, { ...entry, metricName: 'y' }, { ...entry, metricName: 'z' }] },
      ];
      for (const snapshot of bad) {
        expect(() => a.restore(snapshot)).toThrow(AnomalySnapshotError);
        expect(a.snapshot()).toEqual(before);
      }
      expect(new AnomalySnapshotError('m')).toBeInstanceOf(ObsError);
      // Models of a detector with another likelihood window do not fit.
      const other = createAnomalyDetector({ scorer: { likelihoodWindow: 20 } });
      expect(() => other.restore(before)).toThrow(/raw/);
      expect(other.seriesCount).toBe(0);
    });
  });
});
