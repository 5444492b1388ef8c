import { describeValue } from '@obs/core';
import { HealthSnapshotError } from './errors';
import { isPlainRecord, type HealthCheck } from './HealthCheck';
import { isHealthStatus, type HealthStatus } from './HealthStatus';
import { copyDetails, truncateMessage, type OutputLimits } from './internal/normalizeOutcome';
import { isValidName } from './validateName';

/** The persisted state of one check: its last raw result and its threshold counters. */
export interface HealthCheckSnapshot {
  name: string;
  status: HealthStatus;
  consecutiveFailures: number;
  consecutiveSuccesses: number;
  lastResult: HealthCheck | null;
}

/** JSON-serializable state of a HealthMonitor (check functions are code and are not included). */
export interface HealthSnapshot {
  version: 1;
  checks: HealthCheckSnapshot[];
}

// Date's valid range, so every restored timestamp can be printed as ISO 8601.
const MAX_TIME = 8.64e15;

/** Validates a snapshot completely (throwing HealthSnapshotError) and returns a clean copy. */
export function parseSnapshot(input: unknown, maxEntries: number, limits: OutputLimits): HealthSnapshot {
  if (!isPlainRecord(input)) fail(`a snapshot must be an object, got ${describeValue(input)}`);
  if (input['version'] !== 1) fail(`unsupported snapshot version ${describeValue(input['version'])}; expected 1`);
  const checks = input['checks'];
  if (!Array.isArray(checks)) fail(`snapshot.checks must be an array, got ${describeValue(checks)}`);
  if (checks.length > maxEntries) fail(`snapshot has ${checks.length} checks, more than maxChecks (${maxEntries})`);
  const seen = new Set<string>();
  const out: HealthCheckSnapshot[] = [];
  checks.forEach((raw: unknown, i: number) => {
    const where = `snapshot.checks[${i}]`;
    if (!isPlainRecord(raw)) fail(`${where} must be an object, got ${describeValue(raw)}`);
    const name = raw['name'];
    if (!isValidName(name)) fail(`${where}.name is not a valid check name: ${describeValue(name)}`);
    if (seen.has(name)) fail(`${where}.name ${JSON.stringify(name)} appears twice`);
    seen.add(name);
    const status = raw['status'];
    if (!isHealthStatus(status)) fail(`${where}.status is not a HealthStatus: ${describeValue(status)}`);
    out.push({
      name,
      status,
      consecutiveFailures: counter(raw['consecutiveFailures'], `${where}.consecutiveFailures`),
      consecutiveSuccesses: counter(raw['consecutiveSuccesses'], `${where}.consecutiveSuccesses`),
      lastResult:
        raw['lastResult'] === null || raw['lastResult'] === undefined
          ? null
          : result(raw['lastResult'], name, `${where}.lastResult`, limits),
    });
  });
  return { version: 1, checks: out };
}

function result(raw: unknown, name: string, where: string, limits: OutputLimits): HealthCheck {
  if (!isPlainRecord(raw)) fail(`${where} must be an object or null, got ${describeValue(raw)}`);
  if (raw['name'] !== name) fail(`${where}.name must be ${JSON.stringify(name)}, got ${describeValue(raw['name'])}`);
  const status = raw['status'];
  if (!isHealthStatus(status)) fail(`${where}.status is not a HealthStatus: ${describeValue(status)}`);
  const message = raw['message'];
  if (typeof message !== 'string') fail(`${where}.message must be a string, got ${describeValue(message)}`);
  const timestamp = raw['timestamp'];
  if (typeof timestamp !== 'number' || !Number.isFinite(timestamp) || Math.abs(timestamp) > MAX_TIME) {
    fail(`${where}.timestamp must be a finite epoch-ms time, got ${describeValue(timestamp)}`);
  }
  const durationMs = raw['durationMs'];
  if (typeof durationMs !== 'number' || !Number.isFinite(durationMs) || durationMs < 0) {
    fail(`${where}.durationMs must be a finite number >= 0, got ${describeValue(durationMs)}`);
  }
  const details = raw['details'];
  if (!isPlainRecord(details)) fail(`${where}.details must be an object, got ${describeValue(details)}`);
  return {
    name,
    status,
    message: truncateMessage(message, limits.maxMessageLength).text,
    timestamp,
    durationMs,
    details: copyDetails(details, limits.maxDetailsBytes).details,
  };
}

function counter(value: unknown, where: string): number {
  if (typeof value !== 'number' || !Number.isSafeInteger(value) || value < 0)
    fail(`${where} must be a non-negative integer, got ${describeValue(value)}`);
  return value;
}

function fail(message: string): never {
  throw new HealthSnapshotError(message);
}
