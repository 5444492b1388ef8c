import { afterEach, describe, expect, it, vi } from 'vitest';
import { createSLODefinition } from '../SLODefinition';
import { createSLOTracker } from '../SLOTracker';

describe('coarse system clock on the record path', () => {
  afterEach(() => {
    vi.useRealTimers();
  });

  it('places events within 100 ms of their time and expires them with the window', () => {
    const t0 = Date.UTC(2026, 10, 29, 10, 0, 30);
    vi.useFakeTimers({ now: t0 });
    const tracker = createSLOTracker();
    const slo = tracker.defineSLO(createSLODefinition('Coarse', 99, 1));
    tracker.recordEvent(slo.sloId, false);
    vi.advanceTimersByTime(60_000);
    tracker.recordEvent(slo.sloId, true);
    expect(tracker.getSLOStatus(slo.sloId)).toMatchObject({ good: 1, total: 2 });
    // one day later the first event (one minute older) has left the 1-day window, the second not yet
    vi.advanceTimersByTime(86_400_000 - 60_000);
    expect(tracker.getSLOStatus(slo.sloId)).toMatchObject({ good: 1, total: 1 });
    vi.advanceTimersByTime(60_000);
    expect(tracker.getSLOStatus(slo.sloId).noData).toBe(true);
  });

  it('can be turned off', () => {
    expect(() => createSLOTracker({ coarseTime: 'yes' as never })).toThrow();
    const tracker = createSLOTracker({ coarseTime: false });
    const slo = tracker.defineSLO(createSLODefinition('Exact', 99, 1));
    tracker.recordEvent(slo.sloId, true);
    expect(tracker.getSLOStatus(slo.sloId).total).toBe(1);
  });
});
