import { describe, expect } from 'vitest';
import { test } from '@fast-check/vitest';
import fc from 'fast-check';
import { StreamScorer, DAILY_SLOTS, WEEKLY_SLOTS, defaultScorerConfig } from './StreamScorer';
import { MINUTE, T0, noisySeries } from './test-support/series';

const finite = fc.double({ noNaN: true, noDefaultInfinity: true, min: -1e12, max: 1e12 });

function run(scorer: StreamScorer, values: readonly number[], step = MINUTE): number[] {
  return values.map((v, i) => scorer.update(v, T0 + i * step).score);
}

describe('StreamScorer', () => {
  test.prop([fc.array(finite, { maxLength: 300 })])('scores every finite input within [0, 1]', (values) => {
    for (const s of run(new StreamScorer(), values)) {
      expect(s).toBeGreaterThanOrEqual(0);
      expect(s).toBeLessThanOrEqual(1);
    }
  });

  test.prop([
    fc.integer({ min: 1, max: 1e6 }),
    fc.array(fc.constantFrom(Number.NaN, Number.POSITIVE_INFINITY, Number.NEGATIVE_INFINITY), {
      minLength: 1,
      maxLength: 20,
    }),
    fc.integer({ min: 0, max: 199 }),
  ])('ignores and counts non-finite values without disturbing the model', (seed, bad, at) => {
    const values = noisySeries(seed, 200, 50, 3);
    const clean = new StreamScorer();
    const dirty = new StreamScorer();
    values.forEach((v, i) => {
      if (i === at)
        for (const b of bad)
          expect(dirty.update(b, T0 + i * MINUTE)).toMatchObject({ score: 0, ignored: true, judged: false });
      expect(dirty.update(v, T0 + i * MINUTE)).toEqual(clean.update(v, T0 + i * MINUTE));
    });
    expect(dirty.nan).toBe(bad.length);
    expect(dirty.n).toBe(clean.n);
  });

  test.prop([fc.integer({ min: 1, max: 1e6 }), fc.integer({ min: -20, max: 20 })])(
    'is exactly invariant to scaling by a power of two',
    (seed, exponent) => {
      const values = noisySeries(seed, 300, 10, 2);
      values[250] = 60;
      const factor = 2 ** exponent;
      expect(
        run(
          new StreamScorer(),
          values.map((v) => v * factor),
        ),
      ).toEqual(run(new StreamScorer(), values));
    },
  );

  test('stays silent on a constant series', () => {
    const scores = run(new StreamScorer(), new Array<number>(2000).fill(42));
    expect(Math.max(...scores)).toBeLessThan(0.1);
  });

  test('scores an extreme point of a stationary series at the top', () => {
    const values = noisySeries(7, 500, 100, 5);
    values[400] = 100 + 5 * 10;
    const scores = run(new StreamScorer(), values);
    expect(scores[400]).toBe(1);
    expect(Math.max(...scores.slice(32, 400))).toBeLessThan(scores[400]!);
  });

  test.prop([fc.integer({ min: 1, max: 1e6 }), fc.integer({ min: 1, max: 400 })])(
    'round-trips through JSON without changing later scores',
    (seed, cut) => {
      const values = noisySeries(seed, 500, 0, 1);
      const a = new StreamScorer();
      run(a, values.slice(0, cut));
      const restored = StreamScorer.fromJSON(JSON.parse(JSON.stringify(a.toJSON())));
      expect(restored).toBeInstanceOf(StreamScorer);
      const b = restored as StreamScorer;
      values.slice(cut).forEach((v, i) => {
        const t = T0 + (cut + i) * MINUTE;
        expect(b.update(v, t)).toEqual(a.update(v, t));
      });
    },
  );

  test('rejects malformed states with a reason', () => {
    const good = (() => {
      const s = new StreamScorer();
      run(s, noisySeries(3, 100, 5, 1));
      return s.toJSON();
    })();
    const bad: unknown[] = [
      null,
      'state',
      [],
      { ...good, v: 2 },
      { ...good, n: Number.NaN },
      { ...good, n: -1 },
      { ...good, slow: 'x' },
      { ...good, prevT: Number.POSITIVE_INFINITY },
      { ...good, min: 10, max: 1 },
      { ...good, rawAt: 99 },
      { ...good, rawAt: 0.5 },
      { ...good, scale: [1, 2] },
      { ...good, day: [...good.day.slice(1), Number.NaN] },
      { ...good, week: [...good.week.slice(1), -1] },
      { ...good, week: good.week.slice(1) },
      { ...good, raw: 'nope' },
    ];
    for (const b of bad) expect(typeof StreamScorer.fromJSON(b)).toBe('string');
    expect(StreamScorer.fromJSON(good)).toBeInstanceOf(StreamScorer);
  });

  test('keeps its state far below 64 KB', () => {
    const s = new StreamScorer();
    run(s, noisySeries(1, 3000, 0, 1), 5 * MINUTE);
    expect(JSON.stringify(s.toJSON()).length).toBeLessThan(64 * 1024);
    // Float64 state: 4 + 4 predictors, 5 per seasonal slot, the likelihood window.
    const bytes = 8 * (8 + 5 * (DAILY_SLOTS + WEEKLY_SLOTS) + defaultScorerConfig.likelihoodWindow);
    expect(bytes).toBeLessThan(16 * 1024);
  });

  test.prop([fc.integer({ min: 1, max: 1e6 }), fc.integer({ min: 40, max: 400 })])(
    'update returns the forecast, the deviations and the scores of the point, consistently',
    (seed, n) => {
      const s = new StreamScorer();
      const values = noisySeries(seed, n, 20, 3);
      values.forEach((x, i) => {
        const r = s.update(x, T0 + i * MINUTE);
        expect(r.ignored).toBe(false);
        expect(r.judged).toBe(i >= defaultScorerConfig.warmupPoints);
        if (i > 0 && r.expectedScale > 0) expect(r.z).toBeCloseTo((x - r.expected) / r.expectedScale, 9);
        if (i > 0 && r.baselineScaleBefore > 0)
          expect(r.zBaseline).toBeCloseTo((x - r.baselineBefore) / r.baselineScaleBefore, 9);
        expect(r.score).toBeLessThanOrEqual(r.rawScore);
        if (!r.judged) expect(r.rawScore).toBe(0);
      });
      const ignored = s.update(Number.NaN, T0);
      expect(ignored).toMatchObject({ ignored: true, judged: false, score: 0 });
      expect(Object.isFrozen(ignored)).toBe(true);
      expect(s.n).toBe(n);
      expect(s.nan).toBe(1);
    },
  );
});
