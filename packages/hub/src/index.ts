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
export type { DeliveryStats } from './DeliveryStats';
export { serializeEvent, summarizeSpan } from './serialize/serializeEvent';
export type { SpanSummary } from './serialize/serializeEvent';
export { jsonSafe } from './serialize/jsonSafe';

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

// The public surface of core and the components, listed by name so the hub's surface is reviewed, not inherited.
// index.test.ts fails when a component's root entry gains a runtime export that is missing here.
// (@obs/alerts' DeliveryStats is shadowed by the hub's own, exported above.)
// @obs/core: events, errors, clocks, operators
export {
  BoundedMap, EventBus, ManualClock, ObsError, ObsValidationError, ProtoWriter, WireType, assertNever,
  describeValue, emptyLabels, isValidLabelName, labelsKey, normalizeLabels, ofType, requireFiniteNumber,
  requireNonEmptyString, systemClock, varintSize, writeOtlpKeyValue, writeOtlpResource, writeOtlpScope,
  writeOtlpStringKeyValue,
} from '@obs/core';
export type {
  Clock, Labels, ObsEventBase, OtlpAttributeValue,
} from '@obs/core';

// @obs/metrics: counters, gauges, histograms, exposition
export {
  CALLBACK_FAILURES_METRIC, DEFAULT_LATENCY_BUCKETS_MS, DEFAULT_MAX_LABEL_VALUE_LENGTH,
  DEFAULT_MAX_SKETCH_BUCKETS, GC_METRIC, InvalidConfigError, InvalidLabelsError, InvalidMetricNameError,
  InvalidSnapshotError, InvalidValueError, LogHistogram, MetricLimitError, MetricType,
  MetricTypeConflictError, MetricsCollector, MetricsError, OPENMETRICS_CONTENT_TYPE, PROMETHEUS_CONTENT_TYPE,
  RUNTIME_METRICS, SlidingWindowSketch, collectRuntimeMetrics, createMetricsCollector, escapeLabelValue,
  formatValue, isValidMetricName, negotiateFormat, serialize, serializeAsync, serializeFormat,
  validateMetricName,
} from '@obs/metrics';
export type {
  CardinalityLimitEvent, ChunkedExposition, CollectBatchesOptions, CollectedFamily, CollectedHistogram,
  CollectedMetrics, CollectedSeries, CounterHandle, Exemplar, ExemplarContext, ExemplarSource, Exposition,
  ExpositionFormat, GaugeHandle, GaugeMergePolicy, HistogramHandle, HistogramStats, LabelValueTruncatedEvent,
  LogHistogramSnapshot, MergeOptions, MetricDescription, MetricPoint, MetricPointEvent, MetricSeries,
  MetricSnapshot, MetricsCollectorConfig, MetricsEvent, MetricsProducer, MetricsSnapshot, ObservableCallback,
  ObservableOptions, ObservableResult, ObservableSample, PointsDroppedEvent, RuntimeMetricDefinition,
  RuntimeMetricsOptions, SerializeAsyncOptions, SeriesExpiredEvent, SeriesSnapshot,
} from '@obs/metrics';

// @obs/tracing: spans and context
export {
  BAGGAGE_PATTERN, MAX_BAGGAGE_BYTES, MAX_BAGGAGE_MEMBERS, MAX_TRACEPARENT_LENGTH, MAX_TRACESTATE_LENGTH,
  MAX_TRACESTATE_MEMBERS, OTLP_SCOPE, OTLP_SPAN_KIND, TRACEPARENT_V00_PATTERN, TRACESTATE_PATTERN,
  TRACING_SOURCE, TraceFlags, TraceManager, TraceStatus, TracingError, TracingValidationError,
  createRatioThreshold, createTraceManager, extractTraceContext, generateSpanId, generateTraceId,
  getHeaderValues, highResolutionClock, injectTraceContext, isTraceIdSampled, isTraceStatus,
  isValidBaggageKey, isValidSpanId, isValidTraceId, isValidTraceStateKey, isValidTraceStateValue,
  msToUnixNanoString, parseBaggage, parseTraceparent, parseTracestate, percentDecode, percentEncode,
  readTraceHeaders, serializeBaggage, serializeTraceparent, serializeTracestate, toAnyValue, toOtlpRequest,
  toOtlpSpan, traceLogFields,
} from '@obs/tracing';
export type {
  BaggageEntry, ContextFrame, ExportFailedEvent, ExportSucceededEvent, ExporterErrorEvent, HeaderCarrier,
  OtlpAnyValue, OtlpExportTraceServiceRequest, OtlpKeyValue, OtlpSpan, OtlpSpanEvent, OtlpSpanLink,
  ParsedBaggage, RatioThreshold, Span, SpanContext, SpanEndedEvent, SpanExporter, SpanLink, SpanLog,
  SpanStartedEvent, SpansDroppedEvent, StartSpanOptions, TagValue, Tags, TraceHeaderValues, TraceHeaders,
  TraceLogFields, TraceManagerConfig, TraceManagerStats, TraceStateEntry, TraceSummary, Traceparent,
  TracingEvent,
} from '@obs/tracing';

// @obs/health: checks and probes
export {
  HEALTH_JSON_CONTENT_TYPE, HealthGroup, HealthLimitError, HealthMonitor, HealthSnapshotError, HealthStatus,
  HealthValidationError, MAX_NAME_LENGTH, aggregateStatus, applyResult, buildHealthJson, createHealthCheck,
  createHealthMonitor, initialThresholdState, isHealthStatus, isPassing, isValidName, toHealthJsonStatus,
} from '@obs/health';
export type {
  AggregateInput, CheckOutcome, HealthChangedEvent, HealthCheck, HealthCheckCompletedEvent,
  HealthCheckFunction, HealthCheckInit, HealthCheckOptions, HealthCheckPartial, HealthCheckReturn,
  HealthCheckSnapshot, HealthCheckState, HealthDetails, HealthEvent, HealthEventType, HealthJsonBody,
  HealthJsonCheckEntry, HealthJsonCheckView, HealthJsonComponent, HealthJsonOptions, HealthJsonResponse,
  HealthJsonStatus, HealthMonitorConfig, HealthMonitorStats, HealthRestoreResult, HealthRunSkippedEvent,
  HealthSnapshot, ThresholdState, Thresholds,
} from '@obs/health';

// @obs/alerts: rules, silences, inhibition, sinks
export {
  AlertLimitError, AlertSeverity, AlertSinkError, AlertState, AlertValidationError, DEFAULT_MAX_ALERT_LABEL_VALUE_LENGTH, DEFAULT_RECEIVER,
  DEFAULT_ROUTE, NOTIFICATION_SINK, alertFingerprint, alertMatchLabels, compileMatcher, createAlert,
  createAlertManager, createAlertmanagerHandler, createPagerDutyHandler, createQueuedSink, createSlackHandler,
  createTeamsHandler, createWebhookHandler, defaultAlertLine, defaultTitle, formatMatcher, isAlertSeverity,
  isAlertState, isNotificationSink, markNotificationSink, pagerDutyDedupKey, parseMatcher, parseMatchers,
  renderAlert, renderTitle,
} from '@obs/alerts';
export type {
  ActiveAlertSnapshot, Alert, AlertContext, AlertDroppedEvent, AlertFiredEvent, AlertHandler,
  AlertHandlerErrorEvent, AlertInit, AlertManager, AlertManagerConfig, AlertManagerLimits,
  AlertManagerSnapshot, AlertManagerStats, AlertNotification, AlertNotifiedEvent, AlertResolvedEvent,
  AlertRule, AlertRuleErrorEvent, AlertSuppressedEvent, AlertmanagerHandler, AlertmanagerHandlerConfig,
  AlertmanagerHandlerStats, AlertsEvent, AlertsEventType, CompiledMatcher, DeliveryOptions, FetchLike,
  HandlerOptions, InhibitRule, Matcher, NotificationHandler, NotificationSink, PagerDutyEvent,
  PagerDutyHandlerConfig, PostableAlert, QueuedSink, QueuedSinkOptions, RouteConfig, RuleOptions, RuleResult,
  Silence, SilenceInit, SilenceSnapshot, SilenceStatus, SlackHandlerConfig, SlackPayload, SuppressionRule,
  TeamsHandlerConfig, Template, TimeInterval, WebhookHandlerConfig, WebhookPayload,
} from '@obs/alerts';

// @obs/slo: objectives and burn rates
export {
  BURN_WINDOWS, BURN_WINDOW_MS, BudgetingMethod, DEFAULT_BURN_RATE_CONDITIONS, DuplicateSLOError,
  SLOLimitError, SLOSnapshotError, SLOStatus, SLOTracker, SLOValidationError, SNAPSHOT_VERSION,
  UnknownSLOError, buildPrometheusRules, createSLODefinition, createSLOTracker, errorRatioRecord,
  generatePrometheusRules, latencySli, normalizeSLODefinition, ratioSli, sloIdFromName,
} from '@obs/slo';
export type {
  BudgetSample, BurnRateCondition, BurnRateSeverity, BurnWindow, CalendarWindow, LatencySliConfig,
  MetricPointLike, PrometheusRule, PrometheusRuleFile, PrometheusRuleGroup, PrometheusRulesOptions,
  RatioSliConfig, SLOBudgetHistory, SLOBurnRateEvent, SLOCounterDelta, SLOCounts, SLODefinition,
  SLODefinitionExtra, SLOErrorEvent, SLOEvent, SLOGroupSnapshot, SLOOutcome, SLORecorder, SLOResult,
  SLOSnapshotEntry, SLOStatusEvent, SLOTrackSnapshot, SLOTrackerConfig, SLOTrackerLimits, SLOTrackerSnapshot,
  SLOTrackerStats,
} from '@obs/slo';

// @obs/anomaly: detectors
export {
  AnomalyDetector, AnomalySnapshotError, AnomalyType, StreamScorer, checkScorerConfig, createAnomalyDetector,
  createStreamScorer, defaultScorerConfig, erfc, logTailScore, twoSidedTail, upperTail,
} from '@obs/anomaly';
export type {
  Anomaly, AnomalyDetails, AnomalyDetectedEvent, AnomalyDetectorConfig, AnomalyDetectorSnapshot, AnomalyEvent,
  AnomalyPointRejectedEvent, AnomalyScore, AnomalySeriesEvictedEvent, AnomalyUpdatedEvent, Baseline,
  PointLike, PointScore, PredictorName, ScorerConfig, ScorerState, SeasonalPeriod,
} from '@obs/anomaly';
