import { fc, test } from '@fast-check/vitest';
import { describe, expect } from 'vitest';
import {
  MIN_INDEX,
  RELATIVE_ACCURACY,
  SUB_BUCKETS,
  bucketIndex,
  bucketLowerBound,
  bucketRepresentative,
} from './logIndex';

describe('bucketIndex', () => {
  test.prop([fc.double({ min: 2.3e-308, max: 1.7e308, noNaN: true })])('value lies within its bucket edges', (v) => {
    const i = bucketIndex(v);
    expect(bucketLowerBound(i)).toBeLessThanOrEqual(v);
    const upper = bucketLowerBound(i + 1);
    if (Number.isFinite(upper)) expect(v).toBeLessThan(upper);
  });

  test.prop([fc.double({ min: 1e-300, max: 1e300, noNaN: true })])(
    'agrees with floor(log2(v) * 64) away from edges',
    (v) => {
      const reference = Math.log2(v) * SUB_BUCKETS;
      // Math.log2 itself is only accurate to an ulp, so skip values within rounding distance of an edge.
      fc.pre(Math.abs(reference - Math.round(reference)) > 1e-9);
      expect(bucketIndex(v)).toBe(Math.floor(reference));
    },
  );

  test.prop([fc.integer({ min: -1000 * SUB_BUCKETS, max: 1000 * SUB_BUCKETS })])(
    'edges map to their own bucket',
    (i) => {
      expect(bucketIndex(bucketLowerBound(i))).toBe(i);
    },
  );

  test.prop([fc.double({ min: 1e-300, max: 1e300, noNaN: true })])(
    'representative is within the relative accuracy',
    (v) => {
      const est = bucketRepresentative(bucketIndex(v));
      expect(Math.abs(est - v) / v).toBeLessThanOrEqual(RELATIVE_ACCURACY * (1 + 1e-9));
    },
  );

  test('powers of two start a bucket and subnormals share the lowest one', () => {
    expect(bucketIndex(1)).toBe(0);
    expect(bucketIndex(2)).toBe(SUB_BUCKETS);
    expect(bucketIndex(0.5)).toBe(-SUB_BUCKETS);
    expect(bucketIndex(Number.MIN_VALUE)).toBe(MIN_INDEX);
    expect(bucketRepresentative(bucketIndex(Number.MAX_VALUE))).toBeLessThan(Infinity);
    expect(RELATIVE_ACCURACY).toBeLessThan(0.01);
  });
});
