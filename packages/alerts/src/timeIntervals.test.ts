import { fc, test } from '@fast-check/vitest';
import { describe, expect } from 'vitest';
import { compileTimeIntervals } from './timeIntervals';

const WEEKDAYS = ['sunday', 'monday', 'tuesday', 'wednesday', 'thursday', 'friday', 'saturday'];
const hhmm = (m: number) => `${String(Math.floor(m / 60)).padStart(2, '0')}:${String(m % 60).padStart(2, '0')}`;

describe('time intervals against a reference computed from UTC getters', () => {
  // Asia/Kolkata is UTC+05:30 all year (no DST): a fixed shift checks the time-zone path, half hours included.
  for (const [location, offsetMin] of [
    ['UTC', 0],
    ['Asia/Kolkata', 330],
  ] as const) {
    test.prop([
      fc.integer({ min: Date.UTC(2000, 0, 1), max: Date.UTC(2099, 11, 31) }),
      fc.integer({ min: 0, max: 6 }),
      fc.integer({ min: 0, max: 6 }),
      fc.integer({ min: 0, max: 1439 }),
      fc.integer({ min: 1, max: 1440 }),
      fc.integer({ min: 1, max: 12 }),
      fc.integer({ min: -31, max: 31 }).filter((d) => d !== 0),
    ])(`${location}: weekdays, times, months and days of month`, (t, d1, d2, start, len, month, day) => {
      const [a, b] = d1 <= d2 ? [d1, d2] : [d2, d1];
      const end = Math.min(1440, start + len);
      const interval = compileTimeIntervals('p', [
        {
          weekdays: [`${WEEKDAYS[a]}:${WEEKDAYS[b]}`],
          times: [{ startTime: hhmm(start), endTime: hhmm(end) }],
          months: [`${month}:12`],
          daysOfMonth: [day > 0 ? `${day}:31` : `${day}:-1`],
          location,
        },
      ]);
      const local = new Date(t + offsetMin * 60_000);
      const minute = local.getUTCHours() * 60 + local.getUTCMinutes();
      const daysInMonth = new Date(Date.UTC(local.getUTCFullYear(), local.getUTCMonth() + 1, 0)).getUTCDate();
      const from = day > 0 ? day : daysInMonth + day + 1;
      const expected =
        local.getUTCDay() >= a &&
        local.getUTCDay() <= b &&
        minute >= start &&
        minute < end &&
        local.getUTCMonth() + 1 >= month &&
        local.getUTCDate() >= from;
      expect(interval.contains(t)).toBe(expected);
    });
  }
});
