import type { Span, TagValue } from './Span';
import type { TraceStatus } from './TraceStatus';

/**
 * A finished span as plain data, for carrying it to another TraceManager (a
 * worker's spans to the primary of a node:cluster app, over IPC or a
 * MessagePort): JSON-safe, no methods. Make one with {@link toImportedSpan};
 * record it with `TraceManager.importSpan`.
 */
export interface ImportedSpan {
  readonly traceId: string;
  readonly spanId: string;
  readonly parentSpanId?: string;
  readonly operationName: string;
  readonly serviceName: string;
  /** Epoch ms. */
  readonly startTime: number;
  /** Epoch ms (not before `startTime`). */
  readonly endTime: number;
  readonly status: TraceStatus;
  readonly tags?: Readonly<Record<string, TagValue>>;
  readonly logs?: readonly {
    readonly timestamp: number;
    readonly message: string;
    readonly fields?: Readonly<Record<string, TagValue>>;
  }[];
}

/** A finished span's data as an {@link ImportedSpan} (undefined for a span that is not recording or not finished). */
export function toImportedSpan(span: Span, extraTags?: Readonly<Record<string, TagValue>>): ImportedSpan | undefined {
  if (!span.isRecording || span.endTime === undefined) return undefined;
  const { traceId, spanId, parentSpanId } = span.context;
  return {
    traceId,
    spanId,
    ...(parentSpanId !== undefined ? { parentSpanId } : {}),
    operationName: span.operationName,
    serviceName: span.serviceName,
    startTime: span.startTime,
    endTime: span.endTime,
    status: span.status,
    tags: { ...span.tags, ...extraTags },
    logs: span.logs.map((l) => ({ timestamp: l.timestamp, message: l.message, fields: { ...l.fields } })),
  };
}
