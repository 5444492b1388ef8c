import { MetricType } from '../MetricType';
import type { CollectedFamily, CollectedHistogram, CollectedMetrics, CollectedSeries } from '../MetricsProducer';
import type { ExportSeries } from './options';

interface Previous {
  readonly time: number;
  readonly value?: number;
  readonly histogram?: CollectedHistogram;
  readonly bucketCounts?: readonly number[];
}

/**
 * Turns cumulative collections into delta ones (OTLP DELTA temporality): each Sum and
 * histogram point holds what changed since the previous export, with that export's time
 * as its start. A series seen for the first time reports everything since its metric
 * began; a series whose count went down (removed and re-created) starts over. Min and
 * max of an interval are unknown from cumulative data, so a delta histogram point
 * carries them only when it covers the series' whole life. Gauges pass unchanged.
 * State is kept only for the series of the last collection, so it is bounded by the
 * producer's own series limits.
 */
export class DeltaTracker {
  private previous = new Map<string, Previous>();

  apply(collected: CollectedMetrics): CollectedMetrics {
    const next = new Map<string, Previous>();
    const time = collected.timestamp;
    const families = collected.families.map((fam): CollectedFamily => {
      if (fam.type === MetricType.GAUGE) return fam;
      const series = fam.series.map((s): ExportSeries => {
        const key = fam.name + '\u0000' + seriesKey(s);
        const prev = this.previous.get(key);
        next.set(key, { time, value: s.value, histogram: s.histogram, bucketCounts: s.bucketCounts });
        return delta(s, prev);
      });
      return { ...fam, series };
    });
    this.previous = next;
    return { timestamp: time, families };
  }
}

function seriesKey(s: CollectedSeries): string {
  if (s.labelText !== undefined) return s.labelText;
  return Object.keys(s.labels)
    .sort()
    .map((k) => `${k}=${JSON.stringify(s.labels[k])}`)
    .join(',');
}

function delta(s: CollectedSeries, prev: Previous | undefined): ExportSeries {
  if (prev === undefined) return s;
  if (s.value !== undefined) {
    if (prev.value === undefined || s.value < prev.value) return s;
    return { ...s, value: s.value - prev.value, startTimestamp: prev.time };
  }
  const h = s.histogram;
  const p = prev.histogram;
  if (h === undefined || p === undefined || h.count < p.count || h.scale !== p.scale) return s;
  const positive = subtractStore(h.positive, p.positive);
  const negative = subtractStore(h.negative, p.negative);
  if (positive === undefined || negative === undefined) return s;
  const out: ExportSeries = {
    ...s,
    startTimestamp: prev.time,
    histogram: {
      ...h,
      count: h.count - p.count,
      sum: h.sum - p.sum,
      zeroCount: h.zeroCount - p.zeroCount,
      positive,
      negative,
      ...(p.count === 0 ? {} : { min: null, max: null }),
    },
    bucketCounts: s.bucketCounts?.map((c, j) => c - (prev.bucketCounts?.[j] ?? 0)),
  };
  return out;
}

/** cur - prev per bucket index; undefined if any bucket went down (not the same history). */
function subtractStore(
  cur: CollectedHistogram['positive'],
  prev: CollectedHistogram['positive'],
): CollectedHistogram['positive'] | undefined {
  if (prev.counts.length === 0) return cur;
  const counts: number[] = [];
  let first = -1;
  let last = -1;
  for (let j = 0; j < cur.counts.length; j++) {
    const i = cur.offset + j;
    const before = i >= prev.offset && i < prev.offset + prev.counts.length ? prev.counts[i - prev.offset]! : 0;
    const d = cur.counts[j]! - before;
    if (d < 0) return undefined;
    counts.push(d);
    if (d > 0) {
      if (first < 0) first = j;
      last = j;
    }
  }
  // Every previous bucket must still be there (cumulative counts never disappear).
  if (prev.offset < cur.offset || prev.offset + prev.counts.length > cur.offset + cur.counts.length) {
    for (let j = 0; j < prev.counts.length; j++) {
      const i = prev.offset + j;
      if (prev.counts[j]! > 0 && (i < cur.offset || i >= cur.offset + cur.counts.length)) return undefined;
    }
  }
  if (first < 0) return { offset: 0, counts: [] };
  return { offset: cur.offset + first, counts: counts.slice(first, last + 1) };
}
