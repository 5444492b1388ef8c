/** Beacons whose name came after `maxNames` distinct names are counted under this name. */
export const OVERFLOW_BEACON_NAME = '(other)';

/**
 * Counts open beacons (work in flight) by name. Memory is bounded by the
 * number of distinct names (past `maxNames`, by OVERFLOW_BEACON_NAME), not by
 * the number of beacons: a beacon is only a closure over its name.
 */
export class Beacons {
  private readonly counts = new Map<string, number>();
  private open = 0;
  private readonly emptyWaiters = new Set<() => void>();

  constructor(private readonly maxNames: number) {}

  /** Opens a beacon; the returned function closes it (calling it again does nothing). */
  add(name: string): () => void {
    const named = this.counts.size - (this.counts.has(OVERFLOW_BEACON_NAME) ? 1 : 0);
    const key = this.counts.has(name) || named < this.maxNames ? name : OVERFLOW_BEACON_NAME;
    this.counts.set(key, (this.counts.get(key) ?? 0) + 1);
    this.open++;
    let closed = false;
    return () => {
      if (closed) return;
      closed = true;
      const left = (this.counts.get(key) ?? 1) - 1;
      if (left > 0) this.counts.set(key, left);
      else this.counts.delete(key);
      this.open--;
      if (this.open === 0) for (const waiter of [...this.emptyWaiters]) waiter();
    };
  }

  /** Open beacons in all. */
  get size(): number {
    return this.open;
  }

  /** Open beacons by name (a copy). */
  byName(): Record<string, number> {
    const out: Record<string, number> = {};
    // defineProperty: a beacon named "__proto__" must be a key, not a prototype.
    for (const [name, count] of this.counts)
      Object.defineProperty(out, name, { value: count, enumerable: true, writable: true, configurable: true });
    return out;
  }

  /** Calls `fn` once when no beacon is open (at once if none is); returns a cancel function. */
  whenEmpty(fn: () => void): () => void {
    if (this.open === 0) {
      fn();
      return () => undefined;
    }
    const waiter = () => {
      this.emptyWaiters.delete(waiter);
      fn();
    };
    this.emptyWaiters.add(waiter);
    return () => this.emptyWaiters.delete(waiter);
  }
}
