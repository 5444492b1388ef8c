import { compareRatio, type Fraction } from '../stats/budget';

/** Sums over one window: `bad`/`total` units (events, or slices for timeslices) plus raw event counts. */
export interface WindowSums {
  bad: number;
  total: number;
  badEvents: number;
  totalEvents: number;
}

export interface BucketWindowOptions {
  readonly bucketMs: number;
  /** Ring size in buckets: the longest window that can be asked for. */
  readonly capacity: number;
  /** Rolling windows (in buckets, each <= capacity) whose sums are kept up to date. */
  readonly windows: readonly number[];
  /** Timeslices: a bucket counts as one good or bad slice by this good-ratio threshold. */
  readonly sliceTarget?: Fraction;
  /** Calendar windows: the first bucket of the period that contains `bucket`. */
  readonly anchorOf?: (bucket: number) => number;
  /** Bucket the ring starts at. */
  readonly headBucket: number;
}

const SUMS = 4; // per window: bad units, total units, bad events, total events

/**
 * Good/total counts in a ring of fixed-size time buckets, with running sums for
 * a set of trailing windows. Memory is fixed by the capacity (two Float64Arrays),
 * whatever the traffic.
 *
 * The head bucket (the current one) lives in two plain fields, so recording an
 * event is a range check and two increments. Running sums cover completed
 * buckets only; when the clock enters a new bucket the head is flushed into the
 * ring and each window adds it and subtracts the buckets that left, so a roll
 * costs O(windows) and a query O(1). Late events (an older timestamp still
 * inside the ring) update their bucket and every sum that covers it.
 */
export class BucketWindow {
  readonly bucketMs: number;
  readonly capacity: number;
  readonly windows: readonly number[];
  private readonly good: Float64Array;
  private readonly total: Float64Array;
  /** Running sums of completed buckets per window (SUMS numbers each); the last SUMS hold the calendar window. */
  private readonly sums: Float64Array;
  private readonly sliceTarget: Fraction | undefined;
  private readonly anchorOf: ((bucket: number) => number) | undefined;

  head: number;
  headStart: number;
  headEnd: number;
  headGood = 0;
  headTotal = 0;
  /** First bucket of the current calendar period (calendar windows only). */
  anchor: number;
  /** Non-integer counts were recorded: sums are rebuilt by a scan on each roll instead of incrementally. */
  fractional = false;
  /** Events older than the ring, dropped. */
  droppedLate = 0;

  constructor(options: BucketWindowOptions) {
    this.bucketMs = options.bucketMs;
    this.capacity = options.capacity;
    this.windows = options.windows;
    this.good = new Float64Array(options.capacity);
    this.total = new Float64Array(options.capacity);
    this.sums = new Float64Array((options.windows.length + 1) * SUMS);
    this.sliceTarget = options.sliceTarget;
    this.anchorOf = options.anchorOf;
    this.head = options.headBucket;
    this.headStart = this.head * this.bucketMs;
    this.headEnd = this.headStart + this.bucketMs;
    this.anchor = this.anchorOf ? this.anchorOf(this.head) : this.head;
  }

  /** Records events at `now`; the hot path when `now` falls in the head bucket. */
  record(now: number, good: number, total: number): boolean {
    if (now >= this.headStart && now < this.headEnd) {
      this.headGood += good;
      this.headTotal += total;
      return true;
    }
    return this.recordAt(Math.floor(now / this.bucketMs), good, total);
  }

  /** Records into bucket `b`: rolls forward if it is newer than the head, fixes up sums if older. */
  recordAt(b: number, good: number, total: number): boolean {
    if (!Number.isFinite(b)) {
      this.droppedLate++; // a broken clock (NaN): nowhere to put it
      return false;
    }
    if (!this.fractional && (!Number.isInteger(good) || !Number.isInteger(total))) this.fractional = true;
    if (b > this.head) this.rollTo(b);
    if (b === this.head) {
      this.headGood += good;
      this.headTotal += total;
      return true;
    }
    if (b <= this.head - this.capacity) {
      this.droppedLate++;
      return false;
    }
    const slot = this.slot(b);
    this.applyBucket(b, slot, -1);
    this.good[slot]! += good;
    this.total[slot]! += total;
    this.applyBucket(b, slot, 1);
    return true;
  }

  /** Moves the head forward to bucket `to` (no-op if not newer). */
  rollTo(to: number): void {
    const from = this.head;
    if (to <= from) return;
    const gap = to - from;
    const cap = this.capacity;
    // Flush the head into its slot (cleared when it became the head).
    const headSlot = this.slot(from);
    this.good[headSlot] = this.headGood;
    this.total[headSlot] = this.headTotal;
    this.headGood = 0;
    this.headTotal = 0;
    if (gap >= cap) {
      this.good.fill(0);
      this.total.fill(0);
      this.sums.fill(0);
      this.setHead(to);
      this.anchor = this.anchorOf ? this.anchorOf(to) : to;
      return;
    }
    if (!this.fractional) {
      for (let w = 0; w < this.windows.length; w++) {
        const len = this.windows[w]!;
        if (gap >= len) {
          this.clearSums(w);
          continue;
        }
        this.addBucketTo(w, headSlot, 1);
        // Buckets from - len + 1 .. to - len leave the window.
        for (let b = from - len + 1; b <= to - len; b++) this.addBucketTo(w, this.slot(b), -1);
      }
    }
    for (let b = from + 1; b <= to; b++) {
      const s = this.slot(b);
      this.good[s] = 0;
      this.total[s] = 0;
    }
    this.setHead(to);
    if (this.anchorOf) {
      const anchor = this.anchorOf(to);
      if (anchor !== this.anchor) {
        this.anchor = anchor;
        if (!this.fractional) this.rescanCalendar();
      } else if (!this.fractional && from >= anchor) {
        this.addBucketTo(this.windows.length, headSlot, 1);
      }
    }
    if (this.fractional) this.rescan();
  }

  /** Sums of window `w` (an index into `windows`, or `windows.length` for the calendar period) including the head. */
  read(w: number, out: WindowSums): WindowSums {
    const o = w * SUMS;
    out.bad = this.sums[o]!;
    out.total = this.sums[o + 1]!;
    out.badEvents = this.sums[o + 2]!;
    out.totalEvents = this.sums[o + 3]!;
    const g = this.headGood;
    const t = this.headTotal;
    if (t > 0 || g !== 0) {
      const bad = Math.min(t, Math.max(0, t - g));
      out.badEvents += bad;
      out.totalEvents += t;
      if (this.sliceTarget) {
        if (t > 0) {
          out.total += 1;
          if (this.sliceIsBad(g, t)) out.bad += 1;
        }
      } else {
        out.bad += bad;
        out.total += t;
      }
    }
    // Running sums of fractional counts may drift by an ulp below zero; never report that.
    if (out.bad < 0) out.bad = 0;
    if (out.badEvents < 0) out.badEvents = 0;
    return out;
  }

  /** Recomputes every running sum from the ring (after a restore, or on each roll for fractional counts). */
  rescan(): void {
    this.sums.fill(0);
    for (let w = 0; w < this.windows.length; w++) {
      const len = this.windows[w]!;
      for (let b = this.head - len + 1; b < this.head; b++) this.addBucketTo(w, this.slot(b), 1);
    }
    if (this.anchorOf) this.rescanCalendar();
  }

  /** Non-empty buckets, newest first, as `[headOffset, good, total]` triples (head included). */
  exportBuckets(): number[] {
    const out: number[] = [];
    if (this.headGood !== 0 || this.headTotal !== 0) out.push(0, this.headGood, this.headTotal);
    for (let offset = 1; offset < this.capacity; offset++) {
      const s = this.slot(this.head - offset);
      const g = this.good[s]!;
      const t = this.total[s]!;
      if (g !== 0 || t !== 0) out.push(offset, g, t);
    }
    return out;
  }

  /** Loads buckets exported by {@link exportBuckets} into an empty window whose head is already set. */
  importBuckets(triples: readonly number[]): void {
    for (let i = 0; i + 2 < triples.length; i += 3) {
      const offset = triples[i]!;
      const g = triples[i + 1]!;
      const t = triples[i + 2]!;
      if (!Number.isInteger(g) || !Number.isInteger(t)) this.fractional = true;
      if (offset === 0) {
        this.headGood += g;
        this.headTotal += t;
      } else {
        const s = this.slot(this.head - offset);
        this.good[s]! += g;
        this.total[s]! += t;
      }
    }
    this.rescan();
  }

  private rescanCalendar(): void {
    const w = this.windows.length;
    this.clearSums(w);
    const start = Math.max(this.anchor, this.head - this.capacity + 1);
    for (let b = start; b < this.head; b++) this.addBucketTo(w, this.slot(b), 1);
  }

  private setHead(b: number): void {
    this.head = b;
    this.headStart = b * this.bucketMs;
    this.headEnd = this.headStart + this.bucketMs;
  }

  private slot(b: number): number {
    const r = b % this.capacity;
    return r < 0 ? r + this.capacity : r;
  }

  private clearSums(w: number): void {
    this.sums.fill(0, w * SUMS, w * SUMS + SUMS);
  }

  private sliceIsBad(good: number, total: number): boolean {
    return compareRatio(Math.max(0, Math.min(good, total)), total, this.sliceTarget!) < 0;
  }

  /** Adds (sign 1) or removes (sign -1) completed bucket `b` from every window that covers it. */
  private applyBucket(b: number, slot: number, sign: 1 | -1): void {
    for (let w = 0; w < this.windows.length; w++) {
      if (b > this.head - this.windows[w]!) this.addBucketTo(w, slot, sign);
    }
    if (this.anchorOf && b >= this.anchor) this.addBucketTo(this.windows.length, slot, sign);
  }

  private addBucketTo(w: number, slot: number, sign: 1 | -1): void {
    const g = this.good[slot]!;
    const t = this.total[slot]!;
    if (t === 0 && g === 0) return;
    const bad = Math.min(t, Math.max(0, t - g));
    const o = w * SUMS;
    const sums = this.sums;
    sums[o + 2]! += sign * bad;
    sums[o + 3]! += sign * t;
    if (this.sliceTarget) {
      if (t > 0) {
        sums[o + 1]! += sign;
        if (this.sliceIsBad(g, t)) sums[o]! += sign;
      }
    } else {
      sums[o]! += sign * bad;
      sums[o + 1]! += sign * t;
    }
  }
}
