/**
 * Calendar period boundaries (month, ISO week) in an IANA time zone, through
 * Intl only. Local midnight is found by a binary search for the first instant
 * whose local date is the wanted day, which stays correct across DST changes,
 * including zones that skip or repeat midnight itself.
 */
export interface Period {
  readonly start: number;
  readonly end: number;
}

const formatters = new Map<string, Intl.DateTimeFormat>();
const MAX_FORMATTERS = 128;

function formatterFor(timeZone: string): Intl.DateTimeFormat {
  let f = formatters.get(timeZone);
  if (!f) {
    if (formatters.size >= MAX_FORMATTERS) formatters.clear();
    f = new Intl.DateTimeFormat('en-US', { timeZone, year: 'numeric', month: 'numeric', day: 'numeric', era: 'short' });
    formatters.set(timeZone, f);
  }
  return f;
}

/** The local calendar date of instant `t` in `timeZone`. */
export function localDate(t: number, timeZone: string): { y: number; m: number; d: number } {
  let y = 0;
  let m = 0;
  let d = 0;
  let bc = false;
  for (const part of formatterFor(timeZone).formatToParts(t)) {
    if (part.type === 'year') y = Number(part.value);
    else if (part.type === 'month') m = Number(part.value);
    else if (part.type === 'day') d = Number(part.value);
    else if (part.type === 'era') bc = part.value === 'BC' || part.value === 'B';
  }
  return { y: bc ? 1 - y : y, m, d };
}

function dateKey(y: number, m: number, d: number): number {
  return y * 10_000 + m * 100 + d;
}

/** The first instant of local day `y-m-d` in `timeZone` (month and day may overflow, as in Date.UTC). */
export function localMidnight(y: number, m: number, d: number, timeZone: string): number {
  const utc = new Date(Date.UTC(2000, 0, 1));
  utc.setUTCFullYear(y, m - 1, d);
  const wanted = dateKey(utc.getUTCFullYear(), utc.getUTCMonth() + 1, utc.getUTCDate());
  // Zone offsets lie within -12h..+14h; DST moves them by at most a few hours.
  let lo = utc.getTime() - 30 * 3_600_000;
  let hi = utc.getTime() + 30 * 3_600_000;
  while (hi - lo > 1) {
    const mid = Math.floor((lo + hi) / 2);
    const ld = localDate(mid, timeZone);
    if (dateKey(ld.y, ld.m, ld.d) >= wanted) hi = mid;
    else lo = mid;
  }
  return hi;
}

/** The calendar month or ISO week (from Monday 00:00) containing instant `t`, in `timeZone`. */
export function calendarPeriod(unit: 'month' | 'week', timeZone: string, t: number): Period {
  const { y, m, d } = localDate(t, timeZone);
  if (unit === 'month') {
    return { start: localMidnight(y, m, 1, timeZone), end: localMidnight(y, m + 1, 1, timeZone) };
  }
  const probe = new Date(Date.UTC(2000, 0, 1));
  probe.setUTCFullYear(y, m - 1, d);
  const sinceMonday = (probe.getUTCDay() + 6) % 7;
  return {
    start: localMidnight(y, m, d - sinceMonday, timeZone),
    end: localMidnight(y, m, d - sinceMonday + 7, timeZone),
  };
}

/**
 * A cached `bucket -> first bucket of its period` function for a window: Intl
 * is consulted only when a bucket falls outside the last period seen.
 */
export function calendarAnchor(unit: 'month' | 'week', timeZone: string, bucketMs: number): (bucket: number) => number {
  let startBucket = 0;
  let endBucket = -Infinity;
  let firstBucket = Infinity;
  return (bucket: number) => {
    if (bucket < firstBucket || bucket >= endBucket) {
      const period = calendarPeriod(unit, timeZone, bucket * bucketMs);
      startBucket = Math.floor(period.start / bucketMs);
      firstBucket = startBucket;
      endBucket = Math.floor(period.end / bucketMs);
      if (endBucket <= bucket) endBucket = bucket + 1;
    }
    return startBucket;
  };
}
