import type { CollectedMetrics } from '../MetricsProducer';
import type { MetricSnapshot, MetricsSnapshot, SeriesSnapshot } from '../snapshot';

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
