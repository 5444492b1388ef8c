/** One point of the dashboard charts: what happened during one sample interval. */
export interface DashboardSample {
  /** End of the interval, epoch ms. */
  readonly ts: number;
  /** Requests per second. */
  readonly requestRate: number;
  /** Failed requests per second. */
  readonly errorRate: number;
  /** Failed / all requests in the interval; null without requests. */
  readonly errorRatio: number | null;
  /** Latency quantiles of the interval, ms; null without observations. */
  readonly p50: number | null;
  readonly p95: number | null;
  readonly p99: number | null;
  /** Mean confidence recorded in the interval; null without values. */
  readonly confidence: number | null;
}

export interface DashboardSeriesValue {
  readonly name: string;
  readonly type: string;
  readonly labels: Record<string, string>;
  readonly value: number | null;
  readonly timestamp: number;
}

export interface DashboardCheck {
  readonly name: string;
  readonly status: string;
  readonly message: string;
  readonly timestamp: number | null;
  readonly durationMs: number | null;
}

export interface DashboardAlert {
  readonly alertId: string;
  readonly name: string;
  readonly severity: string;
  readonly state: string;
  readonly message: string;
  readonly source: string;
  readonly labels: Record<string, string>;
  readonly annotations: Record<string, string>;
  readonly startedAt: number;
  readonly firingSince: number | null;
  readonly resolvedAt: number | null;
  readonly value: number | null;
}

export interface DashboardSLO {
  readonly sloId: string;
  readonly name: string;
  readonly target: number;
  readonly windowDays: number;
  readonly status: string;
  readonly currentValue: number | null;
  readonly errorBudgetRemaining: number | null;
  readonly burnRate: number | null;
  readonly burnRates: Record<string, number | null>;
  readonly noData: boolean;
  readonly good: number;
  readonly total: number;
  /** Burn-down: the error budget remaining over the window (sampled, at most 256 points). */
  readonly burnDown: readonly { readonly ts: number; readonly remaining: number }[];
  /** Grouped SLOs: the groups with the least budget left first, at most 50. */
  readonly groups: readonly DashboardSLOGroup[];
  /** Grouped SLOs: how many groups there are in all. */
  readonly groupCount: number;
}

/** One label group of a grouped SLO. */
export interface DashboardSLOGroup {
  readonly labels: Record<string, string>;
  readonly status: string;
  readonly currentValue: number | null;
  readonly errorBudgetRemaining: number | null;
  readonly burnRate: number | null;
  readonly total: number;
}

export interface DashboardAnomaly {
  readonly anomalyId: string;
  readonly anomalyType: string;
  readonly metricName: string;
  readonly expectedValue: number | null;
  readonly actualValue: number | null;
  readonly deviation: number | null;
  readonly confidence: number | null;
  readonly timestamp: number;
  readonly reason: string;
  readonly labels: Record<string, string>;
}

/** A recorded latency with the sampled trace that made it (an exemplar of the latency histogram). */
export interface DashboardExemplar {
  readonly traceId: string;
  readonly spanId: string;
  /** The value recorded, ms. */
  readonly value: number;
  /** When it was recorded, epoch ms. */
  readonly timestamp: number;
  /** The labels of its series. */
  readonly labels: Record<string, string>;
}

export interface DashboardTrace {
  readonly traceId: string;
  readonly rootOperation: string;
  readonly serviceName: string;
  readonly startTime: number;
  readonly durationMs: number | null;
  readonly spanCount: number;
  readonly hasError: boolean;
  readonly services: string[];
}

export interface DashboardActiveSpan {
  readonly traceId: string;
  readonly spanId: string;
  readonly operationName: string;
  readonly serviceName: string;
  readonly startTime: number;
}

/** Counters of everything the pipeline dropped, cut or survived. */
export interface DashboardDrops {
  /** Hub events dropped for slow subscribers of `hub.events$`. */
  readonly hubEvents: number;
  readonly subscriberErrors: number;
  readonly processorErrors: number;
  readonly persistErrors: number;
  readonly droppedSpans: number;
  readonly droppedAlerts: number;
  readonly alertHandlerErrors: number;
  readonly droppedSLOOutcomes: number;
  readonly evictedAnomalySeries: number;
  readonly healthCheckErrors: number;
}

/** Everything the dashboard shows, as plain JSON (`JSON.parse(JSON.stringify(d))` equals `d`). */
export interface DashboardData {
  readonly generatedAt: number;
  readonly startedAt: number | null;
  readonly running: boolean;
  readonly health: { readonly status: string; readonly checks: DashboardCheck[] };
  readonly metrics: {
    /** The metrics behind the charts (anomalies of `latency` are drawn on the latency chart). */
    readonly names: DashboardMetricNames;
    readonly requestsTotal: number;
    readonly errorsTotal: number;
    /** errors / requests since start; null without requests. */
    readonly errorRatio: number | null;
    /** Over the last minute of samples. */
    readonly requestRate: number;
    readonly errorRate: number;
    readonly latency: {
      readonly p50: number | null;
      readonly p95: number | null;
      readonly p99: number | null;
      readonly mean: number | null;
      readonly count: number;
    };
    readonly confidence: number | null;
    /** The latest value of each series, at most `dashboard.maxSeries`. */
    readonly series: DashboardSeriesValue[];
    readonly seriesTotal: number;
  };
  /** Chart samples, oldest first. */
  readonly charts: DashboardSample[];
  /**
   * Exemplars of the latency metric within the chart's time span, oldest first: each links
   * a point of the latency chart to the trace that recorded it (`GET /api/traces/:traceId`).
   */
  readonly exemplars: DashboardExemplar[];
  readonly traces: {
    readonly activeSpans: number;
    readonly active: DashboardActiveSpan[];
    readonly recent: DashboardTrace[];
  };
  readonly alerts: {
    readonly firing: {
      readonly critical: DashboardAlert[];
      readonly error: DashboardAlert[];
      readonly warning: DashboardAlert[];
      readonly info: DashboardAlert[];
    };
    readonly firingCount: number;
    readonly recentResolved: DashboardAlert[];
  };
  readonly slos: DashboardSLO[];
  readonly anomalies: DashboardAnomaly[];
  readonly drops: DashboardDrops;
}

/** Which metrics feed the key figures and charts (defaults: the vision metrics). */
export interface DashboardMetricNames {
  readonly requests: string;
  readonly errors: string;
  readonly latency: string;
  readonly confidence: string;
}

export const DEFAULT_DASHBOARD_METRICS: DashboardMetricNames = Object.freeze({
  requests: 'vision_requests_total',
  errors: 'vision_requests_error',
  latency: 'vision_request_duration_ms',
  confidence: 'vision_confidence',
});
