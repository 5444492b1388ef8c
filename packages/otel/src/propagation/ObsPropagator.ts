import {
  baggageEntryMetadataFromString,
  propagation,
  trace,
  type Context,
  type TextMapGetter,
  type TextMapPropagator,
  type TextMapSetter,
} from '@opentelemetry/api';
import {
  extractTraceContext,
  injectTraceContext,
  parseBaggage,
  serializeBaggage,
  type BaggageEntry,
} from '@obs/tracing';
import { isValidOtelContext, toObsContext, toOtelContext } from '../trace/convert';

const FIELDS = ['traceparent', 'tracestate', 'baggage'];

/**
 * OpenTelemetry's TextMapPropagator for W3C Trace Context and Baggage, done
 * by @obs/tracing's codecs: the same parsing (Level 2 traceparent, tracestate
 * with duplicated keys inherited, percent-encoded baggage with properties)
 * and the same limits as `traces.extractContext` / `injectContext`. It
 * replaces OpenTelemetry's composite of W3CTraceContextPropagator and
 * W3CBaggagePropagator. Never throws.
 */
export class ObsPropagator implements TextMapPropagator {
  inject(context: Context, carrier: unknown, setter: TextMapSetter): void {
    try {
      const sc = trace.getSpanContext(context);
      const entries = baggageOf(context);
      if (isValidOtelContext(sc)) {
        const headers = injectTraceContext(toObsContext(sc));
        for (const name of Object.keys(headers)) setter.set(carrier, name, headers[name]!);
      }
      if (entries.length > 0) {
        const value = serializeBaggage(entries);
        if (value !== '') setter.set(carrier, 'baggage', value);
      }
    } catch {
      // A hostile carrier or setter must not break the caller's request.
    }
  }

  extract(context: Context, carrier: unknown, getter: TextMapGetter): Context {
    let headers: Record<string, string | string[]>;
    try {
      headers = {};
      for (const name of FIELDS) {
        const value = getter.get(carrier, name);
        if (typeof value === 'string') headers[name] = value;
        else if (Array.isArray(value)) headers[name] = value.filter((v): v is string => typeof v === 'string');
      }
    } catch {
      return context;
    }
    let ctx = context;
    const remote = extractTraceContext(headers);
    if (remote !== undefined) ctx = trace.setSpanContext(ctx, toOtelContext(remote, true));
    const raw = headers['baggage'];
    if (raw !== undefined) {
      const { entries } = parseBaggage(Array.isArray(raw) ? raw.join(',') : raw);
      if (entries.length > 0) {
        const record: Record<string, { value: string; metadata?: ReturnType<typeof baggageEntryMetadataFromString> }> =
          {};
        for (const entry of entries) {
          record[entry.key] =
            entry.metadata === ''
              ? { value: entry.value }
              : { value: entry.value, metadata: baggageEntryMetadataFromString(entry.metadata) };
        }
        ctx = propagation.setBaggage(ctx, propagation.createBaggage(record));
      }
    }
    return ctx;
  }

  fields(): string[] {
    return FIELDS.slice();
  }
}

function baggageOf(context: Context): BaggageEntry[] {
  const baggage = propagation.getBaggage(context);
  if (baggage === undefined) return [];
  return baggage
    .getAllEntries()
    .map(([key, entry]) => ({ key, value: entry.value, metadata: entry.metadata?.toString() ?? '' }));
}
