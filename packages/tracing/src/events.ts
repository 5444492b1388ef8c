import type { ObsEventBase } from '@obs/core';
import type { Span } from './Span';
import type { TraceStatus } from './TraceStatus';

/** A sampled span started. */
export interface SpanStartedEvent extends ObsEventBase<'traces/span-started'> {
  readonly span: Span;
  readonly traceId: string;
  readonly spanId: string;
  readonly parentSpanId: string | undefined;
  readonly operationName: string;
  readonly serviceName: string;
}

/** A sampled span ended (by `finish`, or by the age reaper when `abandoned`). */
export interface SpanEndedEvent extends ObsEventBase<'traces/span-ended'> {
  readonly span: Span;
  readonly traceId: string;
  readonly spanId: string;
  readonly operationName: string;
  readonly serviceName: string;
  readonly status: TraceStatus;
  readonly durationMs: number;
  readonly abandoned: boolean;
}

/** Spans were dropped: a full trace, a full export queue, a failed export, or shutdown. */
export interface SpansDroppedEvent extends ObsEventBase<'traces/spans-dropped'> {
  readonly reason: 'trace-full' | 'queue-full' | 'export-failed' | 'shutdown';
  readonly count: number;
}

/** An export attempt failed; `willRetry` says whether the batch is retried. */
export interface ExportFailedEvent extends ObsEventBase<'traces/export-failed'> {
  readonly exporter: string;
  readonly spans: number;
  readonly reason: string;
  readonly statusCode: number | undefined;
  readonly willRetry: boolean;
  readonly attempt: number;
}

/** A batch was delivered. */
export interface ExportSucceededEvent extends ObsEventBase<'traces/export-succeeded'> {
  readonly exporter: string;
  readonly spans: number;
  readonly attempt: number;
}

/** An exporter threw while receiving a span; the span was not handed to it. */
export interface ExporterErrorEvent extends ObsEventBase<'traces/exporter-error'> {
  readonly exporter: string;
  readonly error: string;
}

/** Every event of @obs/tracing (a closed union). */
export type TracingEvent =
  SpanStartedEvent | SpanEndedEvent | SpansDroppedEvent | ExportFailedEvent | ExportSucceededEvent | ExporterErrorEvent;

/** The `source` of every tracing event. */
export const TRACING_SOURCE = 'traces';
