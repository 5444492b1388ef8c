/**
 * Base class of every error that @obs throws on purpose. Each package derives
 * its own typed errors from it, so callers can tell our rejections from bugs.
 */
export class ObsError extends Error {
  override readonly name: string = 'ObsError';
  constructor(
    /** A stable machine-readable code, e.g. `'INVALID_NAME'`. */
    readonly code: string,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}

/** Bad input from a caller: a wrong type, an invalid name, a non-finite number. */
export class ObsValidationError extends ObsError {
  override readonly name: string = 'ObsValidationError';
}

/** Describes any value briefly for an error message, without dumping megabytes. */
export function describeValue(value: unknown): string {
  if (typeof value === 'string') {
    return value.length > 64 ? JSON.stringify(value.slice(0, 64)) + `… (${value.length} chars)` : JSON.stringify(value);
  }
  if (typeof value === 'number' || typeof value === 'boolean' || typeof value === 'bigint') return String(value);
  if (value === null) return 'null';
  if (value === undefined) return 'undefined';
  if (Array.isArray(value)) return 'an array';
  return typeof value === 'function' ? 'a function' : 'an object';
}
