import { checkScorerConfig } from './AnomalyDetector';
import { StreamScorer, type ScorerConfig } from './StreamScorer';

/**
 * A bare per-series model: `update(value, timestampMs)` returns a `PointScore`
 * (the anomaly `score` in [0, 1], the undamped `rawScore` that {@link AnomalyDetector}
 * thresholds, the forecast and the deviations), without series bookkeeping or incidents.
 */
export function createStreamScorer(config: Partial<ScorerConfig> = {}): StreamScorer {
  return new StreamScorer(checkScorerConfig(config));
}
