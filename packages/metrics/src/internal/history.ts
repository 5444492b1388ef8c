import { CHUNK_LENGTH, STRIDE } from './slab';

/**
 * Retention history of one series: closed steps in chronological order, in a ring
 * stored after the series' 7 live values in its private array. Layout from index
 * STRIDE: [head, size, then `capacity` records of (stepIndex, count, sum, min, max,
 * last, lastTs)]. The ring starts with 4 records and doubles up to the number of
 * steps `metricsRetentionHours` needs, so a quiet series costs little and a busy one
 * is bounded. A series still in a shared chunk has no history.
 */
export const REC = 7;
export const R_STEP = 0;
export const R_COUNT = 1;
export const R_SUM = 2;
export const R_MIN = 3;
export const R_MAX = 4;
export const R_LAST = 5;
export const R_TS = 6;

const HEAD = STRIDE;
const SIZE = STRIDE + 1;
const FIRST = STRIDE + 2;
const INITIAL_CAPACITY = 4;

/** Whether `data` is a private array with a history ring (shared chunks have another length). */
export function hasHistory(data: Float64Array): boolean {
  return data.length !== CHUNK_LENGTH;
}

export function historyCapacity(data: Float64Array): number {
  return hasHistory(data) ? (data.length - FIRST) / REC : 0;
}

export function historySize(data: Float64Array): number {
  return hasHistory(data) ? data[SIZE]! : 0;
}

/** A private array with room for `capacity` records holding the 7 live values from `data` at `o` and the ring of `from` (if any). */
function privateArray(capacity: number, data: Float64Array, o: number): Float64Array {
  // Keep the length off CHUNK_LENGTH so hasHistory() stays unambiguous (both are multiples of 7 otherwise).
  const next = new Float64Array(FIRST + capacity * REC);
  next.set(data.subarray(o, o + STRIDE), 0);
  if (hasHistory(data)) {
    const oldCapacity = historyCapacity(data);
    const head = data[HEAD]!;
    const size = data[SIZE]!;
    for (let i = 0; i < size; i++) {
      const from = FIRST + ((head + i) % oldCapacity) * REC;
      next.set(data.subarray(from, from + REC), FIRST + i * REC);
    }
    next[HEAD] = 0;
    next[SIZE] = size;
  }
  return next;
}

/**
 * Appends a closed step for the series whose live values are at `data[o]`, moving it
 * to a (larger) private array when needed, and returns the array that now holds it (offset 0).
 */
export function appendStep(
  data: Float64Array,
  o: number,
  maxSteps: number,
  step: number,
  count: number,
  sum: number,
  min: number,
  max: number,
  last: number,
  ts: number,
): Float64Array {
  let ring = data;
  if (!hasHistory(data)) ring = privateArray(Math.min(INITIAL_CAPACITY, maxSteps), data, o);
  else if (data[SIZE] === historyCapacity(data) && historyCapacity(data) < maxSteps) {
    ring = privateArray(Math.min(historyCapacity(data) * 2, maxSteps), data, 0);
  }
  const capacity = historyCapacity(ring);
  let head = ring[HEAD]!;
  let size = ring[SIZE]!;
  let at: number;
  if (size < capacity) {
    at = (head + size) % capacity;
    size++;
  } else {
    at = head;
    head = (head + 1) % capacity;
  }
  const r = FIRST + at * REC;
  ring[r + R_STEP] = step;
  ring[r + R_COUNT] = count;
  ring[r + R_SUM] = sum;
  ring[r + R_MIN] = min;
  ring[r + R_MAX] = max;
  ring[r + R_LAST] = last;
  ring[r + R_TS] = ts;
  ring[HEAD] = head;
  ring[SIZE] = size;
  return ring;
}

/** Calls `fn(ring, offset)` for each record, oldest first. */
export function forEachRecord(data: Float64Array, fn: (ring: Float64Array, offset: number) => void): void {
  if (!hasHistory(data)) return;
  const capacity = historyCapacity(data);
  const head = data[HEAD]!;
  const size = data[SIZE]!;
  for (let i = 0; i < size; i++) fn(data, FIRST + ((head + i) % capacity) * REC);
}
