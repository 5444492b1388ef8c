import { ProtoWriter, writeOtlpResource, writeOtlpScope, writeOtlpStringKeyValue } from '@obs/core';
import { SeriesBytesCache, type Slot } from '../export/SeriesBytesCache';
import { MetricType } from '../MetricType';
import type { CollectedFamily, CollectedHistogram, CollectedMetrics, CollectedSeries } from '../MetricsProducer';
import { OTLP_METRICS_SCOPE, TEMPORALITY, type ExportSeries, type OtlpMetricsEncoding } from './options';

/*
 * OTLP protobuf of opentelemetry/proto/collector/metrics/v1 ExportMetricsServiceRequest,
 * written field by field (opentelemetry/proto/metrics/v1/metrics.proto):
 *   ExportMetricsServiceRequest { repeated ResourceMetrics resource_metrics = 1; }
 *   ResourceMetrics { Resource resource = 1; repeated ScopeMetrics scope_metrics = 2; }
 *   ScopeMetrics    { InstrumentationScope scope = 1; repeated Metric metrics = 2; }
 *   Metric          { string name = 1; string description = 2; string unit = 3;
 *                     Gauge gauge = 5; Sum sum = 7; Histogram histogram = 9; ExponentialHistogram exponential_histogram = 10; }
 *   Gauge { repeated NumberDataPoint data_points = 1; }
 *   Sum   { repeated NumberDataPoint data_points = 1; AggregationTemporality aggregation_temporality = 2; bool is_monotonic = 3; }
 *   (Exponential)Histogram { repeated ...DataPoint data_points = 1; AggregationTemporality aggregation_temporality = 2; }
 *   NumberDataPoint { repeated KeyValue attributes = 7; fixed64 start_time_unix_nano = 2; fixed64 time_unix_nano = 3; double as_double = 4; }
 *   HistogramDataPoint { repeated KeyValue attributes = 9; fixed64 start = 2; fixed64 time = 3; fixed64 count = 4; double sum = 5;
 *                        repeated fixed64 bucket_counts = 6; repeated double explicit_bounds = 7; double min = 11; double max = 12; }
 *   ExponentialHistogramDataPoint { repeated KeyValue attributes = 1; fixed64 start = 2; fixed64 time = 3; fixed64 count = 4;
 *                        double sum = 5; sint32 scale = 6; fixed64 zero_count = 7; Buckets positive = 8; Buckets negative = 9;
 *                        double min = 12; double max = 13; }
 *   Buckets { sint32 offset = 1; repeated uint64 bucket_counts = 2; }
 */

/**
 * A series' labels as `KeyValue` attributes. Read from the canonical label text when the
 * producer carries it (the collector does), so no label object is built per series and
 * export; attributes then come in name order, which OTLP allows.
 */
function writeAttributes(w: ProtoWriter, field: number, s: CollectedSeries): void {
  const text = s.labelText;
  if (text === undefined) {
    const labels = s.labels;
    for (const key in labels) writeOtlpStringKeyValue(w, field, key, labels[key]!);
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
      if (c === 92 /* \ */) {
        escaped = true;
        end++;
      }
    }
    const value = escaped ? unescapeLabelValue(text.slice(start, end)) : text.slice(start, end);
    writeOtlpStringKeyValue(w, field, text.slice(i, eq), value);
    i = end + 1;
    if (text.charCodeAt(i) === 44 /* , */) i++;
  }
}

const scratch = new ProtoWriter(512);

/**
 * Each series' attribute fields, encoded on its first export and copied afterwards (see
 * SeriesBytesCache), per metric and field number: the cache of the encoding under way (an
 * exporter's own, or the one {@link encodeMetricsProto} shares). Encoding is synchronous.
 */
const sharedAttributeCache = new SeriesBytesCache<Uint8Array>();
let attributeCache = sharedAttributeCache;

/** The slots of one metric's attributes as field `field`. */
function attributeSlots(fam: CollectedFamily, field: 1 | 7 | 9): Slot<Uint8Array>[] {
  return attributeCache.slots(field + fam.name, fam.series.length);
}

/** The attributes of series `s` (the `i`-th of its metric) as field `field`: from the cache when its label text is known. */
function copyAttributes(
  w: ProtoWriter,
  field: 1 | 7 | 9,
  slots: Slot<Uint8Array>[],
  i: number,
  s: CollectedSeries,
): void {
  const bytes = cachedAttributes(field, slots, i, s);
  if (bytes === undefined) writeAttributes(w, field, s);
  else w.raw(bytes);
}

/** The cached attribute fields of series `s` (encoded now if new or moved); undefined for a series without label text. */
function cachedAttributes(
  field: 1 | 7 | 9,
  slots: Slot<Uint8Array>[],
  i: number,
  s: CollectedSeries,
): Uint8Array | undefined {
  const text = s.labelText;
  if (text === undefined) return undefined;
  const slot = slots[i];
  if (slot !== undefined && slot.text === text) return slot.value;
  writeAttributes(scratch.reset(), field, s);
  const value = scratch.finish();
  slots[i] = { text, value };
  return value;
}

/** Fields 2 and 3 (start and time as fixed64 nanoseconds), the same for most points of a metric. */
function timeFields(start: number, time: number): Uint8Array {
  return scratch.reset().fixed64NanosField(2, start).fixed64NanosField(3, time).finish();
}

function unescapeLabelValue(escaped: string): string {
  return escaped.replace(/\\(.)/gs, (_, c: string) => (c === 'n' ? '\n' : c));
}

function writeBuckets(w: ProtoWriter, field: number, store: CollectedHistogram['positive']): void {
  const counts = store.counts;
  if (counts.length === 0) return;
  const at = w.forkField(field);
  if (store.offset !== 0) w.sint64Field(1, store.offset);
  w.packedUint64Field(2, counts);
  w.join(at);
}

function writeNumberPoints(w: ProtoWriter, fam: CollectedFamily, start: number, time: number): void {
  const times = timeFields(start, time);
  const series = fam.series as readonly ExportSeries[];
  const slots = attributeSlots(fam, 7);
  for (let i = 0; i < series.length; i++) {
    const s = series[i]!;
    if (s.value === undefined) continue;
    const attributes = s.startTimestamp === undefined ? cachedAttributes(7, slots, i, s) : undefined;
    // The common point (cached attributes, the metric's times, a short body) in one go: its length is known.
    if (attributes !== undefined && attributes.length < 100) {
      const length = attributes.length + 27;
      const buf = w.claim(length + 2);
      let p = w.pos;
      buf[p++] = 0x0a; // field 1, LEN
      buf[p++] = length;
      buf.set(attributes, p);
      p += attributes.length;
      buf.set(times, p);
      p += 18;
      buf[p++] = 0x21; // field 4, I64
      w.dataView.setFloat64(p, s.value, true);
      w.pos = p + 8;
      continue;
    }
    const at = w.forkField(1);
    copyAttributes(w, 7, slots, i, s);
    if (s.startTimestamp === undefined) w.raw(times);
    else w.fixed64NanosField(2, s.startTimestamp).fixed64NanosField(3, time);
    w.doubleField(4, s.value);
    w.join(at);
  }
}

function writeExponentialPoints(w: ProtoWriter, fam: CollectedFamily, start: number, time: number): void {
  const times = timeFields(start, time);
  const series = fam.series as readonly ExportSeries[];
  const slots = attributeSlots(fam, 1);
  for (let i = 0; i < series.length; i++) {
    const s = series[i]!;
    const h = s.histogram;
    if (h === undefined) continue;
    const at = w.forkField(1);
    copyAttributes(w, 1, slots, i, s);
    if (s.startTimestamp === undefined) w.raw(times);
    else w.fixed64NanosField(2, s.startTimestamp).fixed64NanosField(3, time);
    w.tag(4, 1)
      .fixed64Number(h.count)
      .doubleField(5, h.sum)
      .sint64Field(6, h.scale)
      .tag(7, 1)
      .fixed64Number(h.zeroCount);
    writeBuckets(w, 8, h.positive);
    writeBuckets(w, 9, h.negative);
    if (h.min !== null) w.doubleField(12, h.min);
    if (h.max !== null) w.doubleField(13, h.max);
    w.join(at);
  }
}

function writeExplicitPoints(w: ProtoWriter, fam: CollectedFamily, start: number, time: number): void {
  const bounds = fam.bounds ?? [];
  const times = timeFields(start, time);
  // explicit_bounds (packed doubles) are the same for every point of the metric.
  let packedBounds: Uint8Array | undefined;
  if (bounds.length > 0) {
    const at = scratch.reset().forkField(7);
    for (const b of bounds) scratch.double(b);
    packedBounds = scratch.join(at).finish();
  }
  const buckets = bounds.length + 1;
  const series = fam.series as readonly ExportSeries[];
  const slots = attributeSlots(fam, 9);
  for (let i = 0; i < series.length; i++) {
    const s = series[i]!;
    const h = s.histogram;
    if (h === undefined) continue;
    const at = w.forkField(1);
    copyAttributes(w, 9, slots, i, s);
    if (s.startTimestamp === undefined) w.raw(times);
    else w.fixed64NanosField(2, s.startTimestamp).fixed64NanosField(3, time);
    w.tag(4, 1).fixed64Number(h.count).doubleField(5, h.sum);
    const counts = s.bucketCounts;
    w.tag(6, 2).uint32(buckets * 8);
    if (counts !== undefined && counts.length >= buckets) for (let j = 0; j < buckets; j++) w.fixed64Number(counts[j]!);
    else for (let j = 0; j < buckets; j++) w.fixed64Number(counts?.[j] ?? (j === buckets - 1 ? h.count : 0));
    if (packedBounds !== undefined) w.raw(packedBounds);
    if (h.min !== null) w.doubleField(11, h.min);
    if (h.max !== null) w.doubleField(12, h.max);
    w.join(at);
  }
}

/** One family as an OTLP `Metric` field. */
function writeMetric(w: ProtoWriter, fam: CollectedFamily, time: number, enc: OtlpMetricsEncoding): void {
  const start = fam.startTimestamp ?? time;
  const temporality = TEMPORALITY[enc.temporality];
  const at = w.forkField(2);
  w.stringField(1, fam.name);
  if (fam.help) w.stringField(2, fam.help);
  if (fam.unit) w.stringField(3, fam.unit);
  if (fam.type === MetricType.COUNTER) {
    const sum = w.forkField(7);
    writeNumberPoints(w, fam, start, time);
    w.uint32Field(2, temporality).boolField(3, true);
    w.join(sum);
  } else if (fam.type === MetricType.GAUGE) {
    const gauge = w.forkField(5);
    writeNumberPoints(w, fam, start, time);
    w.join(gauge);
  } else if (enc.histogram === 'explicit') {
    const hist = w.forkField(9);
    writeExplicitPoints(w, fam, start, time);
    w.uint32Field(2, temporality);
    w.join(hist);
  } else {
    const hist = w.forkField(10);
    writeExponentialPoints(w, fam, start, time);
    w.uint32Field(2, temporality);
    w.join(hist);
  }
  w.join(at);
}

const shared = new ProtoWriter(256 * 1024);

/** Encodes collected metrics as an OTLP protobuf `ExportMetricsServiceRequest`. */
export function encodeMetricsProto(
  collected: CollectedMetrics,
  enc: OtlpMetricsEncoding,
  writer: ProtoWriter = shared,
): Uint8Array {
  return encodeMetricsProtoCached(collected, enc, sharedAttributeCache, writer);
}

/** {@link encodeMetricsProto} with the attribute cache of one exporter (which keeps what its last export held). */
export function encodeMetricsProtoCached(
  collected: CollectedMetrics,
  enc: OtlpMetricsEncoding,
  cache: SeriesBytesCache<Uint8Array>,
  writer: ProtoWriter = shared,
): Uint8Array {
  const w = writer.reset();
  attributeCache = cache;
  cache.begin();
  const rm = w.forkField(1);
  writeOtlpResource(w, 1, enc.resource);
  const sm = w.forkField(2);
  writeOtlpScope(w, 1, OTLP_METRICS_SCOPE.name, OTLP_METRICS_SCOPE.version);
  for (const fam of collected.families) if (hasPoints(fam)) writeMetric(w, fam, collected.timestamp, enc);
  w.join(sm);
  w.join(rm);
  cache.end();
  return w.finish();
}

/** A Metric without data points is not valid OTLP: families whose series are all unset are left out. */
export function hasPoints(fam: CollectedFamily): boolean {
  for (const s of fam.series) if (s.value !== undefined || s.histogram !== undefined) return true;
  return false;
}

/** Data points in a collection (what the queue bound counts). */
export function countPoints(collected: CollectedMetrics): number {
  let n = 0;
  for (const fam of collected.families)
    for (const s of fam.series) if (s.value !== undefined || s.histogram !== undefined) n++;
  return n;
}
