import type { ObsEventBase } from '@obs/core';
import type { HealthCheck } from './HealthCheck';
import type { HealthStatus } from './HealthStatus';
import type { CheckOutcome } from './internal/normalizeOutcome';

export type { CheckOutcome };

/** A check's reported status (scope 'check') or the overall status (scope 'overall') changed. */
export interface HealthChangedEvent extends ObsEventBase<'health/changed'> {
  readonly scope: 'check' | 'overall';
  /** The check's name; undefined for scope 'overall'. */
  readonly name: string | undefined;
  readonly previous: HealthStatus;
  readonly current: HealthStatus;
  /** The run that caused the change, if a run did (not for register/unregister). */
  readonly result: HealthCheck | undefined;
}

/** A check ran (every run, whatever the outcome). */
export interface HealthCheckCompletedEvent extends ObsEventBase<'health/check-completed'> {
  readonly name: string;
  /** The raw result of this run. */
  readonly result: HealthCheck;
  /** The status the check reports after thresholds. */
  readonly reportedStatus: HealthStatus;
  /** 'ok': the check answered; 'error': it threw or rejected; 'timeout'; 'invalid': it returned something unusable. */
  readonly outcome: CheckOutcome;
}

/** A periodic run was due while the previous one was still going, so it was skipped. */
export interface HealthRunSkippedEvent extends ObsEventBase<'health/run-skipped'> {
  /** How long the run in progress has been going, ms. */
  readonly runningForMs: number;
}

/** Every event of @obs/health (a closed union). */
export type HealthEvent = HealthChangedEvent | HealthCheckCompletedEvent | HealthRunSkippedEvent;

export type HealthEventType = HealthEvent['type'];
