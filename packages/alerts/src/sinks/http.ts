import { describeValue, ObsError } from '@obs/core';
import { AlertValidationError } from '../errors';
import type { TimerFn } from '../internal/timers';

/** A sink's HTTP request failed: network error, timeout or a non-2xx status (`status`). */
export class AlertSinkError extends ObsError {
  override readonly name: string = 'AlertSinkError';
  constructor(
    message: string,
    /** HTTP status, or undefined for network errors and timeouts. */
    readonly status: number | undefined,
    options?: { cause?: unknown },
  ) {
    super(status === undefined ? 'SINK_UNREACHABLE' : 'SINK_HTTP_STATUS', message, options);
  }
}

export type FetchLike = (
  url: string,
  init: { method: string; headers: Record<string, string>; body: string; signal: AbortSignal },
) => Promise<{ ok: boolean; status: number; text(): Promise<string> }>;

export function parseHttpUrl(value: unknown, what: string): URL {
  let url: URL;
  try {
    if (typeof value !== 'string' || value.length > 2048) throw new TypeError('not a string');
    url = new URL(value);
  } catch (error) {
    throw new AlertValidationError(
      'INVALID_SINK',
      `${what} must be an absolute http(s) URL, got ${describeValue(value)}`,
      { cause: error },
    );
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    throw new AlertValidationError('INVALID_SINK', `${what} must use http or https, got ${url.protocol}`);
  }
  return url;
}

export function parseHeaders(value: unknown): Record<string, string> {
  if (value === undefined) return {};
  if (value === null || typeof value !== 'object' || Array.isArray(value)) {
    throw new AlertValidationError('INVALID_SINK', `headers must be an object of strings, got ${describeValue(value)}`);
  }
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(value)) {
    if (!/^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/.test(k) || typeof v !== 'string' || /[\r\n\0]/.test(v)) {
      throw new AlertValidationError('INVALID_SINK', `invalid header ${describeValue(k)}`);
    }
    out[k] = v;
  }
  return out;
}

export function sinkNumber(value: unknown, what: string, fallback: number, min: number, max: number): number {
  if (value === undefined) return fallback;
  if (typeof value !== 'number' || !Number.isFinite(value) || value < min || value > max) {
    throw new AlertValidationError(
      'INVALID_SINK',
      `${what} must be a number between ${min} and ${max}, got ${describeValue(value)}`,
    );
  }
  return value;
}

/** POSTs JSON; resolves on 2xx, rejects with {@link AlertSinkError} otherwise (after `timeoutMs` at the latest). */
export async function postJson(
  fetchFn: FetchLike,
  url: string,
  body: unknown,
  headers: Record<string, string>,
  timeoutMs: number,
  timers: TimerFn,
): Promise<void> {
  const controller = new AbortController();
  let timedOut = false;
  const cancel = timers(() => {
    timedOut = true;
    controller.abort();
  }, timeoutMs);
  try {
    const res = await fetchFn(url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...headers },
      body: JSON.stringify(body),
      signal: controller.signal,
    });
    if (!res.ok) {
      const text = await res.text().catch(() => '');
      throw new AlertSinkError(`POST ${url} answered ${res.status}: ${text.slice(0, 200)}`, res.status);
    }
    await res.text().catch(() => ''); // drain the body so the connection is reused
  } catch (error) {
    if (error instanceof AlertSinkError) throw error;
    const reason = timedOut
      ? `timed out after ${timeoutMs} ms`
      : error instanceof Error
        ? ((error.cause as Error | undefined)?.message ?? error.message)
        : String(error);
    throw new AlertSinkError(`POST ${url} failed: ${reason}`, undefined, { cause: error });
  } finally {
    cancel();
  }
}

export function defaultFetch(): FetchLike {
  const f = (globalThis as { fetch?: unknown }).fetch;
  if (typeof f !== 'function')
    throw new AlertValidationError('INVALID_SINK', 'no global fetch; pass `fetch` in the sink config');
  return f as FetchLike;
}

/** Where a JSON-over-HTTP sink posts, with its extra headers and fetch: read once from the sink's config. */
export interface JsonEndpoint {
  readonly url: string;
  post(body: unknown, timeoutMs: number, timers: TimerFn): Promise<void>;
}

/**
 * Reads `url` (or `defaultUrl`), `headers` and `fetch` of a sink config, validating each, so every
 * webhook-style receiver (webhook, Slack, PagerDuty, Teams) reads them the same way.
 */
export function jsonEndpoint(
  config: { readonly url?: unknown; readonly headers?: unknown; readonly fetch?: FetchLike } | undefined,
  what: string,
  defaultUrl?: string,
): JsonEndpoint {
  const url = parseHttpUrl(config?.url ?? defaultUrl, what).toString();
  const headers = parseHeaders(config?.headers);
  const fetchFn = config?.fetch ?? defaultFetch();
  return { url, post: (body, timeoutMs, timers) => postJson(fetchFn, url, body, headers, timeoutMs, timers) };
}
