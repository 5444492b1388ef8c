import type { Labels } from '@obs/core';
import type { AnomalyType } from './AnomalyType';

/** Which model judged a point. */
export type PredictorName = 'baseline' | 'recent' | 'daily' | 'weekly' | 'ensemble';

/** A learned period of a series. */
export type SeasonalPeriod = 'daily' | 'weekly';

/** Why an anomaly was reported. */
export interface AnomalyDetails {
  /** One sentence for people. */
  readonly reason: string;
  readonly labels: Labels;
  /** The model whose prediction the point was compared with (`'ensemble'` once warm). */
  readonly predictor: PredictorName;
  /** The single most accurate model of the series, the ensemble's main component. */
  readonly mainPredictor: PredictorName;
  /** Deviation from the learned seasonal profile, in robust sigmas (signed), if there is one. */
  readonly seasonalDeviation?: number;
  /** Anomaly score of the first point of the incident, in [0, 1]. */
  readonly score: number;
  /** Anomaly likelihood of the recent window, in [0, 1]. */
  readonly likelihoodScore: number;
  /** Whether the value lay outside every value seen before. */
  readonly outsideRange: boolean;
  /** Deviation from the long-run baseline, in robust sigmas (signed). */
  readonly baselineDeviation: number;
  /** Long-run baseline level at the time. */
  readonly baselineValue: number;
  /** Robust sigma of the baseline at the time. */
  readonly baselineScale: number;
  /** The learned period, if the series has one. */
  readonly seasonalPeriod?: SeasonalPeriod;
  /** Value of the point after the first one, used to tell a spike from a level shift. */
  readonly nextValue?: number;
}

/** One incident: consecutive anomalous points of a series make one anomaly. */
export interface Anomaly {
  readonly anomalyId: string;
  readonly anomalyType: AnomalyType;
  readonly metricName: string;
  /** What the model predicted for the first point of the incident (the point that reported it). */
  readonly expectedValue: number;
  /** The first anomalous value. */
  readonly actualValue: number;
  /** `(actual - expected) / robust sigma`, signed. */
  readonly deviation: number;
  /**
   * Calibrated, in [0, 1]: the fraction of this series' recent points (the last
   * 2,048 to 4,096 judged ones) whose anomaly score was lower than that of the
   * incident's first point. On a stationary series about `1 - c` of all points
   * reach a confidence of `c` or more.
   */
  readonly confidence: number;
  /** Epoch ms of the first anomalous point. */
  readonly timestamp: number;
  readonly details: AnomalyDetails;
}

/** What the model has learned about one series. */
export interface Baseline {
  readonly metricName: string;
  readonly labels: Labels;
  /** Long-run robust level (Huber-clipped EWMA). */
  readonly expectedValue: number;
  /**
   * Mean of the learned baseline: the long-run level (equal to `expectedValue`),
   * a robust estimate that single outliers barely move.
   */
  readonly mean: number;
  /**
   * Standard deviation of values around the baseline, estimated robustly (1.2533 x
   * the clipped mean absolute error, which equals the standard deviation for
   * normal noise); equal to `scale`. Floored at half the data's resolution.
   */
  readonly stdDev: number;
  /** Recent level (fast EWMA). */
  readonly recentValue: number;
  /** Robust standard deviation around the baseline. */
  readonly scale: number;
  readonly min: number;
  readonly max: number;
  /** Finite points learned. */
  readonly count: number;
  /** Non-finite values ignored. */
  readonly ignoredCount: number;
  /** A daily or weekly profile, once it predicts better than the plain levels. */
  readonly seasonalPeriod: SeasonalPeriod | undefined;
}

/** The per-point result of {@link AnomalyDetector.score}. */
export interface AnomalyScore {
  /** The anomaly score in [0, 1] (what the detection threshold and the NAB benchmark use). */
  readonly score: number;
  /** Calibrated confidence of this point, as {@link Anomaly.confidence} (0 when not judged). */
  readonly confidence: number;
  /** Anomaly likelihood of the recent window, in [0, 1]. */
  readonly likelihoodScore: number;
  /** Surprise of this point alone, in [0, 1]. */
  readonly pointScore: number;
  /** Deviation from `expectedValue` in robust sigmas (signed). */
  readonly deviation: number;
  readonly expectedValue: number;
  readonly predictor: PredictorName;
  /** False during warm-up (and for ignored values): the score is then 0. */
  readonly judged: boolean;
  /** Set when this point started a new incident: the anomaly `detect()` returns. */
  readonly anomaly: Anomaly | undefined;
  /** Set when this point changed the type of the anomaly the previous point reported (as `anomaly/updated`). */
  readonly updated: Anomaly | undefined;
}

/** A metric point as `watch` consumes it (structurally compatible with `@obs/metrics` points). */
export interface PointLike {
  readonly name: string;
  readonly value: number;
  readonly timestamp?: number;
  readonly labels?: Readonly<Record<string, string>>;
}
