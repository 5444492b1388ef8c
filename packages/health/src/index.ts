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
export type { HealthEvent, HealthEventType, HealthChangedEvent, HealthCheckCompletedEvent, HealthRunSkippedEvent, CheckOutcome } from './events';
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
