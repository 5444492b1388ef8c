import type { Labels } from '@obs/core';
import type { MetricPoint } from './MetricPoint';
import type { MetricType } from './MetricType';

/**
 * One time series: a metric name plus one label set. The collector hands out live
 * views; `points` is derived from the retention ring (one point per retention step
 * that saw values, holding the step's last value), so it never grows without bound.
 */
export interface MetricSeries {
  readonly name: string;
  readonly metricType: MetricType;
  readonly labels: Labels;
  /** Retained points, oldest first: one per step with values, `value` = last value of the step. */
  readonly points: readonly MetricPoint[];
  /**
   * Records a value with the series' own semantics: a counter adds it (≥ 0), a gauge
   * sets it, a histogram or timer observes it. Same validation as the collector.
   */
  addPoint(value: number): void;
  /** The most recent point, or undefined if nothing was recorded. */
  getLatest(): MetricPoint | undefined;
  /**
   * Mean of the point values recorded in the last `windowSeconds` (see README:
   * the window covers whole retention steps), or undefined when there are none.
   * Point values are: a counter's running total, a gauge's value, a histogram's observation.
   */
  getAverage(windowSeconds: number): number | undefined;
}

/** Summary statistics of a histogram or timer series (all 0 when it is empty or unknown). */
export interface HistogramStats {
  readonly count: number;
  readonly sum: number;
  readonly min: number;
  readonly max: number;
  readonly mean: number;
  readonly p50: number;
  readonly p90: number;
  readonly p95: number;
  readonly p99: number;
}
