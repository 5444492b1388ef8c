import type { IncomingMessage } from 'node:http';
import { BodyReadError, BodyTooLargeError } from '../errors';
import { HubValidationError } from '../errors';

export interface ReadBodyOptions {
  /** Largest body accepted, bytes. Required: there is no safe default for every route. */
  readonly limit: number;
  /** Gives up when the whole body has not arrived within this many ms (default 30 000). */
  readonly timeoutMs?: number;
}

/**
 * Reads a request body into one Buffer, refusing more than `limit` bytes.
 * A declared `Content-Length` above the limit is refused before any byte is read.
 * Rejects with {@link BodyTooLargeError} (answer 413 and close the connection)
 * or {@link BodyReadError} (aborted, failed or too slow; answer 400 or 408).
 *
 * @example
 * const bytes = await readBody(req, { limit: 10 * 1024 * 1024 });
 */
export function readBody(req: IncomingMessage, options: ReadBodyOptions): Promise<Buffer> {
  const { limit, timeoutMs = 30_000 } = options;
  if (!Number.isSafeInteger(limit) || limit < 0)
    throw new HubValidationError('INVALID_LIMIT', `limit must be a non-negative integer, got ${String(limit)}`);
  if (!Number.isFinite(timeoutMs) || timeoutMs <= 0)
    throw new HubValidationError('INVALID_TIMEOUT', `timeoutMs must be a positive number, got ${String(timeoutMs)}`);
  return new Promise<Buffer>((resolve, reject) => {
    const declared = req.headers['content-length'];
    let expected: number | undefined;
    if (declared !== undefined) {
      const length = Number(declared);
      if (!/^\d+$/.test(declared) || !Number.isSafeInteger(length)) {
        reject(new BodyReadError('INVALID_CONTENT_LENGTH', 'Content-Length is not a valid length'));
        return;
      }
      if (length > limit) {
        reject(new BodyTooLargeError(limit));
        return;
      }
      expected = length;
    }
    // With a declared length the body is copied into one buffer as it arrives: a large upload
    // then costs many small copies spread over its arrival, not one long copy at the end.
    const whole = expected !== undefined && expected > 0 ? Buffer.allocUnsafe(expected) : undefined;
    const chunks: Buffer[] = [];
    let received = 0;
    let settled = false;
    const finish = (error: Error | undefined) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      req.off('data', onData);
      req.off('end', onEnd);
      req.off('error', onError);
      req.off('aborted', onAborted);
      if (error) {
        // Stop reading the rest; the caller answers and closes the connection.
        req.pause();
        reject(error);
      } else {
        if (whole) resolve(received === whole.length ? whole : whole.subarray(0, received));
        else resolve(chunks.length === 1 ? (chunks[0] as Buffer) : Buffer.concat(chunks, received));
      }
    };
    const onData = (chunk: Buffer | string) => {
      const buffer = typeof chunk === 'string' ? Buffer.from(chunk) : chunk;
      if (received + buffer.length > limit) {
        received += buffer.length;
        finish(new BodyTooLargeError(limit));
        return;
      }
      if (whole) {
        // Node's parser never delivers more than Content-Length; guard anyway.
        if (received + buffer.length > whole.length) {
          finish(new BodyReadError('BODY_LENGTH_MISMATCH', 'the request body is longer than its Content-Length'));
          return;
        }
        buffer.copy(whole, received);
      } else {
        chunks.push(buffer);
      }
      received += buffer.length;
    };
    const onEnd = () => finish(undefined);
    const onError = (error: Error) =>
      finish(
        new BodyReadError('BODY_READ_FAILED', `request body could not be read: ${error.message}`, { cause: error }),
      );
    const onAborted = () => finish(new BodyReadError('BODY_ABORTED', 'the client aborted the request body'));
    const timer = setTimeout(
      () => finish(new BodyReadError('BODY_TIMEOUT', `request body did not arrive within ${timeoutMs} ms`)),
      timeoutMs,
    );
    timer.unref?.();
    req.on('data', onData);
    req.on('end', onEnd);
    req.on('error', onError);
    req.on('aborted', onAborted);
  });
}
