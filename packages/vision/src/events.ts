import type { ObsEventBase } from '@obs/core';

/** A request the wrapper saw succeed. */
export interface VisionRequestCompletedEvent extends ObsEventBase<'vision/request-completed'> {
  readonly provider: string;
  readonly durationMs: number;
  readonly confidence: number | undefined;
  readonly imageBytes: number;
  readonly traceId: string | undefined;
}

/** A request the base provider rejected (the error is rethrown to the caller unchanged). */
export interface VisionRequestFailedEvent extends ObsEventBase<'vision/request-failed'> {
  readonly provider: string;
  readonly durationMs: number;
  readonly errorType: string;
  /** True for bad input (the caller's fault), which does not count against the SLOs or the error alert. */
  readonly clientError: boolean;
  readonly imageBytes: number;
  readonly traceId: string | undefined;
}

/** The anomaly detector flagged a request's latency. */
export interface VisionLatencyAnomalyEvent extends ObsEventBase<'vision/latency-anomaly'> {
  readonly provider: string;
  readonly anomalyId: string;
  readonly expectedMs: number;
  readonly actualMs: number;
}

/** The persistent-errors alert fired (or was refreshed) or resolved. */
export interface VisionErrorAlertEvent extends ObsEventBase<
  'vision/error-alert-fired' | 'vision/error-alert-resolved'
> {
  readonly provider: string;
  readonly alertId: string;
  readonly errorRatio: number;
  readonly requests: number;
}

/** Recording into the hub failed (a limit, a bad label); the request itself went on unharmed. */
export interface VisionInstrumentationFailedEvent extends ObsEventBase<'vision/instrumentation-failed'> {
  readonly provider: string;
  readonly stage: 'metrics' | 'span' | 'slo' | 'anomaly' | 'alert';
  readonly message: string;
}

/** Every event of @obs/vision (a closed union). */
export type VisionEvent =
  | VisionRequestCompletedEvent
  | VisionRequestFailedEvent
  | VisionLatencyAnomalyEvent
  | VisionErrorAlertEvent
  | VisionInstrumentationFailedEvent;
