// The hub
export { ObservabilityHub, createObservabilityHub } from './ObservabilityHub';
export type { HubSnapshot, HubStats, PersistResult } from './ObservabilityHub';
export { DEFAULT_OBSERVABILITY_CONFIG, DEFAULT_LATENCY_METRIC_PATTERN, resolveHubConfig } from './config';
export type {
  ObservabilityConfig,
  HubOptions,
  HubExporter,
  MetricsPushExporter,
  HubFlowsConfig,
  DashboardConfig,
  PersistenceConfig,
  EventDeliveryConfig,
  ResolvedHubConfig,
} from './config';
export { HUB_SOURCE } from './events';
export type {
  ObsEvent,
  ObsEventType,
  HubEvent,
  HubStartedEvent,
  HubStoppedEvent,
  HubProcessorErrorEvent,
  HubSubscriberErrorEvent,
  HubEventsDroppedEvent,
  HubPersistedEvent,
  HubPersistErrorEvent,
  HubRestoredEvent,
  HubRestoreErrorEvent,
  HubSampleEvent,
} from './events';
export { HubError, HubValidationError, SnapshotFileError, BodyTooLargeError, BodyReadError } from './errors';
export type { DeliveryStats } from './internal/EventDelivery';
export { serializeEvent, summarizeSpan } from './internal/serializeEvent';
export type { SpanSummary } from './internal/serializeEvent';
export { jsonSafe } from './internal/jsonSafe';

// Flows, usable in custom pipelines
export { anomalyAlerts, ANOMALY_ALERT_NAME } from './processors/anomalyAlerts';
export type { AnomalyAlertsOptions } from './processors/anomalyAlerts';
export { healthAlerts, HEALTH_ALERT_NAME } from './processors/healthAlerts';
export { sloAlerts, SLO_BURN_RATE_ALERT, SLO_AT_RISK_ALERT, SLO_BREACHED_ALERT } from './processors/sloAlerts';
export { supervise } from './processors/supervise';
export type { ProcessorFailure } from './processors/supervise';

// Dashboard
export { DEFAULT_DASHBOARD_METRICS } from './dashboard/DashboardTypes';
export type {
  DashboardData,
  DashboardSample,
  DashboardSeriesValue,
  DashboardCheck,
  DashboardAlert,
  DashboardSLO,
  DashboardAnomaly,
  DashboardTrace,
  DashboardActiveSpan,
  DashboardDrops,
  DashboardMetricNames,
} from './dashboard/DashboardTypes';

// Persistence
export { SnapshotFile, parseSnapshot, SNAPSHOT_FORMAT } from './persistence/SnapshotFile';
export type { SnapshotEnvelope, LoadedSnapshot, LoadResult } from './persistence/SnapshotFile';

// HTTP
export { createHttpHandler } from './http/createHttpHandler';
export type { HttpHandlerOptions, HubHttpHandler, FallbackContext } from './http/createHttpHandler';
export { readBody } from './http/readBody';
export type { ReadBodyOptions } from './http/readBody';
export { hardenServer, requestBodyPending, DEFAULT_HARDEN_OPTIONS } from './http/hardenServer';
export type { HardenServerOptions } from './http/hardenServer';
export { createHardenedServer, DEFAULT_RESERVED_PATHS } from './http/createHardenedServer';
export type { HardenedServerOptions, HardenedServer } from './http/createHardenedServer';
export type { ConnectionGuardStats } from './http/ConnectionGuard';
export { CONTENT_SECURITY_POLICY, SECURITY_HEADERS, applySecurityHeaders } from './http/securityHeaders';
export type { SseOptions } from './http/SseBroadcaster';
export { DEFAULT_SSE_EVENTS } from './http/SseBroadcaster';
export { BearerToken } from './http/tokens';

// The whole public surface of the components and core.
export * from '@obs/core';
export * from '@obs/metrics';
export * from '@obs/tracing';
export * from '@obs/health';
export * from '@obs/alerts';
export * from '@obs/slo';
export * from '@obs/anomaly';
