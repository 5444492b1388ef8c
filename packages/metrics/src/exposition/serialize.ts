import { MetricType } from '../MetricType';
import { internalsOf } from '../internal/internals';
import type { MetricFamily } from '../internal/MetricFamily';
import { HistogramSeries, type Series } from '../internal/Series';
import { VALUE } from '../internal/slab';
import { InvalidConfigError } from '../errors';
import type { MetricsCollector } from '../MetricsCollector';
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
  const escaped = help.replace(/\\/g, '\\\\').replace(/\n/g, '\\n');
  return format === 'openmetrics' ? escaped.replace(/"/g, '\\"') : escaped;
}

/** Per-family strings computed once per serialization, so each series costs a few concatenations. */
interface FamilyText {
  header: string;
  /** Sample name (counters get `_total`). */
  sample: string;
  /** For histograms: `le="…"` of each bound. */
  le: string[];
}

function familyText(fam: MetricFamily, format: ExpositionFormat): FamilyText {
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
  const le = fam.bounds ? [...fam.bounds.bounds].map((b) => `le="${formatValue(b)}"`) : [];
  le.push('le="+Inf"');
  return { header, sample, le };
}

/** A series' sample lines; the label text is the series key, built once when the series was created. */
function seriesText(fam: MetricFamily, s: Series, text: FamilyText): string {
  const key = s.key;
  if (s instanceof HistogramSeries) {
    const name = fam.name;
    const open = key === '' ? '_bucket{' : '_bucket{' + key + ',';
    let out = '';
    let cumulative = 0;
    const classic = s.classic;
    for (let j = 0; j < classic.length; j++) {
      cumulative += classic[j]!;
      out += name + open + text.le[j] + '} ' + cumulative + '\n';
    }
    const labels = key === '' ? ' ' : '{' + key + '} ';
    return out + name + '_sum' + labels + formatValue(s.sketch.sum) + '\n' + name + '_count' + labels + s.sketch.count + '\n';
  }
  const value = s.data[s.o + VALUE]!;
  if (value !== value) return ''; // an unset gauge has no sample
  return (key === '' ? text.sample + ' ' : text.sample + '{' + key + '} ') + formatValue(value) + '\n';
}

function internals(collector: MetricsCollector) {
  const found = internalsOf(collector);
  if (!found) throw new InvalidConfigError('serialize() needs a MetricsCollector created by this package');
  return found;
}

function render(collector: MetricsCollector, format: ExpositionFormat): string {
  const inner = internals(collector);
  inner.beforeRead();
  // Parts joined once: join() writes one flat string, where `+=` would leave a rope that
  // the first reader (the HTTP write) flattens anyway.
  const parts: string[] = [];
  for (const fam of inner.families()) {
    const text = familyText(fam, format);
    parts.push(text.header);
    for (const s of fam.all()) parts.push(seriesText(fam, s, text));
  }
  if (format === 'openmetrics') parts.push('# EOF\n');
  return parts.join('');
}

/**
 * Renders the collector for an HTTP `Accept` header value: Prometheus text 0.0.4
 * or OpenMetrics 1.0 (see {@link negotiateFormat}). Histograms and timers are
 * cumulative classic buckets with `_sum` and `_count`.
 */
export function serialize(collector: MetricsCollector, accept?: string | readonly string[] | null): Exposition {
  const format = negotiateFormat(accept);
  return { format, contentType: contentTypeOf(format), body: render(collector, format) };
}

/** Renders in one explicit format. */
export function serializeFormat(collector: MetricsCollector, format: ExpositionFormat): Exposition {
  if (format !== 'prometheus' && format !== 'openmetrics') throw new InvalidConfigError(`unknown exposition format ${String(format)}`);
  return { format, contentType: contentTypeOf(format), body: render(collector, format) };
}

const yieldToEventLoop = (): Promise<void> =>
  new Promise((resolve) => (typeof setImmediate === 'function' ? setImmediate(resolve) : setTimeout(resolve, 0)));

/**
 * Like {@link serialize}, but yields to the event loop whenever a slice has run for
 * `sliceMs`, so a registry of any size never blocks other work for long. Series
 * removed while it runs are skipped; series added are picked up if their metric has
 * not been written yet.
 */
export async function serializeAsync(
  collector: MetricsCollector,
  accept?: string | readonly string[] | null,
  options: SerializeAsyncOptions = {},
): Promise<ChunkedExposition> {
  const sliceMs = options.sliceMs ?? 4;
  if (typeof sliceMs !== 'number' || !(sliceMs > 0)) throw new InvalidConfigError('sliceMs must be a positive number');
  const format = negotiateFormat(accept);
  const inner = internals(collector);
  inner.beforeRead();
  // Every 32 series are joined into one flat string at once, so the many small strings
  // die young (long-lived survivors are what make the scavenger, and so a slice, slow);
  // each slice is joined into one chunk before yielding.
  const chunks: string[] = [];
  let slice: string[] = [];
  let batch: string[] = [];
  let sliceStart = performance.now();
  const families = [...inner.families()];
  for (const fam of families) {
    const text = familyText(fam, format);
    batch.push(text.header);
    const all = [...fam.all()];
    for (let i = 0; i < all.length; i++) {
      const s = all[i]!;
      if (s.o >= 0) batch.push(seriesText(fam, s, text));
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
