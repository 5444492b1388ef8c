import type { Labels } from '@obs/core';
import type { CollectedHistogram, CollectedMetrics, CollectedSeries, Exemplar } from '../MetricsProducer';
import { parseLabelKey } from '../internal/labelText';
import type { MetricSnapshot, MetricsSnapshot, SeriesSnapshot } from '../snapshot';

/**
 * A series of the merged view. Exposition reads only the label text; the label object is
 * parsed on first read, and `toJSON()` includes it, as for a collector's own series.
 */
export class MergedSeries implements CollectedSeries {
  private parsed: Labels | undefined = undefined;

  constructor(
    readonly labelText: string,
    readonly timestamp: number,
    readonly value: number | undefined,
    readonly histogram: CollectedHistogram | undefined,
    readonly bucketCounts: readonly number[] | undefined,
    readonly exemplars: readonly (Exemplar | undefined)[] | undefined,
  ) {}

  get labels(): Labels {
    return (this.parsed ??= parseLabelKey(this.labelText));
  }

  toJSON(): CollectedSeries {
    const base = { labels: this.labels, labelText: this.labelText, timestamp: this.timestamp };
    const data =
      this.histogram === undefined
        ? { ...base, value: this.value }
        : { ...base, histogram: this.histogram, bucketCounts: this.bucketCounts };
    return this.exemplars === undefined ? data : { ...data, exemplars: this.exemplars };
  }
}

/** The merged view as a {@link MetricsSnapshot} (what `restore()` takes). */
export function collectedToSnapshot(collected: CollectedMetrics): MetricsSnapshot {
  const metrics: MetricSnapshot[] = collected.families.map((f) => ({
    name: f.name,
    type: f.type,
    help: f.help,
    unit: f.unit,
    ...(f.bounds ? { buckets: f.bounds } : {}),
    series: f.series.map((s): SeriesSnapshot =>
      s.histogram === undefined
        ? { labels: s.labels, value: s.value! }
        : { labels: s.labels, histogram: s.histogram, bucketCounts: s.bucketCounts! },
    ),
  }));
  return { version: 1, metrics };
}
