// NAB adapter: each file gets a fresh @obs/anomaly detector with the package's
// default configuration (the same for every stream, no look-ahead), used through
// its public API exactly as an application uses it: a row scores 1 when
// `detect()` returns an anomaly from the call that carries that row, else 0.
// Immediate reporting is what is scored; a later update of an anomaly's type
// (SPIKE to TREND) is no new detection. With 0/1 scores NAB's threshold sweep
// has a single operating point: detect()'s own.
import { createAnomalyDetector } from '../dist/index.js';

export function createDetector() {
  const detector = createAnomalyDetector();
  return {
    update: (timestampMs, value) => (detector.detect('nab', value, undefined, timestampMs) === undefined ? 0 : 1),
  };
}
