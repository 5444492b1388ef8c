import { describeValue, errorMessage as describeError } from '@obs/core';

export { isThenable } from '@obs/core';
import { MAX_NAME_LENGTH } from '../Alert';
import { AlertValidationError } from '../errors';

/** A thrown error as alerts report it: the message alone (a string as it is, other values by type). */
export function errorMessage(error: unknown): string {
  return describeError(error, { withName: false });
}

export function positiveInteger(value: unknown, what: string): number {
  if (typeof value !== 'number' || !Number.isInteger(value) || value < 1) {
    throw new AlertValidationError('INVALID_CONFIG', `${what} must be a positive integer, got ${describeValue(value)}`);
  }
  return value;
}

export function duration(value: unknown, what: string, fallback: number, min = 0): number {
  if (value === undefined) return fallback;
  if (typeof value !== 'number' || !Number.isFinite(value) || value < min || value > 365 * 86_400_000) {
    throw new AlertValidationError(
      'INVALID_CONFIG',
      `${what} must be milliseconds between ${min} and one year, got ${describeValue(value)}`,
    );
  }
  return value;
}

export function requireFunction(fn: unknown, what: string): void {
  if (typeof fn !== 'function')
    throw new AlertValidationError('INVALID_ARGUMENT', `${what} must be a function, got ${describeValue(fn)}`);
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
