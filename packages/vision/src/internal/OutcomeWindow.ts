/**
 * Outcomes of the last `windowMs` (at most `capacity` of them), for the
 * persistent-errors alert. A ring buffer: O(1) to record, bounded memory.
 */
export class OutcomeWindow {
  private readonly times: Float64Array;
  private readonly errors: Uint8Array;
  private head = 0;
  private size = 0;
  private errorCount = 0;

  constructor(
    readonly windowMs: number,
    readonly capacity: number,
  ) {
    this.times = new Float64Array(capacity);
    this.errors = new Uint8Array(capacity);
  }

  record(now: number, isError: boolean): void {
    if (this.size === this.capacity) this.dropOldest();
    const index = (this.head + this.size) % this.capacity;
    this.times[index] = now;
    this.errors[index] = isError ? 1 : 0;
    this.size++;
    if (isError) this.errorCount++;
    this.prune(now);
  }

  /** Requests and errors within the window ending at `now`. */
  counts(now: number): { total: number; errors: number } {
    this.prune(now);
    return { total: this.size, errors: this.errorCount };
  }

  private prune(now: number): void {
    while (this.size > 0 && now - this.times[this.head]! > this.windowMs) this.dropOldest();
  }

  private dropOldest(): void {
    if (this.errors[this.head] === 1) this.errorCount--;
    this.head = (this.head + 1) % this.capacity;
    this.size--;
  }
}
