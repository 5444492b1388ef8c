/**
 * Retention history of one series: closed steps in chronological order in a ring
 * inside one Float64Array. Layout: [head, size, then `capacity` records of
 * (stepIndex, count, sum, min, max, last, lastTs)]. The array starts small and
 * doubles up to the number of steps `metricsRetentionHours` needs, so a quiet series
 * costs little and a busy one is bounded.
 */
export const REC = 7;
export const R_STEP = 0;
export const R_COUNT = 1;
export const R_SUM = 2;
export const R_MIN = 3;
export const R_MAX = 4;
export const R_LAST = 5;
export const R_TS = 6;

const INITIAL_CAPACITY = 4;

export function historyCapacity(h: Float64Array): number {
  return (h.length - 2) / REC;
}

/** Appends a closed step, growing or overwriting the oldest; returns the (possibly new) array. */
export function appendStep(
  h: Float64Array | null,
  maxSteps: number,
  step: number,
  count: number,
  sum: number,
  min: number,
  max: number,
  last: number,
  ts: number,
): Float64Array {
  let ring = h ?? new Float64Array(2 + Math.min(INITIAL_CAPACITY, maxSteps) * REC);
  let capacity = historyCapacity(ring);
  let head = ring[0]!;
  let size = ring[1]!;
  if (size === capacity && capacity < maxSteps) {
    const grown = new Float64Array(2 + Math.min(capacity * 2, maxSteps) * REC);
    for (let i = 0; i < size; i++) {
      const from = 2 + ((head + i) % capacity) * REC;
      grown.set(ring.subarray(from, from + REC), 2 + i * REC);
    }
    ring = grown;
    capacity = historyCapacity(ring);
    head = 0;
  }
  let at: number;
  if (size < capacity) {
    at = (head + size) % capacity;
    size++;
  } else {
    at = head;
    head = (head + 1) % capacity;
  }
  const o = 2 + at * REC;
  ring[o + R_STEP] = step;
  ring[o + R_COUNT] = count;
  ring[o + R_SUM] = sum;
  ring[o + R_MIN] = min;
  ring[o + R_MAX] = max;
  ring[o + R_LAST] = last;
  ring[o + R_TS] = ts;
  ring[0] = head;
  ring[1] = size;
  return ring;
}

/** Calls `fn(offset)` for each record, oldest first. */
export function forEachRecord(h: Float64Array | null, fn: (ring: Float64Array, offset: number) => void): void {
  if (h === null) return;
  const capacity = historyCapacity(h);
  const head = h[0]!;
  const size = h[1]!;
  for (let i = 0; i < size; i++) fn(h, 2 + ((head + i) % capacity) * REC);
}
