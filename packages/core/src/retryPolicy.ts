import { invalidOption, type InvalidOption } from './options/invalidOption';
import { NON_NEGATIVE_INTEGER, optionalNumber } from './options/numberOption';

/** How an exporter retries a failed request: exponential backoff with jitter, honouring `Retry-After`. */
export interface RetryPolicy {
  /** Retries after the first attempt (`Infinity` only where the reader allows it). */
  readonly maxRetries: number;
  /** Backoff before the first retry, doubled per retry. */
  readonly initialBackoffMs: number;
  readonly maxBackoffMs: number;
  /** Cap on a server's `Retry-After`. */
  readonly maxRetryAfterMs: number;
}

/**
 * The retry options of an exporter's config, each `undefined` taking its default, else a
 * non-negative integer (`maxRetries` may be `Infinity` with `allowInfiniteRetries`).
 */
export function readRetryPolicy(
  config: { readonly [K in keyof RetryPolicy]?: unknown },
  defaults: RetryPolicy,
  fail: InvalidOption = invalidOption,
  allowInfiniteRetries = false,
): RetryPolicy {
  const retries = allowInfiniteRetries ? { ...NON_NEGATIVE_INTEGER, allowInfinity: true } : NON_NEGATIVE_INTEGER;
  const read = (key: keyof RetryPolicy) => optionalNumber(config[key], key, defaults[key], NON_NEGATIVE_INTEGER, fail);
  return {
    maxRetries: optionalNumber(config.maxRetries, 'maxRetries', defaults.maxRetries, retries, fail),
    initialBackoffMs: read('initialBackoffMs'),
    maxBackoffMs: read('maxBackoffMs'),
    maxRetryAfterMs: read('maxRetryAfterMs'),
  };
}

/**
 * The wait before retry number `attempt` (1 for the first): the server's `Retry-After`
 * (capped) when it sent one, else `initialBackoffMs · 2^(attempt-1)` capped at
 * `maxBackoffMs`, times a jitter factor in [0.5, 1) from `random`.
 */
export function retryDelayMs(
  policy: RetryPolicy,
  attempt: number,
  retryAfterMs: number | undefined,
  random: () => number,
): number {
  if (retryAfterMs !== undefined) return Math.min(policy.maxRetryAfterMs, retryAfterMs);
  return (
    Math.min(policy.maxBackoffMs, policy.initialBackoffMs * 2 ** Math.min(attempt - 1, 30)) * (0.5 + 0.5 * random())
  );
}

/** `Retry-After` as ms: delta-seconds or an HTTP date (IMF-fixdate); undefined when absent or unreadable. */
export function parseRetryAfter(value: unknown, now: number): number | undefined {
  if (typeof value !== 'string' || value.length > 64) return undefined;
  const trimmed = value.trim();
  if (/^\d{1,9}$/.test(trimmed)) return Number(trimmed) * 1000;
  // e.g. "Sun, 29 Nov 2026 10:00:05 GMT"
  if (!/^[A-Z][a-z]{2}, \d{2} [A-Z][a-z]{2} \d{4} \d{2}:\d{2}:\d{2} GMT$/.test(trimmed)) return undefined;
  const date = Date.parse(trimmed);
  return Number.isNaN(date) ? undefined : Math.max(0, date - now);
}
