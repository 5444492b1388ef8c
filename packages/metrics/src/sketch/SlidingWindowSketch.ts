import { LogHistogram } from './LogHistogram';
import { bucketRepresentative } from './logIndex';

/** Widest combined bucket range summed in place; wider windows are merged into a sketch instead. */
const MAX_SCRATCH = 4096;

/**
 * Quantiles over a sliding time window (prom-client's `maxAgeSeconds` / `ageBuckets`)
 * on log-bucket sketches: the window is a ring of `ageBuckets` sketches, each
 * covering `maxAgeSeconds / ageBuckets`. A value goes into the current sketch only;
 * rotating drops the oldest one. A quantile merges the ring, so it covers the last
 * `ageBuckets - 1` whole intervals plus the current one, the window prom-client's
 * "reset the oldest digest" rotation reports. Without a max age the window never slides.
 */
export class SlidingWindowSketch {
  private readonly ring: LogHistogram[];
  /** Sum of squared values per slot, for a standard deviation. */
  private readonly squares: number[];
  private current = 0;
  private readonly intervalMs: number;
  private lastRotation: number;

  constructor(
    maxAgeSeconds: number | undefined,
    ageBuckets: number | undefined,
    private readonly now: () => number = Date.now,
    maxBuckets?: number,
  ) {
    const sliding = maxAgeSeconds !== undefined && maxAgeSeconds > 0 && ageBuckets !== undefined && ageBuckets > 0;
    const n = sliding ? Math.max(1, Math.floor(ageBuckets)) : 1;
    this.ring = Array.from({ length: n }, () => new LogHistogram(maxBuckets));
    this.squares = new Array<number>(n).fill(0);
    this.intervalMs = sliding ? (maxAgeSeconds * 1000) / n : Infinity;
    this.lastRotation = now();
  }

  /** Records a finite value (`count` times). */
  record(value: number, count = 1): void {
    this.rotate();
    const sketch = this.ring[this.current]!;
    if (count === 1) sketch.recordUnchecked(value);
    else sketch.recordTimes(value, count);
    this.squares[this.current]! += value * value * count;
  }

  /** One sketch of every value in the window. */
  merged(): LogHistogram {
    this.rotate();
    const merged = this.ring[0]!.clone();
    for (let i = 1; i < this.ring.length; i++) merged.merge(this.ring[i]!);
    return merged;
  }

  /** Population standard deviation of the values in the window (NaN when empty). */
  stddev(): number {
    this.rotate();
    let count = 0;
    let sum = 0;
    let squares = 0;
    this.ring.forEach((s, i) => {
      count += s.count;
      sum += s.sum;
      squares += this.squares[i]!;
    });
    if (count === 0) return NaN;
    const mean = sum / count;
    return Math.sqrt(Math.max(0, squares / count - mean * mean));
  }

  /** Values still inside the window. */
  size(): number {
    this.rotate();
    let n = 0;
    for (const s of this.ring) n += s.count;
    return n;
  }

  /** The q-quantiles (0..1) of the values in the window; NaN for each when it is empty. */
  quantiles(qs: readonly number[]): number[] {
    this.rotate();
    if (this.ring.length === 1) return this.ring[0]!.quantiles(qs);
    return this.quantilesInPlace(qs) ?? this.merged().quantiles(qs);
  }

  private scratch: Float64Array | undefined;

  /**
   * The quantiles of the ring without building a merged sketch (a scrape-time cost): the
   * slots' positive counts are summed into one reused array. Undefined when a slot holds
   * zeros or negatives, or the ranges are too far apart (the caller merges instead).
   */
  private quantilesInPlace(qs: readonly number[]): number[] | undefined {
    let count = 0;
    let min = Infinity;
    let max = -Infinity;
    let lo = Infinity;
    let hi = -Infinity;
    for (const s of this.ring) {
      if (s.count === 0) continue;
      if (s.zeroCount > 0 || s.min < 0) return undefined;
      count += s.count;
      if (s.min < min) min = s.min;
      if (s.max > max) max = s.max;
      const store = s.positive;
      if (store.counts.length === 0) continue;
      if (store.offset < lo) lo = store.offset;
      if (store.offset + store.counts.length > hi) hi = store.offset + store.counts.length;
    }
    if (count === 0) return qs.map(() => NaN);
    const span = hi - lo;
    if (!(span > 0) || span > MAX_SCRATCH) return undefined;
    const sums =
      this.scratch !== undefined && this.scratch.length >= span
        ? this.scratch
        : (this.scratch = new Float64Array(Math.max(span, 256)));
    sums.fill(0, 0, span);
    for (const s of this.ring) {
      const { counts, offset } = s.positive;
      for (let j = 0; j < counts.length; j++) sums[offset - lo + j]! += counts[j]!;
    }
    return qs.map((q) => {
      const rank = Math.floor(q * (count - 1));
      if (rank <= 0) return min;
      if (rank >= count - 1) return max;
      let seen = 0;
      for (let j = 0; j < span; j++) {
        seen += sums[j]!;
        if (seen > rank) {
          const v = bucketRepresentative(lo + j);
          return v < min ? min : v > max ? max : v;
        }
      }
      return max;
    });
  }

  /** Count, sum, min and max of the values in the window. */
  totals(): { count: number; sum: number; min: number; max: number } {
    this.rotate();
    let count = 0;
    let sum = 0;
    let min = Infinity;
    let max = -Infinity;
    for (const s of this.ring) {
      if (s.count === 0) continue;
      count += s.count;
      sum += s.sum;
      if (s.min < min) min = s.min;
      if (s.max > max) max = s.max;
    }
    return { count, sum, min, max };
  }

  reset(): void {
    for (const s of this.ring) s.clear();
    this.squares.fill(0);
  }

  private rotate(): void {
    if (this.intervalMs === Infinity) return;
    let elapsed = this.now() - this.lastRotation;
    if (elapsed <= this.intervalMs) return;
    // After a full turn of the ring nothing is left: skip the rest of the turns at once.
    // As many rotations as the loop below would make (it rotates while more than one interval is left).
    const turns = Math.ceil(elapsed / this.intervalMs) - 1;
    if (turns >= this.ring.length) {
      this.reset();
      this.lastRotation += turns * this.intervalMs;
      this.current = (this.current + turns) % this.ring.length;
      return;
    }
    while (elapsed > this.intervalMs) {
      this.current = (this.current + 1) % this.ring.length;
      this.ring[this.current]!.clear();
      this.squares[this.current] = 0;
      elapsed -= this.intervalMs;
      this.lastRotation += this.intervalMs;
    }
  }
}
