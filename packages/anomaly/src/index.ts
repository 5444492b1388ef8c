export { AnomalyType } from './AnomalyType';
export type {
  Anomaly,
  AnomalyDetails,
  AnomalyScore,
  Baseline,
  PointLike,
  PredictorName,
  SeasonalPeriod,
} from './Anomaly';
export { AnomalyDetector, createAnomalyDetector, checkScorerConfig } from './AnomalyDetector';
export type { AnomalyDetectorConfig, AnomalyDetectorSnapshot } from './AnomalyDetector';
export type {
  AnomalyEvent,
  AnomalyDetectedEvent,
  AnomalyUpdatedEvent,
  AnomalySeriesEvictedEvent,
  AnomalyPointRejectedEvent,
} from './events';
export { AnomalySnapshotError } from './errors';
export { StreamScorer, defaultScorerConfig } from './StreamScorer';
export type { PointScore, ScorerConfig, ScorerState } from './StreamScorer';
export { createStreamScorer } from './createStreamScorer';
export { erfc, upperTail, twoSidedTail, logTailScore } from './stats/normalTail';

// The @obs/core pieces this package's API uses (clocks, events, typed errors, labels), so that
// users of this package alone need not install @obs/core to inject a clock or narrow events.
export { ManualClock, systemClock, ofType, ObsError, ObsValidationError } from '@obs/core';
export type { Clock, Labels, ObsEventBase } from '@obs/core';
