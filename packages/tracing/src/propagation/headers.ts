/**
 * The header carriers `extractContext` accepts: Node's `IncomingHttpHeaders`
 * (values `string | string[]`), a plain record, or a WHATWG `Headers` object.
 */
export type HeaderCarrier =
  Readonly<Record<string, string | readonly string[] | number | undefined>> | { get(name: string): string | null };

/** How many keys of a plain record are scanned for a case-insensitive match. */
const MAX_SCANNED_KEYS = 1024;

/** The three W3C headers, each with all values found (in order). */
export interface TraceHeaderValues {
  traceparent: string[] | undefined;
  tracestate: string[] | undefined;
  baggage: string[] | undefined;
}

function isHeadersLike(carrier: object): carrier is { get(name: string): string | null } {
  return typeof (carrier as { get?: unknown }).get === 'function' && !Array.isArray(carrier);
}

/**
 * Reads `traceparent`, `tracestate` and `baggage` from any carrier in one
 * pass, matching names case-insensitively. Never throws: a hostile carrier
 * (a throwing getter or proxy) counts as having no headers.
 */
export function readTraceHeaders(carrier: unknown): TraceHeaderValues {
  const out: TraceHeaderValues = { traceparent: undefined, tracestate: undefined, baggage: undefined };
  if (carrier === null || typeof carrier !== 'object') return out;
  try {
    if (isHeadersLike(carrier)) {
      const tp = carrier.get('traceparent');
      if (typeof tp === 'string') out.traceparent = [tp];
      const ts = carrier.get('tracestate');
      if (typeof ts === 'string') out.tracestate = [ts];
      const bg = carrier.get('baggage');
      if (typeof bg === 'string') out.baggage = [bg];
      return out;
    }
    let scanned = 0;
    for (const key in carrier) {
      if (++scanned > MAX_SCANNED_KEYS) break;
      const length = key.length;
      if (length !== 11 && length !== 10 && length !== 7) continue;
      const name = key === 'traceparent' || key === 'tracestate' || key === 'baggage' ? key : key.toLowerCase();
      if (name !== 'traceparent' && name !== 'tracestate' && name !== 'baggage') continue;
      if (!Object.prototype.hasOwnProperty.call(carrier, key)) continue;
      const value = (carrier as Record<string, unknown>)[key];
      if (typeof value === 'string') (out[name] ??= []).push(value);
      else if (Array.isArray(value)) for (const v of value) if (typeof v === 'string') (out[name] ??= []).push(v);
    }
  } catch {
    return { traceparent: undefined, tracestate: undefined, baggage: undefined };
  }
  return out;
}

/** All values of one header (lowercase `name`) from any carrier; [] when absent. Never throws. */
export function getHeaderValues(carrier: unknown, name: string): string[] {
  if (carrier === null || typeof carrier !== 'object') return [];
  try {
    if (isHeadersLike(carrier)) {
      const value = carrier.get(name);
      return typeof value === 'string' ? [value] : [];
    }
    const lower = name.toLowerCase();
    const out: string[] = [];
    let scanned = 0;
    for (const key in carrier) {
      if (++scanned > MAX_SCANNED_KEYS) break;
      if (
        key.length !== lower.length ||
        key.toLowerCase() !== lower ||
        !Object.prototype.hasOwnProperty.call(carrier, key)
      )
        continue;
      const value = (carrier as Record<string, unknown>)[key];
      if (typeof value === 'string') out.push(value);
      else if (Array.isArray(value)) for (const v of value) if (typeof v === 'string') out.push(v);
    }
    return out;
  } catch {
    return [];
  }
}
