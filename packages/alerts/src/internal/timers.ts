import type { SchedulerLike } from 'rxjs';

/** A cancellable one-shot timer. */
export type CancelTimer = () => void;

/** Runs `fn` after `delayMs`; returns a function that cancels it. */
export type TimerFn = (fn: () => void, delayMs: number) => CancelTimer;

// setTimeout fires at once for delays above 2^31-1 ms (~24.8 days), so long waits are chained.
const MAX_DELAY = 2_147_483_647;

/**
 * Timers on an injected RxJS scheduler (TestScheduler, asyncScheduler) or, by default,
 * on `setTimeout` with `unref()` so that a pending silence end or group flush never keeps
 * a Node process alive (works with `vi.useFakeTimers()` too).
 */
export function createTimers(scheduler?: SchedulerLike): TimerFn {
  const once: TimerFn = scheduler
    ? (fn, delay) => {
        const sub = scheduler.schedule(fn, delay);
        return () => sub.unsubscribe();
      }
    : (fn, delay) => {
        const handle = setTimeout(fn, delay) as unknown as { unref?: () => void };
        handle.unref?.();
        return () => clearTimeout(handle as unknown as ReturnType<typeof setTimeout>);
      };
  const schedule: TimerFn = (fn, delayMs) => {
    const delay = Math.max(0, delayMs);
    if (delay <= MAX_DELAY) return once(fn, delay);
    let cancel = once(() => {
      cancel = schedule(fn, delay - MAX_DELAY);
    }, MAX_DELAY);
    return () => cancel();
  };
  return schedule;
}
