import { test, fc } from '@fast-check/vitest';
import { describe, expect, it } from 'vitest';
import { ObsValidationError } from './ObsError';
import { parseRetryAfter, readRetryPolicy, retryDelayMs, type RetryPolicy } from './retryPolicy';

const defaults: RetryPolicy = { maxRetries: 5, initialBackoffMs: 1000, maxBackoffMs: 30_000, maxRetryAfterMs: 60_000 };
const policies = fc.record({
  maxRetries: fc.nat(),
  initialBackoffMs: fc.nat({ max: 1e7 }),
  maxBackoffMs: fc.nat({ max: 1e8 }),
  maxRetryAfterMs: fc.nat({ max: 1e8 }),
});

describe('readRetryPolicy', () => {
  it('takes the defaults for undefined options and checks the rest', () => {
    expect(readRetryPolicy({}, defaults)).toEqual(defaults);
    expect(readRetryPolicy({ maxBackoffMs: 10 }, defaults)).toEqual({ ...defaults, maxBackoffMs: 10 });
    expect(() => readRetryPolicy({ initialBackoffMs: -1 }, defaults)).toThrow(
      'initialBackoffMs must be a non-negative integer, got -1',
    );
    expect(() => readRetryPolicy({ maxRetries: Infinity }, defaults)).toThrow(ObsValidationError);
    expect(readRetryPolicy({ maxRetries: Infinity }, defaults, undefined, true).maxRetries).toBe(Infinity);
    expect(() => readRetryPolicy({ maxRetryAfterMs: '1' }, defaults, (m) => new RangeError(m))).toThrow(RangeError);
  });
});

describe('retryDelayMs', () => {
  test.prop([
    policies,
    fc.integer({ min: 1, max: 100 }),
    fc.double({ min: 0, max: 1, maxExcluded: true, noNaN: true }),
  ])('backs off exponentially up to the cap, with jitter in [50%, 100%)', (policy, attempt, r) => {
    const full = Math.min(policy.maxBackoffMs, policy.initialBackoffMs * 2 ** Math.min(attempt - 1, 30));
    const delay = retryDelayMs(policy, attempt, undefined, () => r);
    expect(delay).toBeGreaterThanOrEqual(full * 0.5);
    expect(delay).toBeLessThanOrEqual(full);
  });

  test.prop([policies, fc.nat({ max: 1e9 })])("honours the server's Retry-After, capped", (policy, after) => {
    expect(retryDelayMs(policy, 3, after, () => 0.3)).toBe(Math.min(policy.maxRetryAfterMs, after));
  });
});

describe('parseRetryAfter', () => {
  test.prop([fc.nat({ max: 999_999_999 })])('reads delta-seconds', (seconds) => {
    expect(parseRetryAfter(` ${seconds} `, 0)).toBe(seconds * 1000);
  });

  it('reads an HTTP date relative to now, never negative, and refuses the rest', () => {
    const now = Date.UTC(2026, 10, 29, 10, 0, 0);
    expect(parseRetryAfter('Sun, 29 Nov 2026 10:00:05 GMT', now)).toBe(5000);
    expect(parseRetryAfter('Sun, 29 Nov 2026 09:00:00 GMT', now)).toBe(0);
    for (const bad of [undefined, 3, '', '-1', '1.5', '1234567890', 'soon', 'x'.repeat(65), '2026-11-29T10:00:05Z'])
      expect(parseRetryAfter(bad, now)).toBeUndefined();
  });
});
