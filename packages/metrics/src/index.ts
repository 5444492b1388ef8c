export { MetricType } from './MetricType';
export type { MetricPoint } from './MetricPoint';
export type { MetricSeries, HistogramStats } from './MetricSeries';
export type { CounterHandle, GaugeHandle, HistogramHandle } from './handles';
export type {
  MetricsEvent,
  MetricPointEvent,
  CardinalityLimitEvent,
  LabelValueTruncatedEvent,
  SeriesExpiredEvent,
  PointsDroppedEvent,
} from './events';
export { MetricsCollector, createMetricsCollector, DEFAULT_MAX_LABEL_VALUE_LENGTH } from './MetricsCollector';
export type {
  MetricsCollectorConfig,
  MetricDescription,
  CollectBatchesOptions,
  CollectOptions,
  MergeOptions,
  GaugeMergePolicy,
  ExemplarContext,
  ExemplarSource,
} from './MetricsCollector';
export type {
  MetricsProducer,
  CollectedMetrics,
  CollectedFamily,
  CollectedSeries,
  CollectedHistogram,
  Exemplar,
} from './MetricsProducer';
export {
  MetricsError,
  InvalidMetricNameError,
  InvalidLabelsError,
  InvalidValueError,
  MetricTypeConflictError,
  MetricLimitError,
  InvalidConfigError,
  InvalidSnapshotError,
} from './errors';
export { isValidMetricName, validateMetricName } from './names';
export { LogHistogram, DEFAULT_MAX_SKETCH_BUCKETS } from './sketch/LogHistogram';
export type { LogHistogramSnapshot } from './sketch/LogHistogram';
export { DEFAULT_LATENCY_BUCKETS_MS } from './internal/ClassicBuckets';
export type { MetricsSnapshot, MetricSnapshot, SeriesSnapshot } from './snapshot';
export { serialize, serializeAsync, serializeFormat, formatValue } from './exposition/serialize';
export type { Exposition, ChunkedExposition, SerializeAsyncOptions } from './exposition/serialize';
export { negotiateFormat, PROMETHEUS_CONTENT_TYPE, OPENMETRICS_CONTENT_TYPE } from './exposition/negotiateFormat';
export type { ExpositionFormat } from './exposition/negotiateFormat';
export { escapeLabelValue } from './internal/labelText';
export { CALLBACK_FAILURES_METRIC } from './observables';
export type { ObservableCallback, ObservableOptions, ObservableResult, ObservableSample } from './observables';
export { SlidingWindowSketch } from './sketch/SlidingWindowSketch';
export { collectRuntimeMetrics } from './runtime/collectRuntimeMetrics';
export type { RuntimeMetricsOptions } from './runtime/collectRuntimeMetrics';
export { RUNTIME_METRICS, GC_METRIC } from './runtime/definitions';
export type { RuntimeMetricDefinition } from './runtime/definitions';

// The @obs/core pieces this package's API uses (clocks, events, typed errors, labels), so that
// users of this package alone need not install @obs/core to inject a clock or narrow events.
export { ManualClock, systemClock, ofType, ObsError, ObsValidationError } from '@obs/core';
export type { Clock, Labels, ObsEventBase } from '@obs/core';
