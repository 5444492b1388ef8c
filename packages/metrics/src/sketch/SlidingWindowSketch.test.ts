import { fc, test } from '@fast-check/vitest';
import { describe, expect, it } from 'vitest';
import { SlidingWindowSketch } from './SlidingWindowSketch';

function exactQuantile(sorted: number[], q: number): number {
  return sorted[Math.floor(q * (sorted.length - 1))]!;
}

describe('SlidingWindowSketch', () => {
  test.prop([
    // Within the sketch's 2^32 dynamic range (beyond it the lowest buckets fold, by design).
    fc.array(
      fc.tuple(
        fc.double({ min: 1e-3, max: 1e6, noNaN: true, noDefaultInfinity: true }),
        fc.integer({ min: 0, max: 4 }),
      ),
      { minLength: 1, maxLength: 300 },
    ),
    fc.constantFrom(0.01, 0.25, 0.5, 0.9, 0.99, 1),
  ])('quantiles of the values still in the window are within 1% (values spread over slots)', (values, q) => {
    let now = 0;
    const window = new SlidingWindowSketch(50, 5, () => now);
    // Each value is recorded after `gap` seconds of 10-second slots; only the last 5 slots are kept.
    const kept: { value: number; at: number }[] = [];
    for (const [value, gap] of values) {
      now += gap * 10_000;
      window.record(value);
      kept.push({ value, at: now });
    }
    // Slot k covers (10k·k, 10k·(k+1)] seconds from the start; a value stays while fewer than 5 slots began after its own.
    const slotOf = (t: number) => (t <= 0 ? 0 : Math.ceil(t / 10_000) - 1);
    const live = kept
      .filter((k) => slotOf(now) - slotOf(k.at) < 5)
      .map((k) => k.value)
      .sort((a, b) => a - b);
    const [estimate] = window.quantiles([q]);
    const exact = exactQuantile(live, q);
    expect(Math.abs(estimate! - exact) / exact).toBeLessThanOrEqual(0.01);
    expect(window.size()).toBe(live.length);
  });

  test.prop([
    fc.array(fc.double({ min: -1e3, max: 1e3, noNaN: true, noDefaultInfinity: true }), {
      minLength: 1,
      maxLength: 200,
    }),
  ])('the in-place quantiles equal a merged sketch (zeros and negatives take the merge path)', (values) => {
    let now = 0;
    const window = new SlidingWindowSketch(30, 3, () => now);
    values.forEach((v, i) => {
      now = i * 1000;
      window.record(v);
    });
    const qs = [0, 0.1, 0.5, 0.9, 0.99, 1];
    expect(window.quantiles(qs)).toEqual(window.merged().quantiles(qs));
  });

  it('forgets everything after a whole window without values, and keeps counting weights', () => {
    let now = 0;
    const window = new SlidingWindowSketch(10, 2, () => now);
    window.record(5, 3);
    expect(window.size()).toBe(3);
    expect(window.totals()).toEqual({ count: 3, sum: 15, min: 5, max: 5 });
    expect(window.stddev()).toBe(0);
    now = 5_001;
    window.record(1);
    expect(window.size()).toBe(4);
    now = 10_002;
    expect(window.quantiles([0.5])).toEqual([1]);
    now = 100_000;
    expect(window.size()).toBe(0);
    expect(window.quantiles([0.5])[0]).toBeNaN();
    expect(window.stddev()).toBeNaN();
  });

  it('never slides without a max age', () => {
    let now = 0;
    const window = new SlidingWindowSketch(undefined, undefined, () => now);
    window.record(2);
    now = 1e12;
    expect(window.quantiles([0.5])).toEqual([2]);
  });
});
