import { fc, test } from '@fast-check/vitest';
import { describe, expect, it } from 'vitest';
import { isHealthStatus } from '../HealthStatus';
import { copyDetails, errorMessage, normalizeReturnValue, truncateMessage } from './normalizeOutcome';

const limits = { maxMessageLength: 200, maxDetailsBytes: 2000 };

describe('normalizeReturnValue', () => {
  test.prop([
    fc.anything({
      withBigInt: true,
      withMap: true,
      withSet: true,
      withTypedArray: true,
      withDate: true,
      withNullPrototype: true,
      withObjectString: true,
    }),
  ])('never throws, always yields a valid status, a bounded message and serializable details', (value) => {
    const result = normalizeReturnValue(value, limits);
    expect(isHealthStatus(result.status)).toBe(true);
    expect(typeof result.message).toBe('string');
    expect(result.message.length).toBeLessThanOrEqual(limits.maxMessageLength + 40);
    expect(JSON.stringify(result.details).length).toBeLessThanOrEqual(limits.maxDetailsBytes);
    if (result.outcome === 'invalid') expect(result.status).toBe('unhealthy');
  });

  test.prop([
    fc.record({
      status: fc.constantFrom('healthy', 'degraded', 'unhealthy', 'unknown'),
      message: fc.option(fc.string(), { nil: undefined }),
      details: fc.option(fc.dictionary(fc.string(), fc.jsonValue({ maxDepth: 2 }), { maxKeys: 5 }), { nil: undefined }),
    }),
  ])('keeps valid partial results as they are (within limits)', (value) => {
    const result = normalizeReturnValue(value, { maxMessageLength: 10_000, maxDetailsBytes: 1_000_000 });
    expect(result.outcome).toBe('ok');
    expect(result.status).toBe(value.status);
    expect(result.message).toBe(value.message ?? '');
    expect(result.details).toEqual(JSON.parse(JSON.stringify(value.details ?? {})));
  });

  it('accepts a null-prototype result object', () => {
    const value = Object.assign(Object.create(null) as object, { status: 'healthy' });
    expect(normalizeReturnValue(value, limits).status).toBe('healthy');
  });
});

describe('helpers', () => {
  test.prop([fc.string({ maxLength: 500 }), fc.integer({ min: 16, max: 300 })])(
    'truncateMessage keeps short messages and marks cut ones',
    (text, max) => {
      const { text: out, truncated } = truncateMessage(text, max);
      expect(truncated).toBe(text.length > max);
      if (!truncated) expect(out).toBe(text);
      else {
        expect(out.startsWith(text.slice(0, max))).toBe(true);
        expect(out).toContain(`truncated ${text.length - max} chars`);
      }
    },
  );

  it('copyDetails handles toJSON that throws and undefined JSON', () => {
    expect(
      copyDetails(
        {
          toJSON: () => {
            throw new Error('nope');
          },
        },
        100,
      ),
    ).toMatchObject({ truncated: true });
    expect(copyDetails({ toJSON: () => undefined }, 100)).toEqual({ details: {}, truncated: false });
  });

  it('errorMessage describes all kinds of thrown values', () => {
    expect(errorMessage(new Error('x'))).toBe('x');
    expect(errorMessage('')).toBe('check failed with an empty error');
    expect(errorMessage(null)).toBe('check threw null');
    expect(errorMessage(undefined)).toBe('check threw undefined');
    expect(errorMessage(Symbol('s'))).toContain('check threw');
  });
});
