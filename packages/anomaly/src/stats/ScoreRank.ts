/** Bins of the score histogram over [0, 1]. */
export const SCORE_RANK_BINS = 256;
/**
 * Weight of history at which every count is halved: the ranks then reflect the
 * last 2,048 to 4,096 points, so the calibration follows slow changes of a series.
 */
const HALVING_TOTAL = 4096;

/**
 * Percentile rank of a score in [0, 1] among the scores seen before, from a
 * fixed histogram (256 bins, about 4 KB with its Fenwick index). `rank(x)` is
 * the (interpolated) fraction of earlier scores below `x`, so for scores drawn
 * from an unchanging distribution `P(rank >= c)` is about `1 - c`.
 */
export class ScoreRank {
  /** Weight per bin. */
  private readonly counts = new Float64Array(SCORE_RANK_BINS);
  /** Fenwick tree over `counts` (1-based): prefix sums in log(bins) steps. */
  private readonly tree = new Float64Array(SCORE_RANK_BINS + 1);
  private total = 0;

  /** Weight of history held (decays by halving). */
  get weight(): number {
    return this.total;
  }

  /** Fraction of earlier scores below `x` (linear inside a bin); `x` when nothing was seen yet. */
  rank(x: number): number {
    const v = x > 0 ? (x < 1 ? x : 1) : 0;
    if (this.total <= 0) return v;
    const pos = v * SCORE_RANK_BINS;
    const bin = pos >= SCORE_RANK_BINS ? SCORE_RANK_BINS - 1 : Math.floor(pos);
    const below = this.prefix(bin) + (this.counts[bin] ?? 0) * (pos - bin);
    const r = below / this.total;
    return r < 0 ? 0 : r > 1 ? 1 : r;
  }

  /** Learns a score (clamped to [0, 1]; NaN is ignored). */
  add(x: number): void {
    if (x !== x) return;
    const v = x > 0 ? (x < 1 ? x : 1) : 0;
    const pos = Math.floor(v * SCORE_RANK_BINS);
    const bin = pos >= SCORE_RANK_BINS ? SCORE_RANK_BINS - 1 : pos;
    this.counts[bin] = (this.counts[bin] ?? 0) + 1;
    for (let i = bin + 1; i <= SCORE_RANK_BINS; i += i & -i) this.tree[i] = (this.tree[i] ?? 0) + 1;
    if (++this.total >= HALVING_TOTAL) this.halve();
  }

  /** The histogram as JSON (counts per bin). */
  toJSON(): number[] {
    return Array.from(this.counts);
  }

  /** Rebuilds from {@link toJSON} output; returns a description of the problem on bad input. */
  static fromJSON(state: unknown): ScoreRank | string {
    if (!Array.isArray(state) || state.length !== SCORE_RANK_BINS)
      return `confidence must be an array of ${SCORE_RANK_BINS} counts`;
    const sketch = new ScoreRank();
    let total = 0;
    for (let i = 0; i < SCORE_RANK_BINS; i++) {
      const c: unknown = state[i];
      if (typeof c !== 'number' || !Number.isFinite(c) || c < 0)
        return `confidence[${i}] must be a finite non-negative number`;
      sketch.counts[i] = c;
      total += c;
    }
    if (total > HALVING_TOTAL) return `confidence holds a weight of ${total}, more than ${HALVING_TOTAL}`;
    sketch.total = total;
    sketch.rebuild();
    return sketch;
  }

  private prefix(bin: number): number {
    let s = 0;
    for (let i = bin; i > 0; i -= i & -i) s += this.tree[i] ?? 0;
    return s;
  }

  private halve(): void {
    for (let i = 0; i < SCORE_RANK_BINS; i++) this.counts[i] = (this.counts[i] ?? 0) / 2;
    // Every tree node is a sum of counts, so halving it keeps the index exact.
    for (let i = 1; i <= SCORE_RANK_BINS; i++) this.tree[i] = (this.tree[i] ?? 0) / 2;
    this.total /= 2;
  }

  private rebuild(): void {
    this.tree.fill(0);
    for (let bin = 0; bin < SCORE_RANK_BINS; bin++) {
      const c = this.counts[bin] ?? 0;
      if (c === 0) continue;
      for (let i = bin + 1; i <= SCORE_RANK_BINS; i += i & -i) this.tree[i] = (this.tree[i] ?? 0) + c;
    }
  }
}
