/** The two text formats `/metrics` can answer with. */
export type ExpositionFormat = 'prometheus' | 'openmetrics';

export const PROMETHEUS_CONTENT_TYPE = 'text/plain; version=0.0.4; charset=utf-8';
export const OPENMETRICS_CONTENT_TYPE = 'application/openmetrics-text; version=1.0.0; charset=utf-8';

const MAX_ACCEPT_LENGTH = 16 * 1024;
const Q_VALUE = /^(?:0(?:\.\d{0,3})?|1(?:\.0{0,3})?)$/;

interface MediaRange {
  type: string;
  subtype: string;
  params: Map<string, string>;
  q: number;
}

/** Splits on `sep` outside double-quoted strings (a quoted comma or semicolon is part of a value). */
function splitOutsideQuotes(text: string, sep: string): string[] {
  const parts: string[] = [];
  let current = '';
  let quoted = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i]!;
    if (quoted) {
      current += c;
      if (c === '\\' && i + 1 < text.length) current += text[++i];
      else if (c === '"') quoted = false;
    } else if (c === '"') {
      quoted = true;
      current += c;
    } else if (c === sep) {
      parts.push(current);
      current = '';
    } else current += c;
  }
  parts.push(current);
  return parts;
}

function unquote(value: string): string {
  if (value.length >= 2 && value.startsWith('"') && value.endsWith('"'))
    return value.slice(1, -1).replace(/\\(.)/g, '$1');
  return value;
}

function parseRange(text: string): MediaRange | undefined {
  const [mediaType = '', ...paramTexts] = splitOutsideQuotes(text, ';');
  const slash = mediaType.indexOf('/');
  if (slash <= 0) return undefined;
  const type = mediaType.slice(0, slash).trim().toLowerCase();
  const subtype = mediaType
    .slice(slash + 1)
    .trim()
    .toLowerCase();
  if (!type || !subtype) return undefined;
  const params = new Map<string, string>();
  let q = 1;
  for (const p of paramTexts) {
    const eq = p.indexOf('=');
    if (eq <= 0) continue;
    const key = p.slice(0, eq).trim().toLowerCase();
    const value = unquote(p.slice(eq + 1).trim());
    if (key === 'q') {
      if (!Q_VALUE.test(value)) return undefined;
      q = Number(value);
    } else params.set(key, value);
  }
  return { type, subtype, params, q };
}

/** Specificity with which `range` selects `format` (-1: not at all). */
function matchOf(range: MediaRange, format: ExpositionFormat): number {
  const version = range.params.get('version');
  if (range.type === '*' && range.subtype === '*') return 0;
  if (format === 'openmetrics') {
    if (range.type !== 'application') return -1;
    if (range.subtype === '*') return 1;
    if (range.subtype !== 'openmetrics-text') return -1;
    if (version === undefined) return 2;
    return version === '1.0.0' || version === '0.0.1' ? 3 : -1;
  }
  if (range.type !== 'text') return -1;
  if (range.subtype === '*') return 1;
  if (range.subtype !== 'plain') return -1;
  if (version === undefined) return 2;
  return version === '0.0.4' ? 3 : -1;
}

/**
 * Picks the exposition format for an HTTP Accept header (RFC 9110 content
 * negotiation): for each format the most specific matching media range decides its
 * q-value; the higher q wins, then the more specific match; a tie between explicit
 * types prefers OpenMetrics. Anything unparseable, absent or unacceptable gives the
 * Prometheus text format, which every scraper reads. Never throws.
 */
export function negotiateFormat(accept: unknown): ExpositionFormat {
  const header = Array.isArray(accept) ? accept.filter((a) => typeof a === 'string').join(',') : accept;
  if (typeof header !== 'string' || header.length === 0 || header.length > MAX_ACCEPT_LENGTH) return 'prometheus';
  const best = { prometheus: { q: 0, specificity: -1 }, openmetrics: { q: 0, specificity: -1 } };
  for (const part of splitOutsideQuotes(header, ',')) {
    const range = parseRange(part);
    if (!range) continue;
    for (const format of ['prometheus', 'openmetrics'] as const) {
      const specificity = matchOf(range, format);
      if (specificity > best[format].specificity) best[format] = { q: range.q, specificity };
    }
  }
  const om = best.openmetrics;
  const prom = best.prometheus;
  if (om.q > prom.q) return 'openmetrics';
  if (om.q === prom.q && om.q > 0 && om.specificity > prom.specificity) return 'openmetrics';
  if (om.q === prom.q && om.q > 0 && om.specificity === prom.specificity && om.specificity >= 2) return 'openmetrics';
  return 'prometheus';
}

export function contentTypeOf(format: ExpositionFormat): string {
  return format === 'openmetrics' ? OPENMETRICS_CONTENT_TYPE : PROMETHEUS_CONTENT_TYPE;
}
