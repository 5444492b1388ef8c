import { describeValue } from '../ObsError';
import { invalidOption, type InvalidOption } from './invalidOption';

/** The numbers an option accepts. Without bounds: any finite number. */
export interface NumberRange {
  /** Lowest accepted value, inclusive unless `minExclusive`. */
  readonly min?: number;
  readonly minExclusive?: boolean;
  /** Highest accepted value, inclusive unless `maxExclusive`. */
  readonly max?: number;
  readonly maxExclusive?: boolean;
  /** Only safe integers. */
  readonly integer?: boolean;
  /** Also accept `Infinity` (typically "no limit"). */
  readonly allowInfinity?: boolean;
  /** Replaces the generated wording after "must be", e.g. `'milliseconds between 0 and one year'`. */
  readonly description?: string;
}

export const POSITIVE_INTEGER: NumberRange = Object.freeze({ min: 1, integer: true });
export const NON_NEGATIVE_INTEGER: NumberRange = Object.freeze({ min: 0, integer: true });
export const POSITIVE_NUMBER: NumberRange = Object.freeze({ min: 0, minExclusive: true });
export const NON_NEGATIVE_NUMBER: NumberRange = Object.freeze({ min: 0 });

/** Whether `value` is a number that `range` accepts. */
export function isInRange(value: unknown, range: NumberRange): value is number {
  if (typeof value !== 'number') return false;
  if (value === Infinity && range.allowInfinity) return range.max === undefined;
  if (range.integer ? !Number.isSafeInteger(value) : !Number.isFinite(value)) return false;
  const { min, max } = range;
  if (min !== undefined && (range.minExclusive ? value <= min : value < min)) return false;
  if (max !== undefined && (range.maxExclusive ? value >= max : value > max)) return false;
  return true;
}

/** What `range` accepts in words, as it follows "must be": `'a positive integer'`, `'an integer from 1 to 10'`. */
export function describeRange(range: NumberRange): string {
  if (range.description !== undefined) return range.description;
  const { min, max, integer } = range;
  const kind = integer ? 'integer' : 'finite number';
  const orInfinity = range.allowInfinity ? ' or Infinity' : '';
  if (max === undefined && min === 0) {
    return `a ${range.minExclusive ? 'positive' : 'non-negative'} ${kind}${orInfinity}`;
  }
  if (max === undefined && min === 1 && integer && !range.minExclusive) return `a positive integer${orInfinity}`;
  if (min === 0 && range.minExclusive && max !== undefined) {
    return `a positive ${kind} ${range.maxExclusive ? 'below' : 'up to'} ${max}`;
  }
  const article = integer ? 'an' : 'a';
  if (min === undefined && max === undefined) return `${article} ${kind}${orInfinity}`;
  if (min !== undefined && max !== undefined && !range.minExclusive && !range.maxExclusive) {
    return `${article} ${kind} from ${min} to ${max}`;
  }
  const bounds: string[] = [];
  if (min !== undefined) bounds.push(`${range.minExclusive ? 'greater than' : 'at least'} ${min}`);
  if (max !== undefined) bounds.push(`${range.maxExclusive ? 'less than' : 'at most'} ${max}`);
  return `${article} ${kind} ${bounds.join(' and ')}${orInfinity}`;
}

/** `value` if `range` accepts it, else throws `fail("<what> must be <range>, got <value>")`. */
export function requireNumber(
  value: unknown,
  what: string,
  range: NumberRange = {},
  fail: InvalidOption = invalidOption,
): number {
  if (!isInRange(value, range)) throw fail(`${what} must be ${describeRange(range)}, got ${describeValue(value)}`);
  return value;
}

/** `fallback` when `value` is undefined, else {@link requireNumber}. */
export function optionalNumber(
  value: unknown,
  what: string,
  fallback: number,
  range: NumberRange = {},
  fail: InvalidOption = invalidOption,
): number {
  return value === undefined ? fallback : requireNumber(value, what, range, fail);
}
