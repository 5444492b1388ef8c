import type { Clock } from '@obs/core';

/**
 * Date.now() costs ~50 ns on Node 20, more than a whole counter update. The default
 * collector clock therefore reads a value refreshed every `RESOLUTION_MS` by one
 * shared unref'd interval (it never keeps the process alive), and refreshed exactly
 * on every read API. A value recorded during a long synchronous stretch is stamped
 * with the time the stretch began (at most one event-loop turn late). An injected
 * Clock is read exactly on every call.
 */
const RESOLUTION_MS = 25;
let now = Date.now();
/** Read by the recording hot path directly (a live binding), skipping a method call. */
export { now as coarseNow };
let timer: ReturnType<typeof setInterval> | undefined;

function refresh(): void {
  now = Date.now();
}

export const coarseClock: Clock & { exact(): number } = {
  now: () => now,
  exact: () => (now = Date.now()),
};

/** Starts the shared refresher once (lazily, when the first default-clock collector is created). */
export function startCoarseClock(): void {
  if (timer !== undefined) return;
  timer = setInterval(refresh, RESOLUTION_MS);
  if (typeof timer === 'object' && typeof timer.unref === 'function') timer.unref();
  refresh();
}
