export { HealthStatus, HealthGroup, isHealthStatus } from './HealthStatus';
export type { HealthCheck, HealthCheckInit, HealthDetails } from './HealthCheck';
export { createHealthCheck } from './HealthCheck';
export { HealthMonitor, createHealthMonitor } from './HealthMonitor';
export type {
  HealthCheckFunction,
  HealthCheckOptions,
  HealthCheckPartial,
  HealthCheckReturn,
  HealthCheckState,
  HealthMonitorConfig,
  HealthMonitorStats,
  HealthRestoreResult,
} from './HealthMonitor';
export { HealthValidationError, HealthLimitError, HealthSnapshotError } from './errors';
export type {
  HealthEvent,
  HealthEventType,
  HealthChangedEvent,
  HealthCheckCompletedEvent,
  HealthRunSkippedEvent,
  CheckOutcome,
} from './events';
export { buildHealthJson, toHealthJsonStatus, HEALTH_JSON_CONTENT_TYPE } from './healthJson';
export type {
  HealthJsonBody,
  HealthJsonCheckEntry,
  HealthJsonCheckView,
  HealthJsonComponent,
  HealthJsonOptions,
  HealthJsonResponse,
  HealthJsonStatus,
} from './healthJson';
export { aggregateStatus } from './aggregateStatus';
export type { AggregateInput } from './aggregateStatus';
export { applyResult, initialThresholdState, isPassing } from './thresholds';
export type { ThresholdState, Thresholds } from './thresholds';
export type { HealthSnapshot, HealthCheckSnapshot } from './snapshot';
export { isValidName, MAX_NAME_LENGTH } from './validateName';
export { Lifecycle, createLifecycle, FORCED_EXIT_CODE } from './Lifecycle';
export type {
  LifecycleConfig,
  LifecycleHandler,
  LifecycleProbe,
  ShutdownHandlerOptions,
  SignalSource,
} from './Lifecycle';
export { LifecyclePhase } from './LifecyclePhase';
export type {
  LifecycleEvent,
  LifecycleEventType,
  LifecyclePhaseChangedEvent,
  LifecycleSignalEvent,
  LifecycleDrainStartedEvent,
  LifecycleDrainedEvent,
  LifecycleStepCompletedEvent,
  LifecycleStoppedEvent,
  LifecycleForcedExitEvent,
  LifecycleStepOutcome,
  LifecycleStepResult,
  ShutdownReport,
} from './lifecycleEvents';
export { OVERFLOW_BEACON_NAME } from './internal/Beacons';

// The @obs/core pieces this package's API uses (clocks, events, typed errors, labels), so that
// users of this package alone need not install @obs/core to inject a clock or narrow events.
export { ManualClock, systemClock, ofType, ObsError, ObsValidationError } from '@obs/core';
export type { Clock, Labels, ObsEventBase } from '@obs/core';
