import { describeValue, normalizeLabels, type Labels } from '@obs/core';
import { SLOValidationError } from './errors';
import { BudgetingMethod } from './SLOStatus';

/** A calendar-aligned window: the current month or ISO week (Monday 00:00) in an IANA time zone. */
export interface CalendarWindow {
  readonly unit: 'month' | 'week';
  /** IANA zone, e.g. `'Europe/Berlin'`; boundaries follow its DST rules. Default `'UTC'`. */
  readonly timeZone: string;
}

/** What an SLO promises: `target` percent of events (or time slices) are good over the window. */
export interface SLODefinition {
  /** Stable id, `[A-Za-z0-9][A-Za-z0-9_.:-]{0,127}`. */
  readonly sloId: string;
  readonly name: string;
  /** Percentage in (0, 100), e.g. 99.9. */
  readonly target: number;
  /** Rolling window length in days; for calendar windows the nominal length (31 or 7). */
  readonly windowDays: number;
  /** Metric the SLI is derived from ('' when events are recorded directly). */
  readonly metricName: string;
  readonly description: string;
  readonly labels: Labels;
  /** `'occurrences'` (default) or `'timeslices'`. */
  readonly budgetingMethod?: BudgetingMethod;
  /** Timeslices only: a slice is good when its good percentage is >= this (0, 100]; default `target`. */
  readonly timeSliceTarget?: number;
  /** Timeslices only: slice length in ms (a whole number of seconds, at most a day); default the tracker's bucket. */
  readonly timeSliceWindowMs?: number;
  /** Calendar-aligned window instead of a rolling one. */
  readonly calendar?: CalendarWindow;
  /**
   * Label names to group by (as Sloth and Pyrra do): one budget, burn rate and
   * status per distinct combination of their values, plus the SLO as a whole.
   */
  readonly groupBy?: readonly string[];
}

/** Optional parts of a definition for {@link createSLODefinition}. */
export interface SLODefinitionExtra {
  readonly sloId?: string;
  readonly description?: string;
  readonly labels?: Record<string, string>;
  readonly budgetingMethod?: BudgetingMethod;
  readonly timeSliceTarget?: number;
  readonly timeSliceWindowMs?: number;
  readonly calendar?: { unit: 'month' | 'week'; timeZone?: string };
  /** Label names to track the SLO per value of, e.g. `['route']`. */
  readonly groupBy?: readonly string[];
}

const SLO_ID = /^[A-Za-z0-9][A-Za-z0-9_.:-]{0,127}$/;
const MAX_SLUG = 48;
const MAX_WINDOW_DAYS = 3660;
/** Most label names an SLO can be grouped by. */
export const MAX_GROUP_BY = 10;
const LABEL_NAME = /^[a-zA-Z_][a-zA-Z0-9_]*$/;

function normalizeGroupBy(value: unknown): readonly string[] | undefined {
  if (value === undefined) return undefined;
  if (!Array.isArray(value) || value.length > MAX_GROUP_BY) {
    throw new SLOValidationError(
      'INVALID_GROUP_BY',
      `groupBy must be an array of at most ${MAX_GROUP_BY} label names, got ${describeValue(value)}`,
    );
  }
  const seen = new Set<string>();
  for (const name of value as unknown[]) {
    if (typeof name !== 'string' || !LABEL_NAME.test(name) || name.startsWith('__') || name.length > 128) {
      throw new SLOValidationError('INVALID_GROUP_BY', `groupBy holds an invalid label name ${describeValue(name)}`);
    }
    if (seen.has(name)) throw new SLOValidationError('INVALID_GROUP_BY', `groupBy names ${JSON.stringify(name)} twice`);
    seen.add(name);
  }
  // An empty list groups nothing: the SLO is tracked as a whole.
  return seen.size === 0 ? undefined : Object.freeze([...seen]);
}

/**
 * Builds a validated, frozen SLO definition. The id is the slugified name
 * (`'API Availability'` -> `'api-availability'`), plus a short hash of the name
 * when the slug would be empty or had to be truncated; pass `extra.sloId` to choose it.
 *
 * @example
 * const slo = createSLODefinition('API Availability', 99.9, 30);
 * slo.sloId; // 'api-availability'
 */
export function createSLODefinition(
  name: string,
  target: number,
  windowDays?: number,
  metricName = '',
  extra: SLODefinitionExtra = {},
): SLODefinition {
  if (typeof extra !== 'object' || extra === null) {
    throw new SLOValidationError('INVALID_SLO', `extra must be an object, got ${describeValue(extra)}`);
  }
  const checkedName = requireName(name);
  const calendar = extra.calendar === undefined ? undefined : normalizeCalendar(extra.calendar);
  const days = windowDays ?? (calendar?.unit === 'week' ? 7 : calendar?.unit === 'month' ? 31 : 30);
  return normalizeSLODefinition({
    sloId: extra.sloId ?? sloIdFromName(checkedName),
    name: checkedName,
    target,
    windowDays: days,
    metricName,
    description: extra.description ?? '',
    labels: (extra.labels ?? {}) as Labels,
    budgetingMethod: extra.budgetingMethod,
    timeSliceTarget: extra.timeSliceTarget,
    timeSliceWindowMs: extra.timeSliceWindowMs,
    calendar,
    groupBy: extra.groupBy,
  });
}

/** A readable, stable id for a name: its slug, with a short hash when the slug alone is empty or truncated. */
export function sloIdFromName(name: string): string {
  const slug = name
    .normalize('NFKD')
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-+|-+$/g, '');
  if (slug.length > 0 && slug.length <= MAX_SLUG) return slug;
  const hash = fnv1a(name).toString(36).padStart(7, '0');
  const head = slug.slice(0, MAX_SLUG).replace(/-+$/, '');
  return head ? `${head}-${hash}` : `slo-${hash}`;
}

function fnv1a(text: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    h ^= text.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return h >>> 0;
}

function requireName(name: unknown): string {
  if (typeof name !== 'string' || name.trim().length === 0 || name.length > 256) {
    throw new SLOValidationError(
      'INVALID_SLO_NAME',
      `SLO name must be a non-empty string of at most 256 characters, got ${describeValue(name)}`,
    );
  }
  return name;
}

/** Whether `value` is a percentage strictly inside (0, 100). */
function isTarget(value: unknown): value is number {
  return typeof value === 'number' && Number.isFinite(value) && value > 0 && value < 100;
}

function normalizeCalendar(value: unknown): CalendarWindow {
  if (typeof value !== 'object' || value === null) {
    throw new SLOValidationError('INVALID_CALENDAR', `calendar must be {unit, timeZone}, got ${describeValue(value)}`);
  }
  const { unit, timeZone = 'UTC' } = value as { unit?: unknown; timeZone?: unknown };
  if (unit !== 'month' && unit !== 'week') {
    throw new SLOValidationError(
      'INVALID_CALENDAR',
      `calendar.unit must be 'month' or 'week', got ${describeValue(unit)}`,
    );
  }
  if (typeof timeZone !== 'string' || timeZone.length === 0 || timeZone.length > 64) {
    throw new SLOValidationError(
      'INVALID_TIME_ZONE',
      `calendar.timeZone must be an IANA zone name, got ${describeValue(timeZone)}`,
    );
  }
  let resolved: string;
  try {
    resolved = new Intl.DateTimeFormat('en-US', { timeZone }).resolvedOptions().timeZone;
  } catch {
    throw new SLOValidationError('INVALID_TIME_ZONE', `unknown time zone ${describeValue(timeZone)}`);
  }
  return Object.freeze({ unit, timeZone: resolved });
}

/**
 * Validates any definition-shaped value (from `createSLODefinition`, a literal,
 * a snapshot or OpenSLO) and returns a frozen copy with defaults filled in.
 * Throws {@link SLOValidationError} naming the first bad field.
 */
export function normalizeSLODefinition(value: unknown): SLODefinition {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new SLOValidationError('INVALID_SLO', `an SLO definition must be an object, got ${describeValue(value)}`);
  }
  const v = value as Record<string, unknown>;
  const sloId = v['sloId'];
  if (typeof sloId !== 'string' || !SLO_ID.test(sloId)) {
    throw new SLOValidationError('INVALID_SLO_ID', `sloId must match ${SLO_ID.source}, got ${describeValue(sloId)}`);
  }
  const name = requireName(v['name']);
  const target = v['target'];
  if (!isTarget(target)) {
    throw new SLOValidationError(
      'INVALID_TARGET',
      `target must be a percentage strictly between 0 and 100, got ${describeValue(target)}`,
    );
  }
  const windowDays = v['windowDays'];
  if (
    typeof windowDays !== 'number' ||
    !Number.isFinite(windowDays) ||
    windowDays <= 0 ||
    windowDays > MAX_WINDOW_DAYS
  ) {
    throw new SLOValidationError(
      'INVALID_WINDOW',
      `windowDays must be a positive number of days (at most ${MAX_WINDOW_DAYS}), got ${describeValue(windowDays)}`,
    );
  }
  const metricName = v['metricName'] ?? '';
  if (typeof metricName !== 'string' || metricName.length > 256) {
    throw new SLOValidationError(
      'INVALID_METRIC_NAME',
      `metricName must be a string of at most 256 characters, got ${describeValue(metricName)}`,
    );
  }
  const description = v['description'] ?? '';
  if (typeof description !== 'string' || description.length > 4096) {
    throw new SLOValidationError(
      'INVALID_DESCRIPTION',
      `description must be a string of at most 4096 characters, got ${describeValue(description)}`,
    );
  }
  const labels = normalizeLabels(v['labels']);
  const method = v['budgetingMethod'] ?? BudgetingMethod.OCCURRENCES;
  if (method !== BudgetingMethod.OCCURRENCES && method !== BudgetingMethod.TIMESLICES) {
    throw new SLOValidationError(
      'INVALID_BUDGETING_METHOD',
      `budgetingMethod must be 'occurrences' or 'timeslices', got ${describeValue(method)}`,
    );
  }
  const out: {
    -readonly [K in keyof SLODefinition]: SLODefinition[K];
  } = { sloId, name, target, windowDays, metricName, description, labels, budgetingMethod: method };
  if (method === BudgetingMethod.TIMESLICES) {
    const sliceTarget = v['timeSliceTarget'] ?? target;
    if (typeof sliceTarget !== 'number' || !Number.isFinite(sliceTarget) || sliceTarget <= 0 || sliceTarget > 100) {
      throw new SLOValidationError(
        'INVALID_TIMESLICE_TARGET',
        `timeSliceTarget must be a percentage in (0, 100], got ${describeValue(sliceTarget)}`,
      );
    }
    out.timeSliceTarget = sliceTarget;
    const sliceMs = v['timeSliceWindowMs'];
    if (sliceMs !== undefined) {
      if (
        typeof sliceMs !== 'number' ||
        !Number.isInteger(sliceMs) ||
        sliceMs < 1000 ||
        sliceMs > 86_400_000 ||
        sliceMs % 1000 !== 0
      ) {
        throw new SLOValidationError(
          'INVALID_TIMESLICE_WINDOW',
          `timeSliceWindowMs must be whole seconds between 1 s and 1 day, got ${describeValue(sliceMs)}`,
        );
      }
      out.timeSliceWindowMs = sliceMs;
    }
  } else if (v['timeSliceTarget'] !== undefined || v['timeSliceWindowMs'] !== undefined) {
    throw new SLOValidationError(
      'INVALID_TIMESLICE_TARGET',
      'timeSliceTarget and timeSliceWindowMs apply only to the timeslices budgeting method',
    );
  }
  if (v['calendar'] !== undefined) out.calendar = normalizeCalendar(v['calendar']);
  const groupBy = normalizeGroupBy(v['groupBy']);
  if (groupBy !== undefined) out.groupBy = groupBy;
  return Object.freeze(out);
}

/** A plain JSON-safe copy of a definition (labels as an ordinary object). */
export function definitionToJSON(slo: SLODefinition): Record<string, unknown> {
  const out: Record<string, unknown> = {
    sloId: slo.sloId,
    name: slo.name,
    target: slo.target,
    windowDays: slo.windowDays,
    metricName: slo.metricName,
    description: slo.description,
    labels: { ...slo.labels },
    budgetingMethod: slo.budgetingMethod ?? BudgetingMethod.OCCURRENCES,
  };
  if (slo.timeSliceTarget !== undefined) out['timeSliceTarget'] = slo.timeSliceTarget;
  if (slo.timeSliceWindowMs !== undefined) out['timeSliceWindowMs'] = slo.timeSliceWindowMs;
  if (slo.calendar !== undefined) out['calendar'] = { unit: slo.calendar.unit, timeZone: slo.calendar.timeZone };
  if (slo.groupBy !== undefined) out['groupBy'] = [...slo.groupBy];
  return out;
}
