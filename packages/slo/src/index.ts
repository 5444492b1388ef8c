// Definitions and results
export { SLOStatus, BudgetingMethod } from './SLOStatus';
export type { SLODefinition, SLODefinitionExtra, CalendarWindow } from './SLODefinition';
export { createSLODefinition, normalizeSLODefinition, sloIdFromName } from './SLODefinition';
export type { SLOResult } from './SLOResult';

// Tracker
export { SLOTracker, createSLOTracker } from './SLOTracker';
export type {
  SLOTrackerConfig,
  SLOTrackerLimits,
  SLOTrackerStats,
  SLOOutcome,
  SLOCounts,
  SLOCounterDelta,
  SLORecorder,
  SLOBudgetHistory,
} from './SLOTracker';
export type { BudgetSample } from './internal/BudgetHistory';
export type { SLOTrackerSnapshot, SLOSnapshotEntry, SLOTrackSnapshot, SLOGroupSnapshot } from './snapshot';
export { SNAPSHOT_VERSION } from './snapshot';

// Burn rates
export { BURN_WINDOWS, BURN_WINDOW_MS, DEFAULT_BURN_RATE_CONDITIONS } from './burnRate';
export type { BurnWindow, BurnRateCondition, BurnRateSeverity } from './burnRate';

// Events
export type { SLOEvent, SLOStatusEvent, SLOBurnRateEvent, SLOErrorEvent } from './events';

// Errors
export { SLOValidationError, UnknownSLOError, DuplicateSLOError, SLOLimitError, SLOSnapshotError } from './errors';

// SLIs from metric streams
export { ratioSli } from './operators/ratioSli';
export type { RatioSliConfig } from './operators/ratioSli';
export { latencySli } from './operators/latencySli';
export type { LatencySliConfig } from './operators/latencySli';
export type { MetricPointLike } from './operators/MetricPointLike';

// Prometheus rules (OpenSLO, which needs a YAML parser, is in '@obs/slo/openslo')
export { generatePrometheusRules, buildPrometheusRules, errorRatioRecord } from './prometheus/generatePrometheusRules';
export type {
  PrometheusRulesOptions,
  PrometheusRuleFile,
  PrometheusRuleGroup,
  PrometheusRule,
} from './prometheus/generatePrometheusRules';

// The @obs/core pieces this package's API uses (clocks, events, typed errors, labels), so that
// users of this package alone need not install @obs/core to inject a clock or narrow events.
export { ManualClock, systemClock, ofType, ObsError, ObsValidationError } from '@obs/core';
export type { Clock, Labels, ObsEventBase } from '@obs/core';
