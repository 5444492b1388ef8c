import type { IncomingMessage, ServerResponse } from 'node:http';
import { ObsError } from '@obs/hub';
import { BodyReadError, BodyTooLargeError, readBody } from '@obs/hub/http';
import {
  ImageTooLargeError,
  ProviderBusyError,
  VisionInputError,
  type AnalyzeOptions,
  type VisionDescription,
} from '@obs/vision';
import { sendError, sendJson } from './responses';

export interface AnalyzeRouteOptions {
  /** Runs the analysis (an ObservableVisionProvider's `analyzeImage`, or any provider's). */
  readonly analyze: (
    bytes: Uint8Array,
    includeDescription: boolean,
    options: AnalyzeOptions,
  ) => Promise<VisionDescription>;
  /** Largest accepted body in bytes. */
  readonly maxBodyBytes: number;
  /** Time allowed for the whole upload, ms (default 30 000). */
  readonly bodyTimeoutMs?: number;
  /** Called for unexpected failures (a bug or a provider crash), for logging. */
  readonly onUnexpectedError?: (error: unknown) => void;
  /** Starts a span around reading the body; the returned function ends it with the body size (or an error). */
  readonly traceBody?: () => (bytes: number | undefined) => void;
  /** Parent of the analysis span (the server span of the request). */
  readonly parent?: AnalyzeOptions['parent'];
  /** Response headers naming the request's trace, from the request span (e.g. `traceparent`). */
  readonly traceHeaders?: (span: Parameters<NonNullable<AnalyzeOptions['onSpan']>>[0]) => Record<string, string>;
}

/** Maps a failure to an HTTP status and a client-safe code and message. */
export function statusForError(error: unknown): {
  status: number;
  code: string;
  message: string;
  retryAfterSeconds?: number;
} {
  // Every image worker busy and the queue full: the client should come back shortly.
  if (error instanceof ProviderBusyError)
    return { status: 503, code: error.code, message: error.message, retryAfterSeconds: error.retryAfterSeconds };
  if (error instanceof ImageTooLargeError) return { status: 413, code: error.code, message: error.message };
  if (error instanceof VisionInputError) {
    return { status: error.code === 'UNSUPPORTED_FORMAT' ? 415 : 400, code: error.code, message: error.message };
  }
  if (error instanceof BodyTooLargeError) return { status: 413, code: error.code, message: error.message };
  if (error instanceof BodyReadError)
    return { status: error.code === 'BODY_TIMEOUT' ? 408 : 400, code: error.code, message: error.message };
  // A provider's own typed failure (an upstream outage): the client did nothing wrong.
  if (error instanceof ObsError) return { status: 502, code: error.code, message: 'the vision provider failed' };
  return { status: 500, code: 'INTERNAL', message: 'internal error' };
}

/**
 * `POST /api/analyze`: raw image bytes in, a JSON VisionDescription out.
 * `?description=false` asks for the short summary only. The response's
 * `traceparent` header names the request's trace (see `/api/traces/:id`).
 * Resolves to the HTTP status sent.
 */
export async function handleAnalyze(
  req: IncomingMessage,
  res: ServerResponse,
  url: URL,
  options: AnalyzeRouteOptions,
): Promise<number> {
  const param = url.searchParams.get('description');
  if (param !== null && param !== 'true' && param !== 'false') {
    sendError(res, 400, 'INVALID_QUERY', 'description must be true or false');
    return 400;
  }
  let traceHeaders: Record<string, string> = {};
  try {
    const endBody = options.traceBody?.();
    let body: Buffer;
    try {
      body = await readBody(req, { limit: options.maxBodyBytes, timeoutMs: options.bodyTimeoutMs ?? 30_000 });
    } catch (error) {
      endBody?.(undefined);
      throw error;
    }
    endBody?.(body.length);
    const description = await options.analyze(body, param !== 'false', {
      parent: options.parent,
      onSpan: (span) => (traceHeaders = options.traceHeaders?.(span) ?? {}),
    });
    sendJson(res, 200, description, traceHeaders);
    return 200;
  } catch (error) {
    const mapped = statusForError(error);
    if (mapped.status >= 500 && mapped.status !== 503) options.onUnexpectedError?.(error);
    const retry: Record<string, string> =
      mapped.retryAfterSeconds !== undefined ? { 'Retry-After': String(mapped.retryAfterSeconds) } : {};
    // After a refused body the rest of it may still be in flight: close rather than reuse the socket.
    const close: Record<string, string> =
      error instanceof BodyTooLargeError || error instanceof BodyReadError ? { Connection: 'close' } : {};
    sendError(res, mapped.status, mapped.code, mapped.message, { ...traceHeaders, ...close, ...retry });
    return mapped.status;
  }
}
