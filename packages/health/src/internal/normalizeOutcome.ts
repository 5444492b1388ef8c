import { describeValue } from '@obs/core';
import { isPlainRecord, type HealthDetails } from '../HealthCheck';
import { HealthStatus, isHealthStatus } from '../HealthStatus';

/** How a run ended, before thresholds: the check's own word, or why we could not take it. */
export type CheckOutcome = 'ok' | 'error' | 'timeout' | 'invalid';

export interface NormalizedResult {
  status: HealthStatus;
  message: string;
  details: HealthDetails;
  outcome: CheckOutcome;
  messageTruncated: boolean;
  detailsTruncated: boolean;
}

export interface OutputLimits {
  maxMessageLength: number;
  maxDetailsBytes: number;
}

const EXPECTED = 'expected a HealthCheck, a {status, message?, details?} object or a boolean';

/**
 * Turns whatever a check returned into a result. Never throws: a value we
 * cannot read (wrong type, unknown status, a throwing getter) is UNHEALTHY
 * with a message that says what was wrong.
 */
export function normalizeReturnValue(value: unknown, limits: OutputLimits): NormalizedResult {
  if (typeof value === 'boolean') {
    return finish(
      value ? HealthStatus.HEALTHY : HealthStatus.UNHEALTHY,
      value ? '' : 'check returned false',
      {},
      'ok',
      limits,
    );
  }
  if (!isPlainRecord(value)) return invalid(`check returned ${describeValue(value)}; ${EXPECTED}`, limits);
  let status: unknown;
  let message: unknown;
  let details: unknown;
  try {
    status = value.status;
    message = value.message;
    details = value.details;
  } catch (error) {
    return invalid(`reading the check's result threw: ${errorMessage(error)}`, limits);
  }
  if (!isHealthStatus(status)) {
    return invalid(
      `check returned status ${describeValue(status)}; expected one of ${Object.values(HealthStatus).join(', ')}`,
      limits,
    );
  }
  if (message !== undefined && typeof message !== 'string') {
    return invalid(`check returned message ${describeValue(message)}; expected a string`, limits);
  }
  if (details !== undefined && !isPlainRecord(details)) {
    return invalid(`check returned details ${describeValue(details)}; expected an object`, limits);
  }
  return finish(status, message ?? '', details ?? {}, 'ok', limits);
}

/** The result of a check that threw or rejected. */
export function errorResult(error: unknown, limits: OutputLimits): NormalizedResult {
  return finish(HealthStatus.UNHEALTHY, errorMessage(error), {}, 'error', limits);
}

/** The result of a check that did not settle in time. */
export function timeoutResult(timeoutMs: number, limits: OutputLimits): NormalizedResult {
  return finish(HealthStatus.UNHEALTHY, `check timed out after ${timeoutMs} ms`, {}, 'timeout', limits);
}

function invalid(message: string, limits: OutputLimits): NormalizedResult {
  return finish(HealthStatus.UNHEALTHY, `invalid check result: ${message}`, {}, 'invalid', limits);
}

function finish(
  status: HealthStatus,
  message: string,
  details: object,
  outcome: CheckOutcome,
  limits: OutputLimits,
): NormalizedResult {
  const m = truncateMessage(message, limits.maxMessageLength);
  const d = copyDetails(details, limits.maxDetailsBytes);
  return {
    status,
    message: m.text,
    details: d.details,
    outcome,
    messageTruncated: m.truncated,
    detailsTruncated: d.truncated,
  };
}

/** Extracts a readable message from anything thrown, defensively (message getters may throw too). */
export function errorMessage(error: unknown): string {
  try {
    if (error instanceof Error) {
      const message = typeof error.message === 'string' ? error.message : '';
      return message === '' ? error.name || 'Error' : message;
    }
    if (typeof error === 'string') return error === '' ? 'check failed with an empty error' : error;
    if (isPlainRecord(error) && typeof error.message === 'string' && error.message !== '') return error.message;
  } catch {
    // fall through to a generic description
  }
  return `check threw ${describeValue(error)}`;
}

/** Cuts a message to `max` characters, marking the cut. */
export function truncateMessage(message: string, max: number): { text: string; truncated: boolean } {
  if (message.length <= max) return { text: message, truncated: false };
  const marker = `… [truncated ${message.length - max} chars]`;
  return { text: message.slice(0, max) + marker, truncated: true };
}

/**
 * Deep-copies details through JSON, so later mutation by the check cannot
 * change a stored result and everything stored is serializable. Details that
 * are too big or not serializable (cycles, BigInt, throwing toJSON) are
 * replaced by a small marker.
 */
export function copyDetails(details: object, maxBytes: number): { details: HealthDetails; truncated: boolean } {
  let json: string | undefined;
  try {
    json = JSON.stringify(details);
  } catch (error) {
    return {
      details: { truncated: true, reason: `details are not serializable: ${errorMessage(error).slice(0, 200)}` },
      truncated: true,
    };
  }
  if (json === undefined) return { details: {}, truncated: false };
  // Length in UTF-16 units bounds the byte size within a factor of 3; good enough as a limit.
  if (json.length > maxBytes) {
    return {
      details: { truncated: true, reason: `details of ${json.length} characters exceed the limit of ${maxBytes}` },
      truncated: true,
    };
  }
  const parsed: unknown = JSON.parse(json);
  return { details: isPlainRecord(parsed) ? parsed : {}, truncated: false };
}
