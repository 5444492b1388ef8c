import { describe, expect } from 'vitest';
import { test } from '@fast-check/vitest';
import fc from 'fast-check';
import { AnomalyType } from './AnomalyType';
import { createAnomalyDetector } from './AnomalyDetector';
import type { Anomaly } from './Anomaly';
import { MINUTE, T0, gaussian, noisySeries } from './test-support/series';

/** Runs a series through a fresh detector; returns every anomaly found. */
function detectAll(values: readonly number[], step = MINUTE): Anomaly[] {
  const detector = createAnomalyDetector();
  const found: Anomaly[] = [];
  values.forEach((v, i) => {
    const a = detector.detect('series', v, undefined, T0 + i * step);
    if (a) found.push(a);
  });
  return found;
}

const seed = fc.integer({ min: 1, max: 2 ** 31 - 1 });

describe('AnomalyDetector properties', () => {
  test.prop([
    seed,
    fc.integer({ min: 100, max: 600 }),
    fc.double({ noNaN: true, min: -1e4, max: 1e4 }),
    fc.double({ noNaN: true, min: 1e-3, max: 1e3 }),
  ])(
    'finds a spike of 8 robust sigmas on a stationary noisy series within one point, as a SPIKE',
    (s, n, level, sigma) => {
      const detector = createAnomalyDetector();
      noisySeries(s, n, level, sigma).forEach((v, i) => detector.detect('latency', v, undefined, T0 + i * MINUTE));
      const base = detector.calculateBaseline('latency');
      expect(base).toBeDefined();
      const spikeAt = T0 + n * MINUTE;
      const spike = base!.expectedValue + 8 * base!.scale;
      // Reported by the very call that carries it.
      const found = detector.detect('latency', spike, undefined, spikeAt);
      expect(found).toBeDefined();
      expect(found!.anomalyType).toBe(AnomalyType.SPIKE);
      expect(found!.timestamp).toBe(spikeAt);
      expect(found!.actualValue).toBe(spike);
      expect(found!.deviation).toBeGreaterThan(4);
      expect(found!.confidence).toBeGreaterThanOrEqual(0.5);
      expect(found!.confidence).toBeLessThanOrEqual(1);
    },
  );

  test.prop([
    fc.double({ noNaN: true, noDefaultInfinity: true, min: -1e15, max: 1e15 }),
    fc.integer({ min: 1, max: 800 }),
    fc.integer({ min: 1, max: 3_600_000 }),
  ])('finds nothing on a constant series', (value, n, step) => {
    const detector = createAnomalyDetector();
    for (let i = 0; i < n; i++) expect(detector.detect('c', value, undefined, T0 + i * step)).toBeUndefined();
    expect(detector.getDetectedAnomalies()).toEqual([]);
    if (n >= 32) {
      const base = detector.calculateBaseline('c')!;
      expect(base.expectedValue === value && base.scale === 0).toBe(true);
    }
  });

  test.prop(
    [
      seed,
      fc.array(
        fc.record({
          at: fc.integer({ min: 40, max: 399 }),
          size: fc.double({ noNaN: true, min: -30, max: 30 }),
          length: fc.integer({ min: 1, max: 60 }),
        }),
        {
          maxLength: 3,
        },
      ),
      fc.constantFrom(1000, 0.001, 2 ** 20, 3.7, -1),
      fc.integer({ min: -1e6, max: 1e6 }),
    ],
    { numRuns: 60 },
  )('finds the same anomalies after scaling and shifting the series', (s, events, factor, shift) => {
    const values = noisySeries(s, 400, 0, 1);
    for (const e of events) for (let i = e.at; i < Math.min(400, e.at + e.length); i++) values[i]! += e.size;
    const summary = (found: Anomaly[]) =>
      found.map((a) => `${a.timestamp}:${factor < 0 ? flip(a.anomalyType) : a.anomalyType}`);
    const flip = (t: AnomalyType) =>
      t === AnomalyType.SPIKE ? AnomalyType.DROP : t === AnomalyType.DROP ? AnomalyType.SPIKE : t;
    const original = detectAll(values).map((a) => `${a.timestamp}:${a.anomalyType}`);
    expect(summary(detectAll(values.map((v) => v * factor + shift)))).toEqual(original);
  });

  test.prop([
    seed,
    fc.double({ noNaN: true, min: 1e-3, max: 1e3 }),
    fc.double({ noNaN: true, min: 10, max: 60 }),
    fc.boolean(),
    // The 100 points after the shift: long enough for dozens of alarms, short
    // enough that an unrelated 1-in-10,000 noise alarm does not blur the property.
    fc.integer({ min: 30, max: 100 }),
  ])('turns a level shift into one TREND or DROP incident, not dozens', (s, sigma, size, up, after) => {
    const before = 300;
    const g = gaussian(s);
    const shift = (up ? 1 : -1) * size * sigma;
    const values = Array.from({ length: before + after }, (_, i) => 500 + sigma * g() + (i >= before ? shift : 0));
    const shiftAt = T0 + before * MINUTE;
    const detector = createAnomalyDetector();
    const reported: Anomaly[] = [];
    values.forEach((v, i) => {
      const a = detector.detect('series', v, undefined, T0 + i * MINUTE);
      if (a && a.timestamp >= shiftAt) reported.push(a);
    });
    // Reported at once by the point of the shift...
    expect(reported).toHaveLength(1);
    expect(reported[0]!.timestamp).toBe(shiftAt);
    // ...and by now known as the level shift it is (same anomaly).
    const found = detector.getDetectedAnomalies().filter((a) => a.timestamp >= shiftAt);
    expect(found).toHaveLength(1);
    expect(found[0]!.anomalyId).toBe(reported[0]!.anomalyId);
    expect([AnomalyType.TREND, AnomalyType.DROP]).toContain(found[0]!.anomalyType);
  });

  test.prop(
    [
      fc.array(
        fc.record({
          value: fc.oneof(fc.double(), fc.integer({ min: -5, max: 5 })),
          timestamp: fc.option(fc.integer({ min: -1e13, max: 1e13 }), { nil: undefined }),
          series: fc.constantFrom('a', 'b'),
        }),
        { maxLength: 300 },
      ),
    ],
    { numRuns: 50 },
  )('never throws on any numbers, in any order, and reports only well-formed anomalies', (points) => {
    const detector = createAnomalyDetector({ maxSeries: 1 });
    for (const p of points) {
      const r = detector.score(p.series, p.value, undefined, p.timestamp);
      expect(r.score).toBeGreaterThanOrEqual(0);
      expect(r.score).toBeLessThanOrEqual(1);
      expect(r.confidence).toBeGreaterThanOrEqual(0);
      expect(r.confidence).toBeLessThanOrEqual(1);
      if (r.anomaly) {
        const a = r.anomaly;
        for (const v of [a.expectedValue, a.actualValue, a.deviation, a.confidence, a.timestamp])
          expect(Number.isFinite(v)).toBe(true);
        expect(a.confidence).toBeGreaterThanOrEqual(0);
        expect(a.confidence).toBeLessThanOrEqual(1);
      }
    }
    expect(() => JSON.stringify(detector.snapshot())).not.toThrow();
    const copy = createAnomalyDetector({ maxSeries: 1 });
    copy.restore(JSON.parse(JSON.stringify(detector.snapshot())));
    expect(copy.snapshot()).toEqual(JSON.parse(JSON.stringify(detector.snapshot())));
  });

  test.prop([seed, fc.double({ noNaN: true, min: -1e4, max: 1e4 }), fc.double({ noNaN: true, min: 1e-3, max: 1e3 })], {
    numRuns: 8,
  })('confidence is calibrated: on a stationary series about 1 - c of the points reach c', (s, level, sigma) => {
    const detector = createAnomalyDetector();
    const values = noisySeries(s, 6000, level, sigma);
    const confidences: number[] = [];
    values.forEach((v, i) => {
      const r = detector.score('calibrated', v, undefined, T0 + i * MINUTE);
      // Skip the first judged points, ranked against little history.
      if (r.judged && i >= 1000) confidences.push(r.confidence);
    });
    expect(confidences.length).toBe(5000);
    const exceedance = (c: number) => confidences.filter((x) => x >= c).length / confidences.length;
    expect(Math.abs(exceedance(0.9) - 0.1)).toBeLessThan(0.1);
    expect(Math.abs(exceedance(0.99) - 0.01)).toBeLessThan(0.01);
    for (const c of confidences) {
      expect(c).toBeGreaterThanOrEqual(0);
      expect(c).toBeLessThanOrEqual(1);
    }
  });
});
