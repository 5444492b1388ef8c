import { ProtoWriter, varintSize } from '@obs/core';
import { SeriesBytesCache, type Slot } from '../export/SeriesBytesCache';
import { MetricType } from '../MetricType';
import { formatValue } from '../exposition/serialize';
import { snappyCompress } from './snappy';
import type { CollectedFamily, CollectedMetrics, CollectedSeries } from '../MetricsProducer';

/**
 * Prometheus remote write 1.0 (`prometheus.WriteRequest`, protobuf) from collected
 * metrics, with the series names a Prometheus scrape of `/metrics` would give:
 * counters as `<base>_total`, gauges as themselves, histograms and timers as classic
 * `_bucket{le}` (cumulative, ending in `+Inf`), `_sum` and `_count` series.
 *
 * Field numbers (prompb/remote.proto, types.proto):
 *   WriteRequest   { repeated TimeSeries timeseries = 1; repeated MetricMetadata metadata = 3; }
 *   TimeSeries     { repeated Label labels = 1; repeated Sample samples = 2; }
 *   Label          { string name = 1; string value = 2; }
 *   Sample         { double value = 1; int64 timestamp = 2; }   // timestamp in ms
 *   MetricMetadata { MetricType type = 1; string metric_family_name = 2; string help = 4; string unit = 5; }
 */

/** prompb `MetricMetadata.MetricType`. */
const METADATA_TYPE = { counter: 1, gauge: 2, histogram: 3 } as const;

export interface WriteRequestOptions {
  /** Labels added to every series that does not already have them (Prometheus `external_labels`). */
  readonly externalLabels?: Readonly<Record<string, string>>;
  /** Samples per request; a push of more is cut into several requests. Default 2000. */
  readonly maxSamplesPerRequest?: number;
  /** Send `MetricMetadata` (type, help, unit) with the first request of each push. Default true. */
  readonly sendMetadata?: boolean;
}

/** One encoded `WriteRequest`: uncompressed from `encode`, Snappy-compressed from `encodeCompressed`. */
export interface EncodedWriteRequest {
  readonly body: Uint8Array;
  readonly samples: number;
  /** The collection time its samples carry (epoch ms). */
  readonly timestamp: number;
}

type Pair = [name: string, value: string];

/**
 * A series' encoded sample labels (external labels and `__name__` included, in name order):
 * a counter's or gauge's in `labels`; a histogram's `_bucket` labels up to `le` in `labels`
 * and after it in `tail`, its `_sum` and `_count` labels in `sum` and `count`.
 */
interface SampleLabels {
  readonly labels: Uint8Array;
  readonly tail?: Uint8Array;
  readonly sum?: Uint8Array;
  readonly count?: Uint8Array;
}

function byName(a: Pair, b: Pair): number {
  return a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0;
}

/** Encodes collected metrics as remote-write requests of at most `maxSamplesPerRequest` samples each. */
export class WriteRequestEncoder {
  private readonly external: Pair[];
  private readonly maxSamples: number;
  private readonly sendMetadata: boolean;
  private readonly writer = new ProtoWriter(64 * 1024);
  /** The current series' own labels, `[name, value, name, value, …]` in name order (reused per series). */
  private readonly own: string[] = [];
  /** The labels of the sample being written, `[name, value, …]` in name order (reused per sample kind). */
  private readonly merged: string[] = [];
  /** Each series' sample labels, encoded on its first push and copied afterwards. */
  private readonly labelCache = new SeriesBytesCache<SampleLabels | null>();
  private readonly externalLe: boolean;
  /** Builds the cached label bytes. */
  private readonly scratch = new ProtoWriter(512);

  constructor(options: WriteRequestOptions = {}) {
    this.external = Object.entries(options.externalLabels ?? {}).sort(byName);
    this.externalLe = this.external.some(([name]) => name === 'le');
    this.maxSamples = options.maxSamplesPerRequest ?? 2000;
    this.sendMetadata = options.sendMetadata ?? true;
  }

  encode(collected: CollectedMetrics): EncodedWriteRequest[] {
    return this.encodeEach(collected, (w) => w.finish());
  }

  /**
   * The same requests Snappy-compressed, as they are sent (`Content-Encoding: snappy`):
   * each is compressed straight from the writer's buffer, with no uncompressed copy.
   */
  encodeCompressed(collected: CollectedMetrics): EncodedWriteRequest[] {
    return this.encodeEach(collected, (w) => snappyCompress(w.subarray()));
  }

  private encodeEach(collected: CollectedMetrics, body: (w: ProtoWriter) => Uint8Array): EncodedWriteRequest[] {
    const out: EncodedWriteRequest[] = [];
    const w = this.writer.reset();
    const ts = Math.round(collected.timestamp);
    const tsField = this.scratch.reset().int64Field(2, ts).finish();
    let samples = 0;
    const flush = (): void => {
      if (samples === 0) return;
      out.push({ body: body(w), samples, timestamp: ts });
      w.reset();
      samples = 0;
    };
    this.labelCache.begin();
    if (this.sendMetadata) for (const fam of collected.families) this.writeMetadata(w, fam);
    for (const fam of collected.families) {
      const isCounter = fam.type === MetricType.COUNTER;
      if (isCounter || fam.type === MetricType.GAUGE) {
        const name = isCounter ? counterSampleName(fam.name) : fam.name;
        const nameLabel = labelField('__name__', name);
        const series = fam.series;
        const slots = this.labelCache.slots(fam.type + ':' + fam.name, series.length);
        for (let i = 0; i < series.length; i++) {
          const s = series[i]!;
          if (s.value === undefined) continue;
          const cached = this.cachedLabels(slots, i, s, nameLabel);
          if (cached !== null) writeCachedSeries(w, cached.labels, undefined, undefined, s.value, tsField);
          else {
            this.loadOwn(s);
            this.writeSeries(w, this.mergeLabels(name, false), s.value, ts);
          }
          if (++samples >= this.maxSamples) flush();
        }
        continue;
      }
      // Histograms, timers (and summaries that carry a sketch) as classic histograms.
      const bounds = fam.bounds ?? [];
      const le = bounds.map(formatValue);
      le.push('+Inf');
      const bucketName = fam.name + '_bucket';
      const sumName = fam.name + '_sum';
      const countName = fam.name + '_count';
      const bucketLabel = labelField('__name__', bucketName);
      const sumLabel = labelField('__name__', sumName);
      const countLabel = labelField('__name__', countName);
      const leLabels = le.map((v) => labelField('le', v));
      const series = fam.series;
      const slots = this.labelCache.slots(fam.type + ':' + fam.name, series.length);
      for (let i = 0; i < series.length; i++) {
        const s = series[i]!;
        const h = s.histogram;
        if (h === undefined) continue;
        const cached = this.cachedLabels(slots, i, s, bucketLabel, sumLabel, countLabel);
        if (cached !== null) {
          const counts = s.bucketCounts;
          const prefix = cached.labels;
          const tail = cached.tail!;
          let cumulative = 0;
          for (let j = 0; j < le.length; j++) {
            cumulative += counts?.[j] ?? (j === le.length - 1 ? h.count : 0);
            writeCachedSeries(w, prefix, leLabels[j], tail, cumulative, tsField);
            if (++samples >= this.maxSamples) flush();
          }
          writeCachedSeries(w, cached.sum!, undefined, undefined, h.sum, tsField);
          if (++samples >= this.maxSamples) flush();
          writeCachedSeries(w, cached.count!, undefined, undefined, h.count, tsField);
          if (++samples >= this.maxSamples) flush();
          continue;
        }
        this.loadOwn(s);
        const bucketLabels = this.mergeLabels(bucketName, true);
        const leAt = valueIndexOf(bucketLabels, 'le');
        const counts = s.bucketCounts;
        let cumulative = 0;
        for (let j = 0; j < le.length; j++) {
          cumulative += counts?.[j] ?? (j === le.length - 1 ? h.count : 0);
          bucketLabels[leAt] = le[j]!;
          this.writeSeries(w, bucketLabels, cumulative, ts);
          if (++samples >= this.maxSamples) flush();
        }
        this.writeSeries(w, this.mergeLabels(sumName, false), h.sum, ts);
        if (++samples >= this.maxSamples) flush();
        this.writeSeries(w, this.mergeLabels(countName, false), h.count, ts);
        if (++samples >= this.maxSamples) flush();
      }
    }
    flush();
    this.labelCache.end();
    return out;
  }

  /**
   * The sample labels of series `s` (the `i`-th of its metric) as encoded `Label` fields,
   * from the cache (built on its first push, see SeriesBytesCache) out of its labels, the
   * external labels and the given `__name__` label fields (one for a counter or gauge;
   * `_bucket`, `_sum` and `_count` for a histogram). Null for series without label text,
   * and for series or encoders with a `__name__` or `le` label of their own: those are
   * written the general way.
   */
  private cachedLabels(
    slots: Slot<SampleLabels | null>[],
    i: number,
    s: CollectedSeries,
    name: Uint8Array,
    sum?: Uint8Array,
    count?: Uint8Array,
  ): SampleLabels | null {
    const text = s.labelText;
    if (text === undefined) return null;
    const slot = slots[i];
    if (slot !== undefined && slot.text === text) return slot.value;
    const value = this.encodeLabels(s, name, sum, count);
    slots[i] = { text, value };
    return value;
  }

  private encodeLabels(
    s: CollectedSeries,
    name: Uint8Array,
    sum?: Uint8Array,
    count?: Uint8Array,
  ): SampleLabels | null {
    this.loadOwn(s);
    if (this.externalLe || hasLabel(this.own, '__name__') || hasLabel(this.own, 'le')) return null;
    // The series' labels and external labels in name order, cut where __name__ and le go.
    const merged = this.mergeLabels('', false);
    const w = this.scratch.reset();
    let nameAt = -1;
    let leAt = -1;
    for (let i = 0; i < merged.length; i += 2) {
      const label = merged[i]!;
      if (label === '__name__') {
        nameAt = w.pos;
        continue;
      }
      if (leAt < 0 && label > 'le') leAt = w.pos;
      const at = w.forkField(1);
      w.stringField(1, label).stringField(2, merged[i + 1]!);
      w.join(at);
    }
    if (leAt < 0) leAt = w.pos;
    const bytes = w.subarray();
    const head = bytes.subarray(0, nameAt);
    const middle = bytes.subarray(nameAt, leAt);
    const tail = bytes.subarray(leAt);
    if (sum === undefined || count === undefined) return { labels: concat(head, name, middle, tail) };
    return {
      labels: concat(head, name, middle),
      tail: tail.slice(),
      sum: concat(head, sum, middle, tail),
      count: concat(head, count, middle, tail),
    };
  }

  /**
   * Loads a series' own labels into `own`, in name order: from the canonical label text
   * when the producer carries it (already sorted, values escaped), so no label object is
   * built and nothing is sorted per series; from `labels` otherwise.
   */
  private loadOwn(s: CollectedSeries): void {
    const own = this.own;
    own.length = 0;
    const text = s.labelText;
    if (typeof text !== 'string') {
      const labels = s.labels;
      for (const key of Object.keys(labels).sort()) own.push(key, labels[key]!);
      return;
    }
    let i = 0;
    while (i < text.length) {
      const eq = text.indexOf('=', i);
      const start = eq + 2; // skip `="`
      let end = start;
      let escaped = false;
      for (; end < text.length; end++) {
        const c = text.charCodeAt(end);
        if (c === 34 /* " */) break;
        if (c === 92 /* \\ */) {
          escaped = true;
          end++;
        }
      }
      const value = text.slice(start, end);
      own.push(
        text.slice(i, eq),
        escaped ? value.replace(/\\(.)/gs, (_, ch: string) => (ch === 'n' ? '\n' : ch)) : value,
      );
      i = end + 1;
      if (text.charCodeAt(i) === 44 /* , */) i++;
    }
  }

  /**
   * The loaded series' labels plus external labels (where absent) plus `__name__` (and an
   * `le` placeholder when `le` is set), as `[name, value, …]` in name order, as remote write
   * requires: a merge of three sorted lists into a reused array.
   */
  private mergeLabels(name: string, le: boolean): string[] {
    const own = this.own;
    const ext = this.external;
    const out = this.merged;
    out.length = 0;
    // The two labels this encoder sets, in name order ('__name__' < 'le').
    let special = 0;
    const specials = le ? 2 : 1;
    let i = 0;
    let j = 0;
    for (;;) {
      // Skip what is replaced: the series' own `__name__` (and `le`), external labels the series has or that are set here.
      while (i < own.length && (own[i] === '__name__' || (le && own[i] === 'le'))) i += 2;
      while (j < ext.length && (ext[j]![0] === '__name__' || (le && ext[j]![0] === 'le') || hasLabel(own, ext[j]![0])))
        j++;
      const a = i < own.length ? own[i]! : undefined;
      const b = j < ext.length ? ext[j]![0] : undefined;
      const c = special < specials ? (special === 0 ? '__name__' : 'le') : undefined;
      if (a === undefined && b === undefined && c === undefined) return out;
      if (a !== undefined && (b === undefined || a < b) && (c === undefined || a < c)) {
        out.push(a, own[i + 1]!);
        i += 2;
      } else if (b !== undefined && (c === undefined || b < c)) {
        out.push(b, ext[j]![1]);
        j++;
      } else {
        out.push(c!, special === 0 ? name : '');
        special++;
      }
    }
  }

  private writeSeries(w: ProtoWriter, labels: readonly string[], value: number, ts: number): void {
    const series = w.forkField(1);
    for (let i = 0; i < labels.length; i += 2) {
      const label = w.forkField(1);
      w.stringField(1, labels[i]!).stringField(2, labels[i + 1]!);
      w.join(label);
    }
    const sample = w.forkField(2);
    w.doubleField(1, value).int64Field(2, ts);
    w.join(sample);
    w.join(series);
  }

  private writeMetadata(w: ProtoWriter, fam: CollectedFamily): void {
    const isCounter = fam.type === MetricType.COUNTER;
    const type = isCounter
      ? METADATA_TYPE.counter
      : fam.type === MetricType.GAUGE
        ? METADATA_TYPE.gauge
        : METADATA_TYPE.histogram;
    const at = w.forkField(3);
    w.uint32Field(1, type).stringField(2, isCounter ? counterSampleName(fam.name) : fam.name);
    if (fam.help) w.stringField(4, fam.help);
    if (fam.unit) w.stringField(5, fam.unit);
    w.join(at);
  }
}

/** A `Label` field (tag and length included) of one label. */
function labelField(name: string, value: string): Uint8Array {
  const w = new ProtoWriter(64);
  const at = w.forkField(1);
  w.stringField(1, name).stringField(2, value);
  return w.join(at).finish();
}

/** The byte arrays one after another, in a new array. */
function concat(...parts: Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((n, part) => n + part.length, 0));
  let at = 0;
  for (const part of parts) {
    out.set(part, at);
    at += part.length;
  }
  return out;
}

/**
 * One `TimeSeries` from cached label bytes (for a bucket: the labels up to `le`, the `le`
 * label, the rest), then the sample. Every length is known up front, so nothing is moved
 * to insert one.
 */
function writeCachedSeries(
  w: ProtoWriter,
  labels: Uint8Array,
  leLabel: Uint8Array | undefined,
  tail: Uint8Array | undefined,
  value: number,
  tsField: Uint8Array,
): void {
  const sampleLength = 9 + tsField.length;
  const length =
    labels.length +
    (leLabel === undefined ? 0 : leLabel.length + tail!.length) +
    1 +
    varintSize(sampleLength) +
    sampleLength;
  const buf = w.claim(length + 6);
  let p = w.pos;
  buf[p++] = 0x0a; // field 1 (timeseries), LEN
  let v = length;
  while (v > 0x7f) {
    buf[p++] = (v & 0x7f) | 0x80;
    v >>>= 7;
  }
  buf[p++] = v;
  // Whole-array copies (set) of the pieces; see ProtoWriter.raw for why.
  buf.set(labels, p);
  p += labels.length;
  if (leLabel !== undefined) {
    buf.set(leLabel, p);
    p += leLabel.length;
    if (tail!.length > 0) buf.set(tail!, p);
    p += tail!.length;
  }
  buf[p++] = 0x12; // field 2 (sample), LEN
  buf[p++] = sampleLength; // < 128
  buf[p++] = 0x09; // field 1 (value), I64
  w.dataView.setFloat64(p, value, true);
  p += 8;
  buf.set(tsField, p);
  w.pos = p + tsField.length;
}

/** Index of the value of label `name` in `[name, value, …]` pairs (-1 when absent). */
function valueIndexOf(pairs: readonly string[], name: string): number {
  for (let i = 0; i < pairs.length; i += 2) if (pairs[i] === name) return i + 1;
  return -1;
}

/** Whether `[name, value, …]` pairs hold a label called `name`. */
function hasLabel(pairs: readonly string[], name: string): boolean {
  for (let i = 0; i < pairs.length; i += 2) if (pairs[i] === name) return true;
  return false;
}

/** The sample name of a counter, as the text exposition writes it: always ending in `_total`. */
export function counterSampleName(name: string): string {
  return name.endsWith('_total') && name.length > 6 ? name : name + '_total';
}
