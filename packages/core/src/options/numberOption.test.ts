import { test, fc } from '@fast-check/vitest';
import { describe, expect, it } from 'vitest';
import { ObsError, ObsValidationError } from '../ObsError';
import {
  NON_NEGATIVE_INTEGER,
  POSITIVE_INTEGER,
  POSITIVE_NUMBER,
  describeRange,
  isInRange,
  optionalNumber,
  requireNumber,
  type NumberRange,
} from './numberOption';

const anyValue = fc.oneof(fc.double(), fc.integer(), fc.string(), fc.boolean(), fc.constant(null), fc.object());
const bound = fc.option(fc.double({ noNaN: true, noDefaultInfinity: true, min: -1e6, max: 1e6 }), { nil: undefined });
const ranges: fc.Arbitrary<NumberRange> = fc.record(
  {
    min: bound,
    max: bound,
    minExclusive: fc.boolean(),
    maxExclusive: fc.boolean(),
    integer: fc.boolean(),
    allowInfinity: fc.boolean(),
  },
  { requiredKeys: [] },
);

function accepts(value: unknown, r: NumberRange): boolean {
  if (typeof value !== 'number') return false;
  if (value === Infinity && r.allowInfinity && r.max === undefined) return true;
  if (!Number.isFinite(value) || (r.integer && !Number.isSafeInteger(value))) return false;
  if (r.min !== undefined && !(r.minExclusive ? value > r.min : value >= r.min)) return false;
  if (r.max !== undefined && !(r.maxExclusive ? value < r.max : value <= r.max)) return false;
  return true;
}

describe('requireNumber', () => {
  test.prop([anyValue, ranges])(
    'returns the value exactly when the range accepts it, else throws naming it',
    (v, r) => {
      if (accepts(v, r)) {
        expect(requireNumber(v, 'x', r)).toBe(v);
        expect(isInRange(v, r)).toBe(true);
      } else {
        expect(isInRange(v, r)).toBe(false);
        expect(() => requireNumber(v, 'opt.x', r)).toThrow(/^opt\.x must be .+, got /);
      }
    },
  );

  test.prop([fc.double({ noNaN: true }), ranges])('never accepts NaN, and -Infinity never', (v, r) => {
    expect(isInRange(NaN, r)).toBe(false);
    expect(isInRange(-Infinity, r)).toBe(false);
    if (!Number.isFinite(v) && v !== Infinity) expect(isInRange(v, r)).toBe(false);
  });

  test.prop([fc.integer({ min: 1 })])('accepts every positive safe integer as POSITIVE_INTEGER', (n) => {
    expect(requireNumber(n, 'n', POSITIVE_INTEGER)).toBe(n);
    expect(() => requireNumber(n - 1 === 0 ? 0 : -n, 'n', POSITIVE_INTEGER)).toThrow(ObsValidationError);
  });

  test.prop([anyValue, fc.double()])('optionalNumber: undefined gives the fallback unchecked', (v, fallback) => {
    expect(optionalNumber(undefined, 'x', fallback, POSITIVE_INTEGER)).toBe(fallback);
    if (v !== undefined && accepts(v, POSITIVE_INTEGER)) expect(optionalNumber(v, 'x', 1, POSITIVE_INTEGER)).toBe(v);
  });

  it('throws the error the caller builds', () => {
    class MyError extends ObsError {}
    const fail = (m: string) => new MyError('INVALID_CONFIG', m);
    const err = (() => {
      try {
        requireNumber(1.5, 'retries', NON_NEGATIVE_INTEGER, fail);
      } catch (e) {
        return e;
      }
    })();
    expect(err).toBeInstanceOf(MyError);
    expect((err as MyError).code).toBe('INVALID_CONFIG');
    expect((err as MyError).message).toBe('retries must be a non-negative integer, got 1.5');
  });

  it('says what it wanted in words', () => {
    expect(describeRange(POSITIVE_INTEGER)).toBe('a positive integer');
    expect(describeRange(POSITIVE_NUMBER)).toBe('a positive finite number');
    expect(describeRange({ min: 0, integer: true, allowInfinity: true })).toBe('a non-negative integer or Infinity');
    expect(describeRange({ min: 1, max: 10, integer: true })).toBe('an integer from 1 to 10');
    expect(describeRange({ min: 0, max: 1 })).toBe('a finite number from 0 to 1');
    expect(describeRange({ min: 0, minExclusive: true, max: 1 })).toBe('a positive finite number up to 1');
    expect(describeRange({ min: 1, minExclusive: true, max: 2 })).toBe('a finite number greater than 1 and at most 2');
    expect(describeRange({ min: -1, maxExclusive: true, max: 2 })).toBe('a finite number at least -1 and less than 2');
    expect(describeRange({})).toBe('a finite number');
    expect(describeRange({ min: 0, max: 60_000, description: 'milliseconds up to a minute' })).toBe(
      'milliseconds up to a minute',
    );
    expect(() => requireNumber('7', 'limit', { min: 1, max: 10, integer: true })).toThrow(
      'limit must be an integer from 1 to 10, got "7"',
    );
  });
});
