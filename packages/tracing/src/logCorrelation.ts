import type { TraceManager } from './TraceManager';

/** The trace fields of a log line, named as OpenTelemetry's log correlation names them. */
export interface TraceLogFields {
  readonly trace_id: string;
  readonly span_id: string;
  /** W3C trace flags as two hex digits (`'01'` sampled). */
  readonly trace_flags: string;
}

const NONE: Readonly<Record<string, never>> = Object.freeze({});

/**
 * A function returning `{ trace_id, span_id, trace_flags }` of the span
 * active when it is called (an empty object outside any span), for log
 * correlation: pino's `mixin` option, or a winston format.
 *
 * @example
 * const logger = pino({ mixin: traceLogFields(traces) });
 * const logger = winston.createLogger({ format: winston.format.combine(winston.format((info) => Object.assign(info, fields()))(), winston.format.json()) });
 */
export function traceLogFields(traces: TraceManager): () => TraceLogFields | Readonly<Record<string, never>> {
  if (traces === null || typeof traces !== 'object' || typeof traces.getActiveSpan !== 'function') {
    throw new TypeError('traceLogFields needs a TraceManager');
  }
  return () => {
    const span = traces.getActiveSpan();
    if (span === undefined) return NONE;
    const ctx = span.context;
    return { trace_id: ctx.traceId, span_id: ctx.spanId, trace_flags: ctx.sampled ? '01' : '00' };
  };
}
