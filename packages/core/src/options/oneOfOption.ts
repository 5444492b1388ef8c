import { describeValue } from '../ObsError';
import { invalidOption, type InvalidOption } from './invalidOption';

/** `value` if it is one of `allowed`, else throws `fail("<what> must be one of a, b, got <value>")`. */
export function requireOneOf<T extends string | number>(
  value: unknown,
  what: string,
  allowed: readonly T[],
  fail: InvalidOption = invalidOption,
): T {
  if (!allowed.includes(value as T)) {
    throw fail(`${what} must be one of ${allowed.join(', ')}, got ${describeValue(value)}`);
  }
  return value as T;
}
