import { afterEach, describe, expect, it, vi } from 'vitest';
import { systemClock } from '@obs/core';
import { createSLODefinition } from './SLODefinition';
import { createSLOTracker } from './SLOTracker';

// The clock itself is tested in @obs/core (coarseClock.test.ts); here, how the tracker uses it.
describe('coarse system clock on the record path', () => {
  afterEach(() => {
    vi.useRealTimers();
  });

  it('reads fake timers exactly, including setSystemTime jumps', () => {
    const t0 = Date.UTC(2026, 10, 29, 10, 0, 30);
    vi.useFakeTimers({ now: t0 });
    const tracker = createSLOTracker();
    const slo = tracker.defineSLO(createSLODefinition('Coarse', 99, 1));
    tracker.recordEvent(slo.sloId, false);
    vi.setSystemTime(t0 + 60_000);
    tracker.recordEvent(slo.sloId, true);
    expect(tracker.getSLOStatus(slo.sloId)).toMatchObject({ good: 1, total: 2 });
    // one day later the first event (one minute older) has left the 1-day window, the second not yet
    vi.advanceTimersByTime(86_400_000 - 60_000);
    expect(tracker.getSLOStatus(slo.sloId)).toMatchObject({ good: 1, total: 1 });
    vi.advanceTimersByTime(60_000);
    expect(tracker.getSLOStatus(slo.sloId).noData).toBe(true);
  });

  it('accepts the core systemClock (fake timers still exact) and reads other clocks per event', () => {
    vi.useFakeTimers({ now: 1_000_000 });
    const manual = { now: () => 5 * 60_000 };
    const tracker = createSLOTracker({ clock: systemClock });
    const other = createSLOTracker({ clock: manual });
    const a = tracker.defineSLO(createSLODefinition('Sys', 99, 1));
    const b = other.defineSLO(createSLODefinition('Manual', 99, 1));
    tracker.recordEvent(a.sloId, true);
    other.recordEvent(b.sloId, true);
    expect(tracker.getSLOStatus(a.sloId).windowStart).toBe(Math.floor(1_000_000 / 60_000) * 60_000 - 1439 * 60_000);
    expect(other.getSLOStatus(b.sloId).total).toBe(1);
  });

  it('can be turned off', () => {
    expect(() => createSLOTracker({ coarseTime: 'yes' as never })).toThrow();
    const tracker = createSLOTracker({ coarseTime: false });
    const slo = tracker.defineSLO(createSLODefinition('Exact', 99, 1));
    tracker.recordEvent(slo.sloId, true);
    expect(tracker.getSLOStatus(slo.sloId).total).toBe(1);
  });
});
