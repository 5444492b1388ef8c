import { describe, expect, it } from 'vitest';
import { test } from '@fast-check/vitest';
import fc from 'fast-check';
import { SeasonalProfile } from './SeasonalProfile';

const DAY = 86_400_000;
const HOUR = 3_600_000;

describe('SeasonalProfile', () => {
  test.prop([fc.integer({ min: -1e14, max: 1e14 }), fc.integer({ min: 1, max: 500 })])(
    'maps any time to a valid slot',
    (t, slots) => {
      const slot = new SeasonalProfile(DAY, slots).slotOf(t);
      expect(Number.isInteger(slot) && slot >= 0 && slot < slots).toBe(true);
    },
  );

  it('predicts a slot only from earlier cycles', () => {
    const p = new SeasonalProfile(DAY, 24);
    // Day 0: 10 o'clock is 5.
    expect(p.predict(10 * HOUR, 0.2, 0)).toBeNaN();
    p.learn(5, 10 * HOUR);
    p.learn(7, 10 * HOUR + 60_000);
    // Same day, same slot: still nothing learned from an earlier day.
    expect(p.predict(10 * HOUR + 120_000, 0.2, 0)).toBeNaN();
    // Next day: the mean of day 0's slot.
    expect(p.predict(DAY + 10 * HOUR, 0.2, 0)).toBe(6);
    p.learn(100, DAY + 10 * HOUR);
    expect(p.predict(DAY + 10 * HOUR + 60_000, 0.2, 0)).toBe(6);
    // Day 2 folds day 1 in with weight max(alpha, 1/2).
    expect(p.predict(2 * DAY + 10 * HOUR, 0.2, 0)).toBe(53);
    expect(p.learnedSlots()).toBe(1);
  });

  it('clips the influence of an abnormal day', () => {
    const p = new SeasonalProfile(DAY, 24);
    p.learn(10, 0);
    p.predict(DAY, 0.5, 1);
    p.learn(1000, DAY);
    expect(p.predict(2 * DAY, 0.5, 1)).toBe(10.5);
  });

  it('round-trips through JSON and rejects malformed data', () => {
    const p = new SeasonalProfile(DAY, 4);
    p.learn(3, 0);
    p.predict(DAY, 0.2, 0);
    const q = new SeasonalProfile(DAY, 4);
    expect(q.load(JSON.parse(JSON.stringify(p.toJSON())))).toBeUndefined();
    expect(q.predict(DAY, 0.2, 0)).toBe(3);
    expect(q.load([1, 2])).toMatch(/array of 20/);
    expect(q.load(new Array(20).fill('x'))).toMatch(/finite/);
    expect(q.load(new Array(20).fill(-1))).toMatch(/negative/);
    expect(q.predict(DAY, 0.2, 0)).toBe(3);
  });
});
