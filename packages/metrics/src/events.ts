import type { Labels, ObsEventBase } from '@obs/core';
import type { MetricPoint } from './MetricPoint';

/** A value was recorded (delivered in batches after the recording call returns, only while observed). */
export interface MetricPointEvent extends ObsEventBase<'metrics/point'> {
  readonly point: MetricPoint;
}

/** A metric reached its series limit; further label sets go to the overflow series. Emitted once per metric. */
export interface CardinalityLimitEvent extends ObsEventBase<'metrics/cardinality-limit'> {
  readonly name: string;
  readonly limit: number;
  /** The first label set that was redirected to the overflow series. */
  readonly droppedLabels: Labels;
}

/**
 * A label value longer than `maxLabelValueLength` was truncated (the recording kept, under
 * the truncated value). Emitted once per metric; `getTruncatedLabelValues(name)` counts them all.
 */
export interface LabelValueTruncatedEvent extends ObsEventBase<'metrics/label-value-truncated'> {
  readonly name: string;
  /** The first label whose value was truncated. */
  readonly label: string;
  /** Its length before truncation (UTF-16 code units). */
  readonly length: number;
  readonly limit: number;
}

/** A series was removed because it was not updated for `seriesTtlSeconds`. */
export interface SeriesExpiredEvent extends ObsEventBase<'metrics/series-expired'> {
  readonly name: string;
  readonly labels: Labels;
}

/** Point events were dropped because subscribers fell `maxQueuedPoints` behind. Aggregates are unaffected. */
export interface PointsDroppedEvent extends ObsEventBase<'metrics/points-dropped'> {
  readonly count: number;
}

export type MetricsEvent =
  MetricPointEvent | CardinalityLimitEvent | LabelValueTruncatedEvent | SeriesExpiredEvent | PointsDroppedEvent;
