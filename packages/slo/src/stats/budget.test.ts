import { fc, test } from '@fast-check/vitest';
import { describe, expect, it } from 'vitest';
import {
  budgetOverspent,
  burnRate,
  compareRatio,
  errorBudgetFraction,
  errorBudgetRemaining,
  goodPercent,
  percentFraction,
} from './budget';

const targets = fc.constantFrom(90, 95, 99, 99.5, 99.9, 99.95, 99.99, 99.999, 97.3, 12.5);

describe('budget arithmetic', () => {
  it('keeps targets as exact fractions', () => {
    expect(errorBudgetFraction(99.9)).toEqual({ num: 1, den: 1000, exact: true });
    expect(errorBudgetFraction(99.95)).toEqual({ num: 5, den: 10000, exact: true });
    expect(percentFraction(100)).toEqual({ num: 100, den: 100, exact: true });
    expect(errorBudgetFraction(100 / 3).exact).toBe(false);
  });

  test.prop([targets, fc.integer({ min: 1, max: 1_000_000 })])(
    '100% budget left with no bad events',
    (target, total) => {
      expect(errorBudgetRemaining(0, total, errorBudgetFraction(target))).toBe(100);
      expect(budgetOverspent(0, total, errorBudgetFraction(target))).toBe(false);
    },
  );

  test.prop([targets, fc.integer({ min: 1, max: 100_000 })])(
    '0% exactly at target, never breached there',
    (target, k) => {
      const f = errorBudgetFraction(target);
      // total chosen so that the allowed bad count is an integer: total = den * k, bad = num * k.
      const total = f.den * k;
      const bad = f.num * k;
      expect(errorBudgetRemaining(bad, total, f)).toBe(0);
      expect(budgetOverspent(bad, total, f)).toBe(false);
      expect(budgetOverspent(bad + 1, total, f)).toBe(true);
      expect(goodPercent(total - bad, total)).toBeCloseTo(target, 9);
    },
  );

  test.prop([
    targets,
    fc.integer({ min: 1, max: 10_000 }),
    fc.integer({ min: 0, max: 10_000 }),
    fc.integer({ min: 0, max: 10_000 }),
  ])('remaining budget is monotone decreasing in bad events', (target, total, a, b) => {
    const f = errorBudgetFraction(target);
    const lo = Math.min(a, b, total);
    const hi = Math.min(Math.max(a, b), total);
    expect(errorBudgetRemaining(hi, total, f)).toBeLessThanOrEqual(errorBudgetRemaining(lo, total, f));
    if (budgetOverspent(lo, total, f)) expect(budgetOverspent(hi, total, f)).toBe(true);
  });

  test.prop([targets, fc.double({ min: 0, max: 1, noNaN: true }), fc.integer({ min: 1, max: 1e9 })])(
    'burn rate of a constant error ratio r is r / (1 - target)',
    (target, r, total) => {
      const bad = r * total;
      const expected = r / (1 - target / 100);
      expect(Math.abs(burnRate(bad, total, errorBudgetFraction(target)) - expected)).toBeLessThanOrEqual(
        1e-9 * Math.max(1, expected),
      );
    },
  );

  it('uses BigInt when products leave the safe range', () => {
    const f = errorBudgetFraction(99.99999);
    const total = 2 ** 50;
    expect(compareRatio(0, total, f)).toBe(-1);
    expect(compareRatio(total, total, f)).toBe(1);
  });

  it('compares non-decimal targets with a tolerance', () => {
    const f = errorBudgetFraction(100 - 100 / 3); // allowed bad share 1/3
    expect(budgetOverspent(1, 3, f)).toBe(false);
    expect(budgetOverspent(2, 3, f)).toBe(true);
  });

  it('reports no data as 100%', () => {
    expect(goodPercent(0, 0)).toBe(100);
    expect(errorBudgetRemaining(0, 0, errorBudgetFraction(99))).toBe(100);
    expect(burnRate(0, 0, errorBudgetFraction(99))).toBe(0);
  });
});
