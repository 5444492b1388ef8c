// NAB adapter: each file gets a fresh @obs/anomaly detector with the package's
// default configuration (the same for every stream, no look-ahead). The NAB
// score of a row is the detector's own per-point anomaly score, the very value
// that detect() compares with its threshold to open an incident.
import { createAnomalyDetector } from '../dist/index.js';

export function createDetector() {
  const detector = createAnomalyDetector();
  return {
    update: (timestampMs, value) => detector.score('nab', value, undefined, timestampMs).score,
  };
}
