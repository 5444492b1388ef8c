import { HealthStatus } from './HealthStatus';

/** What aggregation needs to know about one check. */
export interface AggregateInput {
  readonly status: HealthStatus;
  readonly critical: boolean;
}

/**
 * Combines reported check statuses, in this order:
 * 1. no checks, or no check has a known status yet: UNKNOWN;
 * 2. a critical check is UNHEALTHY: UNHEALTHY;
 * 3. a check is DEGRADED or a non-critical one is UNHEALTHY: DEGRADED;
 * 4. a critical check is still UNKNOWN: UNKNOWN (cannot vouch for it yet);
 * 5. otherwise HEALTHY.
 * A non-critical check without a result does not hold the others back.
 */
export function aggregateStatus(checks: Iterable<AggregateInput>): HealthStatus {
  let known = false;
  let unhealthy = false;
  let degraded = false;
  let criticalUnknown = false;
  for (const check of checks) {
    switch (check.status) {
      case HealthStatus.UNHEALTHY:
        known = true;
        if (check.critical) unhealthy = true;
        else degraded = true;
        break;
      case HealthStatus.DEGRADED:
        known = true;
        degraded = true;
        break;
      case HealthStatus.HEALTHY:
        known = true;
        break;
      case HealthStatus.UNKNOWN:
        if (check.critical) criticalUnknown = true;
        break;
    }
  }
  if (!known) return HealthStatus.UNKNOWN;
  if (unhealthy) return HealthStatus.UNHEALTHY;
  if (degraded) return HealthStatus.DEGRADED;
  if (criticalUnknown) return HealthStatus.UNKNOWN;
  return HealthStatus.HEALTHY;
}
