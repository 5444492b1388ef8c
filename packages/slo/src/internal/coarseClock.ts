import type { Clock } from '@obs/core';

/** How stale the cached time may be. Far below a bucket (one minute), so bucketing is unaffected. */
export const COARSE_RESOLUTION_MS = 100;

function isNative(fn: unknown): boolean {
  return typeof fn === 'function' && /\[native code\]/.test(Function.prototype.toString.call(fn));
}

// Captured at load: the cache is used only with the platform's own Date.now (fake-timer
// libraries replace Date.now together with the timers, so a faked clock is read directly).
const nativeNow = Date.now;
const nativeSetInterval = globalThis.setInterval;
const cacheable = isNative(nativeNow);

let cached = 0;
let started = false;

function start(): number {
  started = true;
  cached = nativeNow.call(Date);
  const timer = nativeSetInterval(() => {
    cached = nativeNow.call(Date);
  }, COARSE_RESOLUTION_MS);
  // Never keeps the process alive.
  (timer as { unref?: () => void }).unref?.();
  return cached;
}

/**
 * The system clock read from a cache refreshed every 100 ms by one shared,
 * unref'd timer. Reading the OS clock costs 25-250 ns depending on the
 * machine, more than the rest of `recordEvent`; events only need their
 * minute, so the hot path reads this instead. Status evaluation still reads
 * the exact clock. When `Date.now` has been replaced (fake timers in tests,
 * `setSystemTime`), every call reads the replacement instead, so virtual time
 * stays exact. A synchronous loop that blocks the event loop sees the time at
 * which it started.
 */
export const coarseSystemClock: Clock = {
  now(): number {
    if (Date.now !== nativeNow || !cacheable) return Date.now();
    return started ? cached : start();
  },
};
