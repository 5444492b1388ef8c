/** Test-only builders of collected metrics (the producer shape the exporters read). */
import { MetricType } from '../MetricType';
import type { CollectedFamily, CollectedMetrics, CollectedSeries } from '../MetricsProducer';
import { LogHistogram } from '../sketch/LogHistogram';

export function counterFamily(
  name: string,
  series: Array<[Record<string, string>, number]>,
  extra: Partial<CollectedFamily> = {},
): CollectedFamily {
  return {
    name,
    type: MetricType.COUNTER,
    help: `${name} help`,
    unit: '',
    startTimestamp: 1_700_000_000_000,
    series: series.map(([labels, value]) => ({ labels, timestamp: 1_700_000_001_000, value })),
    ...extra,
  };
}

export function gaugeFamily(name: string, series: Array<[Record<string, string>, number]>): CollectedFamily {
  return {
    name,
    type: MetricType.GAUGE,
    help: '',
    unit: '',
    startTimestamp: 1_700_000_000_000,
    series: series.map(([labels, value]) => ({ labels, timestamp: 1_700_000_001_000, value })),
  };
}

/** A histogram series made the way the collector makes one: a sketch plus exact per-slot classic counts. */
export function histogramSeries(
  labels: Record<string, string>,
  values: readonly number[],
  bounds: readonly number[],
): CollectedSeries & { sketch: LogHistogram } {
  const sketch = new LogHistogram();
  const bucketCounts = new Array<number>(bounds.length + 1).fill(0);
  for (const v of values) {
    sketch.record(v);
    let slot = 0;
    while (slot < bounds.length && v > bounds[slot]!) slot++;
    bucketCounts[slot]!++;
  }
  return { labels, timestamp: 1_700_000_001_000, histogram: sketch.snapshot(), bucketCounts, sketch };
}

export function histogramFamily(
  name: string,
  bounds: readonly number[],
  series: CollectedSeries[],
  type: MetricType = MetricType.HISTOGRAM,
): CollectedFamily {
  return {
    name,
    type,
    help: `${name} help`,
    unit: type === MetricType.TIMER ? 'ms' : '',
    bounds,
    startTimestamp: 1_700_000_000_000,
    series,
  };
}

export function collected(families: CollectedFamily[], timestamp = 1_700_000_002_000): CollectedMetrics {
  return { timestamp, families };
}

/** A fixed producer returning `make()` on every collect. */
export function producerOf(make: () => CollectedMetrics): { collect(): CollectedMetrics } {
  return { collect: make };
}
