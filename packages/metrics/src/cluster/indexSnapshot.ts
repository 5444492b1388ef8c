import { normalizeLabels } from '@obs/core';
import { MetricType } from '../MetricType';
import { isValidMetricName } from '../names';
import { validateBounds } from '../internal/ClassicBuckets';
import { labelKey } from '../internal/labelText';
import type { LogHistogramSnapshot } from '../sketch/LogHistogram';

/** One series of a worker's state, keyed by its canonical label text. */
export interface SeriesEntry {
  readonly labels: Readonly<Record<string, string>>;
  /** Counter or gauge value. */
  readonly value: number;
  /** Histogram series: the sketch as sent (parsed lazily, when merged) and the per-slot classic counts. */
  readonly histogram: LogHistogramSnapshot | undefined;
  readonly bucketCounts: readonly number[] | undefined;
  /** Histogram: its count, for reset detection without parsing the sketch. */
  readonly count: number;
  /** Gauge: when its value last changed (the primary's ingest order, set by ClusterState), for the `last` policy. */
  changedAt: number;
}

export interface MetricEntry {
  readonly name: string;
  readonly type: MetricType;
  readonly help: string;
  readonly unit: string;
  /** Classic bucket bounds of a histogram or timer. */
  readonly buckets: readonly number[] | undefined;
  readonly series: Map<string, SeriesEntry>;
}

/** A worker's state by metric name, then by label key. */
export type StateIndex = Map<string, MetricEntry>;

export interface IndexLimits {
  readonly maxMetrics: number;
  readonly maxSeriesPerMetric: number;
}

const TYPES = new Set<string>([MetricType.COUNTER, MetricType.GAUGE, MetricType.HISTOGRAM, MetricType.TIMER]);
const MAX_HELP = 4096;

export function isHistogramType(type: MetricType): boolean {
  return type === MetricType.HISTOGRAM || type === MetricType.TIMER;
}

function isFiniteNumber(v: unknown): v is number {
  return typeof v === 'number' && Number.isFinite(v);
}

/**
 * Indexes a worker's snapshot, keeping what is valid: a malformed metric or series is
 * skipped and counted in `rejected` (a worker with a bug must not take the primary's
 * view down). Sketch contents are validated when they are merged.
 */
export function indexSnapshot(
  input: unknown,
  limits: IndexLimits,
  at: number,
): { index: StateIndex; rejected: number } {
  const index: StateIndex = new Map();
  let rejected = 0;
  const metrics = (input as { metrics?: unknown }).metrics;
  if ((input as { version?: unknown }).version !== 1 || !Array.isArray(metrics)) return { index, rejected: 1 };
  for (const m of metrics as unknown[]) {
    if (typeof m !== 'object' || m === null) {
      rejected++;
      continue;
    }
    const metric = m as Record<string, unknown>;
    const { name, type, help, unit, buckets, series } = metric;
    if (
      !isValidMetricName(name) ||
      index.has(name) ||
      typeof type !== 'string' ||
      !TYPES.has(type) ||
      typeof help !== 'string' ||
      help.length > MAX_HELP ||
      typeof unit !== 'string' ||
      !/^[a-zA-Z0-9_]{0,64}$/.test(unit) ||
      !Array.isArray(series)
    ) {
      rejected++;
      continue;
    }
    if (index.size >= limits.maxMetrics) {
      rejected++;
      continue;
    }
    const histogram = isHistogramType(type as MetricType);
    if (histogram) {
      try {
        validateBounds(buckets);
      } catch {
        rejected++;
        continue;
      }
    }
    const entry: MetricEntry = {
      name,
      type: type as MetricType,
      help,
      unit,
      buckets: histogram ? (buckets as number[]) : undefined,
      series: new Map(),
    };
    const slots = histogram ? (buckets as number[]).length + 1 : 0;
    for (const s of series as unknown[]) {
      const parsed = seriesEntry(s, entry.type, slots, at);
      if (!parsed || entry.series.size >= limits.maxSeriesPerMetric + 1) {
        rejected++;
        continue;
      }
      entry.series.set(parsed.key, parsed.entry);
    }
    index.set(name, entry);
  }
  return { index, rejected };
}

function seriesEntry(
  input: unknown,
  type: MetricType,
  slots: number,
  at: number,
): { key: string; entry: SeriesEntry } | undefined {
  if (typeof input !== 'object' || input === null) return undefined;
  const s = input as Record<string, unknown>;
  let labels: Readonly<Record<string, string>>;
  try {
    labels = normalizeLabels(s.labels as Record<string, string> | undefined);
  } catch {
    return undefined;
  }
  const key = labelKey(labels);
  if (isHistogramType(type)) {
    const h = s.histogram as Record<string, unknown> | undefined;
    const counts = s.bucketCounts;
    if (typeof h !== 'object' || h === null || !Number.isSafeInteger(h.count) || (h.count as number) < 0)
      return undefined;
    if (
      !Array.isArray(counts) ||
      counts.length !== slots ||
      !counts.every((c) => Number.isSafeInteger(c) && (c as number) >= 0)
    )
      return undefined;
    return {
      key,
      entry: {
        labels,
        value: 0,
        histogram: h as unknown as LogHistogramSnapshot,
        bucketCounts: counts as number[],
        count: h.count as number,
        changedAt: at,
      },
    };
  }
  const value = s.value;
  if (!isFiniteNumber(value) || (type === MetricType.COUNTER && value < 0)) return undefined;
  return { key, entry: { labels, value, histogram: undefined, bucketCounts: undefined, count: 0, changedAt: at } };
}
