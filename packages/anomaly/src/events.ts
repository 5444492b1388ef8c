import type { Labels, ObsEventBase } from '@obs/core';
import type { Anomaly } from './Anomaly';

/** A new incident was confirmed. */
export interface AnomalyDetectedEvent extends ObsEventBase<'anomaly/detected'> {
  readonly anomaly: Anomaly;
  readonly labels: Labels;
}

/** A series model was dropped to respect `maxSeries` (least recently used first). */
export interface AnomalySeriesEvictedEvent extends ObsEventBase<'anomaly/series-evicted'> {
  readonly metricName: string;
  readonly labels: Labels;
}

/** `watch` skipped a point it could not use; the stream goes on. */
export interface AnomalyPointRejectedEvent extends ObsEventBase<'anomaly/point-rejected'> {
  readonly reason: string;
  /** The `ObsError` code (e.g. `'INVALID_STRING'`), or `'POINT_FAILED'` when scoring the point threw anything else. */
  readonly code: string;
}

/** Every event of `@obs/anomaly` (closed union). */
export type AnomalyEvent = AnomalyDetectedEvent | AnomalySeriesEvictedEvent | AnomalyPointRejectedEvent;
