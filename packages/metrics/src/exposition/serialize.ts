import { normalizeLabels } from '@obs/core';
import { MetricType } from '../MetricType';
import type { CollectedFamily, CollectedMetrics, CollectedSeries, Exemplar, MetricsProducer } from '../MetricsProducer';
import { escapeLabelValue, labelKey } from '../internal/labelText';
import { InvalidConfigError } from '../errors';
import { contentTypeOf, negotiateFormat, type ExpositionFormat } from './negotiateFormat';

/** A rendered `/metrics` response. */
export interface Exposition {
  readonly format: ExpositionFormat;
  readonly contentType: string;
  readonly body: string;
}

/** The result of {@link serializeAsync}: also the text in chunks, to write one by one. */
export interface ChunkedExposition extends Exposition {
  /**
   * The body in pieces of about one slice each. Writing them one by one (e.g.
   * `res.write(chunk)` per chunk) never builds the whole text at once; `body` joins them
   * on first access, which for a registry of many megabytes is itself a pause of tens of ms.
   */
  readonly chunks: readonly string[];
}

export interface SerializeAsyncOptions {
  /** Longest synchronous stretch before yielding to the event loop (default 4 ms). */
  readonly sliceMs?: number;
}

/** Go-compatible float text: `+Inf`, `-Inf`, `NaN`, otherwise JavaScript's shortest round-trip form. */
export function formatValue(v: number): string {
  if (v === Infinity) return '+Inf';
  if (v === -Infinity) return '-Inf';
  return String(v);
}

function escapeHelp(help: string, format: ExpositionFormat): string {
  // Most help texts need no escaping: skip the regular expressions (a scrape renders every family's help).
  if (!NEEDS_ESCAPE.test(help)) return help;
  const escaped = help.replace(/\\/g, '\\\\').replace(/\n/g, '\\n');
  return format === 'openmetrics' ? escaped.replace(/"/g, '\\"') : escaped;
}

const NEEDS_ESCAPE = /[\\\n"]/;

/** Per-family strings computed once per serialization, so each series costs a few concatenations. */
interface FamilyText {
  header: string;
  /** Whether exemplars are written (OpenMetrics only). */
  exemplars: boolean;
  /** Sample name (counters get `_total`). */
  sample: string;
  /** For histograms: `le="…"` of each bound. */
  le: string[];
}

function familyText(fam: CollectedFamily, format: ExpositionFormat): FamilyText {
  const om = format === 'openmetrics';
  let familyName = fam.name;
  let sample = fam.name;
  let type: string = fam.type;
  if (fam.type === MetricType.COUNTER) {
    // Counter samples always end in `_total` (required by OpenMetrics, kept in 0.0.4 so series names match across formats).
    const base = fam.name.endsWith('_total') && fam.name.length > 6 ? fam.name.slice(0, -6) : fam.name;
    sample = base + '_total';
    familyName = om ? base : sample;
  } else if (fam.type === MetricType.TIMER) {
    type = 'histogram';
  } else if (fam.type === MetricType.SUMMARY) {
    type = om ? 'unknown' : 'untyped';
  }
  let header = '';
  if (om) {
    header += `# TYPE ${familyName} ${type}\n`;
    if (fam.unit && familyName.endsWith('_' + fam.unit)) header += `# UNIT ${familyName} ${fam.unit}\n`;
    if (fam.help) header += `# HELP ${familyName} ${escapeHelp(fam.help, format)}\n`;
  } else {
    if (fam.help) header += `# HELP ${familyName} ${escapeHelp(fam.help, format)}\n`;
    header += `# TYPE ${familyName} ${type}\n`;
  }
  const le = fam.bounds ? fam.bounds.map((b) => `le="${formatValue(b)}"`) : [];
  le.push('le="+Inf"');
  return { header, sample, le, exemplars: om };
}

/** OpenMetrics caps an exemplar's label names and values at 128 UTF-8 characters. */
const MAX_EXEMPLAR_LABEL_CHARS = 128;

/** ` # {trace_id="…",span_id="…"} value timestamp`, or '' when there is none or it cannot be written. */
function exemplarText(ex: Exemplar | undefined | null): string {
  if (ex === undefined || ex === null || typeof ex !== 'object') return '';
  const { labels, value, timestamp } = ex;
  if (typeof value !== 'number' || value !== value || typeof labels !== 'object' || labels === null) return '';
  let chars = 0;
  let text = '';
  for (const name of Object.keys(labels)) {
    const v = labels[name];
    if (typeof v !== 'string' || !LABEL_NAME.test(name)) return '';
    chars += name.length + utf8Length(v);
    text += (text === '' ? '' : ',') + name + '="' + escapeLabelValue(v) + '"';
  }
  if (chars > MAX_EXEMPLAR_LABEL_CHARS) return '';
  const ts = typeof timestamp === 'number' && Number.isFinite(timestamp) ? ' ' + formatValue(timestamp / 1000) : '';
  return ' # {' + text + '} ' + formatValue(value) + ts;
}
const LABEL_NAME = /^[a-zA-Z_][a-zA-Z0-9_]*$/;

function utf8Length(s: string): number {
  let n = 0;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    n += c < 0x80 ? 1 : c < 0x800 ? 2 : c >= 0xd800 && c <= 0xdbff ? (i++, 4) : 3;
  }
  return n;
}

/** The label text of a series: the producer's, or built from its labels. */
function labelTextOf(s: CollectedSeries): string {
  return typeof s.labelText === 'string' ? s.labelText : labelKey(normalizeLabels(s.labels));
}

/** A series' sample lines. */
function seriesText(fam: CollectedFamily, s: CollectedSeries, text: FamilyText): string {
  const key = labelTextOf(s);
  const counts = s.bucketCounts;
  const exemplars = text.exemplars ? s.exemplars : undefined;
  if (counts !== undefined) {
    const name = fam.name;
    const open = key === '' ? '_bucket{' : '_bucket{' + key + ',';
    let out = '';
    let cumulative = 0;
    for (let j = 0; j < counts.length; j++) {
      cumulative += counts[j]!;
      out +=
        name +
        open +
        text.le[j] +
        '} ' +
        cumulative +
        (exemplars === undefined ? '\n' : exemplarText(exemplars[j]) + '\n');
    }
    const labels = key === '' ? ' ' : '{' + key + '} ';
    const h = s.histogram;
    return (
      out +
      name +
      '_sum' +
      labels +
      formatValue(h ? h.sum : 0) +
      '\n' +
      name +
      '_count' +
      labels +
      (h ? h.count : cumulative) +
      '\n'
    );
  }
  const value = s.value;
  if (value === undefined || value !== value) return ''; // an unset gauge has no sample
  const line = (key === '' ? text.sample + ' ' : text.sample + '{' + key + '} ') + formatValue(value);
  // Exemplars belong to counters only (OpenMetrics allows none on gauges).
  return exemplars === undefined || fam.type !== MetricType.COUNTER
    ? line + '\n'
    : line + exemplarText(exemplars[0]) + '\n';
}

function collectFrom(producer: MetricsProducer): CollectedMetrics {
  if (typeof producer !== 'object' || producer === null || typeof producer.collect !== 'function') {
    throw new InvalidConfigError(
      'serialize() needs a MetricsProducer (an object with collect(), such as a MetricsCollector)',
    );
  }
  return producer.collect();
}

function render(data: CollectedMetrics, format: ExpositionFormat): string {
  // Parts joined once: join() writes one flat string, where `+=` would leave a rope that
  // the first reader (the HTTP write) flattens anyway.
  const parts: string[] = [];
  for (const fam of data.families) {
    const text = familyText(fam, format);
    parts.push(text.header);
    const series = fam.series;
    for (let i = 0; i < series.length; i++) parts.push(seriesText(fam, series[i]!, text));
  }
  if (format === 'openmetrics') parts.push('# EOF\n');
  return parts.join('');
}

/**
 * Renders the collector for an HTTP `Accept` header value: Prometheus text 0.0.4
 * or OpenMetrics 1.0 (see {@link negotiateFormat}). Histograms and timers are
 * cumulative classic buckets with `_sum` and `_count`.
 */
export function serialize(producer: MetricsProducer, accept?: string | readonly string[] | null): Exposition {
  const format = negotiateFormat(accept);
  return { format, contentType: contentTypeOf(format), body: render(collectFrom(producer), format) };
}

/** Renders in one explicit format. */
export function serializeFormat(producer: MetricsProducer, format: ExpositionFormat): Exposition {
  if (format !== 'prometheus' && format !== 'openmetrics')
    throw new InvalidConfigError(`unknown exposition format ${String(format)}`);
  return { format, contentType: contentTypeOf(format), body: render(collectFrom(producer), format) };
}

const yieldToEventLoop = (): Promise<void> =>
  new Promise((resolve) => (typeof setImmediate === 'function' ? setImmediate(resolve) : setTimeout(resolve, 0)));

/**
 * Like {@link serialize}, but yields to the event loop whenever a slice has run for
 * `sliceMs`, so a registry of any size never blocks other work for long. A producer
 * with `collectBatches()` (a MetricsCollector) is also read in slices, part by part: each
 * series is read when it is reached, and series removed meanwhile are skipped.
 */
export async function serializeAsync(
  producer: MetricsProducer,
  accept?: string | readonly string[] | null,
  options: SerializeAsyncOptions = {},
): Promise<ChunkedExposition> {
  const sliceMs = options.sliceMs ?? 4;
  if (typeof sliceMs !== 'number' || !(sliceMs > 0)) throw new InvalidConfigError('sliceMs must be a positive number');
  const format = negotiateFormat(accept);
  const families: Iterable<CollectedFamily> | AsyncIterable<CollectedFamily> =
    typeof producer?.collectBatches === 'function'
      ? producer.collectBatches({ sliceMs })
      : collectFrom(producer).families;
  // Every 32 series are joined into one flat string at once, so the many small strings
  // die young (long-lived survivors are what make the scavenger, and so a slice, slow);
  // each slice is joined into one chunk before yielding.
  const chunks: string[] = [];
  let slice: string[] = [];
  let batch: string[] = [];
  let sliceStart = performance.now();
  let previous: string | undefined;
  for await (const fam of families) {
    const text = familyText(fam, format);
    // Parts of one family are adjacent and share the name: one header.
    if (fam.name !== previous) batch.push(text.header);
    previous = fam.name;
    const all = fam.series;
    for (let i = 0; i < all.length; i++) {
      batch.push(seriesText(fam, all[i]!, text));
      if ((i & 31) === 31) {
        slice.push(batch.join(''));
        batch = [];
        if (performance.now() - sliceStart > sliceMs) {
          chunks.push(slice.join(''));
          slice = [];
          await yieldToEventLoop();
          sliceStart = performance.now();
        }
      }
    }
  }
  if (format === 'openmetrics') batch.push('# EOF\n');
  slice.push(batch.join(''));
  chunks.push(slice.join(''));
  let body: string | undefined;
  return {
    format,
    contentType: contentTypeOf(format),
    chunks,
    // One multi-megabyte string costs tens of ms to allocate, so it is built only if asked for.
    get body() {
      return (body ??= chunks.join(''));
    },
  };
}
