/**
 * A seasonal profile: the typical value of each time slot of a period (e.g. each
 * quarter hour of the day), learned only from *earlier* cycles. Points of the
 * current cycle are accumulated per slot and folded into the slot's level when the
 * slot is next visited in a later cycle, so the prediction for "now" is what this
 * time slot looked like on previous days (or weeks), never today's own recent values.
 */
export class SeasonalProfile {
  /** Per slot: level, folded cycles, running sum and count of the open cycle, open cycle index. */
  private readonly state: Float64Array;

  constructor(
    readonly periodMs: number,
    readonly slots: number,
  ) {
    this.state = new Float64Array(5 * slots);
    for (let s = 0; s < slots; s++) this.state[5 * s + 4] = Number.NaN;
  }

  // The slot and cycle of the last time looked up (predict and learn see the same t).
  private lastT = Number.NaN;
  private lastSlot = 0;
  private lastCycle = 0;

  slotOf(t: number): number {
    this.locate(t);
    return this.lastSlot;
  }

  private locate(t: number): void {
    if (t === this.lastT) return;
    const cycle = Math.floor(t / this.periodMs);
    const slot = Math.floor(((t - cycle * this.periodMs) * this.slots) / this.periodMs);
    this.lastT = t;
    this.lastCycle = cycle;
    this.lastSlot = slot >= this.slots ? this.slots - 1 : slot < 0 ? 0 : slot;
  }

  /**
   * The learned level of the slot of `t`, folding a finished cycle first; NaN
   * while that slot has no earlier cycle.
   */
  predict(t: number, alpha: number, clip: number): number {
    const st = this.state;
    this.locate(t);
    const i = 5 * this.lastSlot;
    const cycle = this.lastCycle;
    if (st[i + 4] !== cycle && st[i + 3]! > 0) {
      const mean = st[i + 2]! / st[i + 3]!;
      const folded = st[i + 1]!;
      if (folded === 0) st[i] = mean;
      else {
        let e = mean - st[i]!;
        if (clip > 0) e = e > clip ? clip : e < -clip ? -clip : e;
        st[i] = st[i]! + Math.max(alpha, 1 / (folded + 1)) * e;
      }
      st[i + 1] = folded + 1;
      st[i + 2] = 0;
      st[i + 3] = 0;
    }
    return st[i + 1]! > 0 ? st[i]! : Number.NaN;
  }

  /** Adds a point to its slot's open cycle (call after {@link predict} for the same `t`). */
  learn(x: number, t: number): void {
    const st = this.state;
    this.locate(t);
    const i = 5 * this.lastSlot;
    st[i + 4] = this.lastCycle;
    st[i + 2] = st[i + 2]! + x;
    st[i + 3] = st[i + 3]! + 1;
  }

  /** Slots with at least one folded cycle. */
  learnedSlots(): number {
    let n = 0;
    for (let s = 0; s < this.slots; s++) if (this.state[5 * s + 1]! > 0) n++;
    return n;
  }

  /** JSON form; an open cycle index not yet set is `null`. */
  toJSON(): Array<number | null> {
    return Array.from(this.state, (v) => (Number.isFinite(v) ? v : null));
  }

  /** Loads {@link toJSON} output; returns a problem description instead if it does not fit. */
  load(data: unknown): string | undefined {
    if (!Array.isArray(data) || data.length !== this.state.length)
      return `must be an array of ${this.state.length} entries`;
    for (let k = 0; k < data.length; k++) {
      const v: unknown = data[k];
      const nullable = k % 5 === 4;
      if (v === null && nullable) continue;
      if (typeof v !== 'number' || !Number.isFinite(v)) return 'must hold finite numbers';
      if ((k % 5 === 1 || k % 5 === 3) && v < 0) return 'must not hold negative counts';
    }
    for (let k = 0; k < data.length; k++) this.state[k] = (data[k] as number | null) ?? Number.NaN;
    return undefined;
  }
}
