import { NON_POSITIVE_INDEX } from '../sketch/LogHistogram';
import { MAX_INDEX, MIN_INDEX, bucketIndex, bucketLowerBound } from '../sketch/logIndex';
import { InvalidConfigError } from '../errors';

/** Latency bounds in milliseconds, from 1 ms to 10 s. */
export const DEFAULT_LATENCY_BUCKETS_MS: readonly number[] = Object.freeze([
  1, 2.5, 5, 10, 25, 50, 100, 250, 500, 1000, 2500, 5000, 10000,
]);

const MAX_BOUNDS = 1000;
const MAX_TABLE = 1 << 16;
/** Marks an empty cell of the straddle hash: no sketch index (nor NON_POSITIVE_INDEX) equals it. */
const NO_INDEX = 0x7fffffff;
const MIN_POSITIVE = 5e-324;
const MIN_NORMAL = 2.2250738585072014e-308;

/** Hash cells enough for NON_POSITIVE_INDEX (MIN_INDEX - 1) to MAX_INDEX never to collide. */
const MAX_HASH = 1 << 17;
/** A straddle hash that holds every index: every value is searched. */
const EVERY_INDEX_MASK = MAX_HASH - 1;
let everyIndexHash: Int32Array | undefined;
function everyIndex(): Int32Array {
  if (everyIndexHash === undefined) {
    everyIndexHash = new Int32Array(EVERY_INDEX_MASK + 1).fill(NO_INDEX);
    for (let i = NON_POSITIVE_INDEX; i <= MAX_INDEX; i++) everyIndexHash[i & EVERY_INDEX_MASK] = i;
  }
  return everyIndexHash;
}

/**
 * Cumulative classic bucket bounds (`le`) for exposition, kept exact beside the
 * sketch. The slot of a positive value (the number of bounds below it) comes from
 * its sketch index through a small table: one clamped table read, plus a comparison
 * loop only in a sketch bucket that contains a bound.
 *
 * Recording does not even do that (see classicCounts.ts): every sketch bucket without a
 * bound lies wholly in one slot, so its slot is read off the sketch when the counts are
 * read; only the few buckets that hold a bound need the exact slot per value, and
 * {@link straddles} tells those apart with one masked read.
 */
export class ClassicBuckets {
  readonly bounds: Float64Array;
  /**
   * slot * 2 + (sketch bucket contains a bound), for sketch indices from `base`.
   * Entry 0 stands for every index below the first positive bound's bucket and the last
   * entry for every index above the last bound's bucket (+Inf), so lookups just clamp.
   */
  private readonly table: Uint16Array;
  private readonly base: number;
  /**
   * The sketch indices of the buckets that contain a bound, hashed by their low bits:
   * `straddle[i & straddleMask] === i` exactly for those (sized so that none collide).
   */
  private readonly straddle: Int32Array;
  private readonly straddleMask: number;

  constructor(bounds: readonly number[]) {
    validateBounds(bounds);
    this.bounds = Float64Array.from(bounds);
    const n = bounds.length;
    // Bounds <= 0 lie below every positive value, so their slots are never a positive value's.
    let p = 0;
    while (p < n && bounds[p]! <= 0) p++;
    if (p === n) {
      this.table = Uint16Array.of(n * 2);
      this.base = 0;
      [this.straddle, this.straddleMask] = straddleHash([NON_POSITIVE_INDEX]);
      return;
    }
    // Positive bounds below the smallest normal double share the lowest bucket, MIN_INDEX.
    const first = bucketIndex(bounds[p]!);
    const last = bucketIndex(bounds[n - 1]!);
    if (last - first + 1 > MAX_TABLE) {
      if (bounds[0]! >= MIN_NORMAL)
        throw new InvalidConfigError(`bucket bounds span too wide a range (${bounds[0]} to ${bounds[n - 1]})`);
      // Zero, negative or subnormal bounds beside huge ones: every positive value is searched.
      this.table = Uint16Array.of(1);
      this.base = 0;
      this.straddle = everyIndex();
      this.straddleMask = EVERY_INDEX_MASK;
      return;
    }
    this.base = first - 1;
    const table = new Uint16Array(last - first + 3);
    // Zero and negative values are always searched.
    const straddling: number[] = [NON_POSITIVE_INDEX];
    let slot = p;
    for (let i = first; i <= last; i++) {
      // The lowest bucket also holds the subnormals, down to 0 (exclusive).
      const lo = i === MIN_INDEX ? MIN_POSITIVE : bucketLowerBound(i);
      while (slot < n && bounds[slot]! < lo) slot++;
      const hi = bucketLowerBound(i + 1);
      const straddles = slot < n && bounds[slot]! < hi ? 1 : 0;
      table[i - this.base] = slot * 2 + straddles;
      if (straddles === 1) straddling.push(i);
    }
    table[0] = p * 2;
    table[table.length - 1] = n * 2;
    this.table = table;
    [this.straddle, this.straddleMask] = straddleHash(straddling);
  }

  /** Whether sketch bucket `index` contains a bound, so its values need {@link positiveSlot} one by one. */
  straddles(index: number): boolean {
    return this.straddle[index & this.straddleMask] === index;
  }

  /**
   * The slot every value of sketch bucket `index` has, or -1 when the bucket contains a
   * bound (its values fall on both sides of it).
   */
  bucketSlot(index: number): number {
    const entry = this.entry(index);
    return (entry & 1) === 0 ? entry >>> 1 : -1;
  }

  private entry(index: number): number {
    const table = this.table;
    const last = table.length - 1;
    let rel = index - this.base;
    rel = rel < 0 ? 0 : rel > last ? last : rel;
    return table[rel]!;
  }

  /** Number of slots: one per bound plus +Inf. */
  get slots(): number {
    return this.bounds.length + 1;
  }

  /** Slot of a positive `value` (the first bound >= value, or bounds.length for +Inf) given its sketch index. */
  positiveSlot(value: number, index: number): number {
    const entry = this.entry(index);
    return (entry & 1) === 0 ? entry >>> 1 : this.searchFrom(entry >>> 1, value);
  }

  /** Slot of any value by search (zero, negative values, and the rare sketch bucket holding a bound). */
  searchFrom(slot: number, value: number): number {
    const bounds = this.bounds;
    while (slot < bounds.length && bounds[slot]! < value) slot++;
    return slot;
  }

  sameBounds(other: readonly number[] | ClassicBuckets): boolean {
    const b = other instanceof ClassicBuckets ? other.bounds : other;
    if (b.length !== this.bounds.length) return false;
    for (let i = 0; i < b.length; i++) if (b[i] !== this.bounds[i]) return false;
    return true;
  }
}

/** The smallest hash (and its mask) holding `indices` without a collision. */
function straddleHash(indices: readonly number[]): [Int32Array, number] {
  let size = 64;
  while (size < 4 * indices.length) size *= 2;
  for (;;) {
    const hash = new Int32Array(size).fill(NO_INDEX);
    let collided = false;
    for (const i of indices) {
      const cell = i & (size - 1);
      if (hash[cell] !== NO_INDEX) collided = true;
      hash[cell] = i;
    }
    if (!collided || size >= MAX_HASH) return [hash, size - 1];
    size *= 2;
  }
}

export function validateBounds(bounds: unknown): asserts bounds is readonly number[] {
  if (!Array.isArray(bounds) || bounds.length > MAX_BOUNDS) {
    throw new InvalidConfigError(`bucket bounds must be an array of at most ${MAX_BOUNDS} numbers`);
  }
  for (let i = 0; i < bounds.length; i++) {
    const b: unknown = bounds[i];
    if (typeof b !== 'number' || !Number.isFinite(b))
      throw new InvalidConfigError(`bucket bound ${i} must be a finite number`);
    if (i > 0 && !(b > (bounds[i - 1] as number)))
      throw new InvalidConfigError('bucket bounds must be strictly increasing');
  }
}
