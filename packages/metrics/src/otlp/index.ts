/** `@obs/metrics/otlp`: OTLP/HTTP metrics export (protobuf or JSON). */
export { OtlpMetricExporter, createOtlpMetricExporter } from './OtlpMetricExporter';
export type { OtlpMetricExporterConfig, OtlpProtocol } from './OtlpMetricExporter';
export { encodeMetricsProto } from './metricsProto';
export { encodeMetricsJson, toOtlpMetricsJson } from './metricsJson';
export { DeltaTracker } from './DeltaTracker';
export type { OtlpHistogramMode, OtlpTemporality, OtlpMetricsEncoding } from './options';
export type { PushExporterConfig, PushExporterStats } from '../export/PushExporter';
export type { MetricsExportEvent, ExportSucceededEvent, ExportFailedEvent, ExportDroppedEvent } from '../export/events';
export type { MetricsProducer, CollectedMetrics } from '../MetricsProducer';
