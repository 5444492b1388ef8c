import { ObsValidationError, describeValue, normalizeLabels } from '@obs/core';
import { InvalidSnapshotError } from './errors';
import { MetricType } from './MetricType';
import { isValidMetricName } from './names';
import type { LogHistogramSnapshot } from './sketch/LogHistogram';
import { validateBounds } from './internal/ClassicBuckets';
import { labelKey } from './internal/labelText';

/** One series in a {@link MetricsSnapshot}: `value` for counters and gauges, `histogram` + `bucketCounts` for histograms and timers. */
export interface SeriesSnapshot {
  readonly labels: Readonly<Record<string, string>>;
  readonly value?: number;
  readonly histogram?: LogHistogramSnapshot;
  /** Per-slot (non-cumulative) classic bucket counts, one per bound plus +Inf. */
  readonly bucketCounts?: readonly number[];
}

export interface MetricSnapshot {
  readonly name: string;
  readonly type: MetricType;
  readonly help: string;
  readonly unit: string;
  readonly buckets?: readonly number[];
  readonly series: readonly SeriesSnapshot[];
}

/** JSON-serializable state of a collector, from `snapshot()`, for `restore()`. */
export interface MetricsSnapshot {
  readonly version: 1;
  readonly metrics: readonly MetricSnapshot[];
}

const TYPES = new Set<string>([MetricType.COUNTER, MetricType.GAUGE, MetricType.HISTOGRAM, MetricType.TIMER]);

function fail(message: string): never {
  throw new InvalidSnapshotError(message);
}

/** Structural validation of a snapshot (sketch contents are validated when rebuilt). */
export function validateMetricsSnapshot(input: unknown, maxSeriesPerMetric: number, maxMetrics: number): MetricsSnapshot {
  if (typeof input !== 'object' || input === null) fail('snapshot must be an object');
  const snap = input as Record<string, unknown>;
  if (snap.version !== 1) fail(`unsupported snapshot version ${describeValue(snap.version)}`);
  if (!Array.isArray(snap.metrics)) fail('snapshot.metrics must be an array');
  if (snap.metrics.length > maxMetrics) fail(`snapshot holds ${snap.metrics.length} metrics; the limit is ${maxMetrics}`);
  const names = new Set<string>();
  for (const m of snap.metrics as unknown[]) {
    if (typeof m !== 'object' || m === null) fail('each metric must be an object');
    const metric = m as Record<string, unknown>;
    if (!isValidMetricName(metric.name)) fail(`invalid metric name ${describeValue(metric.name)}`);
    const name = metric.name;
    if (names.has(name)) fail(`metric ${name} appears twice`);
    names.add(name);
    if (typeof metric.type !== 'string' || !TYPES.has(metric.type)) fail(`metric ${name}: invalid type ${describeValue(metric.type)}`);
    if (typeof metric.help !== 'string' || typeof metric.unit !== 'string' || !/^[a-zA-Z0-9_]*$/.test(metric.unit)) {
      fail(`metric ${name}: help and unit must be strings (unit [a-zA-Z0-9_]*)`);
    }
    const histogram = metric.type === MetricType.HISTOGRAM || metric.type === MetricType.TIMER;
    if (metric.buckets !== undefined) {
      if (!histogram) fail(`metric ${name}: only histograms have buckets`);
      try {
        validateBounds(metric.buckets);
      } catch (err) {
        fail(`metric ${name}: ${(err as Error).message}`);
      }
    }
    if (!Array.isArray(metric.series)) fail(`metric ${name}: series must be an array`);
    if (metric.series.length > maxSeriesPerMetric + 1) fail(`metric ${name}: more than ${maxSeriesPerMetric + 1} series`);
    const keys = new Set<string>();
    for (const s of metric.series as unknown[]) {
      if (typeof s !== 'object' || s === null) fail(`metric ${name}: each series must be an object`);
      const series = s as Record<string, unknown>;
      let key: string;
      try {
        key = labelKey(normalizeLabels(series.labels));
      } catch (err) {
        if (err instanceof ObsValidationError) fail(`metric ${name}: ${err.message}`);
        throw err;
      }
      if (keys.has(key) && key !== 'otel_metric_overflow="true"') fail(`metric ${name}: label set {${key}} appears twice`);
      keys.add(key);
      if (histogram) {
        if (typeof series.histogram !== 'object' || series.histogram === null) fail(`metric ${name}: histogram series need a histogram`);
        const counts = series.bucketCounts;
        if (counts !== undefined && (!Array.isArray(counts) || !counts.every((c) => Number.isSafeInteger(c) && (c as number) >= 0))) {
          fail(`metric ${name}: bucketCounts must be non-negative integers`);
        }
      } else {
        const v = series.value;
        if (typeof v !== 'number' || !Number.isFinite(v) || (metric.type === MetricType.COUNTER && v < 0)) {
          fail(`metric ${name}: series value must be a finite number${metric.type === MetricType.COUNTER ? ' >= 0' : ''}`);
        }
      }
    }
  }
  return input as MetricsSnapshot;
}
