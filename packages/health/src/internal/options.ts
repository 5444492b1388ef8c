import { describeValue, type Clock } from '@obs/core';
import type { SchedulerLike } from 'rxjs';
import { HealthValidationError } from '../errors';
import { isPlainRecord } from '../HealthCheck';
import type { HealthJsonComponent } from '../healthJson';
import { requireName } from '../validateName';

/** setTimeout's upper bound; longer delays fire immediately in Node. */
export const MAX_TIMER_MS = 2_147_483_647;
/** Most groups a single check may belong to. */
export const MAX_GROUPS_PER_CHECK = 16;
const MAX_THRESHOLD = 1000;

/** Reads an optional number in [min, max] (and integer if asked), else the default. */
export function optionalNumber(
  value: unknown,
  what: string,
  fallback: number,
  min: number,
  max: number,
  integer = false,
): number {
  if (value === undefined) return fallback;
  if (
    typeof value !== 'number' ||
    !Number.isFinite(value) ||
    value < min ||
    value > max ||
    (integer && !Number.isInteger(value))
  ) {
    throw new HealthValidationError(
      'INVALID_OPTION',
      `${what} must be ${integer ? 'an integer' : 'a finite number'} from ${min} to ${max}, got ${describeValue(value)}`,
    );
  }
  return value;
}

export function optionalBoolean(value: unknown, what: string, fallback: boolean): boolean {
  if (value === undefined) return fallback;
  if (typeof value !== 'boolean')
    throw new HealthValidationError('INVALID_OPTION', `${what} must be a boolean, got ${describeValue(value)}`);
  return value;
}

export function optionalThreshold(value: unknown, what: string, fallback: number): number {
  return optionalNumber(value, what, fallback, 1, MAX_THRESHOLD, true);
}

export function optionalObject(value: unknown, what: string): Record<string, unknown> {
  if (value === undefined) return {};
  if (!isPlainRecord(value))
    throw new HealthValidationError('INVALID_OPTION', `${what} must be an object, got ${describeValue(value)}`);
  return value;
}

export function optionalClock(value: unknown): Clock | undefined {
  if (value === undefined) return undefined;
  if (typeof value !== 'object' || value === null || typeof (value as { now?: unknown }).now !== 'function') {
    throw new HealthValidationError('INVALID_OPTION', `clock must have a now() method, got ${describeValue(value)}`);
  }
  return value as Clock;
}

export function optionalScheduler(value: unknown): SchedulerLike | undefined {
  if (value === undefined) return undefined;
  if (
    typeof value !== 'object' ||
    value === null ||
    typeof (value as { schedule?: unknown }).schedule !== 'function' ||
    typeof (value as { now?: unknown }).now !== 'function'
  ) {
    throw new HealthValidationError(
      'INVALID_OPTION',
      `scheduler must be an RxJS SchedulerLike, got ${describeValue(value)}`,
    );
  }
  return value as SchedulerLike;
}

/** Validates and de-duplicates a check's groups. */
export function readGroups(value: unknown): readonly string[] {
  if (value === undefined) return [];
  if (!Array.isArray(value))
    throw new HealthValidationError('INVALID_OPTION', `groups must be an array of names, got ${describeValue(value)}`);
  if (value.length > MAX_GROUPS_PER_CHECK) {
    throw new HealthValidationError(
      'INVALID_OPTION',
      `a check may belong to at most ${MAX_GROUPS_PER_CHECK} groups, got ${value.length}`,
    );
  }
  return [...new Set(value.map((g: unknown) => requireName(g, 'group name')))];
}

/** Reads the health+json presentation options of a check. */
export function readComponent(options: Record<string, unknown>): HealthJsonComponent {
  const component: HealthJsonComponent = {};
  if (options['componentName'] !== undefined)
    component.componentName = requireName(options['componentName'], 'componentName');
  if (options['measurementName'] !== undefined)
    component.measurementName = requireName(options['measurementName'], 'measurementName');
  if (options['componentType'] !== undefined)
    component.componentType = requireLabel(options['componentType'], 'componentType');
  if (options['componentId'] !== undefined) component.componentId = requireLabel(options['componentId'], 'componentId');
  return component;
}

// componentType and componentId may be URIs, so colons are fine there.
const CONTROL = /[\u0000-\u001f\u007f]/;

function requireLabel(value: unknown, what: string): string {
  if (typeof value !== 'string' || value.length === 0 || value.length > 256 || CONTROL.test(value)) {
    throw new HealthValidationError(
      'INVALID_OPTION',
      `${what} must be a string of 1 to 256 characters without control characters, got ${describeValue(value)}`,
    );
  }
  return value;
}
