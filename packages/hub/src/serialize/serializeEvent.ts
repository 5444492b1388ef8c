import type { Span } from '@obs/tracing';
import type { ObsEvent } from '../events';
import { jsonSafe } from './jsonSafe';

/** What the hub serves about a span: its data, never the live object. */
export interface SpanSummary {
  readonly traceId: string;
  readonly spanId: string;
  readonly parentSpanId: string | null;
  readonly operationName: string;
  readonly serviceName: string;
  readonly startTime: number;
  readonly endTime: number | null;
  readonly durationMs: number | null;
  readonly status: string;
  readonly sampled: boolean;
  readonly tags: Record<string, unknown>;
  readonly logs: unknown[];
}

export function summarizeSpan(span: Span): SpanSummary {
  return jsonSafe({
    traceId: span.context.traceId,
    spanId: span.context.spanId,
    parentSpanId: span.context.parentSpanId ?? null,
    operationName: span.operationName,
    serviceName: span.serviceName,
    startTime: span.startTime,
    endTime: span.endTime ?? null,
    durationMs: span.durationMs ?? null,
    status: span.status,
    sampled: span.context.sampled,
    tags: span.tags,
    logs: span.logs,
  }) as SpanSummary;
}

/** A JSON-ready copy of an event: live objects (spans) become summaries. */
export function serializeEvent(event: ObsEvent): Record<string, unknown> {
  if ('span' in event && typeof event.span === 'object' && event.span !== null) {
    const { span, ...rest } = event;
    return { ...(jsonSafe(rest) as Record<string, unknown>), span: summarizeSpan(span) };
  }
  return jsonSafe(event) as Record<string, unknown>;
}
