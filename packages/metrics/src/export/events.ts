import type { ObsEventBase } from '@obs/core';

export const METRICS_EXPORT_SOURCE = 'metrics-export';

/** A request was accepted by the receiver. */
export interface ExportSucceededEvent extends ObsEventBase<'metrics/export-succeeded'> {
  readonly exporter: string;
  /** Data points (OTLP) or samples (remote write) in the request. */
  readonly points: number;
  readonly attempt: number;
}

/** A request failed; `willRetry` tells whether it stays queued for another attempt. */
export interface ExportFailedEvent extends ObsEventBase<'metrics/export-failed'> {
  readonly exporter: string;
  readonly points: number;
  readonly reason: string;
  readonly statusCode: number | undefined;
  readonly willRetry: boolean;
  readonly attempt: number;
}

/** Points were lost: the queue was full (oldest dropped), the receiver refused them for good, or encoding failed. */
export interface ExportDroppedEvent extends ObsEventBase<'metrics/export-dropped'> {
  readonly exporter: string;
  readonly reason: 'queue-full' | 'export-failed' | 'encode-failed' | 'shutdown';
  readonly points: number;
}

/** Events of the metrics exporters (OTLP, remote write). */
export type MetricsExportEvent = ExportSucceededEvent | ExportFailedEvent | ExportDroppedEvent;
