import { escapeLabelValue } from '../../internal/labelText';

/**
 * prom-client's value text: `+Inf`, `-Inf`, otherwise JavaScript's number text, and NaN
 * as prom-client's `Nan` in text 0.0.4 (Prometheus reads it) but `NaN` in OpenMetrics,
 * whose grammar allows only that spelling.
 */
export function valueText(value: number, openMetrics = false): string {
  if (Number.isNaN(value)) return openMetrics ? 'NaN' : 'Nan';
  if (value === Infinity) return '+Inf';
  if (value === -Infinity) return '-Inf';
  return `${value}`;
}

/** Escapes HELP text and names as prom-client does: backslash and line feed. */
export function escapeText(text: string): string {
  return text.replace(/\\/g, '\\\\').replace(/\n/g, '\\n');
}

/** `name="value"` pairs of a label object in its own key order (undefined values left out). */
export function labelPairs(
  labels: Readonly<Record<string, unknown>>,
  exclude?: Readonly<Record<string, unknown>>,
): string[] {
  const out: string[] = [];
  for (const name in labels) {
    const value = labels[name];
    if (value === undefined) continue;
    if (exclude !== undefined && Object.prototype.hasOwnProperty.call(exclude, name)) continue;
    out.push(`${name}="${escapeLabelValue(String(value))}"`);
  }
  return out;
}

/** Joins label texts, skipping empty ones, into `{…}` (or '' when there are none). */
export function braces(...parts: string[]): string {
  let out = '';
  for (const part of parts) {
    if (part === '') continue;
    out = out === '' ? part : out + ',' + part;
  }
  return out === '' ? '' : '{' + out + '}';
}

/** An OpenMetrics exemplar as stored by prom-client metrics. */
export interface Exemplar {
  labelSet: Record<string, unknown>;
  value: number | null;
  timestamp?: number;
}

export function createExemplar(labelSet: Record<string, unknown>, value: number): Exemplar {
  let size = '';
  for (const [name, v] of Object.entries(labelSet)) size += `${name}${String(v)}`;
  if (size.length > 128) throw new RangeError('Label set size must be smaller than 128 UTF-8 chars');
  return { labelSet, value, timestamp: Date.now() / 1000 };
}

export function exemplarText(exemplar: Exemplar | null | undefined): string {
  if (!exemplar) return '';
  return ` # {${labelPairs(exemplar.labelSet).join(',')}} ${valueText(exemplar.value ?? NaN)} ${exemplar.timestamp}`;
}

/** What a registry hands each metric when rendering it. */
export interface RenderContext {
  readonly openMetrics: boolean;
  /** The registry's default labels, or undefined when it has none. */
  readonly defaults: Readonly<Record<string, unknown>> | undefined;
}

/** Default labels a series does not set itself, as `name="value"` text. */
export function defaultsFor(
  defaults: Readonly<Record<string, unknown>> | undefined,
  labels: Readonly<Record<string, unknown>>,
): string {
  if (defaults === undefined) return '';
  return labelPairs(defaults, labels).join(',');
}

/** A cache of {@link defaultsFor} for metrics whose label names never overlap the defaults. */
export function constantDefaults(
  defaults: Readonly<Record<string, unknown>> | undefined,
  labelNames: readonly string[],
): string | undefined {
  if (defaults === undefined) return '';
  for (const name of labelNames) if (Object.prototype.hasOwnProperty.call(defaults, name)) return undefined;
  return labelPairs(defaults).join(',');
}
