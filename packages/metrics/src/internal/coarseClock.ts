import { coarseSystemClock } from '@obs/core';

/**
 * The default collector clock is @obs/core's `coarseSystemClock` (one shared 25 ms
 * timer, refreshed exactly by every read API through `exact()`). The recording hot
 * path does not call it: it reads `coarseNow`, a variable of this module that the core
 * clock keeps in step (`follow`). A variable of the same bundle is the cheapest read
 * there is; a binding imported from another package is not (in the CommonJS build it
 * becomes a property getter on core's exports). An injected Clock is read exactly on
 * every call.
 */
let now = 0;
/** Read by the recording hot path directly (a live binding within this package). */
export { now as coarseNow };
let following = false;

export const coarseClock = coarseSystemClock;

/** Starts following the shared clock once (lazily, when the first default-clock collector is created). */
export function startCoarseClock(): void {
  if (following) return;
  following = true;
  coarseSystemClock.follow((time) => {
    now = time;
  });
}
