import { HealthStatus } from './HealthStatus';

/** Where a check stands between its raw results and the status it reports. */
export interface ThresholdState {
  readonly reported: HealthStatus;
  readonly consecutiveFailures: number;
  readonly consecutiveSuccesses: number;
}

export interface Thresholds {
  /** Consecutive UNHEALTHY results before the reported status becomes UNHEALTHY. */
  readonly failureThreshold: number;
  /** Consecutive HEALTHY/DEGRADED results before the reported status leaves UNHEALTHY/UNKNOWN. */
  readonly successThreshold: number;
}

export const initialThresholdState: ThresholdState = {
  reported: HealthStatus.UNKNOWN,
  consecutiveFailures: 0,
  consecutiveSuccesses: 0,
};

/** HEALTHY and DEGRADED both "pass" the probe; DEGRADED is a pass with a warning. */
export function isPassing(status: HealthStatus): boolean {
  return status === HealthStatus.HEALTHY || status === HealthStatus.DEGRADED;
}

/**
 * Applies one raw result, with Kubernetes probe semantics:
 * - the reported status becomes UNHEALTHY only after `failureThreshold`
 *   consecutive UNHEALTHY results;
 * - it leaves UNHEALTHY (or the initial UNKNOWN) only after
 *   `successThreshold` consecutive passing results;
 * - while it is passing, it follows HEALTHY <-> DEGRADED at once (both pass);
 * - a raw UNKNOWN ("could not tell") keeps the reported status and breaks both runs.
 */
export function applyResult(state: ThresholdState, raw: HealthStatus, thresholds: Thresholds): ThresholdState {
  if (raw === HealthStatus.UNHEALTHY) {
    const consecutiveFailures = state.consecutiveFailures + 1;
    const reported = consecutiveFailures >= thresholds.failureThreshold ? HealthStatus.UNHEALTHY : state.reported;
    return { reported, consecutiveFailures, consecutiveSuccesses: 0 };
  }
  if (isPassing(raw)) {
    const consecutiveSuccesses = state.consecutiveSuccesses + 1;
    const reported =
      isPassing(state.reported) || consecutiveSuccesses >= thresholds.successThreshold ? raw : state.reported;
    return { reported, consecutiveFailures: 0, consecutiveSuccesses };
  }
  return { reported: state.reported, consecutiveFailures: 0, consecutiveSuccesses: 0 };
}
