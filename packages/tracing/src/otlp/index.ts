/** `@obs/tracing/otlp`: the OTLP/HTTP span exporter (JSON or protobuf). */
export { OtlpHttpExporter, createOtlpHttpExporter, parseRetryAfter } from './OtlpHttpExporter';
export type { OtlpHttpExporterConfig, OtlpExporterStats, OtlpTraceProtocol } from './OtlpHttpExporter';
export { encodeTraceRequestProto } from './otlpProto';
export { toOtlpRequest, toOtlpSpan, toAnyValue, msToUnixNanoString, OTLP_SPAN_KIND, OTLP_SCOPE } from './otlpJson';
export type {
  OtlpAnyValue,
  OtlpKeyValue,
  OtlpSpan,
  OtlpSpanEvent,
  OtlpSpanLink,
  OtlpExportTraceServiceRequest,
} from './otlpJson';
