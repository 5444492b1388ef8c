import { afterEach, describe, expect, it, vi } from 'vitest';
import { COARSE_CLOCK_RESOLUTION_MS, coarseSystemClock } from './coarseClock';

function busyWait(ms: number): void {
  const start = Date.now();
  while (Date.now() < start + ms) {
    // no yield: the refresh timer cannot run
  }
}

describe('coarseSystemClock', () => {
  afterEach(() => {
    vi.useRealTimers();
  });

  it('serves a cached time between timer ticks (no OS clock read per call)', () => {
    const first = coarseSystemClock.now();
    busyWait(5);
    expect(coarseSystemClock.now()).toBe(first);
  });

  it('follows the real clock within its resolution, and exact() refreshes at once', async () => {
    const a = coarseSystemClock.now();
    expect(Math.abs(a - Date.now())).toBeLessThanOrEqual(COARSE_CLOCK_RESOLUTION_MS * 50);
    await new Promise((resolve) => setTimeout(resolve, 200));
    expect(coarseSystemClock.now()).toBeGreaterThan(a);
    busyWait(5);
    const exact = coarseSystemClock.exact();
    expect(exact).toBeGreaterThanOrEqual(Date.now() - 1);
    expect(coarseSystemClock.now()).toBe(exact);
  });

  it('keeps followers in step: at once, on every tick and on exact()', async () => {
    const seen: number[] = [];
    coarseSystemClock.follow((time) => seen.push(time));
    expect(seen).toEqual([coarseSystemClock.now()]);
    await new Promise((resolve) => setTimeout(resolve, COARSE_CLOCK_RESOLUTION_MS * 4));
    expect(seen.length).toBeGreaterThan(1);
    busyWait(2);
    const exact = coarseSystemClock.exact();
    expect(seen.at(-1)).toBe(exact);
  });

  it('reads fake timers exactly, setSystemTime jumps included', () => {
    vi.useFakeTimers({ now: 1_000_000 });
    expect(coarseSystemClock.now()).toBe(1_000_000);
    vi.setSystemTime(5_000_000);
    expect(coarseSystemClock.now()).toBe(5_000_000);
    vi.advanceTimersByTime(60_000);
    expect(coarseSystemClock.now()).toBe(5_060_000);
  });
});
