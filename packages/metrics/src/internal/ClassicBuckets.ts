import { bucketIndex, bucketLowerBound } from '../sketch/logIndex';
import { InvalidConfigError } from '../errors';

/** Latency bounds in milliseconds, from 1 ms to 10 s. */
export const DEFAULT_LATENCY_BUCKETS_MS: readonly number[] = Object.freeze([1, 2.5, 5, 10, 25, 50, 100, 250, 500, 1000, 2500, 5000, 10000]);

const MAX_BOUNDS = 1000;
const MAX_TABLE = 1 << 16;

/**
 * Cumulative classic bucket bounds (`le`) for exposition, kept exact beside the
 * sketch. The slot of a value (the number of bounds below it) comes from its sketch
 * index through a small table, so recording costs no search: one table read, plus a
 * comparison loop only in a sketch bucket that contains a bound.
 */
export class ClassicBuckets {
  readonly bounds: Float64Array;
  /** Table over sketch indices [firstIndex, firstIndex + table.length): slot * 2 + (bucket contains a bound). */
  private readonly table: Uint16Array;
  private readonly firstIndex: number;
  private readonly allPositive: boolean;

  constructor(bounds: readonly number[]) {
    validateBounds(bounds);
    this.bounds = Float64Array.from(bounds);
    const n = bounds.length;
    this.allPositive = n === 0 || bounds[0]! > 0;
    if (!this.allPositive || n === 0) {
      this.table = new Uint16Array(0);
      this.firstIndex = 0;
      return;
    }
    const first = bucketIndex(bounds[0]!);
    const last = bucketIndex(bounds[n - 1]!);
    if (last - first + 1 > MAX_TABLE) throw new InvalidConfigError(`bucket bounds span too wide a range (${bounds[0]} to ${bounds[n - 1]})`);
    this.firstIndex = first;
    this.table = new Uint16Array(last - first + 1);
    let slot = 0;
    for (let i = first; i <= last; i++) {
      const lo = bucketLowerBound(i);
      while (slot < n && bounds[slot]! < lo) slot++;
      const hi = bucketLowerBound(i + 1);
      const straddles = slot < n && bounds[slot]! < hi ? 1 : 0;
      this.table[i - first] = slot * 2 + straddles;
    }
  }

  /** Number of slots: one per bound plus +Inf. */
  get slots(): number {
    return this.bounds.length + 1;
  }

  /** Slot of `value` (the first bound >= value, or bounds.length for +Inf), given its sketch index when positive. */
  slotOf(value: number, index: number, positive: boolean): number {
    const bounds = this.bounds;
    if (positive && this.allPositive) {
      const rel = index - this.firstIndex;
      if (rel < 0) return 0;
      if (rel >= this.table.length) return bounds.length;
      const entry = this.table[rel]!;
      let slot = entry >>> 1;
      if ((entry & 1) !== 0) while (slot < bounds.length && bounds[slot]! < value) slot++;
      return slot;
    }
    let slot = 0;
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

export function validateBounds(bounds: unknown): asserts bounds is readonly number[] {
  if (!Array.isArray(bounds) || bounds.length > MAX_BOUNDS) {
    throw new InvalidConfigError(`bucket bounds must be an array of at most ${MAX_BOUNDS} numbers`);
  }
  for (let i = 0; i < bounds.length; i++) {
    const b: unknown = bounds[i];
    if (typeof b !== 'number' || !Number.isFinite(b)) throw new InvalidConfigError(`bucket bound ${i} must be a finite number`);
    if (i > 0 && !(b > (bounds[i - 1] as number))) throw new InvalidConfigError('bucket bounds must be strictly increasing');
  }
}
