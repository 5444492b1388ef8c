import { describe, expect, it } from 'vitest';
import { test } from '@fast-check/vitest';
import fc from 'fast-check';
import { SCORE_RANK_BINS, ScoreRank } from './ScoreRank';
import { mulberry32 } from '../test-support/series';

const unit = fc.double({ min: 0, max: 1, noNaN: true });

describe('ScoreRank', () => {
  it('ranks a score among the earlier ones', () => {
    const r = new ScoreRank();
    expect(r.rank(0.3)).toBe(0.3); // nothing seen yet: the score itself
    for (let i = 0; i < 1000; i++) r.add((i + 0.5) / 1000);
    expect(r.rank(0)).toBe(0);
    expect(r.rank(1)).toBe(1);
    expect(r.rank(0.25)).toBeCloseTo(0.25, 2);
    expect(r.rank(0.9)).toBeCloseTo(0.9, 2);
  });

  it('gives 0 to a score tied with a mass of zeros, and ranks higher ones above it', () => {
    const r = new ScoreRank();
    for (let i = 0; i < 600; i++) r.add(0);
    for (let i = 0; i < 400; i++) r.add(0.5);
    expect(r.rank(0)).toBe(0);
    expect(r.rank(0.4)).toBeCloseTo(0.6, 6);
    expect(r.rank(0.9)).toBe(1);
  });

  it('keeps a bounded weight by halving, ranks unchanged', () => {
    const r = new ScoreRank();
    for (let i = 0; i < 20_000; i++) r.add((i % 100) / 100);
    expect(r.weight).toBeLessThan(4096);
    expect(r.rank(0.5)).toBeCloseTo(0.5, 1);
  });

  test.prop([fc.array(unit, { maxLength: 300 }), unit])('rank is in [0, 1] and monotone in the score', (xs, y) => {
    const r = new ScoreRank();
    for (const x of xs) r.add(x);
    const a = r.rank(y);
    const b = r.rank(Math.min(1, y + 0.01));
    expect(a).toBeGreaterThanOrEqual(0);
    expect(b).toBeLessThanOrEqual(1);
    expect(b).toBeGreaterThanOrEqual(a - 1e-12);
  });

  test.prop([fc.integer({ min: 1, max: 2 ** 31 - 1 }), fc.constantFrom(0.9, 0.99)], { numRuns: 20 })(
    'is calibrated: on i.i.d. scores P(rank >= c) is about 1 - c',
    (seed, c) => {
      const u = mulberry32(seed);
      const r = new ScoreRank();
      let hits = 0;
      const n = 20_000;
      for (let i = 0; i < n; i++) {
        const x = u() ** 3; // skewed towards 0, like anomaly scores
        if (r.rank(x) >= c) hits++;
        r.add(x);
      }
      expect(Math.abs(hits / n - (1 - c))).toBeLessThan((1 - c) / 3);
    },
  );

  it('round-trips through JSON and rejects bad state', () => {
    const r = new ScoreRank();
    for (let i = 0; i < 500; i++) r.add((i % 37) / 37);
    const back = ScoreRank.fromJSON(JSON.parse(JSON.stringify(r.toJSON())));
    expect(back).toBeInstanceOf(ScoreRank);
    for (const x of [0, 0.1, 0.33, 0.8, 1]) expect((back as ScoreRank).rank(x)).toBeCloseTo(r.rank(x), 12);
    expect(typeof ScoreRank.fromJSON(null)).toBe('string');
    expect(typeof ScoreRank.fromJSON([1, 2])).toBe('string');
    expect(typeof ScoreRank.fromJSON(new Array(SCORE_RANK_BINS).fill(-1))).toBe('string');
    expect(typeof ScoreRank.fromJSON(new Array(SCORE_RANK_BINS).fill('1'))).toBe('string');
    expect(typeof ScoreRank.fromJSON(new Array(SCORE_RANK_BINS).fill(1e6))).toBe('string');
  });
});
