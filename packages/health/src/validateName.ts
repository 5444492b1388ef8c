import { describeValue } from '@obs/core';
import { HealthValidationError } from './errors';

/** Longest accepted check or group name. */
export const MAX_NAME_LENGTH = 128;

// Colons separate component and measurement in health+json keys; control
// characters break logs and headers. Everything else (spaces, dots, unicode) is fine.
const FORBIDDEN = /[:\u0000-\u001f\u007f]/;

/** Whether `value` is usable as a check name, group name or component/measurement name. */
export function isValidName(value: unknown): value is string {
  return (
    typeof value === 'string' &&
    value.length > 0 &&
    value.length <= MAX_NAME_LENGTH &&
    !FORBIDDEN.test(value) &&
    value.trim() === value
  );
}

/** Returns `value` if it is a valid name, else throws a HealthValidationError naming `what`. */
export function requireName(value: unknown, what: string): string {
  if (!isValidName(value)) {
    throw new HealthValidationError(
      'INVALID_NAME',
      `${what} must be a string of 1 to ${MAX_NAME_LENGTH} characters without colons, control characters or surrounding spaces, got ${describeValue(value)}`,
    );
  }
  return value;
}
