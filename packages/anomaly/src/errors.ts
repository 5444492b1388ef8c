import { ObsValidationError } from '@obs/core';

/** `restore()` was given something that is not a snapshot of this detector's models. */
export class AnomalySnapshotError extends ObsValidationError {
  override readonly name: string = 'AnomalySnapshotError';
  constructor(message: string) {
    super('INVALID_SNAPSHOT', message);
  }
}
