/**
 * Collects one sample interval's latency and confidence values. Latency keeps
 * at most `capacity` values by reservoir sampling, so a burst costs bounded
 * memory while the quantiles stay unbiased.
 */
export class IntervalAccumulator {
  private latencies: number[] = [];
  private latencySeen = 0;
  private confidenceSum = 0;
  private confidenceCount = 0;

  constructor(
    private readonly capacity = 4096,
    private readonly random: () => number = Math.random,
  ) {}

  addLatency(value: number): void {
    if (!Number.isFinite(value)) return;
    this.latencySeen++;
    if (this.latencies.length < this.capacity) {
      this.latencies.push(value);
      return;
    }
    const slot = Math.floor(this.random() * this.latencySeen);
    if (slot < this.capacity) this.latencies[slot] = value;
  }

  addConfidence(value: number): void {
    if (!Number.isFinite(value)) return;
    this.confidenceSum += value;
    this.confidenceCount++;
  }

  /** The interval's quantiles and mean confidence; resets for the next interval. */
  take(): { p50: number | null; p95: number | null; p99: number | null; confidence: number | null } {
    const sorted = this.latencies.sort((a, b) => a - b);
    const q = (p: number) => nearestRank(sorted, p) ?? null;
    const result = {
      p50: q(0.5),
      p95: q(0.95),
      p99: q(0.99),
      confidence: this.confidenceCount === 0 ? null : this.confidenceSum / this.confidenceCount,
    };
    this.latencies = [];
    this.latencySeen = 0;
    this.confidenceSum = 0;
    this.confidenceCount = 0;
    return result;
  }
}

/** Nearest-rank quantile of already sorted values (exported for tests). */
export function nearestRank(sorted: readonly number[], p: number): number | undefined {
  if (sorted.length === 0) return undefined;
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(p * sorted.length) - 1))];
}
