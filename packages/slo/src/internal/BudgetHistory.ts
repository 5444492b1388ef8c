/** One sample of a burn-down chart. */
export interface BudgetSample {
  readonly timestamp: number;
  /** Percentage of the error budget left at `timestamp` (as `SLOResult.errorBudgetRemaining`). */
  readonly errorBudgetRemaining: number;
}

/** Samples kept per history: 256 × two doubles = 4 KiB, whatever the window length. */
export const BUDGET_HISTORY_CAPACITY = 256;

/**
 * The error budget remaining over the SLO window, for a burn-down chart, in
 * fixed memory. Samples start at `minIntervalMs` apart so a young SLO already
 * draws a curve; when the buffer fills before it spans the window, every other
 * sample is dropped and the interval doubles (a 30-day window settles at about
 * 2.8 h per sample). Once the interval covers window / capacity the buffer
 * slides, and samples older than the window are dropped.
 */
export class BudgetHistory {
  private readonly times = new Float64Array(BUDGET_HISTORY_CAPACITY);
  private readonly values = new Float64Array(BUDGET_HISTORY_CAPACITY);
  private count = 0;
  private intervalMs: number;
  private readonly maxIntervalMs: number;

  constructor(
    private readonly windowMs: number,
    minIntervalMs: number,
  ) {
    this.maxIntervalMs = Math.max(minIntervalMs, Math.ceil(windowMs / BUDGET_HISTORY_CAPACITY));
    this.intervalMs = Math.min(minIntervalMs, this.maxIntervalMs);
  }

  /** The current spacing of samples in ms. */
  get sampleIntervalMs(): number {
    return this.intervalMs;
  }

  get size(): number {
    return this.count;
  }

  /** Takes a sample at `now` unless the last one is younger than the interval. Returns whether it was kept. */
  sample(now: number, remaining: number): boolean {
    if (!Number.isFinite(now) || !Number.isFinite(remaining)) return false;
    if (this.count > 0) {
      const last = this.times[this.count - 1]!;
      if (now < last) return false; // the clock went back: keep the curve monotonic in time
      if (now - last < this.intervalMs) return false;
    }
    this.dropOlderThan(now - this.windowMs);
    if (this.count === BUDGET_HISTORY_CAPACITY) {
      if (this.intervalMs < this.maxIntervalMs) this.halve();
      else this.shift(1);
    }
    this.times[this.count] = now;
    this.values[this.count] = remaining;
    this.count++;
    return true;
  }

  /** The samples in time order, within the window ending at `now` (all of them when `now` is omitted). */
  samples(now?: number): BudgetSample[] {
    const from = now === undefined ? -Infinity : now - this.windowMs;
    const out: BudgetSample[] = [];
    for (let i = 0; i < this.count; i++) {
      if (this.times[i]! >= from) out.push({ timestamp: this.times[i]!, errorBudgetRemaining: this.values[i]! });
    }
    return out;
  }

  /** `[intervalMs, t0, v0, t1, v1, ...]` for snapshots. */
  export(): number[] {
    const out = [this.intervalMs];
    for (let i = 0; i < this.count; i++) out.push(this.times[i]!, this.values[i]!);
    return out;
  }

  /** Restores what {@link export} wrote; returns false (and keeps nothing) when it does not fit. */
  import(data: readonly number[]): boolean {
    if (data.length % 2 !== 1 || (data.length - 1) / 2 > BUDGET_HISTORY_CAPACITY) return false;
    const interval = data[0]!;
    if (!Number.isFinite(interval) || interval <= 0 || interval > this.maxIntervalMs) return false;
    let previous = -Infinity;
    for (let k = 1; k < data.length; k += 2) {
      const t = data[k]!;
      const v = data[k + 1]!;
      if (!Number.isFinite(t) || !Number.isFinite(v) || t < previous || Math.abs(v) > 1e15) return false;
      previous = t;
    }
    this.intervalMs = interval;
    this.count = 0;
    for (let k = 1; k < data.length; k += 2) {
      this.times[this.count] = data[k]!;
      this.values[this.count] = data[k + 1]!;
      this.count++;
    }
    return true;
  }

  private dropOlderThan(cutoff: number): void {
    let n = 0;
    while (n < this.count && this.times[n]! < cutoff) n++;
    if (n > 0) this.shift(n);
  }

  /** Keeps every other sample (the newest always stays) and doubles the interval. */
  private halve(): void {
    let w = 0;
    const start = (this.count - 1) % 2;
    for (let r = start; r < this.count; r += 2) {
      this.times[w] = this.times[r]!;
      this.values[w] = this.values[r]!;
      w++;
    }
    this.count = w;
    this.intervalMs = Math.min(this.intervalMs * 2, this.maxIntervalMs);
  }

  private shift(n: number): void {
    this.times.copyWithin(0, n, this.count);
    this.values.copyWithin(0, n, this.count);
    this.count -= n;
  }
}
