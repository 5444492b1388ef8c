import { describeValue, normalizeLabels, systemClock, type Clock, type Labels } from '@obs/core';
import { AlertSeverity, AlertState, isAlertSeverity, isAlertState } from './AlertSeverity';
import { AlertValidationError } from './errors';
import { alertFingerprint } from './fingerprint';

/** An alert: what fired, how bad, since when, and where it is in its lifecycle. Immutable. */
export interface Alert {
  /** Caller-chosen id, or the fingerprint when none was given. */
  readonly alertId: string;
  /** Stable hash of name + labels: the identity used for deduplication. */
  readonly fingerprint: string;
  readonly name: string;
  readonly severity: AlertSeverity;
  readonly state: AlertState;
  readonly message: string;
  /** What raised it: a rule name, `'manual'`, or a component such as `'anomaly'`. */
  readonly source: string;
  /** Identifying labels (with `name` they make the fingerprint). */
  readonly labels: Labels;
  /** Non-identifying information; the latest firing wins. */
  readonly annotations: Labels;
  /** When the alert became active (pending or firing), epoch ms. */
  readonly startedAt: number;
  readonly resolvedAt?: number;
  /** When it entered FIRING (after `for`), epoch ms. */
  readonly firingSince?: number;
  /** The value that triggered it (latest evaluation). */
  readonly value: number;
  /** Why it is SUPPRESSED: `'suppression'`, `'silence:<id>'`, `'inhibition:<id>'`. */
  readonly suppressedBy?: readonly string[];
}

/** What a caller or rule supplies; everything but `name` has a default. An `Alert` is a valid init. */
export interface AlertInit {
  readonly alertId?: string;
  readonly name: string;
  readonly severity?: AlertSeverity;
  readonly state?: AlertState;
  readonly message?: string;
  readonly source?: string;
  readonly labels?: Readonly<Record<string, string>>;
  readonly annotations?: Readonly<Record<string, string>>;
  readonly startedAt?: number;
  readonly resolvedAt?: number;
  readonly firingSince?: number;
  readonly value?: number;
}

export const MAX_NAME_LENGTH = 256;
export const MAX_TEXT_LENGTH = 4096;

/** A validated init with defaults applied (internal). */
/** Default longest alert label value, characters (2 KiB of text, as the metrics' label limit); longer ones are truncated. */
export const DEFAULT_MAX_ALERT_LABEL_VALUE_LENGTH = 2048;

export interface NormalizedInit {
  /** Label values that were longer than the limit and truncated (counted by the manager). */
  readonly truncatedLabelValues: number;
  readonly alertId: string | undefined;
  readonly name: string;
  readonly severity: AlertSeverity;
  readonly message: string;
  readonly source: string;
  readonly labels: Labels;
  readonly annotations: Labels;
  readonly value: number;
  readonly startedAt: number | undefined;
  readonly state: AlertState | undefined;
  readonly fingerprint: string;
}

function text(value: unknown, what: string, fallback: string, max: number): string {
  if (value === undefined) return fallback;
  if (typeof value !== 'string' || value.length > max) {
    throw new AlertValidationError(
      'INVALID_ALERT',
      `${what} must be a string of at most ${max} characters, got ${describeValue(value)}`,
    );
  }
  return value;
}

function annotations(value: unknown): Labels {
  const out = normalizeLabels(value);
  for (const key of Object.keys(out)) {
    if ((out[key] as string).length > MAX_TEXT_LENGTH) {
      throw new AlertValidationError('INVALID_ALERT', `annotation ${key} is longer than ${MAX_TEXT_LENGTH} characters`);
    }
  }
  return out;
}

/** Validates an init (throws {@link AlertValidationError}) and applies defaults. */
export function normalizeAlertInit(
  init: unknown,
  defaults: {
    source?: string;
    severity?: AlertSeverity;
    labels?: Labels;
    annotations?: Labels;
    maxLabelValueLength?: number;
  } = {},
): NormalizedInit {
  if (init === null || typeof init !== 'object' || Array.isArray(init)) {
    throw new AlertValidationError(
      'INVALID_ALERT',
      `an alert must be an object with a name, got ${describeValue(init)}`,
    );
  }
  const raw = init as Record<string, unknown>;
  const name = raw['name'];
  if (typeof name !== 'string' || name.length === 0 || name.length > MAX_NAME_LENGTH) {
    throw new AlertValidationError(
      'INVALID_ALERT',
      `alert name must be a non-empty string of at most ${MAX_NAME_LENGTH} characters, got ${describeValue(name)}`,
    );
  }
  const alertId = raw['alertId'] === undefined ? undefined : text(raw['alertId'], 'alertId', '', MAX_NAME_LENGTH);
  if (alertId === '') throw new AlertValidationError('INVALID_ALERT', 'alertId must not be empty');
  const severity = raw['severity'] ?? defaults.severity ?? AlertSeverity.WARNING;
  if (!isAlertSeverity(severity)) {
    throw new AlertValidationError(
      'INVALID_ALERT',
      `severity must be one of info, warning, error, critical, got ${describeValue(severity)}`,
    );
  }
  const state = raw['state'];
  if (state !== undefined && !isAlertState(state)) {
    throw new AlertValidationError(
      'INVALID_ALERT',
      `state must be one of pending, firing, resolved, suppressed, got ${describeValue(state)}`,
    );
  }
  const value = raw['value'] ?? 0;
  if (typeof value !== 'number' || !Number.isFinite(value)) {
    throw new AlertValidationError('INVALID_ALERT', `alert value must be a finite number, got ${describeValue(value)}`);
  }
  const startedAt = raw['startedAt'];
  if (startedAt !== undefined && (typeof startedAt !== 'number' || !Number.isFinite(startedAt))) {
    throw new AlertValidationError(
      'INVALID_ALERT',
      `startedAt must be epoch milliseconds, got ${describeValue(startedAt)}`,
    );
  }
  let labels: Labels;
  let notes: Labels;
  try {
    labels = normalizeLabels(
      defaults.labels ? { ...defaults.labels, ...(raw['labels'] as object | undefined) } : raw['labels'],
    );
    notes = annotations(
      defaults.annotations
        ? { ...defaults.annotations, ...(raw['annotations'] as object | undefined) }
        : raw['annotations'],
    );
  } catch (error) {
    if (error instanceof AlertValidationError) throw error;
    throw new AlertValidationError('INVALID_ALERT', `invalid alert ${name}: ${(error as Error).message}`, {
      cause: error,
    });
  }
  // A label value past the limit is truncated (before the fingerprint, so it is the identity) and counted.
  const maxValue = defaults.maxLabelValueLength ?? DEFAULT_MAX_ALERT_LABEL_VALUE_LENGTH;
  let truncatedLabelValues = 0;
  if (Object.keys(labels).some((key) => (labels[key] as string).length > maxValue)) {
    // Labels are frozen: build the truncated set and normalize it again.
    const copy = Object.create(null) as Record<string, string>;
    for (const key of Object.keys(labels)) {
      const v = labels[key] as string;
      if (v.length > maxValue) truncatedLabelValues++;
      copy[key] = v.length > maxValue ? v.slice(0, maxValue) : v;
    }
    labels = normalizeLabels(copy);
  }
  return {
    truncatedLabelValues,
    alertId,
    name,
    severity,
    message: text(raw['message'], 'message', '', MAX_TEXT_LENGTH),
    source: text(raw['source'], 'source', defaults.source ?? 'manual', MAX_NAME_LENGTH),
    labels,
    annotations: notes,
    value,
    startedAt,
    state,
    fingerprint: alertFingerprint(name, labels),
  };
}

/**
 * Builds a complete, frozen {@link Alert} from an init, filling defaults: severity WARNING,
 * state FIRING, empty message, source `'manual'`, no labels or annotations, value 0,
 * startedAt now (and firingSince = startedAt when firing), alertId = fingerprint.
 * Throws {@link AlertValidationError} on bad input.
 */
export function createAlert(init: AlertInit, clock: Clock = systemClock): Alert {
  const n = normalizeAlertInit(init);
  const raw = init as AlertInit;
  const startedAt = n.startedAt ?? clock.now();
  const state = n.state ?? AlertState.FIRING;
  const optionalTime = (v: unknown, what: string): number | undefined => {
    if (v === undefined) return undefined;
    if (typeof v !== 'number' || !Number.isFinite(v))
      throw new AlertValidationError('INVALID_ALERT', `${what} must be epoch milliseconds, got ${describeValue(v)}`);
    return v;
  };
  const firingSince =
    optionalTime(raw.firingSince, 'firingSince') ?? (state === AlertState.FIRING ? startedAt : undefined);
  const resolvedAt =
    optionalTime(raw.resolvedAt, 'resolvedAt') ?? (state === AlertState.RESOLVED ? clock.now() : undefined);
  const alert: Alert = {
    alertId: n.alertId ?? n.fingerprint,
    fingerprint: n.fingerprint,
    name: n.name,
    severity: n.severity,
    state,
    message: n.message,
    source: n.source,
    labels: n.labels,
    annotations: n.annotations,
    startedAt,
    value: n.value,
    ...(firingSince !== undefined ? { firingSince } : {}),
    ...(resolvedAt !== undefined ? { resolvedAt } : {}),
  };
  return Object.freeze(alert);
}
