import { describeValue, isValidLabelName, labelsKey, type Labels } from '@obs/core';
import { AlertValidationError } from './errors';

/**
 * Alertmanager-style grouping and timing, all durations in milliseconds.
 * - `groupBy`: label names (including `alertname` and `severity`) that form a group; `['...']`
 *   groups by every label, i.e. one group per alert; `[]` puts all alerts in one group.
 * - `groupWait`: how long a new group waits to collect more alerts before its first notification.
 * - `groupInterval`: the minimum time between notifications of one group about changes.
 * - `repeatInterval`: re-notify a group whose firing alerts did not change after this long; 0 = never.
 */
export interface RouteConfig {
  readonly groupBy?: readonly string[];
  readonly groupWait?: number;
  readonly groupInterval?: number;
  readonly repeatInterval?: number;
}

export interface ResolvedRoute {
  readonly groupBy: readonly string[] | 'all';
  readonly groupWait: number;
  readonly groupInterval: number;
  readonly repeatInterval: number;
}

/**
 * The route of a plain `createAlertManager()`: one group per alert, notify at once
 * (groupWait 0, groupInterval 0), no repeats, so handlers run synchronously inside
 * `fireAlert` / `evaluateRules`. Alertmanager's own defaults are 30 s / 5 min / 4 h.
 */
export const DEFAULT_ROUTE: Required<RouteConfig> = Object.freeze({
  groupBy: Object.freeze(['...']),
  groupWait: 0,
  groupInterval: 0,
  repeatInterval: 0,
});

const MAX_DURATION = 365 * 24 * 3600 * 1000;

function duration(value: unknown, what: string, fallback: number): number {
  if (value === undefined) return fallback;
  if (typeof value !== 'number' || !Number.isFinite(value) || value < 0 || value > MAX_DURATION) {
    throw new AlertValidationError('INVALID_ROUTE', `route.${what} must be milliseconds between 0 and one year, got ${describeValue(value)}`);
  }
  return value;
}

export function resolveRoute(input: unknown): ResolvedRoute {
  if (input === undefined) input = {};
  if (input === null || typeof input !== 'object' || Array.isArray(input)) {
    throw new AlertValidationError('INVALID_ROUTE', `route must be an object, got ${describeValue(input)}`);
  }
  const raw = input as Record<string, unknown>;
  const groupBy = raw['groupBy'] ?? DEFAULT_ROUTE.groupBy;
  if (!Array.isArray(groupBy) || groupBy.length > 64 || !groupBy.every((n) => typeof n === 'string' && (n === '...' || isValidLabelName(n)))) {
    throw new AlertValidationError('INVALID_ROUTE', `route.groupBy must be an array of label names or ['...'], got ${describeValue(groupBy)}`);
  }
  return {
    groupBy: groupBy.includes('...') ? 'all' : Object.freeze([...new Set(groupBy as string[])].sort()),
    groupWait: duration(raw['groupWait'], 'groupWait', DEFAULT_ROUTE.groupWait),
    groupInterval: duration(raw['groupInterval'], 'groupInterval', DEFAULT_ROUTE.groupInterval),
    repeatInterval: duration(raw['repeatInterval'], 'repeatInterval', DEFAULT_ROUTE.repeatInterval),
  };
}

/** The group an alert belongs to: its key and the labels that define it. */
export function groupOf(route: ResolvedRoute, matchLabels: Labels): { key: string; labels: Labels } {
  if (route.groupBy === 'all') return { key: labelsKey(matchLabels), labels: matchLabels };
  const labels = Object.create(null) as Record<string, string>;
  for (const name of route.groupBy) {
    const v = matchLabels[name];
    if (v !== undefined) labels[name] = v;
  }
  return { key: labelsKey(labels), labels: Object.freeze(labels) };
}
