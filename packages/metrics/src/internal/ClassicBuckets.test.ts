import { fc, test } from '@fast-check/vitest';
import { describe, expect, it } from 'vitest';
import { bucketIndex } from '../sketch/logIndex';
import { ClassicBuckets, DEFAULT_LATENCY_BUCKETS_MS } from './ClassicBuckets';

/** le semantics by brute force: the number of bounds strictly below the value. */
function naiveSlot(bounds: readonly number[], value: number): number {
  let slot = 0;
  while (slot < bounds.length && bounds[slot]! < value) slot++;
  return slot;
}

function slotOf(c: ClassicBuckets, value: number): number {
  return value > 0 ? c.positiveSlot(value, bucketIndex(value)) : c.searchFrom(0, value);
}

const sortedBounds = fc
  .uniqueArray(fc.double({ noNaN: true, noDefaultInfinity: true, min: -1e6, max: 1e6 }), { maxLength: 20 })
  .map((b) => b.filter((x) => !Object.is(x, -0)).sort((x, y) => x - y));

describe('ClassicBuckets', () => {
  test.prop([
    sortedBounds,
    fc.array(fc.double({ noNaN: true, noDefaultInfinity: true, min: -2e6, max: 2e6 }), { maxLength: 50 }),
  ])(
    'puts every value in the slot of the first bound >= it (values at, between and beside the bounds)',
    (bounds, values) => {
      const c = new ClassicBuckets(bounds);
      // Each bound itself, and its neighbouring doubles, are the edge cases of le.
      const probes = [...values, ...bounds.flatMap((b) => [b, b * (1 + 2 ** -52), b * (1 - 2 ** -52)])];
      for (const v of probes) expect(slotOf(c, v)).toBe(naiveSlot(bounds, v));
    },
  );

  it('is exact around the default latency bounds and for tiny and subnormal values', () => {
    const c = new ClassicBuckets(DEFAULT_LATENCY_BUCKETS_MS);
    for (const b of DEFAULT_LATENCY_BUCKETS_MS) {
      for (const v of [b, b + 1e-9, b - 1e-9, b * 1.005, b / 1.005])
        expect(slotOf(c, v)).toBe(naiveSlot(DEFAULT_LATENCY_BUCKETS_MS, v));
    }
    for (const v of [5e-324, 1e-310, 1e-300, 1e300])
      expect(slotOf(c, v)).toBe(naiveSlot(DEFAULT_LATENCY_BUCKETS_MS, v));
    const tiny = [1e-320, 1e-310, 1e-300];
    const t = new ClassicBuckets(tiny);
    for (const v of [5e-324, 1e-320, 2e-320, 1e-310, 1e-305, 1e-300, 1]) expect(slotOf(t, v)).toBe(naiveSlot(tiny, v));
  });

  it('handles no bounds (everything in +Inf)', () => {
    const c = new ClassicBuckets([]);
    for (const v of [-1, 0, 1, 1e300]) expect(slotOf(c, v)).toBe(0);
  });
});
