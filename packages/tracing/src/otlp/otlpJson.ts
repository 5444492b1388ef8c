import { describeValue } from '@obs/core';
import { TracingValidationError } from '../errors';
import type { Span, TagValue } from '../Span';

/**
 * The OTLP/JSON shapes this package writes (opentelemetry-proto
 * `ExportTraceServiceRequest` in its JSON mapping): ids as lowercase hex,
 * 64-bit integers (timestamps, intValue) as decimal strings, enums as numbers,
 * lowerCamelCase field names.
 */
export type OtlpAnyValue =
  | { stringValue: string }
  | { boolValue: boolean }
  | { intValue: string }
  | { doubleValue: number }
  | { arrayValue: { values: OtlpAnyValue[] } };

export interface OtlpKeyValue {
  key: string;
  value: OtlpAnyValue;
}

export interface OtlpSpanEvent {
  timeUnixNano: string;
  name: string;
  attributes: OtlpKeyValue[];
}

export interface OtlpSpan {
  traceId: string;
  spanId: string;
  parentSpanId?: string;
  traceState?: string;
  flags: number;
  name: string;
  kind: number;
  startTimeUnixNano: string;
  endTimeUnixNano: string;
  attributes: OtlpKeyValue[];
  droppedAttributesCount?: number;
  events: OtlpSpanEvent[];
  droppedEventsCount?: number;
  links?: OtlpSpanLink[];
  droppedLinksCount?: number;
  status: { code: number; message?: string };
}

export interface OtlpSpanLink {
  traceId: string;
  spanId: string;
  traceState?: string;
  attributes: OtlpKeyValue[];
  flags: number;
}

export interface OtlpExportTraceServiceRequest {
  resourceSpans: Array<{
    resource: { attributes: OtlpKeyValue[] };
    scopeSpans: Array<{ scope: { name: string; version: string }; spans: OtlpSpan[] }>;
  }>;
}

/** OTLP `Span.SpanKind`, chosen by the `span.kind` tag (default INTERNAL). */
export const OTLP_SPAN_KIND: Readonly<Record<string, number>> = Object.freeze({
  internal: 1,
  server: 2,
  client: 3,
  producer: 4,
  consumer: 5,
});

/** OTLP `Status.StatusCode` for each TraceStatus. */
const STATUS_CODE = { unset: 0, ok: 1, error: 2 } as const;

/** The instrumentation scope written into every export. */
export const OTLP_SCOPE = { name: '@obs/tracing', version: '0.0.0' } as const;

/**
 * Epoch milliseconds (possibly fractional) as an OTLP nanosecond timestamp
 * string, without going through a float that cannot hold 19 digits.
 */
export function msToUnixNanoString(ms: number): string {
  if (!Number.isFinite(ms) || ms <= 0) return '0';
  let whole = Math.floor(ms);
  let fraction = Math.round((ms - whole) * 1e6);
  if (fraction >= 1e6) {
    whole += 1;
    fraction -= 1e6;
  }
  if (whole === 0) return String(fraction);
  return String(whole) + String(fraction).padStart(6, '0');
}

/** A tag value as an OTLP AnyValue: safe integers become intValue, other numbers doubleValue. */
export function toAnyValue(value: TagValue): OtlpAnyValue {
  switch (typeof value) {
    case 'string':
      return { stringValue: value };
    case 'boolean':
      return { boolValue: value };
    case 'number':
      if (!Number.isFinite(value)) throw new TracingValidationError('INVALID_TAG', `OTLP JSON cannot carry ${value}`);
      return Number.isSafeInteger(value) ? { intValue: String(value) } : { doubleValue: value };
    default:
      if (Array.isArray(value))
        return { arrayValue: { values: (value as readonly (string | number | boolean)[]).map((v) => toAnyValue(v)) } };
      throw new TracingValidationError('INVALID_TAG', `not an attribute value: ${describeValue(value)}`);
  }
}

/** Tags as OTLP attributes; `skip` names a key left out (e.g. `span.kind`). */
export function toAttributes(tags: Readonly<Record<string, TagValue>>, skip?: string): OtlpKeyValue[] {
  const out: OtlpKeyValue[] = [];
  if (tags === null || typeof tags !== 'object') return out;
  for (const key of Object.keys(tags)) {
    if (key === skip) continue;
    const value = tags[key];
    // Tags of our spans are already valid; anything else (hand-made spans) is skipped.
    if (
      typeof value === 'number'
        ? !Number.isFinite(value)
        : typeof value !== 'string' && typeof value !== 'boolean' && !Array.isArray(value)
    )
      continue;
    out.push({ key, value: toAnyValue(value as TagValue) });
  }
  return out;
}

interface SpanCounters {
  droppedTags?: number;
  droppedLogs?: number;
  droppedLinks?: number;
  traceState?: string;
  traceFlags?: number;
}

/** One finished span in the OTLP JSON mapping. */
export function toOtlpSpan(span: Span): OtlpSpan {
  if (span === null || typeof span !== 'object' || span.context === null || typeof span.context !== 'object') {
    throw new TracingValidationError('INVALID_SPAN', `toOtlpSpan needs a span, got ${describeValue(span)}`);
  }
  const ctx = span.context;
  const tags = span.tags;
  const kindTag = tags['span.kind'];
  const kind =
    typeof kindTag === 'string' && Object.prototype.hasOwnProperty.call(OTLP_SPAN_KIND, kindTag)
      ? OTLP_SPAN_KIND[kindTag]!
      : 1;
  const counters = span as Span & SpanCounters;
  const otlp: OtlpSpan = {
    traceId: ctx.traceId,
    spanId: ctx.spanId,
    flags: (ctx.traceFlags ?? (ctx.sampled ? 1 : 0)) & 0xff,
    name: span.operationName,
    kind,
    startTimeUnixNano: msToUnixNanoString(span.startTime),
    endTimeUnixNano: msToUnixNanoString(span.endTime ?? span.startTime),
    attributes: toAttributes(tags, kindTag === undefined ? undefined : 'span.kind'),
    events: span.logs.map((log) => ({
      timeUnixNano: msToUnixNanoString(log.timestamp),
      name: log.message,
      attributes: toAttributes(log.fields),
    })),
    status: { code: STATUS_CODE[span.status] },
  };
  if (ctx.parentSpanId !== undefined) otlp.parentSpanId = ctx.parentSpanId;
  if (ctx.traceState !== undefined) otlp.traceState = ctx.traceState;
  if (counters.droppedTags) otlp.droppedAttributesCount = counters.droppedTags;
  if (counters.droppedLogs) otlp.droppedEventsCount = counters.droppedLogs;
  const links = span.links;
  if (links !== undefined && links.length > 0) {
    otlp.links = links.map((link) => ({
      traceId: link.traceId,
      spanId: link.spanId,
      ...(link.traceState !== undefined ? { traceState: link.traceState } : {}),
      attributes: toAttributes(link.attributes),
      flags: link.sampled ? 1 : 0,
    }));
  }
  if (counters.droppedLinks) otlp.droppedLinksCount = counters.droppedLinks;
  if (span.status === 'error') {
    const exception = span.logs.find((log) => log.message === 'exception');
    const message = exception?.fields['exception.message'];
    if (typeof message === 'string' && message !== '') otlp.status.message = message;
  }
  return otlp;
}

/**
 * An `ExportTraceServiceRequest` for spans: one resource per service name
 * (`service.name` plus `resourceAttributes`), one scope (`@obs/tracing`).
 */
export function toOtlpRequest(
  spans: readonly Span[],
  resourceAttributes: Readonly<Record<string, TagValue>> = {},
): OtlpExportTraceServiceRequest {
  if (!Array.isArray(spans))
    throw new TracingValidationError(
      'INVALID_SPANS',
      `toOtlpRequest needs an array of spans, got ${describeValue(spans)}`,
    );
  const byService = new Map<string, OtlpSpan[]>();
  for (const span of spans) {
    let list = byService.get(span.serviceName);
    if (list === undefined) byService.set(span.serviceName, (list = []));
    list.push(toOtlpSpan(span));
  }
  const extra = toAttributes(resourceAttributes, 'service.name');
  return {
    resourceSpans: [...byService].map(([service, otlpSpans]) => ({
      resource: { attributes: [{ key: 'service.name', value: { stringValue: service } }, ...extra] },
      scopeSpans: [{ scope: { name: OTLP_SCOPE.name, version: OTLP_SCOPE.version }, spans: otlpSpans }],
    })),
  };
}
