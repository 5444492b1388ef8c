import { describeValue } from '@obs/core';
import { InvalidSnapshotError, InvalidValueError } from '../errors';
import { BucketStore } from './BucketStore';
import { MAX_INDEX, MIN_INDEX, RELATIVE_ACCURACY, SCALE, bucketIndex, bucketRepresentative } from './logIndex';

/** Returned by {@link LogHistogram.recordUnchecked} for zero and negative values: just below every bucket index. */
export const NON_POSITIVE_INDEX = MIN_INDEX - 1;

/** Default bound on buckets per sign: 2048 buckets at scale 6 span a 2^32 dynamic range. */
export const DEFAULT_MAX_SKETCH_BUCKETS = 2048;

/** JSON form of a {@link LogHistogram}: counts are dense from `offset`, trimmed of empty ends. */
export interface LogHistogramSnapshot {
  readonly scale: number;
  readonly count: number;
  readonly sum: number;
  readonly min: number | null;
  readonly max: number | null;
  readonly zeroCount: number;
  readonly positive: { readonly offset: number; readonly counts: readonly number[] };
  readonly negative: { readonly offset: number; readonly counts: readonly number[] };
}

/**
 * A mergeable base-2 exponential histogram sketch (OTLP ExponentialHistogram at
 * scale 6): O(1) record, exact count/sum/min/max, any quantile within
 * {@link LogHistogram.relativeAccuracy} (≈0.54%) relative error, memory bounded by
 * `maxBuckets` per sign. Zeros have their own count; negative values their own store.
 *
 * Quantile rank: `quantile(q)` estimates the element at 0-based rank
 * `floor(q * (count - 1))` of the sorted values, clamped to [min, max].
 */
export class LogHistogram {
  /** Worst relative error of a quantile estimate for values within the bucket range. */
  static readonly relativeAccuracy = RELATIVE_ACCURACY;
  static readonly scale = SCALE;

  count = 0;
  sum = 0;
  min = Infinity;
  max = -Infinity;
  zeroCount = 0;
  readonly positive: BucketStore;
  private negativeStore: BucketStore | undefined;

  constructor(readonly maxBuckets: number = DEFAULT_MAX_SKETCH_BUCKETS) {
    if (!Number.isInteger(maxBuckets) || maxBuckets < 16 || maxBuckets > 1 << 20) {
      throw new InvalidValueError(`maxBuckets must be an integer in [16, 1048576], got ${describeValue(maxBuckets)}`);
    }
    this.positive = new BucketStore(maxBuckets);
  }

  /** Records a finite value; throws {@link InvalidValueError} (changing nothing) otherwise. */
  record(value: number): void {
    if (typeof value !== 'number' || value - value !== 0) {
      throw new InvalidValueError(`histogram value must be a finite number, got ${describeValue(value)}`);
    }
    const sum = this.sum + value;
    if (sum - sum !== 0) throw new InvalidValueError(`recording ${value} would overflow the histogram sum`);
    this.recordUnchecked(value);
  }

  /**
   * Records a value the caller has already checked (finite, sum stays finite).
   * Returns the positive bucket index, or {@link NON_POSITIVE_INDEX}.
   */
  recordUnchecked(value: number): number {
    if (value < this.min) this.min = value;
    if (value > this.max) this.max = value;
    return this.recordWithoutExtremes(value);
  }

  /**
   * {@link recordUnchecked} without the min/max update: for a caller that already
   * tracks the extremes of what it records (the collector does, per retention step)
   * and hands them over with {@link includeExtremes} before the sketch is read.
   */
  recordWithoutExtremes(value: number): number {
    this.count++;
    this.sum += value;
    if (value > 0) {
      const index = bucketIndex(value);
      this.positive.add(index, 1);
      return index;
    }
    return this.recordNonPositive(value);
  }

  /**
   * The bucket part of a record only: the caller has already added the value to `count`
   * and `sum` (and tracks min/max, see {@link includeExtremes}). For a caller that
   * computes the new sum itself to check it. Returns the positive bucket index, or
   * {@link NON_POSITIVE_INDEX}.
   */
  addToBuckets(value: number): number {
    if (value > 0) {
      const index = bucketIndex(value);
      this.positive.add(index, 1);
      return index;
    }
    return this.recordNonPositive(value);
  }

  /** Records a checked value `times` times (a positive integer) in one step: a weighted point, as a drain of another histogram gives. */
  recordTimes(value: number, times: number): void {
    if (value < this.min) this.min = value;
    if (value > this.max) this.max = value;
    this.count += times;
    this.sum += value * times;
    if (value > 0) this.positive.add(bucketIndex(value), times);
    else if (value === 0) {
      this.zeroCount += times;
      if (Object.is(this.min, -0)) this.min = 0;
      if (Object.is(this.max, -0)) this.max = 0;
    } else this.negative.add(bucketIndex(-value), times);
  }

  /** Kept out of recordUnchecked so the positive path stays small enough to inline. */
  private recordNonPositive(value: number): number {
    if (value === 0) {
      this.zeroCount++;
      // -0 is recorded as 0 so min/max survive a JSON round trip.
      if (Object.is(this.min, -0)) this.min = 0;
      if (Object.is(this.max, -0)) this.max = 0;
    } else this.negative.add(bucketIndex(-value), 1);
    return NON_POSITIVE_INDEX;
  }

  /** Widens min/max to include `min` and `max` (values already recorded with {@link recordWithoutExtremes}). */
  includeExtremes(min: number, max: number): void {
    // -0 is kept as 0, as record() does.
    if (min < this.min) this.min = min === 0 ? 0 : min;
    if (max > this.max) this.max = max === 0 ? 0 : max;
  }

  get mean(): number {
    return this.count === 0 ? NaN : this.sum / this.count;
  }

  /** Estimate of the q-quantile (0 ≤ q ≤ 1); NaN when empty. */
  quantile(q: number): number {
    if (typeof q !== 'number' || !(q >= 0 && q <= 1)) {
      throw new InvalidValueError(`quantile must be a number in [0, 1], got ${describeValue(q)}`);
    }
    if (this.count === 0) return NaN;
    const rank = Math.floor(q * (this.count - 1));
    // The extreme ranks are known exactly.
    if (rank === 0) return this.min;
    if (rank === this.count - 1) return this.max;
    return this.clamp(this.valueAtRank(rank));
  }

  /** Several quantiles in one pass over the buckets would be an optimisation; this is clear and O(buckets). */
  quantiles(qs: readonly number[]): number[] {
    return qs.map((q) => this.quantile(q));
  }

  /** Adds every value of `other` to this sketch (exactly as if recorded here). */
  merge(other: LogHistogram): this {
    if (other.count === 0) return this;
    const sum = this.sum + other.sum;
    if (sum - sum !== 0) throw new InvalidValueError('merging would overflow the histogram sum');
    this.count += other.count;
    this.sum = sum;
    if (other.min < this.min) this.min = other.min;
    if (other.max > this.max) this.max = other.max;
    this.zeroCount += other.zeroCount;
    this.positive.mergeFrom(other.positive);
    if (other.negativeStore) this.negative.mergeFrom(other.negativeStore);
    return this;
  }

  clone(): LogHistogram {
    return new LogHistogram(this.maxBuckets).merge(this);
  }

  clear(): void {
    this.count = 0;
    this.sum = 0;
    this.min = Infinity;
    this.max = -Infinity;
    this.zeroCount = 0;
    this.positive.clear();
    this.negativeStore = undefined;
  }

  /** Non-empty buckets as `[lowerBound-ish representative, count]` pairs in value order (for tests and export). */
  buckets(): Array<{ index: number; sign: -1 | 1; count: number }> {
    const out: Array<{ index: number; sign: -1 | 1; count: number }> = [];
    this.negativeStore?.forEachDescending((index, count) => out.push({ index, sign: -1, count }));
    this.positive.forEach((index, count) => out.push({ index, sign: 1, count }));
    return out;
  }

  /** Bytes held by the bucket arrays. */
  get byteLength(): number {
    return this.positive.byteLength + (this.negativeStore?.byteLength ?? 0);
  }

  snapshot(): LogHistogramSnapshot {
    return {
      scale: SCALE,
      count: this.count,
      sum: this.sum,
      min: this.count === 0 ? null : this.min,
      max: this.count === 0 ? null : this.max,
      zeroCount: this.zeroCount,
      positive: storeSnapshot(this.positive),
      negative: this.negativeStore ? storeSnapshot(this.negativeStore) : { offset: 0, counts: [] },
    };
  }

  /** Rebuilds a sketch from {@link snapshot} output; throws {@link InvalidSnapshotError} on anything inconsistent. */
  static fromSnapshot(input: unknown, maxBuckets: number = DEFAULT_MAX_SKETCH_BUCKETS): LogHistogram {
    const snap = validateSnapshot(input);
    const sketch = new LogHistogram(maxBuckets);
    sketch.count = snap.count;
    sketch.sum = snap.sum;
    sketch.min = snap.min ?? Infinity;
    sketch.max = snap.max ?? -Infinity;
    sketch.zeroCount = snap.zeroCount;
    snap.positive.counts.forEach((c, j) => c > 0 && sketch.positive.add(snap.positive.offset + j, c));
    snap.negative.counts.forEach((c, j) => c > 0 && sketch.negative.add(snap.negative.offset + j, c));
    return sketch;
  }

  private get negative(): BucketStore {
    return (this.negativeStore ??= new BucketStore(this.maxBuckets));
  }

  private clamp(v: number): number {
    return v < this.min ? this.min : v > this.max ? this.max : v;
  }

  private valueAtRank(rank: number): number {
    let seen = 0;
    const neg = this.negativeStore;
    if (neg) {
      const counts = neg.counts;
      for (let j = counts.length - 1; j >= 0; j--) {
        seen += counts[j]!;
        if (seen > rank) return -bucketRepresentative(neg.offset + j);
      }
    }
    seen += this.zeroCount;
    if (seen > rank) return 0;
    const counts = this.positive.counts;
    for (let j = 0; j < counts.length; j++) {
      seen += counts[j]!;
      if (seen > rank) return bucketRepresentative(this.positive.offset + j);
    }
    return this.max;
  }
}

function storeSnapshot(store: BucketStore): { offset: number; counts: number[] } {
  const lo = store.lowestUsed();
  const hi = store.highestUsed();
  if (lo === undefined || hi === undefined) return { offset: 0, counts: [] };
  // Sized once, zero-filled (a packed array), then only the used buckets written: sketches of
  // few values over a wide range are mostly empty buckets (a push loop was most of collect()'s cost).
  const src = store.counts;
  const from = lo - store.offset;
  const n = hi - lo + 1;
  const counts = new Array<number>(n).fill(0);
  for (let j = 0; j < n; j++) {
    const c = src[from + j]!;
    if (c !== 0) counts[j] = c;
  }
  return { offset: lo, counts };
}

function isCount(v: unknown): v is number {
  return typeof v === 'number' && Number.isSafeInteger(v) && v >= 0;
}

function validateStore(v: unknown, what: string): { offset: number; counts: number[] } {
  if (typeof v !== 'object' || v === null) throw new InvalidSnapshotError(`${what} must be an object`);
  const { offset, counts } = v as { offset?: unknown; counts?: unknown };
  if (!Number.isSafeInteger(offset) || (offset as number) < MIN_INDEX || (offset as number) > MAX_INDEX) {
    throw new InvalidSnapshotError(`${what}.offset must be a bucket index, got ${describeValue(offset)}`);
  }
  if (!Array.isArray(counts) || counts.length > MAX_INDEX - (offset as number) + 1 || !counts.every(isCount)) {
    throw new InvalidSnapshotError(`${what}.counts must be an array of non-negative integers within the index range`);
  }
  return { offset: offset as number, counts: counts as number[] };
}

function validateSnapshot(input: unknown): LogHistogramSnapshot {
  if (typeof input !== 'object' || input === null)
    throw new InvalidSnapshotError('histogram snapshot must be an object');
  const s = input as Record<string, unknown>;
  if (s.scale !== SCALE)
    throw new InvalidSnapshotError(`histogram snapshot scale must be ${SCALE}, got ${describeValue(s.scale)}`);
  if (!isCount(s.count) || !isCount(s.zeroCount))
    throw new InvalidSnapshotError('histogram snapshot count and zeroCount must be non-negative integers');
  if (typeof s.sum !== 'number' || !Number.isFinite(s.sum))
    throw new InvalidSnapshotError('histogram snapshot sum must be finite');
  const positive = validateStore(s.positive, 'positive');
  const negative = validateStore(s.negative, 'negative');
  const total = s.zeroCount + positive.counts.reduce((a, b) => a + b, 0) + negative.counts.reduce((a, b) => a + b, 0);
  if (total !== s.count)
    throw new InvalidSnapshotError(`histogram snapshot buckets hold ${total} values but count is ${s.count}`);
  const finiteOrNull = (v: unknown) => v === null || (typeof v === 'number' && Number.isFinite(v));
  if (!finiteOrNull(s.min) || !finiteOrNull(s.max))
    throw new InvalidSnapshotError('histogram snapshot min and max must be finite or null');
  if (
    s.count === 0
      ? s.min !== null || s.max !== null
      : s.min === null || s.max === null || (s.min as number) > (s.max as number)
  ) {
    throw new InvalidSnapshotError('histogram snapshot min/max are inconsistent with its count');
  }
  return {
    scale: SCALE,
    count: s.count,
    sum: s.sum,
    min: s.min as number | null,
    max: s.max as number | null,
    zeroCount: s.zeroCount,
    positive,
    negative,
  };
}
