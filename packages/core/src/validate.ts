import { ObsValidationError, describeValue } from './ObsError';

/** Returns `value` if it is a finite number, else throws a typed error naming `what`. */
export function requireFiniteNumber(value: unknown, what: string): number {
  if (typeof value !== 'number' || !Number.isFinite(value)) {
    throw new ObsValidationError('INVALID_NUMBER', `${what} must be a finite number, got ${describeValue(value)}`);
  }
  return value;
}

/** Returns `value` if it is a non-empty string of at most `maxLength` chars, else throws. */
export function requireNonEmptyString(value: unknown, what: string, maxLength = 1024): string {
  if (typeof value !== 'string' || value.length === 0 || value.length > maxLength) {
    throw new ObsValidationError(
      'INVALID_STRING',
      `${what} must be a non-empty string of at most ${maxLength} characters, got ${describeValue(value)}`,
    );
  }
  return value;
}
