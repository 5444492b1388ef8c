export { TraceStatus, isTraceStatus } from './TraceStatus';
export type { Span, SpanContext, SpanLink, SpanLog, TagValue, Tags } from './Span';
export { TraceManager, createTraceManager, highResolutionClock } from './TraceManager';
export type {
  TraceManagerConfig,
  TraceManagerStats,
  TraceSummary,
  ContextFrame,
  StartSpanOptions,
} from './TraceManager';
export type { SpanExporter } from './SpanExporter';
export { toImportedSpan } from './ImportedSpan';
export type { ImportedSpan } from './ImportedSpan';
export { TracingError, TracingValidationError } from './errors';
export type {
  TracingEvent,
  SpanStartedEvent,
  SpanEndedEvent,
  SpansDroppedEvent,
  ExportFailedEvent,
  ExportSucceededEvent,
  ExporterErrorEvent,
} from './events';
export { TRACING_SOURCE } from './events';
export { generateTraceId, generateSpanId, isValidTraceId, isValidSpanId } from './ids';
export { createRatioThreshold, isTraceIdSampled } from './sampling';
export type { RatioThreshold } from './sampling';
export {
  TraceFlags,
  parseTraceparent,
  serializeTraceparent,
  TRACEPARENT_V00_PATTERN,
  MAX_TRACEPARENT_LENGTH,
} from './propagation/traceparent';
export type { Traceparent } from './propagation/traceparent';
export {
  parseTracestate,
  serializeTracestate,
  isValidTraceStateKey,
  isValidTraceStateValue,
  TRACESTATE_PATTERN,
  MAX_TRACESTATE_MEMBERS,
  MAX_TRACESTATE_LENGTH,
} from './propagation/tracestate';
export type { TraceStateEntry } from './propagation/tracestate';
export {
  parseBaggage,
  serializeBaggage,
  percentDecode,
  percentEncode,
  isValidBaggageKey,
  BAGGAGE_PATTERN,
  MAX_BAGGAGE_BYTES,
  MAX_BAGGAGE_MEMBERS,
} from './propagation/baggage';
export type { BaggageEntry, ParsedBaggage } from './propagation/baggage';
export { extractTraceContext, injectTraceContext } from './propagation/context';
export type { TraceHeaders } from './propagation/context';
export { getHeaderValues, readTraceHeaders } from './propagation/headers';
export type { TraceHeaderValues } from './propagation/headers';
export type { HeaderCarrier } from './propagation/headers';
// The OTLP/HTTP exporter (node:http, protobuf) lives in the `@obs/tracing/otlp` subpath.
export { toOtlpRequest, toOtlpSpan, toAnyValue, msToUnixNanoString, OTLP_SPAN_KIND, OTLP_SCOPE } from './otlp/otlpJson';
export type {
  OtlpAnyValue,
  OtlpKeyValue,
  OtlpSpan,
  OtlpSpanEvent,
  OtlpSpanLink,
  OtlpExportTraceServiceRequest,
} from './otlp/otlpJson';
export { traceLogFields } from './logCorrelation';
export type { TraceLogFields } from './logCorrelation';

// The @obs/core pieces this package's API uses (clocks, events, typed errors, labels), so that
// users of this package alone need not install @obs/core to inject a clock or narrow events.
export { ManualClock, systemClock, ofType, ObsError, ObsValidationError } from '@obs/core';
export type { Clock, Labels, ObsEventBase } from '@obs/core';
