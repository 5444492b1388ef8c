import { describeValue, errorMessage as describeError, optionalNumber, type InvalidOption } from '@obs/core';

export { isThenable } from '@obs/core';
import { MAX_NAME_LENGTH } from '../Alert';
import { AlertValidationError } from '../errors';

/** A thrown error as alerts report it: the message alone (a string as it is, other values by type). */
export function errorMessage(error: unknown): string {
  return describeError(error, { withName: false });
}

/** Configuration errors of this package: `AlertValidationError` with code `'INVALID_CONFIG'`. */
export const invalidConfig: InvalidOption = (message) => new AlertValidationError('INVALID_CONFIG', message);
/** Argument errors of this package: `AlertValidationError` with code `'INVALID_ARGUMENT'`. */
export const invalidArgument: InvalidOption = (message) => new AlertValidationError('INVALID_ARGUMENT', message);

const ONE_YEAR_MS = 365 * 86_400_000;

/** An optional duration option: milliseconds from `min` to one year, `fallback` when undefined. */
export function duration(value: unknown, what: string, fallback: number, min = 0, fail = invalidConfig): number {
  return optionalNumber(
    value,
    what,
    fallback,
    { min, max: ONE_YEAR_MS, description: `milliseconds between ${min} and one year` },
    fail,
  );
}

export function requireId(id: unknown, what: string): string {
  if (typeof id !== 'string' || id.length === 0 || id.length > MAX_NAME_LENGTH) {
    throw new AlertValidationError(
      'INVALID_ARGUMENT',
      `${what} must be a non-empty string of at most ${MAX_NAME_LENGTH} characters, got ${describeValue(id)}`,
    );
  }
  return id;
}
