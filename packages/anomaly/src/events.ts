import type { Labels, ObsEventBase } from '@obs/core';
import type { Anomaly } from './Anomaly';
import type { AnomalyType } from './AnomalyType';

/** A new incident started: reported by the very call (or point) that carried it. */
export interface AnomalyDetectedEvent extends ObsEventBase<'anomaly/detected'> {
  readonly anomaly: Anomaly;
  readonly labels: Labels;
}

/**
 * Later points showed that an anomaly already reported is of another type: a
 * SPIKE or DROP whose next point stayed at the new level is a level shift
 * (TREND). `anomaly` is the updated anomaly, with the same `anomalyId`; it
 * replaces the earlier one in `getDetectedAnomalies()`.
 */
export interface AnomalyUpdatedEvent extends ObsEventBase<'anomaly/updated'> {
  readonly anomaly: Anomaly;
  /** The type it was first reported with. */
  readonly previousType: AnomalyType;
  /** The type it has now (`anomaly.anomalyType`). */
  readonly anomalyType: AnomalyType;
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
export type AnomalyEvent =
  AnomalyDetectedEvent | AnomalyUpdatedEvent | AnomalySeriesEvictedEvent | AnomalyPointRejectedEvent;
