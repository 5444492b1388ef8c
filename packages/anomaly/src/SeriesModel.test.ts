import { describe, expect, it } from 'vitest';
import { test } from '@fast-check/vitest';
import fc from 'fast-check';
import { AnomalyType } from './AnomalyType';
import { emptyLabels } from '@obs/core';
import { classify, SeriesModel, type IncidentStart } from './SeriesModel';
import { createStreamScorer } from './createStreamScorer';
import { defaultScorerConfig, type PointScore } from './StreamScorer';

const start = (over: Partial<IncidentStart>): IncidentStart => ({
  value: 0,
  timestamp: 0,
  expected: 0,
  expectedScale: 1,
  z: 0,
  zBaseline: 0,
  baseline: 0,
  baselineScale: 1,
  drift: 0,
  bias: 0,
  predictor: 'baseline',
  mainPredictor: 'baseline',
  zSeasonal: Number.NaN,
  score: 0.9,
  confidence: 0.99,
  likelihoodScore: 0.9,
  outsideRange: false,
  seasonalPeriod: undefined,
  extremeSigma: 4,
  ...over,
});

describe('classify', () => {
  it('tells a spike, a drop and a level shift apart by the next point', () => {
    expect(classify(start({ value: 10, z: 10, zBaseline: 10 }), 0.5).type).toBe(AnomalyType.SPIKE);
    expect(classify(start({ value: -10, z: -10, zBaseline: -10 }), 0.5).type).toBe(AnomalyType.DROP);
    expect(classify(start({ value: 10, z: 10, zBaseline: 10 }), 9).type).toBe(AnomalyType.TREND);
    expect(classify(start({ value: -10, z: -10, zBaseline: -10 }), -9).type).toBe(AnomalyType.TREND);
    // A swing to the other side is not a shift.
    expect(classify(start({ value: 10, z: 10, zBaseline: 10 }), -10).type).toBe(AnomalyType.SPIKE);
  });

  it('calls a value normal overall but not for its time slot SEASONALITY', () => {
    const c = classify(start({ predictor: 'ensemble', z: 8, zBaseline: 1, zSeasonal: 9, seasonalPeriod: 'daily' }), 0);
    expect(c.type).toBe(AnomalyType.SEASONALITY);
    expect(c.reason).toMatch(/daily profile/);
  });

  it('calls a recent level far from the baseline a drift (TREND), and the rest OUTLIER', () => {
    expect(classify(start({ z: 2, drift: 5 }), 0).type).toBe(AnomalyType.TREND);
    expect(classify(start({ z: 2, drift: 1 }), 0).type).toBe(AnomalyType.OUTLIER);
    expect(classify(start({ z: 2, bias: -1.5 }), 0).type).toBe(AnomalyType.TREND);
  });

  test.prop([
    fc.double({ noNaN: true, noDefaultInfinity: true, min: -1e6, max: 1e6 }),
    fc.double({ noNaN: true, noDefaultInfinity: true, min: -1e6, max: 1e6 }),
    fc.double({ noNaN: true, noDefaultInfinity: true, min: -1e6, max: 1e6 }),
    fc.constantFrom('baseline', 'recent', 'daily', 'weekly', 'ensemble' as const),
    fc.boolean(),
    fc.option(fc.double({ noNaN: true, noDefaultInfinity: true, min: -1e6, max: 1e6 }), { nil: undefined }),
  ])('always names a type and gives a reason', (z, zBaseline, drift, predictor, outsideRange, next) => {
    const c = classify(start({ z, zBaseline, drift, bias: drift / 3, predictor, outsideRange }), next);
    expect(Object.values(AnomalyType)).toContain(c.type);
    expect(c.reason.length).toBeGreaterThan(10);
  });
});

describe('SeriesModel incidents', () => {
  const rules = { threshold: 0.5, quietPoints: 10, suppressPoints: 0 };
  /** A judged point with the given raw score and deviation (the rest ordinary). */
  const point = (rawScore: number, z: number): PointScore => ({
    ...createStreamScorer().update(0, 0),
    score: rawScore,
    rawScore,
    z,
    zBaseline: z,
    judged: true,
    novelRange: false,
    ignored: false,
  });

  it('closes an incident after quietPoints points without an alarm, even when some of them deviate far', () => {
    const model = SeriesModel.create('x', emptyLabels(), defaultScorerConfig);
    let t = 0;
    // An incident without an extreme point (a burst of moderately unusual values) stays open.
    expect(model.judge(point(1, 2.5), 2.5, t++, rules)?.detected).toBeDefined();
    model.judge(point(0.9, 2.5), 2.5, t++, rules);
    expect(model.inIncident).toBe(true);
    // Far-off points the scorer does not alarm on (heavy tails) do not keep the incident open.
    for (let i = 0; i < 30; i++) model.judge(point(0.1, i % 3 === 0 ? 5 : 0), 0, t++, rules);
    expect(model.inIncident).toBe(false);
    // So a later alarm is news of its own.
    expect(model.judge(point(0.9, 2), 2, t++, rules)?.detected).toBeDefined();
  });
});
