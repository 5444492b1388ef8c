import type { ObsEventBase } from '@obs/core';
import type { LifecyclePhase } from './LifecyclePhase';

/** How one drain or shutdown handler ended. */
export type LifecycleStepOutcome = 'ok' | 'error' | 'timeout';

/** One drain or shutdown handler's run, as reported in events and in the shutdown report. */
export interface LifecycleStepResult {
  readonly name: string;
  /** 'drain': called when the shutdown delay ends; 'shutdown': run in order after the drain. */
  readonly kind: 'drain' | 'shutdown';
  readonly outcome: LifecycleStepOutcome;
  readonly durationMs: number;
  /** The error's message, for outcome 'error' (and the timeout for 'timeout'). */
  readonly error: string | undefined;
}

/** What `shutdown()` resolves to, and what `lifecycle/stopped` carries. */
export interface ShutdownReport {
  /** Why: the signal name ('SIGTERM') or the reason given to `shutdown(reason)`. */
  readonly reason: string;
  readonly startedAt: number;
  readonly durationMs: number;
  /** How long readiness failed while the service still served (0 when it never was ready). */
  readonly delayMs: number;
  /** Whether every beacon ended and every drain handler finished within `drainTimeoutMs`. */
  readonly drained: boolean;
  /** Beacons still open when the drain ended, by name (empty when drained). */
  readonly remainingBeacons: Readonly<Record<string, number>>;
  /** Drain handlers, then shutdown handlers, in the order they ran. */
  readonly steps: readonly LifecycleStepResult[];
  /** Drained, and every step ended 'ok'. */
  readonly ok: boolean;
}

/** The phase changed (see LifecyclePhase). */
export interface LifecyclePhaseChangedEvent extends ObsEventBase<'lifecycle/phase-changed'> {
  readonly previous: LifecyclePhase;
  readonly current: LifecyclePhase;
}

/** A shutdown signal arrived. `forced`: a shutdown was already going, so the process is made to exit. */
export interface LifecycleSignalEvent extends ObsEventBase<'lifecycle/signal'> {
  readonly signal: string;
  readonly forced: boolean;
}

/** The shutdown delay ended: drain handlers are called and beacons awaited. */
export interface LifecycleDrainStartedEvent extends ObsEventBase<'lifecycle/drain-started'> {
  /** Beacons open at this moment, by name. */
  readonly beacons: Readonly<Record<string, number>>;
}

/** The drain ended: everything finished, or `drainTimeoutMs` passed. */
export interface LifecycleDrainedEvent extends ObsEventBase<'lifecycle/drained'> {
  readonly durationMs: number;
  readonly timedOut: boolean;
  readonly remainingBeacons: Readonly<Record<string, number>>;
  /** Drain handlers that had not finished. */
  readonly pendingHandlers: readonly string[];
}

/** A drain or shutdown handler ended (ok, threw or rejected, or timed out). */
export interface LifecycleStepCompletedEvent extends ObsEventBase<'lifecycle/step-completed'> {
  readonly step: LifecycleStepResult;
}

/** Shutdown is over; the report says how it went. */
export interface LifecycleStoppedEvent extends ObsEventBase<'lifecycle/stopped'> {
  readonly report: ShutdownReport;
}

/** The exit function is being called before the shutdown finished. */
export interface LifecycleForcedExitEvent extends ObsEventBase<'lifecycle/forced-exit'> {
  /** 'second-signal': another signal came during shutdown; 'timeout': `shutdownTimeoutMs` passed. */
  readonly reason: 'second-signal' | 'timeout';
  readonly code: number;
  readonly phase: LifecyclePhase;
}

/** Every event of a Lifecycle (a closed union). */
export type LifecycleEvent =
  | LifecyclePhaseChangedEvent
  | LifecycleSignalEvent
  | LifecycleDrainStartedEvent
  | LifecycleDrainedEvent
  | LifecycleStepCompletedEvent
  | LifecycleStoppedEvent
  | LifecycleForcedExitEvent;

export type LifecycleEventType = LifecycleEvent['type'];
