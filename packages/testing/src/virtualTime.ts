import { VirtualTimeScheduler } from 'rxjs';
import type { Clock } from '@obs/core';

/** Virtual time for tests: a scheduler and a clock that reads it, advanced together. */
export function virtualTime(base = Date.UTC(2026, 10, 29, 9, 0, 0)) {
  const scheduler = new VirtualTimeScheduler();
  scheduler.maxFrames = 0;
  const clock: Clock = { now: () => base + scheduler.frame };
  /** Runs everything due within the next `ms` and moves the clock there. */
  const advance = (ms: number) => {
    const target = scheduler.frame + ms;
    scheduler.maxFrames = target;
    scheduler.flush();
    scheduler.frame = target;
  };
  return { scheduler, clock, advance };
}

/** Lets promise callbacks and setImmediate work (metrics point batches, async health checks) run. */
export async function settle(rounds = 3): Promise<void> {
  for (let i = 0; i < rounds; i++) await new Promise<void>((resolve) => setImmediate(resolve));
}
