import type { HealthCheck } from './HealthCheck';
import { HealthStatus } from './HealthStatus';
import { isValidName } from './validateName';

/** The three statuses of draft-inadarei-api-health-check. */
export type HealthJsonStatus = 'pass' | 'warn' | 'fail';

/** The media type of a health check response. */
export const HEALTH_JSON_CONTENT_TYPE = 'application/health+json';

/** One "component details" object inside `checks`. */
export interface HealthJsonCheckEntry {
  componentId?: string;
  componentType?: string;
  observedValue?: unknown;
  observedUnit?: string;
  status: HealthJsonStatus;
  time?: string;
  output?: string;
}

/** The response body (draft-inadarei-api-health-check-06, section 3). */
export interface HealthJsonBody {
  status: HealthJsonStatus;
  version?: string;
  releaseId?: string;
  serviceId?: string;
  description?: string;
  output?: string;
  checks?: Record<string, HealthJsonCheckEntry[]>;
}

/** Everything an HTTP handler needs to answer a health request. */
export interface HealthJsonResponse {
  status: HealthJsonStatus;
  body: HealthJsonBody;
  /** 200 for pass and warn, 503 for fail (the draft requires 2xx-3xx and 4xx-5xx). */
  httpStatus: 200 | 503;
  contentType: typeof HEALTH_JSON_CONTENT_TYPE;
}

export interface HealthJsonOptions {
  /**
   * Include observed values and outputs (check messages). Default true; pass
   * false for unauthenticated callers, who then see statuses and times only.
   */
  includeDetails?: boolean;
  /** Include the `checks` object at all. Default true. */
  includeChecks?: boolean;
  /** How an UNKNOWN overall/group status is reported. Default 'fail': not yet known to be healthy. */
  unknownAs?: HealthJsonStatus;
  description?: string;
  serviceId?: string;
  version?: string;
  releaseId?: string;
}

/** How a check is presented in health+json, fixed at registration. */
export interface HealthJsonComponent {
  componentName?: string;
  measurementName?: string;
  componentType?: string;
  componentId?: string;
}

/** What the builder needs about one check. */
export interface HealthJsonCheckView {
  readonly name: string;
  readonly reported: HealthStatus;
  readonly lastResult: HealthCheck | undefined;
  readonly component: HealthJsonComponent;
}

const MAX_OUTPUT_LENGTH = 1024;

/** Maps a status to pass/warn/fail. */
export function toHealthJsonStatus(status: HealthStatus, unknownAs: HealthJsonStatus): HealthJsonStatus {
  switch (status) {
    case HealthStatus.HEALTHY:
      return 'pass';
    case HealthStatus.DEGRADED:
      return 'warn';
    case HealthStatus.UNHEALTHY:
      return 'fail';
    case HealthStatus.UNKNOWN:
      return unknownAs;
  }
}

/**
 * Builds an `application/health+json` response. Keys of `checks` are
 * `{componentName}:{measurementName}`; by default the component is the check
 * name and the measurement is `responseTime` with the run's duration in ms as
 * the observed value. A check may report another measurement through its
 * details (`measurementName`, `observedValue`, `observedUnit`, `componentType`,
 * `componentId`) or through its registration options. A check without a
 * result yet is listed as `warn` with output "no result yet".
 */
export function buildHealthJson(
  status: HealthStatus,
  checks: readonly HealthJsonCheckView[],
  options: HealthJsonOptions = {},
): HealthJsonResponse {
  const includeDetails = options.includeDetails ?? true;
  const unknownAs = options.unknownAs ?? 'fail';
  const top = toHealthJsonStatus(status, unknownAs);
  const body: HealthJsonBody = { status: top };
  if (options.version !== undefined) body.version = options.version;
  if (options.releaseId !== undefined) body.releaseId = options.releaseId;
  if (options.serviceId !== undefined) body.serviceId = options.serviceId;
  if (options.description !== undefined) body.description = options.description;
  if (includeDetails && top !== 'pass') {
    const troubled = checks.filter((c) => c.reported !== HealthStatus.HEALTHY).map((c) => `${c.name}: ${c.reported}`);
    if (troubled.length > 0) body.output = clip(troubled.join('; '));
  }
  if (options.includeChecks ?? true) {
    const out: Record<string, HealthJsonCheckEntry[]> = {};
    for (const check of checks) {
      const { key, entry } = buildEntry(check, includeDetails);
      const list = Object.prototype.hasOwnProperty.call(out, key) ? out[key] : undefined;
      if (list) list.push(entry);
      else Object.defineProperty(out, key, { value: [entry], enumerable: true, writable: true, configurable: true });
    }
    body.checks = out;
  }
  return { status: top, body, httpStatus: top === 'fail' ? 503 : 200, contentType: HEALTH_JSON_CONTENT_TYPE };
}

function buildEntry(check: HealthJsonCheckView, includeDetails: boolean): { key: string; entry: HealthJsonCheckEntry } {
  const details = check.lastResult?.details ?? {};
  const componentName = check.component.componentName ?? check.name;
  const measurementName = check.component.measurementName ?? nameFrom(details['measurementName']) ?? 'responseTime';
  const entry: HealthJsonCheckEntry = {
    componentId: check.component.componentId ?? stringFrom(details['componentId']) ?? check.name,
    componentType: check.component.componentType ?? stringFrom(details['componentType']) ?? 'component',
    status: check.reported === HealthStatus.UNKNOWN ? 'warn' : toHealthJsonStatus(check.reported, 'warn'),
  };
  const result = check.lastResult;
  if (includeDetails && result) {
    if (details['observedValue'] !== undefined) {
      entry.observedValue = details['observedValue'];
      const unit = stringFrom(details['observedUnit']);
      if (unit !== undefined) entry.observedUnit = unit;
    } else if (measurementName === 'responseTime') {
      entry.observedValue = result.durationMs;
      entry.observedUnit = 'ms';
    }
  }
  const time = result ? isoTime(result.timestamp) : undefined;
  if (time !== undefined) entry.time = time;
  if (includeDetails && entry.status !== 'pass') {
    // The draft says output SHOULD be omitted for pass.
    const output = result ? result.message || `status ${result.status}` : 'no result yet';
    entry.output = clip(output);
  }
  return { key: `${componentName}:${measurementName}`, entry };
}

function nameFrom(value: unknown): string | undefined {
  return isValidName(value) ? value : undefined;
}

function stringFrom(value: unknown): string | undefined {
  return typeof value === 'string' && value.length > 0 && value.length <= 256 ? value : undefined;
}

function isoTime(ms: number): string | undefined {
  const date = new Date(ms);
  return Number.isNaN(date.getTime()) ? undefined : date.toISOString();
}

function clip(text: string): string {
  return text.length <= MAX_OUTPUT_LENGTH ? text : text.slice(0, MAX_OUTPUT_LENGTH) + '…';
}
