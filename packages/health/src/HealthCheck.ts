import { describeValue, requireNumber, systemClock, type Clock, type InvalidOption } from '@obs/core';
import { HealthValidationError } from './errors';
import { HealthStatus, isHealthStatus } from './HealthStatus';
import { requireName } from './validateName';

/** Extra, JSON-serializable facts a check reports (latency, pool size, versions, ...). */
export type HealthDetails = Readonly<Record<string, unknown>>;

/** The result of one run of one check. */
export interface HealthCheck {
  readonly name: string;
  readonly status: HealthStatus;
  readonly message: string;
  /** When the run finished, epoch ms. */
  readonly timestamp: number;
  readonly durationMs: number;
  readonly details: HealthDetails;
}

/** What `createHealthCheck` needs; everything but name and status has a default. */
export interface HealthCheckInit {
  name: string;
  status: HealthStatus;
  message?: string;
  timestamp?: number;
  durationMs?: number;
  details?: Record<string, unknown>;
}

/**
 * Builds a HealthCheck, filling `message` (''), `timestamp` (now), `durationMs` (0)
 * and `details` ({}). Validates its input and throws a HealthValidationError on bad values.
 *
 * @example
 * monitor.registerCheck('database', async () =>
 *   createHealthCheck({ name: 'database', status: HealthStatus.HEALTHY, message: 'Connected' }));
 */
export function createHealthCheck(init: HealthCheckInit, clock: Clock = systemClock): HealthCheck {
  if (typeof init !== 'object' || init === null) {
    throw new HealthValidationError(
      'INVALID_CHECK',
      `createHealthCheck needs an init object, got ${describeValue(init)}`,
    );
  }
  const name = requireName(init.name, 'HealthCheck name');
  if (!isHealthStatus(init.status)) {
    throw new HealthValidationError(
      'INVALID_STATUS',
      `HealthCheck status must be one of ${Object.values(HealthStatus).join(', ')}, got ${describeValue(init.status)}`,
    );
  }
  if (init.message !== undefined && typeof init.message !== 'string') {
    throw new HealthValidationError(
      'INVALID_CHECK',
      `HealthCheck message must be a string, got ${describeValue(init.message)}`,
    );
  }
  if (init.details !== undefined && !isPlainRecord(init.details)) {
    throw new HealthValidationError(
      'INVALID_CHECK',
      `HealthCheck details must be an object, got ${describeValue(init.details)}`,
    );
  }
  const timestamp =
    init.timestamp === undefined
      ? clock.now()
      : requireNumber(init.timestamp, 'HealthCheck timestamp', {}, invalidNumber);
  const durationMs =
    init.durationMs === undefined ? 0 : requireNumber(init.durationMs, 'HealthCheck durationMs', {}, invalidNumber);
  if (durationMs < 0)
    throw new HealthValidationError('INVALID_NUMBER', `HealthCheck durationMs must not be negative, got ${durationMs}`);
  return {
    name,
    status: init.status,
    message: init.message ?? '',
    timestamp,
    durationMs,
    details: init.details ?? {},
  };
}

const invalidNumber: InvalidOption = (message) => new HealthValidationError('INVALID_NUMBER', message);

/** A non-null, non-array object. */
export function isPlainRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
