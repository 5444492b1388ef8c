import { ObsError, ObsValidationError } from '@obs/core';

/** Bad input to a tracing API: a wrong type, an invalid id, a bad status or config. */
export class TracingValidationError extends ObsValidationError {
  override readonly name: string = 'TracingValidationError';
}

/** A failure of the tracing machinery itself, e.g. using a manager after `shutdown()`. */
export class TracingError extends ObsError {
  override readonly name: string = 'TracingError';
}
