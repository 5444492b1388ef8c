/**
 * Error-budget arithmetic on exact ratios. A target such as 99.9 is kept as the
 * fraction of events allowed to be bad, `errNum / den` (here 1 / 1000), so the
 * comparison "is the budget overspent" is `bad * den > errNum * total`, which is
 * exact for integer counts: exactly at target is never breached, whatever the
 * float rounding of 99.9 / 100 would say.
 */
export interface Fraction {
  /** Numerator of the fraction (e.g. allowed bad share 1 of 1000). */
  readonly num: number;
  readonly den: number;
  /** False when the percentage had more than 10 decimals; comparisons then use a relative tolerance. */
  readonly exact: boolean;
}

const MAX_DECIMALS = 10;
const FLOAT_TOLERANCE = 1e-12;

/** The share of `percent` (0..100) as an exact decimal fraction of 1 when it has at most 10 decimals. */
export function percentFraction(percent: number): Fraction {
  for (let k = 0, scale = 1; k <= MAX_DECIMALS; k++, scale *= 10) {
    const scaled = Math.round(percent * scale);
    if (Math.abs(scaled / scale - percent) <= Number.EPSILON * Math.max(1, Math.abs(percent)) * 2) {
      return { num: scaled, den: 100 * scale, exact: true };
    }
  }
  return { num: percent / 100, den: 1, exact: false };
}

/** The allowed bad share `1 - target/100` as a fraction. */
export function errorBudgetFraction(targetPercent: number): Fraction {
  const t = percentFraction(targetPercent);
  return t.exact
    ? { num: t.den - t.num, den: t.den, exact: true }
    : { num: 1 - targetPercent / 100, den: 1, exact: false };
}

function bothSafeIntegers(a: number, b: number): boolean {
  return Number.isInteger(a) && Number.isInteger(b);
}

/**
 * Compares `a / b` with `f` without dividing: returns -1, 0 or 1 for
 * `a/b <, =, > f`. `b` must be positive. Integer inputs are compared exactly
 * (BigInt when the products would leave the safe integer range).
 */
export function compareRatio(a: number, b: number, f: Fraction): -1 | 0 | 1 {
  if (f.exact && bothSafeIntegers(a, b)) {
    const left = a * f.den;
    const right = f.num * b;
    if (Number.isSafeInteger(left) && Number.isSafeInteger(right)) return left > right ? 1 : left < right ? -1 : 0;
    const l = BigInt(a) * BigInt(f.den);
    const r = BigInt(f.num) * BigInt(b);
    return l > r ? 1 : l < r ? -1 : 0;
  }
  const ratio = a / b;
  const ref = f.num / f.den;
  if (Math.abs(ratio - ref) <= FLOAT_TOLERANCE * Math.max(Math.abs(ref), 1e-300)) return 0;
  return ratio > ref ? 1 : -1;
}

/** Whether `bad` out of `total` overspends the budget (strictly more bad than allowed). */
export function budgetOverspent(bad: number, total: number, budget: Fraction): boolean {
  return total > 0 && compareRatio(bad, total, budget) > 0;
}

/**
 * Percentage of the error budget left: 100 with no bad events, 0 exactly at
 * target, negative once overspent (as Nobl9 reports it). 100 when `total` is 0.
 */
export function errorBudgetRemaining(bad: number, total: number, budget: Fraction): number {
  if (total <= 0) return 100;
  if (compareRatio(bad, total, budget) === 0) return 0;
  const allowed = budget.num * total;
  const spent = bad * budget.den;
  if (allowed === 0) return bad > 0 ? -Infinity : 100;
  return (100 * (allowed - spent)) / allowed;
}

/** Good percentage of a window: 100 * good / total, or 100 with no data. */
export function goodPercent(good: number, total: number): number {
  return total > 0 ? (100 * good) / total : 100;
}

/**
 * Burn rate: the window's bad ratio divided by the allowed bad ratio. 1 spends
 * the budget exactly over the SLO window; 14.4 spends 2% of a 30-day budget in an hour.
 */
export function burnRate(bad: number, total: number, budget: Fraction): number {
  if (total <= 0 || bad <= 0) return 0;
  return (bad * budget.den) / (total * budget.num);
}
