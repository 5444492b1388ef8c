import { describeValue } from '../ObsError';
import { invalidOption, type InvalidOption } from './invalidOption';

/** `fallback` when `value` is undefined, `value` when it is a boolean, else throws. */
export function optionalBoolean(
  value: unknown,
  what: string,
  fallback: boolean,
  fail: InvalidOption = invalidOption,
): boolean {
  if (value === undefined) return fallback;
  if (typeof value !== 'boolean') throw fail(`${what} must be a boolean, got ${describeValue(value)}`);
  return value;
}

/** `value` when it is a function, else throws. */
export function requireFunction<F extends (...args: never[]) => unknown = (...args: never[]) => unknown>(
  value: unknown,
  what: string,
  fail: InvalidOption = invalidOption,
): F {
  if (typeof value !== 'function') throw fail(`${what} must be a function, got ${describeValue(value)}`);
  return value as F;
}

/** `value` when it is a non-null, non-array object, else throws. */
export function requireObject(value: unknown, what: string, fail: InvalidOption = invalidOption): object {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw fail(`${what} must be an object, got ${describeValue(value)}`);
  }
  return value;
}
