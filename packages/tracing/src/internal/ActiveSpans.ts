import type { RecordingSpan } from './spans';

/**
 * The sampled spans started and not yet ended, oldest first, and the reaper
 * that ends those that outlive `maxSpanAgeMs` (or the oldest beyond
 * `maxActiveSpans`). The list is intrusive (`prev`/`next` on the span), so
 * adding and removing is O(1) without hashing and the reaper only looks at
 * the head. Abandoning goes through the span (`span.abandon`), which reports
 * its end to its sink like any other end; the sink then calls `remove`.
 */
export class ActiveSpans {
  private head: RecordingSpan | undefined = undefined;
  private tail: RecordingSpan | undefined = undefined;
  private count = 0;
  private timer: ReturnType<typeof setInterval> | undefined = undefined;

  constructor(
    private readonly maxSpanAgeMs: number,
    private readonly maxActiveSpans: number,
  ) {}

  get size(): number {
    return this.count;
  }

  /**
   * Appends a span started at `now`. Spans past their age are reaped first
   * (lazily, so reaping works without the timer); beyond the limit the
   * oldest is abandoned early.
   */
  add(span: RecordingSpan, now: number): void {
    const head = this.head;
    if (head !== undefined && head.startTime <= now - this.maxSpanAgeMs) this.reap(now);
    const tail = this.tail;
    if (tail === undefined) this.head = span;
    else {
      tail.next = span;
      span.prev = tail;
    }
    this.tail = span;
    if (++this.count > this.maxActiveSpans) this.head!.abandon(now);
  }

  /** Unlinks a span; does nothing when it is not in the list. */
  remove(span: RecordingSpan): void {
    const { prev, next } = span;
    if (prev === undefined) {
      if (this.head !== span) return; // already unlinked
      this.head = next;
    } else prev.next = next;
    if (next === undefined) this.tail = prev;
    else next.prev = prev;
    span.prev = span.next = undefined;
    this.count--;
  }

  /** Abandons every span started at or before `now - maxSpanAgeMs`. */
  reap(now: number): void {
    const cutoff = now - this.maxSpanAgeMs;
    let head = this.head;
    while (head !== undefined && head.startTime <= cutoff) {
      head.abandon(now);
      head = this.head;
    }
  }

  /** The active spans, oldest first. */
  list(): RecordingSpan[] {
    const out: RecordingSpan[] = [];
    for (let span = this.head; span !== undefined; span = span.next) out.push(span);
    return out;
  }

  /** Runs `tick` every `intervalMs` on an unref'd timer (0: no timer). */
  startReaper(intervalMs: number, tick: () => void): void {
    this.stopReaper();
    if (intervalMs <= 0) return;
    this.timer = setInterval(tick, intervalMs);
    this.timer.unref?.();
  }

  stopReaper(): void {
    if (this.timer !== undefined) clearInterval(this.timer);
    this.timer = undefined;
  }
}
