/**
 * Timer reads for `startTimer()`. `process.hrtime.bigint()` is the cheapest monotonic clock
 * Node offers (no array as `process.hrtime()`, no float conversion as `performance.now()`);
 * two reads are most of what a timed observation costs.
 */
export const now: () => bigint = process.hrtime.bigint;

/** Seconds since `start` (from {@link now}). */
export function secondsSince(start: bigint): number {
  return Number(process.hrtime.bigint() - start) / 1e9;
}
