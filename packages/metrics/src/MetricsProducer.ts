import type { Labels } from '@obs/core';
import type { MetricType } from './MetricType';

/**
 * A source of metric data, read-only (OpenTelemetry's MetricProducer). A
 * `MetricsCollector` is one; so is anything that returns collected data in this shape,
 * e.g. a cluster aggregator serving merged worker state. `serialize()` and the exporters
 * accept any producer.
 */
export interface MetricsProducer {
  /** The current state of every metric. The result is a copy: later recording does not change it. */
  collect(): CollectedMetrics;
  /**
   * Optional: the same data as an async stream of family parts (parts of one family are
   * adjacent items with the same name), for registries too large to copy at once.
   * `serializeAsync` uses it when present.
   */
  collectBatches?(options?: { readonly sliceMs?: number }): AsyncIterable<CollectedFamily>;
}

/** The result of {@link MetricsProducer.collect}. */
export interface CollectedMetrics {
  /** When the data was collected (epoch ms). */
  readonly timestamp: number;
  /** Metrics in creation order. */
  readonly families: readonly CollectedFamily[];
}

/** One metric name with all its series. */
export interface CollectedFamily {
  readonly name: string;
  /** `counter`, `gauge`, `histogram` or `timer` (a histogram of milliseconds). */
  readonly type: MetricType;
  readonly help: string;
  /** OpenMetrics unit (`''` when none; timers default to `'ms'`). */
  readonly unit: string;
  /** Classic bucket upper bounds of a histogram or timer, ascending, without `+Inf`. */
  readonly bounds?: readonly number[];
  /** When the metric was created (epoch ms): the start of its cumulative values (OTLP `startTimeUnixNano`). */
  readonly startTimestamp?: number;
  /** Recordings redirected to the overflow series (`otel_metric_overflow="true"`) by the series limit. */
  readonly droppedLabelSets?: number;
  readonly series: readonly CollectedSeries[];
}

/**
 * One series. Counters and gauges have `value`; histograms and timers have `histogram`
 * and `bucketCounts`. A gauge that was never set is left out.
 */
export interface CollectedSeries {
  readonly labels: Labels;
  /**
   * The canonical label text, `a="x",b="y"` (names sorted, values escaped as in the text
   * formats), if the producer has it; exposition builds it from `labels` otherwise.
   */
  readonly labelText?: string;
  /** Time of the last write (epoch ms). */
  readonly timestamp: number;
  /** A counter's total or a gauge's value. */
  readonly value?: number;
  /** A histogram's sketch: count, sum, min, max and the exponential buckets (merge exactly). */
  readonly histogram?: CollectedHistogram;
  /** Per-slot (not cumulative) classic bucket counts: one per bound, then `+Inf`. */
  readonly bucketCounts?: readonly number[];
  /**
   * Exemplars: for a histogram one per classic bucket slot (index as `bucketCounts`,
   * `undefined` where none), for a counter at most one (index 0).
   */
  readonly exemplars?: readonly (Exemplar | undefined)[];
}

/**
 * A base-2 exponential histogram, as OTLP ExponentialHistogram and Prometheus native
 * histograms: `counts[j]` of a sign holds the values whose absolute value lies in
 * `[2^((offset+j)/2^scale), 2^((offset+j+1)/2^scale))` (lower bound inclusive; OTLP's
 * convention is upper-inclusive, which differs only for values exactly on a boundary).
 * Zeros are counted in `zeroCount`. The same shape as `LogHistogramSnapshot`, so
 * `LogHistogram.fromSnapshot(h)` rebuilds a mergeable sketch.
 */
export interface CollectedHistogram {
  readonly scale: number;
  readonly count: number;
  readonly sum: number;
  /** null when the histogram is empty. */
  readonly min: number | null;
  readonly max: number | null;
  readonly zeroCount: number;
  readonly positive: { readonly offset: number; readonly counts: readonly number[] };
  readonly negative: { readonly offset: number; readonly counts: readonly number[] };
}

/** A recorded value with the trace that made it (OpenMetrics exemplar). */
export interface Exemplar {
  /** Exemplar labels, `trace_id` and `span_id` for a trace. */
  readonly labels: Readonly<Record<string, string>>;
  readonly value: number;
  /** Epoch ms. */
  readonly timestamp: number;
}
