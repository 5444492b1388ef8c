import { bucketIndex, bucketLowerBound } from '../sketch/logIndex';
import { InvalidConfigError } from '../errors';

/** Latency bounds in milliseconds, from 1 ms to 10 s. */
export const DEFAULT_LATENCY_BUCKETS_MS: readonly number[] = Object.freeze([
  1, 2.5, 5, 10, 25, 50, 100, 250, 500, 1000, 2500, 5000, 10000,
]);

const MAX_BOUNDS = 1000;
const MAX_TABLE = 1 << 16;

const MIN_NORMAL = 2.2250738585072014e-308;

/**
 * Cumulative classic bucket bounds (`le`) for exposition, kept exact beside the
 * sketch. The slot of a positive value (the number of bounds below it) comes from
 * the sketch index the record has already computed, through a small table: one
 * clamped table read, plus a comparison loop only in a sketch bucket that contains a bound.
 */
export class ClassicBuckets {
  readonly bounds: Float64Array;
  /**
   * slot * 2 + (sketch bucket contains a bound), for sketch indices from `base`.
   * Entry 0 stands for every index below the first bound's bucket (slot 0) and the last
   * entry for every index above the last bound's bucket (+Inf), so lookups just clamp.
   */
  private readonly table: Uint16Array;
  private readonly base: number;

  constructor(bounds: readonly number[]) {
    validateBounds(bounds);
    this.bounds = Float64Array.from(bounds);
    const n = bounds.length;
    if (n === 0) {
      this.table = Uint16Array.of(0);
      this.base = 0;
      return;
    }
    // Bounds at or below the smallest normal double (where sketch indices stop telling values apart): always search.
    if (!(bounds[0]! >= MIN_NORMAL)) {
      this.table = Uint16Array.of(1);
      this.base = 0;
      return;
    }
    const first = bucketIndex(bounds[0]!);
    const last = bucketIndex(bounds[n - 1]!);
    if (last - first + 1 > MAX_TABLE)
      throw new InvalidConfigError(`bucket bounds span too wide a range (${bounds[0]} to ${bounds[n - 1]})`);
    this.base = first - 1;
    const table = new Uint16Array(last - first + 3);
    let slot = 0;
    for (let i = first; i <= last; i++) {
      const lo = bucketLowerBound(i);
      while (slot < n && bounds[slot]! < lo) slot++;
      const hi = bucketLowerBound(i + 1);
      const straddles = slot < n && bounds[slot]! < hi ? 1 : 0;
      table[i - this.base] = slot * 2 + straddles;
    }
    table[0] = 0;
    table[table.length - 1] = n * 2;
    this.table = table;
  }

  /** Number of slots: one per bound plus +Inf. */
  get slots(): number {
    return this.bounds.length + 1;
  }

  /** Slot of a positive `value` (the first bound >= value, or bounds.length for +Inf) given its sketch index. */
  positiveSlot(value: number, index: number): number {
    const table = this.table;
    const last = table.length - 1;
    let rel = index - this.base;
    rel = rel < 0 ? 0 : rel > last ? last : rel;
    const entry = table[rel]!;
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
