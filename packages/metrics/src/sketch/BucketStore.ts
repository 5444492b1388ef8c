/**
 * Dense counts for a contiguous range of bucket indices, grown on demand.
 * Memory is bounded by `maxBuckets`: when a new index would make the range wider,
 * the lowest buckets are folded into the lowest kept one (DDSketch's "collapse
 * lowest"), so high quantiles stay accurate and only the extreme low tail of a
 * huge dynamic range (2^32 at the default 2048 buckets and scale 6) loses precision.
 * The fold rule — a value lands in `max(index, highestIndexSeen - maxBuckets + 1)` —
 * does not depend on arrival order, so merging stores equals recording both streams.
 */
/**
 * Told after a count went outside a store's range: the store grew, maybe folding its lowest
 * buckets, or the count joined the lowest kept bucket. Gets the index added to and the
 * counts array and offset from before (a grown store has a new array; the old one is left as it was).
 */
export interface OutsideAddListener {
  afterOutsideAdd(index: number, oldCounts: Uint32Array | Float64Array, oldOffset: number): void;
}

export class BucketStore {
  /** Counts start as 32-bit and widen to doubles if a bucket passes 2^32 - 1. */
  counts: Uint32Array | Float64Array = EMPTY;
  /** Bucket index of `counts[0]`. */
  offset = 0;
  private wide = false;

  /** Told after {@link add} put a count outside the current range (see {@link OutsideAddListener}). */
  outsideListener: OutsideAddListener | undefined = undefined;

  constructor(readonly maxBuckets: number) {}

  /** Adds `n` to bucket `index`; the common case is one bounds check and one store. */
  add(index: number, n: number): void {
    const j = index - this.offset;
    const counts = this.counts;
    if (j >= 0 && j < counts.length) {
      const next = counts[j]! + n;
      if (next > 0xffffffff && !this.wide) this.widen();
      this.counts[j] = next;
      return;
    }
    this.addOutside(index, n);
  }

  /** Whether no bucket holds a count. */
  isEmpty(): boolean {
    return this.lowestUsed() === undefined;
  }

  /** Lowest index with a count, or undefined. */
  lowestUsed(): number | undefined {
    const counts = this.counts;
    for (let j = 0; j < counts.length; j++) if (counts[j] !== 0) return this.offset + j;
    return undefined;
  }

  /** Highest index with a count, or undefined. */
  highestUsed(): number | undefined {
    const counts = this.counts;
    for (let j = counts.length - 1; j >= 0; j--) if (counts[j] !== 0) return this.offset + j;
    return undefined;
  }

  /** Count of bucket `index` (0 outside the range). */
  get(index: number): number {
    const j = index - this.offset;
    return j >= 0 && j < this.counts.length ? this.counts[j]! : 0;
  }

  /** Calls `fn` for each non-empty bucket in ascending index order. */
  forEach(fn: (index: number, count: number) => void): void {
    const counts = this.counts;
    for (let j = 0; j < counts.length; j++) if (counts[j] !== 0) fn(this.offset + j, counts[j]!);
  }

  /** Same as {@link forEach} in descending index order. */
  forEachDescending(fn: (index: number, count: number) => void): void {
    const counts = this.counts;
    for (let j = counts.length - 1; j >= 0; j--) if (counts[j] !== 0) fn(this.offset + j, counts[j]!);
  }

  /** Adds every bucket of `other` (a merge). */
  mergeFrom(other: BucketStore): void {
    const lo = other.lowestUsed();
    const hi = other.highestUsed();
    if (lo === undefined || hi === undefined) return;
    this.ensureRange(lo, hi);
    other.forEach((index, count) => this.add(Math.max(index, this.offset), count));
  }

  clear(): void {
    this.counts = EMPTY;
    this.offset = 0;
    this.wide = false;
  }

  /** Bytes held by the counts array (for memory accounting). */
  get byteLength(): number {
    return this.counts.byteLength;
  }

  private addOutside(index: number, n: number): void {
    const oldCounts = this.counts;
    const oldOffset = this.offset;
    this.addOutsideRange(index, n);
    this.outsideListener?.afterOutsideAdd(index, oldCounts, oldOffset);
  }

  private addOutsideRange(index: number, n: number): void {
    const counts = this.counts;
    // Common once a wide range is held: the store spans maxBuckets up to its highest used bucket,
    // so by the fold rule a lower value joins the lowest kept bucket, with no reallocation.
    if (index < this.offset && counts.length === this.maxBuckets && counts[counts.length - 1] !== 0) {
      this.add(this.offset, n);
      return;
    }
    this.ensureRange(index, index);
    // After a fold the index may be below the kept range: it joins the lowest kept bucket.
    this.add(Math.max(index, this.offset), n);
  }

  /** Reallocates so that [lo, hi] (clamped by the fold rule) fits in the counts array. */
  private ensureRange(lo: number, hi: number): void {
    const usedLo = this.lowestUsed();
    const usedHi = this.highestUsed();
    let newLo = usedLo === undefined ? lo : Math.min(usedLo, lo);
    const newHi = usedHi === undefined ? hi : Math.max(usedHi, hi);
    if (newLo >= this.offset && newHi < this.offset + this.counts.length) return;
    const floor = newHi - this.maxBuckets + 1;
    if (newLo < floor) newLo = floor;
    const span = newHi - newLo + 1;
    // A quarter of spare room (at least 32 buckets, half an octave): ranges grow logarithmically, so reallocations stay rare.
    const capacity = Math.min(this.maxBuckets, span + Math.max(32, span >> 2));
    // Leave the spare room on the side that is growing.
    const growingDown = usedLo !== undefined && lo < usedLo;
    const offset = growingDown ? newHi - capacity + 1 : newLo;
    const next = this.wide ? new Float64Array(capacity) : new Uint32Array(capacity);
    const old = this.counts;
    for (let j = 0; j < old.length; j++) {
      const count = old[j]!;
      if (count === 0) continue;
      const target = Math.max(this.offset + j, newLo) - offset;
      const sum = next[target]! + count;
      next[target] = sum;
      if (sum > 0xffffffff && !this.wide) {
        // Rare: folding overflowed a 32-bit count; redo the copy with doubles.
        this.wide = true;
        this.ensureRangeWide(old, newLo, offset, capacity);
        return;
      }
    }
    this.counts = next;
    this.offset = offset;
  }

  private ensureRangeWide(old: Uint32Array | Float64Array, newLo: number, offset: number, capacity: number): void {
    const next = new Float64Array(capacity);
    for (let j = 0; j < old.length; j++) {
      if (old[j] === 0) continue;
      next[Math.max(this.offset + j, newLo) - offset]! += old[j]!;
    }
    this.counts = next;
    this.offset = offset;
  }

  private widen(): void {
    this.counts = Float64Array.from(this.counts);
    this.wide = true;
  }
}

const EMPTY = new Uint32Array(0);
