import { describe, expect } from 'vitest';
import { test } from '@fast-check/vitest';
import fc from 'fast-check';
import { erfc, logTailScore, twoSidedTail, twoSidedTailScore, upperTail, upperTailScore } from './normalTail';

const z = fc.double({ noNaN: true, noDefaultInfinity: true, min: -30, max: 30 });

describe('normal tail', () => {
  test('erfc matches reference values to 1.2e-7 relative', () => {
    const refs: Array<[number, number]> = [
      [0, 1],
      [0.5, 0.4795001221869535],
      [1, 0.15729920705028513],
      [2, 0.004677734981047266],
      [3, 2.209049699858544e-5],
      [5, 1.5374597944280349e-12],
      [-1, 1.8427007929497148],
    ];
    for (const [x, want] of refs) expect(Math.abs(erfc(x) - want) / want).toBeLessThan(1.2e-7);
  });

  test.prop([z, z])('upperTail is a decreasing probability', (a, b) => {
    const [lo, hi] = a <= b ? [a, b] : [b, a];
    expect(upperTail(lo)).toBeGreaterThanOrEqual(upperTail(hi));
    expect(upperTail(a)).toBeGreaterThanOrEqual(0);
    expect(upperTail(a)).toBeLessThanOrEqual(1);
  });

  test.prop([z])('twoSidedTail is symmetric and twice the upper tail of |z|', (x) => {
    expect(twoSidedTail(x)).toBeCloseTo(twoSidedTail(-x), 12);
    expect(twoSidedTail(x)).toBeCloseTo(2 * upperTail(Math.abs(x)), 12);
  });

  test.prop([
    fc.double({ noNaN: true, min: 0, max: 1 }),
    fc.double({ noNaN: true, min: 0, max: 1 }),
    fc.integer({ min: 1, max: 40 }),
  ])('logTailScore maps probabilities into [0, 1], rarer scoring higher', (p, q, decades) => {
    const [lo, hi] = p <= q ? [p, q] : [q, p];
    const s = logTailScore(lo, decades);
    expect(s).toBeGreaterThanOrEqual(logTailScore(hi, decades));
    expect(s).toBeGreaterThanOrEqual(0);
    expect(s).toBeLessThanOrEqual(1);
  });

  test('logTailScore saturates at 10^-decades and is 0 at probability 1', () => {
    expect(logTailScore(1e-10, 10)).toBe(1);
    expect(logTailScore(1e-12, 10)).toBe(1);
    expect(logTailScore(1e-5, 10)).toBeCloseTo(0.5, 12);
    expect(logTailScore(1, 10)).toBe(0);
    expect(logTailScore(0, 10)).toBe(1);
  });
});

describe('fast tail scores', () => {
  test.prop([z, fc.integer({ min: 1, max: 40 })])(
    'twoSidedTailScore equals logTailScore(twoSidedTail)',
    (x, decades) => {
      expect(twoSidedTailScore(x, decades)).toBeCloseTo(logTailScore(twoSidedTail(x), decades), 6);
    },
  );

  test.prop([z, fc.integer({ min: 1, max: 40 })])('upperTailScore equals logTailScore(upperTail)', (x, decades) => {
    expect(upperTailScore(x, decades)).toBeCloseTo(logTailScore(upperTail(x), decades), 6);
  });
});
