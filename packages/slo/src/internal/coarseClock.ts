import type { Clock } from '@obs/core';

/** How stale the coarse clock may be. Far below a bucket (one minute), so bucketing is unaffected. */
export const COARSE_RESOLUTION_MS = 100;

let cached = 0;
let timer: ReturnType<typeof setInterval> | undefined;

function start(): void {
  cached = Date.now();
  timer = setInterval(() => {
    cached = Date.now();
  }, COARSE_RESOLUTION_MS);
  // Never keeps the process alive.
  (timer as { unref?: () => void }).unref?.();
}

/**
 * The system clock read from a cache refreshed every 100 ms by one shared,
 * unref'd timer. Reading the OS clock costs 25-250 ns depending on the
 * machine, more than the rest of `recordEvent`; events only need their
 * minute, so the hot path reads this instead. Status evaluation still reads
 * the exact clock. A synchronous loop that blocks the event loop sees the time
 * at which it started.
 */
export const coarseSystemClock: Clock = {
  now(): number {
    if (timer === undefined) start();
    return cached;
  },
};
