import { normalizeLabels } from '@obs/core';
import type { CollectedHistogram, CollectedMetrics, CollectedSeries } from '../MetricsProducer';
import { isKeepableExemplar } from '../internal/exemplars';
import { MetricType } from '../MetricType';
import { labelKey } from '../internal/labelText';
import type { MetricsSnapshot } from '../snapshot';

/**
 * The compact form of a worker's state that crosses IPC or a MessagePort: one entry per
 * metric with its series in columns (label texts, values, flat sketch and bucket
 * arrays) instead of one object per series, so JSON encoding on the worker and decoding on
 * the primary handle a few long arrays of numbers. Plain JSON data: node:cluster IPC and
 * structured clone carry it unchanged.
 */
export interface ClusterWire {
  /** Format version of the compact form. */
  readonly wire: 1;
  readonly families: readonly WireFamily[];
}

/**
 * One metric. `k[i]` is series i's canonical label text (`a="x",b="y"`, names sorted, values
 * escaped). Counters and gauges: `v[i]` its value. Histograms and timers: `s` holds, for each
 * series in turn, `count, sum, min, max, zeroCount, positiveOffset, positiveLength,
 * ...positiveCounts, negativeOffset, negativeLength, ...negativeCounts` (the sketch's
 * exponential buckets; min and max are 0 when count is 0), and `c` the per-slot classic bucket
 * counts, `b.length + 1` per series.
 */
export interface WireFamily {
  readonly n: string;
  readonly t: MetricType;
  readonly h: string;
  readonly u: string;
  /** Classic bucket bounds of a histogram or timer. */
  readonly b?: readonly number[];
  readonly k: readonly string[];
  readonly v?: readonly number[];
  readonly s?: readonly number[];
  readonly c?: readonly number[];
  /**
   * Exemplars of histograms (one per classic bucket slot) and counters (slot 0), six entries
   * each: `seriesIndex, slot, traceId, spanId, value, timestamp`.
   */
  readonly x?: readonly (string | number)[];
}

function isHistogram(type: MetricType): boolean {
  return type === MetricType.HISTOGRAM || type === MetricType.TIMER;
}

function pushSketch(out: number[], h: CollectedHistogram): void {
  out.push(h.count, h.sum, h.min ?? 0, h.max ?? 0, h.zeroCount);
  out.push(h.positive.offset, h.positive.counts.length);
  for (const c of h.positive.counts) out.push(c);
  out.push(h.negative.offset, h.negative.counts.length);
  for (const c of h.negative.counts) out.push(c);
}

function labelTextOf(s: CollectedSeries): string {
  return typeof s.labelText === 'string' ? s.labelText : labelKey(normalizeLabels(s.labels));
}

/** Appends the trace exemplars of series `index` to `x`. */
function pushExemplars(x: (string | number)[], index: number, series: CollectedSeries): void {
  const list = series.exemplars;
  if (list === undefined) return;
  for (let slot = 0; slot < list.length; slot++) {
    const ex = list[slot];
    if (isKeepableExemplar(ex)) x.push(index, slot, ex.labels.trace_id!, ex.labels.span_id!, ex.value, ex.timestamp);
  }
}

/** A collector's `collect()` result in the compact form, trace exemplars included. */
export function toClusterWire(collected: CollectedMetrics): ClusterWire {
  const families: WireFamily[] = [];
  for (const f of collected.families) {
    const k: string[] = [];
    if (isHistogram(f.type)) {
      const s: number[] = [];
      const c: number[] = [];
      const x: (string | number)[] = [];
      for (const series of f.series) {
        if (series.histogram === undefined || series.bucketCounts === undefined) continue;
        pushExemplars(x, k.length, series);
        k.push(labelTextOf(series));
        pushSketch(s, series.histogram);
        for (const n of series.bucketCounts) c.push(n);
      }
      families.push({
        n: f.name,
        t: f.type,
        h: f.help,
        u: f.unit,
        b: f.bounds ?? [],
        k,
        s,
        c,
        ...(x.length ? { x } : {}),
      });
    } else {
      const v: number[] = [];
      const x: (string | number)[] = [];
      for (const series of f.series) {
        if (series.value === undefined) continue;
        if (f.type === MetricType.COUNTER) pushExemplars(x, k.length, series);
        k.push(labelTextOf(series));
        v.push(series.value);
      }
      families.push({ n: f.name, t: f.type, h: f.help, u: f.unit, k, v, ...(x.length ? { x } : {}) });
    }
  }
  return { wire: 1, families };
}

/**
 * A snapshot in the compact form (for snapshots received by other means). Labels are
 * normalized here; a series whose labels are not valid is left out and counted.
 */
export function snapshotToWire(snapshot: MetricsSnapshot): { wire: ClusterWire; rejected: number } {
  let rejected = 0;
  const families: WireFamily[] = [];
  for (const m of snapshot.metrics as readonly unknown[]) {
    if (typeof m !== 'object' || m === null || !Array.isArray((m as { series?: unknown }).series)) {
      rejected++;
      continue;
    }
    const metric = m as MetricsSnapshot['metrics'][number];
    const histogram = isHistogram(metric.type);
    const k: string[] = [];
    const v: number[] = [];
    const s: number[] = [];
    const c: number[] = [];
    for (const series of metric.series as readonly unknown[]) {
      if (typeof series !== 'object' || series === null) {
        rejected++;
        continue;
      }
      const one = series as MetricsSnapshot['metrics'][number]['series'][number];
      let text: string;
      try {
        text = labelKey(normalizeLabels(one.labels));
      } catch {
        rejected++;
        continue;
      }
      if (histogram) {
        const h = one.histogram;
        const counts = one.bucketCounts;
        if (
          typeof h !== 'object' ||
          h === null ||
          typeof h.positive !== 'object' ||
          h.positive === null ||
          typeof h.negative !== 'object' ||
          h.negative === null ||
          !Array.isArray(h.positive.counts) ||
          !Array.isArray(h.negative.counts) ||
          !Array.isArray(counts) ||
          !Array.isArray(metric.buckets) ||
          counts.length !== metric.buckets.length + 1
        ) {
          rejected++;
          continue;
        }
        k.push(text);
        pushSketch(s, h as CollectedHistogram);
        for (const n of counts) c.push(n);
      } else {
        k.push(text);
        v.push(one.value as number);
      }
    }
    families.push(
      histogram
        ? { n: metric.name, t: metric.type, h: metric.help, u: metric.unit, b: metric.buckets as number[], k, s, c }
        : { n: metric.name, t: metric.type, h: metric.help, u: metric.unit, k, v },
    );
  }
  return { wire: { wire: 1, families }, rejected };
}
