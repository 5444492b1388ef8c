import { describeValue } from '@obs/core';
import { createAlert, normalizeAlertInit, type Alert, type NormalizedInit } from './Alert';
import { AlertState } from './AlertSeverity';
import { AlertValidationError } from './errors';
import type { Matcher } from './matchers';

/** One active alert in a snapshot, with the rule state needed to continue `for`/`keepFiringFor`. */
export interface ActiveAlertSnapshot {
  readonly alert: Alert;
  /** The rule that owns it (re-attached when a rule of that name is registered). */
  readonly rule?: string;
  readonly lastSeenAt: number;
}

export interface SilenceSnapshot {
  readonly id: string;
  readonly matchers: readonly Matcher[];
  readonly startsAt: number;
  readonly endsAt: number;
  readonly createdBy: string;
  readonly comment: string;
}

/** JSON-serializable state of an AlertManager: active alerts, resolved history and silences. */
export interface AlertManagerSnapshot {
  readonly version: 1;
  readonly takenAt: number;
  readonly alerts: readonly ActiveAlertSnapshot[];
  readonly history: readonly Alert[];
  readonly silences: readonly SilenceSnapshot[];
}

export interface ParsedSnapshot<S> {
  alerts: { init: NormalizedInit; alert: Alert; rule: string | undefined; lastSeenAt: number }[];
  history: Alert[];
  silences: S[];
}

function fail(message: string, cause?: unknown): never {
  throw new AlertValidationError(
    'INVALID_SNAPSHOT',
    `invalid alerts snapshot: ${message}`,
    cause === undefined ? undefined : { cause },
  );
}

function array(value: unknown, what: string, max: number): unknown[] {
  if (!Array.isArray(value)) fail(`${what} must be an array, got ${describeValue(value)}`);
  if (value.length > max) fail(`${what} has ${value.length} entries, more than the limit ${max}`);
  return value;
}

function object(value: unknown, what: string): Record<string, unknown> {
  if (value === null || typeof value !== 'object' || Array.isArray(value))
    fail(`${what} must be an object, got ${describeValue(value)}`);
  return value as Record<string, unknown>;
}

function time(value: unknown, what: string): number {
  if (typeof value !== 'number' || !Number.isFinite(value))
    fail(`${what} must be epoch milliseconds, got ${describeValue(value)}`);
  return value;
}

/** Validates a snapshot completely (throws {@link AlertValidationError} code INVALID_SNAPSHOT) without touching any state. */
export function parseSnapshot<S>(
  input: unknown,
  opts: { maxActive: number; maxHistory: number; maxSilences: number; parseSilence: (raw: unknown, id: string) => S },
): ParsedSnapshot<S> {
  const root = object(input, 'snapshot');
  if (root['version'] !== 1) fail(`unsupported version ${describeValue(root['version'])}`);
  const fingerprints = new Set<string>();
  const ids = new Set<string>();
  const alerts = array(root['alerts'], 'alerts', opts.maxActive).map((raw, i) => {
    const entry = object(raw, `alerts[${i}]`);
    const a = object(entry['alert'], `alerts[${i}].alert`);
    let init: NormalizedInit;
    let alert: Alert;
    try {
      init = normalizeAlertInit(a);
      alert = createAlert(a as never);
    } catch (error) {
      fail(`alerts[${i}]: ${(error as Error).message}`, error);
    }
    if (alert.state === AlertState.RESOLVED)
      fail(`alerts[${i}] is resolved; active alerts must be pending, firing or suppressed`);
    time(a['startedAt'], `alerts[${i}].alert.startedAt`);
    if (fingerprints.has(init.fingerprint)) fail(`alerts[${i}] duplicates another alert's name and labels`);
    if (ids.has(alert.alertId)) fail(`alerts[${i}] duplicates alertId ${alert.alertId}`);
    fingerprints.add(init.fingerprint);
    ids.add(alert.alertId);
    const rule = entry['rule'];
    if (rule !== undefined && (typeof rule !== 'string' || rule.length === 0 || rule.length > 256))
      fail(`alerts[${i}].rule must be a rule name`);
    return {
      init,
      alert,
      rule: rule as string | undefined,
      lastSeenAt: time(entry['lastSeenAt'], `alerts[${i}].lastSeenAt`),
    };
  });
  const history = array(root['history'], 'history', opts.maxHistory).map((raw, i) => {
    const a = object(raw, `history[${i}]`);
    if (a['state'] !== AlertState.RESOLVED) fail(`history[${i}] must have state resolved`);
    time(a['resolvedAt'], `history[${i}].resolvedAt`);
    try {
      return createAlert(a as never);
    } catch (error) {
      fail(`history[${i}]: ${(error as Error).message}`, error);
    }
  });
  const silenceIds = new Set<string>();
  const silences = array(root['silences'], 'silences', opts.maxSilences).map((raw, i) => {
    const s = object(raw, `silences[${i}]`);
    const id = s['id'];
    if (typeof id !== 'string' || id.length === 0 || id.length > 256 || silenceIds.has(id))
      fail(`silences[${i}].id must be a unique non-empty string`);
    silenceIds.add(id);
    try {
      return opts.parseSilence(s, id);
    } catch (error) {
      fail(`silences[${i}]: ${(error as Error).message}`, error);
    }
  });
  return { alerts, history, silences };
}
