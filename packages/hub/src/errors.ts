import { ObsError, ObsValidationError } from '@obs/core';

/** Bad input to the hub: an invalid config option or argument. */
export class HubValidationError extends ObsValidationError {
  override readonly name: string = 'HubValidationError';
}

/** A failure of the hub's own machinery, e.g. using a hub after `stop()`. */
export class HubError extends ObsError {
  override readonly name: string = 'HubError';
}

/**
 * A persisted snapshot file could not be used: unreadable, not JSON, truncated,
 * a checksum mismatch or an unknown format. `file` names it.
 */
export class SnapshotFileError extends ObsError {
  override readonly name: string = 'SnapshotFileError';
  constructor(
    code: string,
    message: string,
    readonly file: string,
    options?: { cause?: unknown },
  ) {
    super(code, message, options);
  }
}

/** A request body exceeded the `limit` given to `readBody` (answer it with 413). */
export class BodyTooLargeError extends ObsError {
  override readonly name: string = 'BodyTooLargeError';
  readonly statusCode = 413;
  constructor(readonly limit: number) {
    super('BODY_TOO_LARGE', `request body is larger than ${limit} bytes`);
  }
}

/** A request body could not be read: the client aborted, or the stream failed or timed out. */
export class BodyReadError extends ObsError {
  override readonly name: string = 'BodyReadError';
  readonly statusCode = 400;
}
