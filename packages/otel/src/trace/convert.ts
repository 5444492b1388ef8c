import { TraceFlags, createTraceState, type SpanContext as OtelSpanContext } from '@opentelemetry/api';
import type { SpanContext } from '@obs/tracing';

const NO_BAGGAGE: Readonly<Record<string, string>> = Object.freeze(Object.create(null) as Record<string, string>);
const HEX32 = /^[0-9a-f]{32}$/;
const HEX16 = /^[0-9a-f]{16}$/;

/** Whether an OpenTelemetry span context has valid W3C ids (not all zero). */
export function isValidOtelContext(sc: OtelSpanContext | undefined): sc is OtelSpanContext {
  return (
    sc !== undefined &&
    sc !== null &&
    typeof sc.traceId === 'string' &&
    typeof sc.spanId === 'string' &&
    HEX32.test(sc.traceId) &&
    HEX16.test(sc.spanId) &&
    sc.traceId !== '00000000000000000000000000000000' &&
    sc.spanId !== '0000000000000000'
  );
}

/** An OpenTelemetry span context as an @obs/tracing SpanContext (the parent of an @obs span). */
export function toObsContext(sc: OtelSpanContext, baggage: Readonly<Record<string, string>> = NO_BAGGAGE): SpanContext {
  const flags = typeof sc.traceFlags === 'number' ? sc.traceFlags & 0xff : 0;
  const traceState = sc.traceState?.serialize();
  return {
    traceId: sc.traceId,
    spanId: sc.spanId,
    sampled: (flags & TraceFlags.SAMPLED) !== 0,
    traceFlags: flags,
    baggage,
    ...(traceState ? { traceState } : {}),
    ...(sc.isRemote ? { isRemote: true } : {}),
  };
}

/** An @obs/tracing SpanContext as an OpenTelemetry span context. */
export function toOtelContext(ctx: SpanContext, isRemote = false): OtelSpanContext {
  const flags = ((ctx.traceFlags ?? 0) & ~TraceFlags.SAMPLED) | (ctx.sampled ? TraceFlags.SAMPLED : 0);
  return {
    traceId: ctx.traceId,
    spanId: ctx.spanId,
    traceFlags: flags & 0xff,
    isRemote,
    ...(ctx.traceState ? { traceState: createTraceState(ctx.traceState) } : {}),
  };
}
