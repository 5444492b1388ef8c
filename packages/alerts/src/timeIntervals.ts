import { describeValue } from '@obs/core';
import { AlertValidationError } from './errors';

/**
 * One Alertmanager time interval: every field given must match (an absent field matches
 * always). Ranges are inclusive (`'monday:friday'`, `'1:5'`, `'january:march'`,
 * `'2026:2027'`); a negative day of month counts from the end (`'-1'` = the last day).
 * `times` are `HH:MM` in 24-hour form, start inclusive, end exclusive (`'24:00'` allowed).
 * `location` is an IANA time zone (default `'UTC'`), e.g. `'Europe/Berlin'`.
 *
 * @example weekday business hours in Berlin
 * { weekdays: ['monday:friday'], times: [{ startTime: '09:00', endTime: '17:00' }], location: 'Europe/Berlin' }
 */
export interface TimeInterval {
  readonly times?: readonly { readonly startTime: string; readonly endTime: string }[];
  readonly weekdays?: readonly string[];
  readonly daysOfMonth?: readonly string[];
  readonly months?: readonly string[];
  readonly years?: readonly string[];
  readonly location?: string;
}

type Range = readonly [number, number];

interface CompiledInterval {
  readonly times: readonly Range[] | undefined;
  readonly weekdays: readonly Range[] | undefined;
  readonly daysOfMonth: readonly Range[] | undefined;
  readonly months: readonly Range[] | undefined;
  readonly years: readonly Range[] | undefined;
  readonly format: Intl.DateTimeFormat;
}

/** A named set of intervals: matches when any of them matches. */
export interface CompiledTimeIntervals {
  readonly name: string;
  contains(epochMs: number): boolean;
}

const WEEKDAYS = ['sunday', 'monday', 'tuesday', 'wednesday', 'thursday', 'friday', 'saturday'];
const MONTHS = [
  'january',
  'february',
  'march',
  'april',
  'may',
  'june',
  'july',
  'august',
  'september',
  'october',
  'november',
  'december',
];
const SHORT_WEEKDAY: Record<string, number> = { Sun: 0, Mon: 1, Tue: 2, Wed: 3, Thu: 4, Fri: 5, Sat: 6 };
const MAX_ENTRIES = 64;

function fail(what: string, value: unknown): never {
  throw new AlertValidationError('INVALID_TIME_INTERVAL', `${what} is invalid: ${describeValue(value)}`);
}

function list(value: unknown, what: string): unknown[] | undefined {
  if (value === undefined) return undefined;
  if (!Array.isArray(value) || value.length === 0 || value.length > MAX_ENTRIES)
    fail(`${what} (a non-empty array of at most ${MAX_ENTRIES})`, value);
  return value;
}

function ranges(
  value: unknown,
  what: string,
  parse: (part: string) => number,
  min: number,
  max: number,
): Range[] | undefined {
  const items = list(value, what);
  if (!items) return undefined;
  return items.map((item) => {
    if (typeof item !== 'string' || item.length > 64) fail(what, item);
    const parts = item.toLowerCase().split(':');
    if (parts.length > 2) fail(what, item);
    const start = parse(parts[0]!.trim());
    const end = parts.length === 2 ? parse(parts[1]!.trim()) : start;
    if (!(start >= min && start <= max && end >= min && end <= max)) fail(what, item);
    return [start, end] as const;
  });
}

function namedOrNumber(names: readonly string[], offset: number): (part: string) => number {
  return (part) => {
    const i = names.indexOf(part);
    if (i >= 0) return i + offset;
    return /^-?\d+$/.test(part) ? Number(part) : NaN;
  };
}

function minutes(text: unknown, what: string): number {
  if (typeof text !== 'string') fail(what, text);
  const m = /^(\d{2}):(\d{2})$/.exec(text);
  if (!m) fail(`${what} (HH:MM)`, text);
  const h = Number(m[1]);
  const min = Number(m[2]);
  if (h > 24 || min > 59 || (h === 24 && min !== 0)) fail(`${what} (HH:MM)`, text);
  return h * 60 + min;
}

const formats = new Map<string, Intl.DateTimeFormat>();
function formatFor(location: string): Intl.DateTimeFormat {
  let f = formats.get(location);
  if (!f) {
    f = new Intl.DateTimeFormat('en-US', {
      timeZone: location,
      hourCycle: 'h23',
      year: 'numeric',
      month: 'numeric',
      day: 'numeric',
      hour: 'numeric',
      minute: 'numeric',
      weekday: 'short',
    });
    if (formats.size < 256) formats.set(location, f);
  }
  return f;
}

function compileInterval(input: unknown, what: string): CompiledInterval {
  if (input === null || typeof input !== 'object' || Array.isArray(input)) fail(what, input);
  const raw = input as Record<string, unknown>;
  for (const key of Object.keys(raw)) {
    if (!['times', 'weekdays', 'daysOfMonth', 'months', 'years', 'location'].includes(key))
      fail(`${what}: unknown field ${key}`, key);
  }
  const location = raw['location'] ?? 'UTC';
  let format: Intl.DateTimeFormat;
  try {
    if (typeof location !== 'string' || location.length > 64) throw new RangeError('not a string');
    format = formatFor(location);
  } catch {
    fail(`${what}.location (an IANA time zone)`, location);
  }
  const times = list(raw['times'], `${what}.times`)?.map((t, i): Range => {
    if (t === null || typeof t !== 'object') fail(`${what}.times[${i}]`, t);
    const { startTime, endTime } = t as Record<string, unknown>;
    const start = minutes(startTime, `${what}.times[${i}].startTime`);
    const end = minutes(endTime, `${what}.times[${i}].endTime`);
    if (end <= start) fail(`${what}.times[${i}] (endTime must be after startTime)`, t);
    return [start, end];
  });
  const daysOfMonth = ranges(raw['daysOfMonth'], `${what}.daysOfMonth`, namedOrNumber([], 0), -31, 31);
  for (const [a, b] of daysOfMonth ?? []) {
    if (a === 0 || b === 0 || (Math.sign(a) === Math.sign(b) && a > b)) fail(`${what}.daysOfMonth`, `${a}:${b}`);
  }
  const weekdays = ranges(raw['weekdays'], `${what}.weekdays`, namedOrNumber(WEEKDAYS, 0), 0, 6);
  const months = ranges(raw['months'], `${what}.months`, namedOrNumber(MONTHS, 1), 1, 12);
  const years = ranges(raw['years'], `${what}.years`, namedOrNumber([], 0), 1, 9999);
  for (const [name, rs] of [
    ['weekdays', weekdays],
    ['months', months],
    ['years', years],
  ] as const) {
    for (const [a, b] of rs ?? []) if (a > b) fail(`${what}.${name} (start after end)`, `${a}:${b}`);
  }
  return { times, weekdays, daysOfMonth, months, years, format };
}

function inRanges(value: number, rs: readonly Range[] | undefined): boolean {
  if (!rs) return true;
  for (const [a, b] of rs) if (value >= a && value <= b) return true;
  return false;
}

function matches(interval: CompiledInterval, epochMs: number): boolean {
  const parts: Record<string, string> = {};
  for (const p of interval.format.formatToParts(new Date(epochMs))) parts[p.type] = p.value;
  const year = Number(parts['year']);
  const month = Number(parts['month']);
  const day = Number(parts['day']);
  const minuteOfDay = Number(parts['hour']) * 60 + Number(parts['minute']);
  if (!inRanges(year, interval.years) || !inRanges(month, interval.months)) return false;
  if (!inRanges(SHORT_WEEKDAY[parts['weekday'] ?? ''] ?? -1, interval.weekdays)) return false;
  if (interval.daysOfMonth) {
    const daysInMonth = new Date(Date.UTC(year, month, 0)).getUTCDate();
    const ok = interval.daysOfMonth.some(([a, b]) => {
      const from = a < 0 ? daysInMonth + a + 1 : a;
      const to = b < 0 ? daysInMonth + b + 1 : b;
      return day >= from && day <= Math.min(to, daysInMonth);
    });
    if (!ok) return false;
  }
  if (interval.times && !interval.times.some(([a, b]) => minuteOfDay >= a && minuteOfDay < b)) return false;
  return true;
}

/** Validates a named list of intervals (throws `AlertValidationError` INVALID_TIME_INTERVAL). */
export function compileTimeIntervals(name: string, input: unknown): CompiledTimeIntervals {
  const items = list(input, `timeIntervals.${name}`) ?? fail(`timeIntervals.${name}`, input);
  const compiled = items.map((item, i) => compileInterval(item, `timeIntervals.${name}[${i}]`));
  return { name, contains: (epochMs) => compiled.some((c) => matches(c, epochMs)) };
}

/** The next minute boundary after `now`: interval membership can only change there. */
export function nextMinute(now: number): number {
  return Math.floor(now / 60_000) * 60_000 + 60_000;
}
