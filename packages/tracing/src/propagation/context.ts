import { describeValue } from '@obs/core';
import { TracingValidationError } from '../errors';
import { isValidSpanId, isValidTraceId } from '../ids';
import type { SpanContext } from '../Span';
import { parseBaggage, serializeBaggage, type BaggageEntry } from './baggage';
import { readTraceHeaders } from './headers';
import { TraceFlags, parseTraceparent, serializeTraceparent } from './traceparent';
import { parseTracestate, serializeTracestate } from './tracestate';

/** The headers {@link injectTraceHeaders} produces: `traceparent`, and `tracestate`/`baggage` when present. */
export type TraceHeaders = Record<string, string> & { traceparent: string };

import { EMPTY_BAGGAGE as EMPTY } from '../internal/empty';

/**
 * Reads a remote caller's context from request headers (W3C `traceparent`,
 * `tracestate`, `baggage`). Returns undefined when there is no valid
 * `traceparent` (absent, malformed, or sent more than once), in which case
 * `tracestate` is not read at all. An invalid `tracestate` is dropped as a
 * whole; invalid baggage members are dropped one by one. Never throws.
 */
export function extractTraceContext(headers: unknown): SpanContext | undefined {
  const found = readTraceHeaders(headers);
  const traceparents = found.traceparent;
  if (traceparents === undefined || traceparents.length !== 1) return undefined;
  const parsed = parseTraceparent(traceparents[0]);
  if (parsed === undefined) return undefined;
  const context: {
    traceId: string;
    spanId: string;
    baggage: Readonly<Record<string, string>>;
    sampled: boolean;
    traceFlags: number;
    traceState?: string;
    baggageMetadata?: Readonly<Record<string, string>>;
    isRemote: boolean;
  } = {
    traceId: parsed.traceId,
    spanId: parsed.parentId,
    baggage: EMPTY,
    sampled: (parsed.traceFlags & TraceFlags.SAMPLED) !== 0,
    traceFlags: parsed.traceFlags,
    isRemote: true,
  };
  const states = found.tracestate;
  if (states !== undefined) {
    const entries = parseTracestate(states.length === 1 ? states[0] : states.join(','));
    if (entries !== undefined && entries.length > 0) context.traceState = serializeTracestate(entries);
  }
  const baggages = found.baggage;
  if (baggages !== undefined) {
    const { entries } = parseBaggage(baggages.length === 1 ? baggages[0] : baggages.join(','));
    if (entries.length > 0) {
      const baggage = Object.create(null) as Record<string, string>;
      let metadata: Record<string, string> | undefined;
      for (const entry of entries) {
        baggage[entry.key] = entry.value;
        if (entry.metadata !== '')
          (metadata ??= Object.create(null) as Record<string, string>)[entry.key] = entry.metadata;
        else if (metadata && entry.key in metadata) delete metadata[entry.key];
      }
      context.baggage = baggage;
      if (metadata) context.baggageMetadata = metadata;
    }
  }
  return context;
}

/** Baggage of a context as entries for serialization (invalid keys or values are skipped later). */
export function baggageEntries(baggage: unknown, metadata: unknown): BaggageEntry[] {
  const out: BaggageEntry[] = [];
  if (baggage === null || typeof baggage !== 'object') return out;
  const meta = metadata !== null && typeof metadata === 'object' ? (metadata as Record<string, unknown>) : undefined;
  for (const key of Object.keys(baggage)) {
    const value = (baggage as Record<string, unknown>)[key];
    if (typeof value !== 'string') continue;
    const m = meta && Object.prototype.hasOwnProperty.call(meta, key) ? meta[key] : undefined;
    out.push({ key, value, metadata: typeof m === 'string' ? m : '' });
  }
  return out;
}

/**
 * Outgoing headers for a span of ours, whose ids are known to be valid: the
 * hot path skips re-validating them.
 */
export function injectTrustedHeaders(
  traceparent: string,
  traceState: string | undefined,
  baggage: Readonly<Record<string, string>>,
  baggageMetadata: Readonly<Record<string, string>> | undefined,
): TraceHeaders {
  const headers: TraceHeaders = { traceparent };
  if (traceState !== undefined || baggage !== EMPTY) addOptionalHeaders(headers, traceState, baggage, baggageMetadata);
  return headers;
}

function addOptionalHeaders(
  headers: TraceHeaders,
  traceState: unknown,
  baggage: unknown,
  baggageMetadata: unknown,
): void {
  if (typeof traceState === 'string' && traceState !== '') {
    const entries = parseTracestate(traceState);
    if (entries !== undefined && entries.length > 0) headers.tracestate = serializeTracestate(entries);
  }
  if (baggage !== EMPTY && baggage !== null && typeof baggage === 'object') {
    const serialized = serializeBaggage(baggageEntries(baggage, baggageMetadata));
    if (serialized !== '') headers.baggage = serialized;
  }
}

/**
 * Builds outgoing headers for a context. `traceparent` is always version 00
 * with only the SAMPLED and RANDOM flags; `tracestate` is re-validated and
 * left out when invalid; `baggage` is percent-encoded and limited. Throws
 * {@link TracingValidationError} for a context without valid ids.
 */
export function injectTraceHeaders(
  traceId: unknown,
  spanId: unknown,
  sampled: unknown,
  traceFlags: unknown,
  traceState: unknown,
  baggage: unknown,
  baggageMetadata: unknown,
): TraceHeaders {
  if (!isValidTraceId(traceId) || !isValidSpanId(spanId)) {
    throw new TracingValidationError(
      'INVALID_CONTEXT',
      `cannot inject a context without valid ids (traceId ${describeValue(traceId)}, spanId ${describeValue(spanId)})`,
    );
  }
  const flags =
    (typeof traceFlags === 'number' ? traceFlags & TraceFlags.RANDOM : 0) | (sampled === true ? TraceFlags.SAMPLED : 0);
  const headers: TraceHeaders = { traceparent: serializeTraceparent(traceId, spanId, flags)! };
  addOptionalHeaders(headers, traceState, baggage, baggageMetadata);
  return headers;
}

/**
 * Outgoing W3C headers for a context (the counterpart of
 * {@link extractTraceContext}; `traces.injectContext` without a manager).
 * Throws {@link TracingValidationError} for a context without valid ids.
 */
export function injectTraceContext(context: SpanContext): TraceHeaders {
  if (context === null || typeof context !== 'object') {
    throw new TracingValidationError(
      'INVALID_CONTEXT',
      `injectTraceContext needs a SpanContext, got ${describeValue(context)}`,
    );
  }
  const c = context as Partial<Record<keyof SpanContext, unknown>>;
  return injectTraceHeaders(c.traceId, c.spanId, c.sampled, c.traceFlags, c.traceState, c.baggage, c.baggageMetadata);
}
