import { ObsValidationError, describeValue, normalizeLabels } from '@obs/core';
import { InvalidSnapshotError } from './errors';
import { MetricType } from './MetricType';
import { isValidMetricName } from './names';
import { LogHistogram, type LogHistogramSnapshot } from './sketch/LogHistogram';
import { ClassicBuckets, validateBounds } from './internal/ClassicBuckets';
import { classicCounts, setClassicCounts } from './internal/classicCounts';
import { labelKey } from './internal/labelText';
import { OVERFLOW_KEY } from './internal/MetricFamily';
import { HistogramSeries } from './internal/Series';
import type { SeriesRegistry } from './internal/SeriesRegistry';
import { LAST_TS, STEP_COUNT, STEP_SUM, VALUE } from './internal/slab';
import { syncExtremes } from './internal/storage';
import { isHistogramType } from './internal/validate';

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
export function validateMetricsSnapshot(
  input: unknown,
  maxSeriesPerMetric: number,
  maxMetrics: number,
): MetricsSnapshot {
  if (typeof input !== 'object' || input === null) fail('snapshot must be an object');
  const snap = input as Record<string, unknown>;
  if (snap.version !== 1) fail(`unsupported snapshot version ${describeValue(snap.version)}`);
  if (!Array.isArray(snap.metrics)) fail('snapshot.metrics must be an array');
  if (snap.metrics.length > maxMetrics)
    fail(`snapshot holds ${snap.metrics.length} metrics; the limit is ${maxMetrics}`);
  const names = new Set<string>();
  for (const m of snap.metrics as unknown[]) {
    if (typeof m !== 'object' || m === null) fail('each metric must be an object');
    const metric = m as Record<string, unknown>;
    if (!isValidMetricName(metric.name)) fail(`invalid metric name ${describeValue(metric.name)}`);
    const name = metric.name;
    if (names.has(name)) fail(`metric ${name} appears twice`);
    names.add(name);
    if (typeof metric.type !== 'string' || !TYPES.has(metric.type))
      fail(`metric ${name}: invalid type ${describeValue(metric.type)}`);
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
    if (metric.series.length > maxSeriesPerMetric + 1)
      fail(`metric ${name}: more than ${maxSeriesPerMetric + 1} series`);
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
      if (keys.has(key) && key !== 'otel_metric_overflow="true"')
        fail(`metric ${name}: label set {${key}} appears twice`);
      keys.add(key);
      if (histogram) {
        if (typeof series.histogram !== 'object' || series.histogram === null)
          fail(`metric ${name}: histogram series need a histogram`);
        const counts = series.bucketCounts;
        if (
          counts !== undefined &&
          (!Array.isArray(counts) || !counts.every((c) => Number.isSafeInteger(c) && (c as number) >= 0))
        ) {
          fail(`metric ${name}: bucketCounts must be non-negative integers`);
        }
      } else {
        const v = series.value;
        if (typeof v !== 'number' || !Number.isFinite(v) || (metric.type === MetricType.COUNTER && v < 0)) {
          fail(
            `metric ${name}: series value must be a finite number${metric.type === MetricType.COUNTER ? ' >= 0' : ''}`,
          );
        }
      }
    }
  }
  return input as MetricsSnapshot;
}

/** Counters, gauges and histogram sketches of a registry as JSON-serializable data (retention rings are not included). */
export function snapshotOf(registry: SeriesRegistry): MetricsSnapshot {
  const metrics: MetricSnapshot[] = [];
  for (const fam of registry.families.values()) {
    const series: SeriesSnapshot[] = [];
    for (const s of fam.all()) {
      const labels = { ...s.labels };
      if (s instanceof HistogramSeries) {
        series.push({ labels, histogram: syncExtremes(s).snapshot(), bucketCounts: Array.from(classicCounts(s)) });
      } else {
        const v = s.data[s.o + VALUE]!;
        if (v === v) series.push({ labels, value: v });
      }
    }
    metrics.push({
      name: fam.name,
      type: fam.type,
      help: fam.help,
      unit: fam.unit,
      ...(fam.bounds ? { buckets: [...fam.bounds.bounds] } : {}),
      series,
    });
  }
  return { version: 1, metrics };
}

/**
 * Replaces every metric of a registry with a snapshot's. The input is validated
 * completely first; on a bad one {@link InvalidSnapshotError} is thrown and nothing changes.
 */
export function restoreInto(registry: SeriesRegistry, snapshot: unknown): void {
  const { limits, storage } = registry;
  const valid = validateMetricsSnapshot(snapshot, limits.maxSeriesPerMetric, limits.maxMetrics);
  const sketches = valid.metrics.map((m) =>
    m.series.map((s) => {
      if (!s.histogram) return undefined;
      try {
        return LogHistogram.fromSnapshot(s.histogram, storage.maxSketchBuckets);
      } catch (err) {
        throw err instanceof InvalidSnapshotError ? new InvalidSnapshotError(`metric ${m.name}: ${err.message}`) : err;
      }
    }),
  );
  const bounds = valid.metrics.map((m) =>
    isHistogramType(m.type) ? new ClassicBuckets(m.buckets ?? [...limits.defaultBuckets.bounds]) : null,
  );
  valid.metrics.forEach((m, i) =>
    m.series.forEach((s) => {
      if (s.bucketCounts && s.bucketCounts.length !== bounds[i]!.slots) {
        throw new InvalidSnapshotError(`metric ${m.name}: bucketCounts must have ${bounds[i]!.slots} entries`);
      }
    }),
  );
  registry.clear();
  const now = storage.exactNow();
  valid.metrics.forEach((m, i) => {
    const fam = registry.createFamily(m.name, m.type, bounds[i]!, m.help, m.unit);
    m.series.forEach((snap, j) => {
      const key = labelKey(normalizeLabels(snap.labels));
      const s =
        key === OVERFLOW_KEY && fam.overflow === undefined
          ? registry.createOverflow(fam)
          : registry.createSeries(fam, key);
      if (s instanceof HistogramSeries) {
        const sketch = sketches[i]![j]!;
        s.sketch.merge(sketch);
        setClassicCounts(s, snap.bucketCounts);
        if (sketch.count > 0) s.data[s.o + VALUE] = sketch.max;
        // Restored values belong to no retention step.
        s.data[s.o + STEP_COUNT] = sketch.count;
        s.data[s.o + STEP_SUM] = sketch.sum;
      } else if (snap.value !== undefined) {
        s.data[s.o + VALUE] = snap.value;
      }
      s.data[s.o + LAST_TS] = now;
    });
  });
}
