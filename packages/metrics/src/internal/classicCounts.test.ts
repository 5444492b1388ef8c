import { fc, test } from '@fast-check/vitest';
import { describe, expect, it } from 'vitest';
import { createMetricsCollector, type MetricsCollector } from '../index';

/** le semantics by brute force: per slot, the values whose first bound >= them is that slot's. */
function naiveCounts(bounds: readonly number[], values: readonly number[]): number[] {
  const counts = new Array<number>(bounds.length + 1).fill(0);
  for (const v of values) {
    let slot = 0;
    while (slot < bounds.length && bounds[slot]! < v) slot++;
    counts[slot]!++;
  }
  return counts;
}

function bucketCounts(m: MetricsCollector, name = 'h'): readonly number[] | undefined {
  return m.collect().families.find((f) => f.name === name)?.series[0]?.bucketCounts;
}

const sortedBounds = fc
  .uniqueArray(fc.double({ noNaN: true, noDefaultInfinity: true, min: -1e6, max: 1e6 }), { maxLength: 12 })
  .map((b) => b.filter((x) => !Object.is(x, -0)).sort((x, y) => x - y));

/** Values over a range far wider than a small sketch keeps (so it folds), plus zeros, negatives and subnormals. */
const value = fc.oneof(
  fc.double({ noNaN: true, noDefaultInfinity: true, min: -1e7, max: 1e7 }),
  fc.double({ noNaN: true, noDefaultInfinity: true, min: 5e-324, max: 1e-3 }),
  fc.integer({ min: -20, max: 60 }).map((e) => 2 ** (e / 3)),
  fc.constantFrom(0, -0, 5e-324, 1e-310),
);

/** The values, plus every bound and its neighbouring doubles (the edge cases of le). */
const valuesBeside = (bounds: readonly number[], values: readonly number[]) => [
  ...values,
  ...bounds.flatMap((b) => [b, b * (1 + 2 ** -52), b * (1 - 2 ** -52)]),
];

function recorder(bounds: readonly number[], maxSketchBuckets: number): MetricsCollector {
  const m = createMetricsCollector({ maxSketchBuckets });
  m.describe('h', { buckets: [...bounds] });
  return m;
}

describe('classic bucket counts (derived from the sketch, exact)', () => {
  test.prop([sortedBounds, fc.array(value, { maxLength: 120 }), fc.constantFrom(16, 24, 64, 2048)])(
    'equal counting every value by its le, also while the sketch folds its lowest buckets',
    (bounds, raw, maxSketchBuckets) => {
      const values = valuesBeside(bounds, raw);
      const m = recorder(bounds, maxSketchBuckets);
      for (const v of values) m.histogram('h', v);
      expect(bucketCounts(m) ?? naiveCounts(bounds, [])).toEqual(naiveCounts(bounds, values));
    },
  );

  test.prop([
    sortedBounds,
    // At least one value, so the snapshot carries the family and its bounds.
    fc.array(value, { minLength: 1, maxLength: 60 }),
    fc.array(value, { maxLength: 60 }),
    fc.array(value, { maxLength: 60 }),
    fc.constantFrom(16, 64, 2048),
  ])(
    'stay exact through a snapshot restore and a merge, and when recording continues after them',
    (bounds, a, b, after, maxSketchBuckets) => {
      const first = recorder(bounds, maxSketchBuckets);
      for (const v of a) first.histogram('h', v);
      const restored = createMetricsCollector({ maxSketchBuckets });
      restored.restore(first.snapshot());
      expect(bucketCounts(restored)).toEqual(naiveCounts(bounds, a));

      const second = recorder(bounds, maxSketchBuckets);
      for (const v of b) second.histogram('h', v);
      restored.mergeFrom(second.collect());
      for (const v of after) restored.histogram('h', v);
      expect(bucketCounts(restored)).toEqual(naiveCounts(bounds, [...a, ...b, ...after]));
    },
  );

  it('counts values below a folded sketch at their own slot', () => {
    // 16 buckets span a quarter of an octave: everything far below the top folds into the lowest kept bucket.
    const bounds = [0.001, 0.01, 1, 100, 101];
    const m = recorder(bounds, 16);
    const values = [100.5, 0.0005, 0.005, 0.5, 50, 100, 100.9, 101, 0.001, 1e-320, 0, -3];
    for (const v of values) m.histogram('h', v);
    expect(bucketCounts(m)).toEqual(naiveCounts(bounds, values));
    m.histogram('h', 1e9); // the kept range moves up again: another fold
    expect(bucketCounts(m)).toEqual(naiveCounts(bounds, [...values, 1e9]));
  });
});
