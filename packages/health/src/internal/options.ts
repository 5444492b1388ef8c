import { describeValue, optionalNumber, type Clock, type InvalidOption, type NumberRange } from '@obs/core';
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

/** Option errors of this package: `HealthValidationError` with code `'INVALID_OPTION'`. */
export const invalidHealthOption: InvalidOption = (message) => new HealthValidationError('INVALID_OPTION', message);

/** A timer delay in ms that setTimeout honours (0 allowed). */
export const DELAY_MS: NumberRange = { min: 0, max: MAX_TIMER_MS };
/** A timeout in ms that setTimeout honours (at least 1). */
export const TIMEOUT_MS: NumberRange = { min: 1, max: MAX_TIMER_MS };

/** A failure/success threshold: consecutive results, 1 to 1000. */
export function optionalThreshold(value: unknown, what: string, fallback: number): number {
  return optionalNumber(value, what, fallback, { min: 1, max: MAX_THRESHOLD, integer: true }, invalidHealthOption);
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
