import { checkScorerConfig } from './AnomalyDetector';
import { StreamScorer, type ScorerConfig } from './StreamScorer';

/**
 * A bare per-series model: `update(value, timestampMs)` returns the anomaly score
 * in [0, 1] that {@link AnomalyDetector} thresholds, without series bookkeeping
 * or incidents. This is what the NAB benchmark adapter runs.
 */
export function createStreamScorer(config: Partial<ScorerConfig> = {}): StreamScorer {
  return new StreamScorer(checkScorerConfig(config));
}
