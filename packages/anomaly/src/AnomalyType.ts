/** What kind of anomaly was found. */
export const AnomalyType = {
  /** A point far above what was expected, after which the series returned to normal. */
  SPIKE: 'spike',
  /** A point far below what was expected, after which the series returned to normal. */
  DROP: 'drop',
  /** A sustained change: a level shift or a drift away from the baseline. */
  TREND: 'trend',
  /** A value ordinary in general but abnormal for this time of day or week. */
  SEASONALITY: 'seasonality',
  /** Anything else unusual, e.g. a change in variability or in the pattern of values. */
  OUTLIER: 'outlier',
} as const;

export type AnomalyType = (typeof AnomalyType)[keyof typeof AnomalyType];
