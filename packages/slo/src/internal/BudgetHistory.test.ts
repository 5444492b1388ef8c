import { fc, test } from '@fast-check/vitest';
import { describe, expect, it } from 'vitest';
import { BUDGET_HISTORY_CAPACITY, BudgetHistory } from './BudgetHistory';

const MIN = 60_000;
const DAY = 86_400_000;

describe('BudgetHistory', () => {
  it('covers a 30-day window in at most 256 samples (4 KiB), sampled every 10 s', () => {
    const h = new BudgetHistory(30 * DAY, MIN);
    const t0 = Date.UTC(2026, 0, 1);
    for (let t = t0; t <= t0 + 45 * DAY; t += 10_000) h.sample(t, 100 - (t - t0) / DAY);
    const samples = h.samples(t0 + 45 * DAY);
    expect(samples.length).toBeLessThanOrEqual(BUDGET_HISTORY_CAPACITY);
    expect(samples.length).toBeGreaterThan(200);
    // the newest sample is recent and the oldest reaches back most of the window, never beyond it
    expect(t0 + 45 * DAY - samples.at(-1)!.timestamp).toBeLessThanOrEqual(h.sampleIntervalMs);
    expect(samples[0]!.timestamp).toBeGreaterThanOrEqual(t0 + 15 * DAY);
    expect(samples[0]!.timestamp).toBeLessThan(t0 + 15 * DAY + 2 * h.sampleIntervalMs);
    expect(h.sampleIntervalMs).toBeLessThanOrEqual(Math.ceil((30 * DAY) / BUDGET_HISTORY_CAPACITY) * 2);
  });

  it('draws a young SLO at the fine interval', () => {
    const h = new BudgetHistory(30 * DAY, MIN);
    for (let m = 0; m < 10; m++) h.sample(m * MIN, 100 - m);
    expect(h.samples().map((s) => s.errorBudgetRemaining)).toEqual([100, 99, 98, 97, 96, 95, 94, 93, 92, 91]);
  });

  it('ignores non-finite values and clocks that go back', () => {
    const h = new BudgetHistory(DAY, MIN);
    expect(h.sample(MIN, 50)).toBe(true);
    expect(h.sample(2 * MIN, NaN)).toBe(false);
    expect(h.sample(Infinity, 1)).toBe(false);
    expect(h.sample(0, 1)).toBe(false);
    expect(h.size).toBe(1);
  });

  test.prop([
    fc.integer({ min: 1, max: 60 }).map((d) => d * DAY),
    fc.array(fc.tuple(fc.integer({ min: 0, max: 6 * 3_600_000 }), fc.double({ min: -1e6, max: 100, noNaN: true })), {
      maxLength: 2000,
    }),
  ])('stays bounded, in time order, within the window, and round-trips through export', (windowMs, steps) => {
    const h = new BudgetHistory(windowMs, MIN);
    let t = 0;
    for (const [dt, v] of steps) {
      t += dt;
      h.sample(t, v);
    }
    const samples = h.samples(t);
    expect(h.size).toBeLessThanOrEqual(BUDGET_HISTORY_CAPACITY);
    for (let i = 1; i < samples.length; i++) expect(samples[i]!.timestamp).toBeGreaterThan(samples[i - 1]!.timestamp);
    for (const s of samples) expect(s.timestamp).toBeGreaterThanOrEqual(t - windowMs);
    const copy = new BudgetHistory(windowMs, MIN);
    expect(copy.import(h.export())).toBe(true);
    expect(copy.samples()).toEqual(h.samples());
    expect(copy.sampleIntervalMs).toBe(h.sampleIntervalMs);
  });

  it('refuses an export that does not fit', () => {
    const h = new BudgetHistory(DAY, MIN);
    expect(h.import([MIN, 1])).toBe(false);
    expect(h.import([-1])).toBe(false);
    expect(h.import([MIN, 2, 1, 1, 1])).toBe(false); // time goes back
    expect(h.import([10 * DAY])).toBe(false); // interval above the window's
    expect(h.import([MIN, 0, 5])).toBe(true);
  });
});
