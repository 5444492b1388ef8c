import { ProtoWriter, WireType } from '@obs/core';
import type { OtlpAnyValue, OtlpExportTraceServiceRequest, OtlpKeyValue, OtlpSpan } from './otlpJson';

/*
 * OTLP protobuf (`application/x-protobuf`) of an ExportTraceServiceRequest, written
 * from the same request object as the JSON encoding, so both carry exactly the same
 * data (opentelemetry/proto/trace/v1/trace.proto):
 *   ExportTraceServiceRequest { repeated ResourceSpans resource_spans = 1; }
 *   ResourceSpans { Resource resource = 1; repeated ScopeSpans scope_spans = 2; }
 *   ScopeSpans    { InstrumentationScope scope = 1; repeated Span spans = 2; }
 *   Span { bytes trace_id = 1; bytes span_id = 2; string trace_state = 3; bytes parent_span_id = 4;
 *          string name = 5; SpanKind kind = 6; fixed64 start_time_unix_nano = 7; fixed64 end_time_unix_nano = 8;
 *          repeated KeyValue attributes = 9; uint32 dropped_attributes_count = 10; repeated Event events = 11;
 *          uint32 dropped_events_count = 12; repeated Link links = 13; uint32 dropped_links_count = 14;
 *          Status status = 15; fixed32 flags = 16; }
 *   Event  { fixed64 time_unix_nano = 1; string name = 2; repeated KeyValue attributes = 3; }
 *   Link   { bytes trace_id = 1; bytes span_id = 2; string trace_state = 3; repeated KeyValue attributes = 4; fixed32 flags = 6; }
 *   Status { string message = 2; StatusCode code = 3; }
 */

const TWO_32 = 4294967296n;

/** A decimal nanosecond string (as the JSON mapping holds it) as a fixed64 field. */
function writeNanos(w: ProtoWriter, field: number, nanos: string): void {
  const n = BigInt(nanos);
  w.tag(field, WireType.I64).fixed64(Number(n % TWO_32), Number(n / TWO_32));
}

function writeAnyValue(w: ProtoWriter, value: OtlpAnyValue): void {
  if ('stringValue' in value) w.stringField(1, value.stringValue);
  else if ('boolValue' in value) w.boolField(2, value.boolValue);
  else if ('intValue' in value) w.int64Field(3, Number(value.intValue));
  else if ('doubleValue' in value) w.doubleField(4, value.doubleValue);
  else {
    const array = w.forkField(5);
    for (const item of value.arrayValue.values) {
      const at = w.forkField(1);
      writeAnyValue(w, item);
      w.join(at);
    }
    w.join(array);
  }
}

function writeAttributes(w: ProtoWriter, field: number, attributes: readonly OtlpKeyValue[]): void {
  for (const kv of attributes) {
    const at = w.forkField(field);
    w.stringField(1, kv.key);
    const v = w.forkField(2);
    writeAnyValue(w, kv.value);
    w.join(v);
    w.join(at);
  }
}

function writeSpan(w: ProtoWriter, span: OtlpSpan): void {
  const at = w.forkField(2);
  w.hexBytesField(1, span.traceId).hexBytesField(2, span.spanId);
  if (span.traceState) w.stringField(3, span.traceState);
  if (span.parentSpanId) w.hexBytesField(4, span.parentSpanId);
  w.stringField(5, span.name).uint32Field(6, span.kind);
  writeNanos(w, 7, span.startTimeUnixNano);
  writeNanos(w, 8, span.endTimeUnixNano);
  writeAttributes(w, 9, span.attributes);
  if (span.droppedAttributesCount) w.uint32Field(10, span.droppedAttributesCount);
  for (const event of span.events) {
    const e = w.forkField(11);
    writeNanos(w, 1, event.timeUnixNano);
    w.stringField(2, event.name);
    writeAttributes(w, 3, event.attributes);
    w.join(e);
  }
  if (span.droppedEventsCount) w.uint32Field(12, span.droppedEventsCount);
  for (const link of span.links ?? []) {
    const l = w.forkField(13);
    w.hexBytesField(1, link.traceId).hexBytesField(2, link.spanId);
    if (link.traceState) w.stringField(3, link.traceState);
    writeAttributes(w, 4, link.attributes);
    w.tag(6, WireType.I32).fixed32(link.flags);
    w.join(l);
  }
  if (span.droppedLinksCount) w.uint32Field(14, span.droppedLinksCount);
  const status = w.forkField(15);
  if (span.status.message) w.stringField(2, span.status.message);
  if (span.status.code) w.uint32Field(3, span.status.code);
  w.join(status);
  w.tag(16, WireType.I32).fixed32(span.flags);
  w.join(at);
}

/** Encodes an OTLP trace export request as protobuf. */
export function encodeTraceRequestProto(
  request: OtlpExportTraceServiceRequest,
  writer: ProtoWriter = new ProtoWriter(16 * 1024),
): Uint8Array {
  const w = writer.reset();
  for (const rs of request.resourceSpans) {
    const r = w.forkField(1);
    const resource = w.forkField(1);
    writeAttributes(w, 1, rs.resource.attributes);
    w.join(resource);
    for (const ss of rs.scopeSpans) {
      const s = w.forkField(2);
      const scope = w.forkField(1);
      w.stringField(1, ss.scope.name);
      if (ss.scope.version) w.stringField(2, ss.scope.version);
      w.join(scope);
      for (const span of ss.spans) writeSpan(w, span);
      w.join(s);
    }
    w.join(r);
  }
  return w.finish();
}

/**
 * `rejected_spans` of an ExportTraceServiceResponse
 * (`{ ExportTracePartialSuccess partial_success = 1 { int64 rejected_spans = 1; string error_message = 2; } }`),
 * or 0 when absent or unreadable.
 */
export function readRejectedSpans(body: Uint8Array): number {
  let pos = 0;
  const varint = (): number => {
    let result = 0;
    let scale = 1;
    for (let i = 0; i < 10 && pos < body.length; i++) {
      const b = body[pos++]!;
      result += (b & 0x7f) * scale;
      if (b < 0x80) return result;
      scale *= 128;
    }
    return NaN;
  };
  while (pos < body.length) {
    if (varint() !== ((1 << 3) | WireType.LEN)) return 0;
    const end = pos + varint();
    if (!(end <= body.length)) return 0;
    while (pos < end) {
      const key = varint();
      if (key === ((1 << 3) | WireType.VARINT)) {
        const n = varint();
        return Number.isSafeInteger(n) && n > 0 ? n : 0;
      }
      if ((key & 7) === WireType.LEN) pos += varint();
      else if ((key & 7) === WireType.VARINT) varint();
      else return 0;
    }
  }
  return 0;
}
