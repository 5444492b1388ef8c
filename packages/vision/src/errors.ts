import { ObsError } from '@obs/core';

/** Base of every error that @obs/vision throws on purpose. */
export class VisionError extends ObsError {
  override readonly name: string = 'VisionError';
}

/**
 * The image handed to a provider cannot be analysed: not bytes, empty, not a
 * supported format, truncated or corrupt. A client error (HTTP 400/415), never a bug.
 *
 * Codes: `INVALID_INPUT_TYPE`, `EMPTY_IMAGE`, `UNSUPPORTED_FORMAT`, `TRUNCATED_IMAGE`, `CORRUPT_IMAGE`.
 */
export class VisionInputError extends VisionError {
  override readonly name: string = 'VisionInputError';
}

/**
 * The image is larger than the provider accepts, by bytes or by pixels. Pixel
 * limits are checked from the header before decoding, so a small file that
 * claims a huge canvas (a decompression bomb) is refused without allocating it.
 *
 * Codes: `IMAGE_TOO_MANY_BYTES`, `IMAGE_TOO_MANY_PIXELS`, `IMAGE_TOO_WIDE`.
 */
export class ImageTooLargeError extends VisionInputError {
  override readonly name: string = 'ImageTooLargeError';
  constructor(
    code: string,
    message: string,
    /** The limit that was exceeded. */
    readonly limit: number,
    /** The size the input has or claims. */
    readonly actual: number,
  ) {
    super(code, message);
  }
}

/**
 * The provider is at capacity (the local provider: every worker busy and the
 * queue full): retry after `retryAfterSeconds`
 * (HTTP: 503 with `Retry-After`). Code `PROVIDER_BUSY`.
 */
export class ProviderBusyError extends VisionError {
  override readonly name: string = 'ProviderBusyError';
  constructor(
    message: string,
    /** A hint for the client, seconds. */
    readonly retryAfterSeconds: number,
  ) {
    super('PROVIDER_BUSY', message);
  }
}
