import type { Clock } from './Clock';

/**
 * How stale coarse time may be: one shared timer refreshes it every 25 ms. Fine enough
 * for metric samples (resolution in seconds) and SLO buckets (minutes).
 */
export const COARSE_CLOCK_RESOLUTION_MS = 25;

/** The system clock read from a cache; see {@link coarseSystemClock}. */
export interface CoarseClock extends Clock {
  /** The cached time (the exact `Date.now()` when fake timers have replaced it). */
  now(): number;
  /** Reads the clock now, refreshing the cache and every follower. */
  exact(): number;
  /**
   * Calls `update(time)` at once and on every refresh, for a hot path that keeps the
   * time in its own variable (a plain variable read beats any call). Starts the timer.
   */
  follow(update: (time: number) => void): void;
}

function isNative(fn: unknown): boolean {
  return typeof fn === 'function' && /\[native code\]/.test(Function.prototype.toString.call(fn));
}

// Captured at load: fake-timer libraries replace Date.now together with the timers, so
// a replaced Date.now is read directly and the cache is refreshed by the real timer only.
const nativeNow = Date.now;
const nativeSetInterval = globalThis.setInterval;
const cacheable = isNative(nativeNow);

let cached = 0;
let started = false;
const followers: ((time: number) => void)[] = [];

function store(time: number): number {
  cached = time;
  for (const update of followers) update(time);
  return time;
}

function refresh(): number {
  return store(nativeNow.call(Date));
}

function start(): void {
  if (started) return;
  started = true;
  const timer = nativeSetInterval(refresh, COARSE_CLOCK_RESOLUTION_MS);
  // Never keeps the process alive.
  (timer as { unref?: () => void }).unref?.();
  refresh();
}

/**
 * The system clock read from a cache refreshed every {@link COARSE_CLOCK_RESOLUTION_MS}
 * by one shared, unref'd timer, started on first use. Reading the OS clock costs 25-250 ns
 * depending on the machine, more than recording a counter or an SLO event, so hot paths
 * read this instead and read APIs call `exact()`. A synchronous stretch that blocks the
 * event loop sees the time at which it began. When `Date.now` has been replaced (fake
 * timers, `setSystemTime`), `now()` reads the replacement, so virtual time stays exact.
 */
export const coarseSystemClock: CoarseClock = {
  now(): number {
    if (Date.now !== nativeNow || !cacheable) return Date.now();
    if (!started) start();
    return cached;
  },
  exact(): number {
    return store(Date.now());
  },
  follow(update: (time: number) => void): void {
    followers.push(update);
    if (started) update(cached);
    else start();
  },
};
