import { ObsError, ObsValidationError } from '@obs/core';

/** Bad input to the health monitor: a bad name, a non-function check, a bad option or config. */
export class HealthValidationError extends ObsValidationError {
  override readonly name: string = 'HealthValidationError';
}

/** A configured limit was reached, e.g. `maxChecks`. Nothing was changed. */
export class HealthLimitError extends ObsError {
  override readonly name: string = 'HealthLimitError';
  constructor(
    message: string,
    /** The limit that was hit. */
    readonly limit: number,
  ) {
    super('CHECK_LIMIT', message);
  }
}

/** `restore()` was given something that is not a snapshot of this version. State is untouched. */
export class HealthSnapshotError extends ObsValidationError {
  override readonly name: string = 'HealthSnapshotError';
  constructor(message: string) {
    super('INVALID_SNAPSHOT', message);
  }
}
