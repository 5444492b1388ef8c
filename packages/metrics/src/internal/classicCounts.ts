import type { LogHistogram } from '../sketch/LogHistogram';
import type { ClassicBuckets } from './ClassicBuckets';
import type { HistogramSeries } from './Series';

/**
 * A histogram series' exact classic (`le`) counts, kept in two parts so that recording
 * a value costs no slot lookup in the common case:
 *
 * - derived: every sketch bucket of the positive store that contains no bound lies
 *   wholly in one slot, so its count is that slot's and is read off the sketch when the
 *   counts are read ({@link classicCounts});
 * - eager (`classicEager`): values whose slot the sketch cannot tell, counted one by one:
 *   zero and negative values, and values in the few sketch buckets that contain a bound.
 *
 * Whatever changes the sketch's buckets other than recording (a fold of the lowest
 * buckets when the range grows past the sketch's limit, a merge, a restore) moves the
 * change of the derived part into the eager part, so eager + derived stays exact.
 */
export function classicCounts(s: HistogramSeries): Float64Array {
  const out = Float64Array.from(s.classicEager);
  addDerived(out, s.bounds, s.sketch.positive.counts, s.sketch.positive.offset, 1);
  return out;
}

/** Adds `sign` times the derived slot counts of positive sketch buckets `counts` (index of counts[0]: `offset`). */
function addDerived(
  out: Float64Array,
  bounds: ClassicBuckets,
  counts: ArrayLike<number>,
  offset: number,
  sign: number,
): void {
  for (let j = 0; j < counts.length; j++) {
    const n = counts[j]!;
    if (n === 0) continue;
    const slot = bounds.bucketSlot(offset + j);
    if (slot >= 0) out[slot]! += sign * n;
  }
}

/** The exact classic slot of any value. */
export function slotOfValue(bounds: ClassicBuckets, value: number, index: number): number {
  return value > 0 ? bounds.positiveSlot(value, index) : bounds.searchFrom(0, value);
}

/** Counts a value in the eager part: a non-positive one, or one in a sketch bucket that contains a bound. */
export function countEagerly(s: HistogramSeries, value: number, index: number): void {
  s.classicEager[slotOfValue(s.bounds, value, index)]!++;
}

/**
 * The store's hook for a count added outside its range (BucketStore.outsideListener): the
 * store grew, maybe folding its lowest buckets, or the value joined the lowest kept bucket.
 * The derived part's change is taken back out of the eager part and the value counted
 * eagerly at its own bucket's slot (a value in a bucket that contains a bound is counted
 * eagerly by the recording path itself).
 */
export function afterOutsideAdd(
  s: HistogramSeries,
  index: number,
  oldCounts: Uint32Array | Float64Array,
  oldOffset: number,
): void {
  const store = s.sketch.positive;
  const eager = s.classicEager;
  if (store.counts !== oldCounts || store.offset !== oldOffset) {
    addDerived(eager, s.bounds, oldCounts, oldOffset, 1);
    addDerived(eager, s.bounds, store.counts, store.offset, -1);
  } else {
    const landed = s.bounds.bucketSlot(Math.max(index, store.offset));
    if (landed >= 0) eager[landed]!--;
  }
  const own = s.bounds.bucketSlot(index);
  if (own >= 0) eager[own]!++;
}

/**
 * Merges `other` (its values' classic counts: `counts`) into a series' sketch and counts.
 * Throws, changing nothing, if the sketch's sum would overflow.
 */
export function mergeClassic(s: HistogramSeries, other: LogHistogram, counts: ArrayLike<number>): void {
  const store = s.sketch.positive;
  const before = new Float64Array(s.classicEager.length);
  addDerived(before, s.bounds, store.counts, store.offset, 1);
  s.sketch.merge(other);
  const eager = s.classicEager;
  addDerived(eager, s.bounds, store.counts, store.offset, -1);
  for (let j = 0; j < eager.length; j++) eager[j]! += before[j]! + counts[j]!;
}

/** Sets a series' classic counts to `counts` (zeros when undefined) whatever its sketch holds. */
export function setClassicCounts(s: HistogramSeries, counts: ArrayLike<number> | undefined): void {
  const eager = s.classicEager;
  if (counts === undefined) eager.fill(0);
  else eager.set(counts);
  addDerived(eager, s.bounds, s.sketch.positive.counts, s.sketch.positive.offset, -1);
}
