import { fc, test } from '@fast-check/vitest';
import { describe, expect, it } from 'vitest';
import { calendarAnchor, calendarPeriod, localDate, localMidnight } from './calendar';

describe('calendar periods', () => {
  it('finds month and week boundaries across DST', () => {
    expect(calendarPeriod('month', 'Europe/Berlin', Date.UTC(2026, 2, 29, 12))).toEqual({
      start: Date.UTC(2026, 1, 28, 23),
      end: Date.UTC(2026, 2, 31, 22),
    });
    expect(calendarPeriod('week', 'Europe/Berlin', Date.UTC(2026, 2, 29, 12))).toEqual({
      start: Date.UTC(2026, 2, 22, 23),
      end: Date.UTC(2026, 2, 29, 22),
    });
    expect(calendarPeriod('month', 'Asia/Kolkata', Date.UTC(2026, 0, 1))).toEqual({
      start: Date.UTC(2025, 11, 31, 18, 30),
      end: Date.UTC(2026, 0, 31, 18, 30),
    });
  });

  it('uses the first instant of a day whose midnight does not exist', () => {
    // Santiago springs forward at 00:00 -> 01:00 on 2026-09-06
    expect(localMidnight(2026, 9, 6, 'America/Santiago')).toBe(Date.UTC(2026, 8, 6, 4));
  });

  test.prop([
    fc.integer({ min: Date.UTC(1990, 0, 1), max: Date.UTC(2060, 0, 1) }),
    fc.constantFrom(
      'UTC',
      'Europe/Berlin',
      'America/New_York',
      'Australia/Lord_Howe',
      'Asia/Kathmandu',
      'America/Santiago',
      'Pacific/Apia',
    ),
  ])('a period contains its instant, starts on day 1 / a Monday, and the next starts where it ends', (t, zone) => {
    for (const unit of ['month', 'week'] as const) {
      const p = calendarPeriod(unit, zone, t);
      expect(p.start).toBeLessThanOrEqual(t);
      expect(p.end).toBeGreaterThan(t);
      const first = localDate(p.start, zone);
      const before = localDate(p.start - 1, zone);
      if (unit === 'month') expect(first.d).toBe(1);
      else expect(new Date(Date.UTC(first.y, first.m - 1, first.d)).getUTCDay()).toBe(1);
      expect([before.y, before.m, before.d]).not.toEqual([first.y, first.m, first.d]);
      expect(calendarPeriod(unit, zone, p.end).start).toBe(p.end);
    }
  });

  it('caches the period in the bucket anchor', () => {
    const anchor = calendarAnchor('month', 'UTC', 60_000);
    const b = Math.floor(Date.UTC(2026, 4, 17) / 60_000);
    expect(anchor(b)).toBe(Date.UTC(2026, 4, 1) / 60_000);
    expect(anchor(b + 1)).toBe(Date.UTC(2026, 4, 1) / 60_000);
    expect(anchor(Date.UTC(2026, 5, 1) / 60_000)).toBe(Date.UTC(2026, 5, 1) / 60_000);
    expect(anchor(b)).toBe(Date.UTC(2026, 4, 1) / 60_000);
  });
});
