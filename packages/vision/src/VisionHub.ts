/**
 * The parts of an ObservabilityHub that ObservableVisionProvider uses, as a
 * structural type: the real `ObservabilityHub` from @obs/hub satisfies it, and
 * so does a hand-made fake in a test.
 */
export interface VisionHub {
  readonly metrics: {
    increment(name: string, value?: number, labels?: Record<string, string>): void;
    histogram(name: string, value: number, labels?: Record<string, string>): void;
    gauge(name: string, value: number, labels?: Record<string, string>): void;
  };
  readonly traces: {
    startSpan(
      operationName: string,
      serviceName: string,
      parentContext?: VisionSpanParent,
      tags?: Readonly<Record<string, unknown>>,
    ): VisionSpan;
    finishSpan(span: VisionSpan, status?: 'ok' | 'error' | 'unset'): void;
    /**
     * Optional: runs `fn` with `span` active. The wrapper records its metrics inside the
     * request span, so a hub that keeps exemplars links the latency to this trace.
     */
    withSpan?<T>(span: VisionSpan, fn: () => T): T;
  };
  readonly sloTracker: {
    hasSLO(sloId: string): boolean;
    defineSLO(slo: VisionSLODefinition): unknown;
    recordEvent(sloId: string, isGood: boolean): void;
  };
  readonly anomalyDetector: {
    detect(metricName: string, value: number, labels?: Record<string, string>): VisionAnomaly | undefined;
  };
  /**
   * Whether the hub already feeds this latency metric to its anomaly detector
   * (ObservabilityHub's latency flow); the wrapper then leaves detection to it
   * instead of scoring every value twice.
   */
  watchesLatency?(metricName: string): boolean;
  readonly alerts: {
    fireAlert(alert: VisionAlertInit): { readonly alertId: string };
    resolveAlert(alertId: string): unknown;
  };
}

/** A span as far as the wrapper needs it. */
export interface VisionSpan {
  readonly context: { readonly traceId: string; readonly spanId: string };
  log(message: string, fields?: Record<string, string | number | boolean>): void;
}

/** A parent for the request span: a span context (e.g. extracted from `traceparent`) or a span. */
export type VisionSpanParent = { readonly traceId: string; readonly spanId: string } | VisionSpan | null | undefined;

/** The SLO definitions the wrapper registers (the contract's SLODefinition). */
export interface VisionSLODefinition {
  readonly sloId: string;
  readonly name: string;
  readonly target: number;
  readonly windowDays: number;
  readonly metricName: string;
  readonly description: string;
  readonly labels: Readonly<Record<string, string>>;
}

/** The fields of a detected anomaly the wrapper reports. */
export interface VisionAnomaly {
  readonly anomalyId: string;
  readonly anomalyType: string;
  readonly expectedValue: number;
  readonly actualValue: number;
}

/** The alert the wrapper fires when errors persist (the contract's alert init). */
export interface VisionAlertInit {
  readonly alertId?: string;
  readonly name: string;
  readonly severity?: 'info' | 'warning' | 'error' | 'critical';
  readonly message?: string;
  readonly source?: string;
  readonly labels?: Readonly<Record<string, string>>;
  readonly annotations?: Readonly<Record<string, string>>;
  readonly value?: number;
}
