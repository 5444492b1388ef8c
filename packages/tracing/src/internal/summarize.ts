import type { RecordingSpan } from './spans';
import type { TraceRecord } from './TraceStore';

/** One trace for a dashboard list. */
export interface TraceSummary {
  readonly traceId: string;
  readonly rootOperation: string;
  readonly serviceName: string;
  /** Earliest span start, epoch ms. */
  readonly startTime: number;
  /** Latest end minus earliest start, ms. */
  readonly durationMs: number;
  readonly spanCount: number;
  readonly hasError: boolean;
  /** Distinct services in the trace (at most 16). */
  readonly services: readonly string[];
}

/** The summary of a stored trace: its root is the earliest span whose parent is not in the trace. */
export function summarize(record: TraceRecord): TraceSummary {
  const spans = record.spans;
  const ids = new Set<string>();
  for (const s of spans) ids.add(s.spanId);
  let root: RecordingSpan | undefined;
  let start = Infinity;
  let end = -Infinity;
  const services: string[] = [];
  for (const s of spans) {
    if (s.startTime < start) start = s.startTime;
    if (s.endTime! > end) end = s.endTime!;
    const isRoot = s.parentSpanId === undefined || !ids.has(s.parentSpanId);
    if (isRoot && (root === undefined || s.startTime < root.startTime)) root = s;
    if (services.length < 16 && !services.includes(s.serviceName)) services.push(s.serviceName);
  }
  root ??= spans[0]!;
  return {
    traceId: record.traceId,
    rootOperation: root.operationName,
    serviceName: root.serviceName,
    startTime: start,
    durationMs: end - start,
    spanCount: spans.length,
    hasError: record.hasError,
    services,
  };
}
