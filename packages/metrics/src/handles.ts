/**
 * Bound handles: the series is resolved once when the handle is made, so a hot
 * loop pays no label lookup at all. A handle stays valid if its series is removed
 * (TTL, removeSeries, restore): the next write resolves the label set again.
 */
export interface CounterHandle {
  /** Adds `value` (default 1, must be finite and >= 0). */
  inc(value?: number): void;
  /** Current total. */
  readonly value: number;
}

export interface GaugeHandle {
  set(value: number): void;
  /** Adds `value` (default 1); an unset gauge counts as 0. */
  inc(value?: number): void;
  /** Subtracts `value` (default 1). */
  dec(value?: number): void;
  /** Current value, undefined while unset. */
  readonly value: number | undefined;
}

export interface HistogramHandle {
  observe(value: number): void;
  /** Starts a stopwatch; calling the returned function observes the elapsed ms and returns it. */
  startTimer(): () => number;
}
