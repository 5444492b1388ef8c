import {
  POSITIVE_NUMBER,
  describeValue,
  optionalBoolean,
  optionalNumber,
  systemClock,
  type Clock,
  type InvalidOption,
} from '@obs/core';
import type { AlertManagerConfig, AlertSeverity } from '@obs/alerts';
import type { AnomalyDetectorConfig } from '@obs/anomaly';
import type { HealthMonitorConfig } from '@obs/health';
import type { MetricsCollectorConfig, MetricsProducer } from '@obs/metrics';
import type { SLOTrackerConfig } from '@obs/slo';
import type { SpanExporter, TraceManagerConfig } from '@obs/tracing';
import { asyncScheduler, type SchedulerLike } from 'rxjs';
import { DEFAULT_DASHBOARD_METRICS, type DashboardMetricNames } from './dashboard/DashboardTypes';
import { HubValidationError } from './errors';

/** The contract's configuration, with its defaults in {@link DEFAULT_OBSERVABILITY_CONFIG}. */
export interface ObservabilityConfig {
  /** How long metric aggregates are kept for `getAverage(window)`. Default 24. */
  readonly metricsRetentionHours: number;
  /** Fraction of new traces sampled, in [0, 1]. Default 0.1. */
  readonly traceSampleRate: number;
  /** Period of the health checks. Default 30. */
  readonly healthCheckIntervalSeconds: number;
  /** Period of alert rule evaluation. Default 60. */
  readonly alertEvaluationIntervalSeconds: number;
  /** Feeds latency series to the anomaly detector (and anomalies to alerts). Default true. */
  readonly anomalyDetectionEnabled: boolean;
  /** Evaluates SLOs periodically and raises burn-rate alerts. Default true. */
  readonly sloTrackingEnabled: boolean;
}

export const DEFAULT_OBSERVABILITY_CONFIG: Readonly<ObservabilityConfig> = Object.freeze({
  metricsRetentionHours: 24,
  traceSampleRate: 0.1,
  healthCheckIntervalSeconds: 30,
  alertEvaluationIntervalSeconds: 60,
  anomalyDetectionEnabled: true,
  sloTrackingEnabled: true,
});

/** Switches for the default flows; each defaults to on when its component is enabled. */
export interface HubFlowsConfig {
  /** Latency points -> anomaly detector (needs `anomalyDetectionEnabled`). */
  readonly latencyAnomalies?: boolean;
  /** Anomalies -> alerts (needs `anomalyDetectionEnabled`). */
  readonly anomalyAlerts?: boolean;
  /** Health status changes -> `HealthCheckFailed` alerts. */
  readonly healthAlerts?: boolean;
  /** SLO status and burn-rate conditions -> alerts (needs `sloTrackingEnabled`). */
  readonly sloAlerts?: boolean;
  /** Periodic chart samples for the dashboard. */
  readonly dashboard?: boolean;
}

export interface DashboardConfig {
  /** Period of chart samples. Default 1. */
  readonly sampleIntervalSeconds?: number;
  /** Samples kept for charts. Default 300 (five minutes at one per second). */
  readonly historySize?: number;
  /** Most series listed in `metrics.series`. Default 200. */
  readonly maxSeries?: number;
  /** Recent traces listed. Default 20. */
  readonly recentTraces?: number;
  /** Recent anomalies listed. Default 50. */
  readonly recentAnomalies?: number;
  /** Recently resolved alerts listed. Default 20. */
  readonly recentAlerts?: number;
  /** Which metrics feed the key figures and charts. Default {@link DEFAULT_DASHBOARD_METRICS} (the vision metrics). */
  readonly metricNames?: Partial<DashboardMetricNames>;
}

export interface PersistenceConfig {
  /** The snapshot file; `<path>.prev` keeps the generation before. */
  readonly path: string;
  /** Period of snapshots. Default 60. A write also happens on `stop()`. */
  readonly intervalSeconds?: number;
  /** Restore on `start()`. Default true. */
  readonly restoreOnStart?: boolean;
  /**
   * Largest snapshot file read, bytes. Default 64 MiB. A larger file is refused
   * with `SNAPSHOT_TOO_LARGE`, moved aside to `<path>.too-large-<time>`, and the previous generation is used.
   */
  readonly maxFileBytes?: number;
  /**
   * Largest magnitude of a number restored from the file. Default 1e15 (integers
   * beyond about 9e15 lose precision; nothing the toolkit writes comes near). A
   * value beyond it is refused per field (`VALUE_OUT_OF_RANGE`), the rest of the part restored.
   */
  readonly maxAbsValue?: number;
}

export interface EventDeliveryConfig {
  /** Events waiting for slow subscribers of `hub.events$` beyond this are dropped, oldest first. Default 10 000. */
  readonly queueCapacity?: number;
  /** Longest one delivery batch runs before yielding to the event loop, ms. Default 10. */
  readonly batchBudgetMs?: number;
}

/** Everything `createObservabilityHub` accepts. All optional. */
/** A metric push exporter as the hub drives it (structural, so the hub loads no exporter code itself). */
export interface MetricsPushExporter {
  readonly name: string;
  attach(producer: MetricsProducer): void;
  shutdown(timeoutMs?: number): Promise<void>;
}

/** What `exporters: [...]` accepts. */
export type HubExporter = SpanExporter | MetricsPushExporter;

export interface HubOptions extends Partial<ObservabilityConfig> {
  /** Time source for every component. Default the system clock. */
  readonly clock?: Clock;
  /** Scheduler for periodic work and event delivery (a TestScheduler in tests). Default `asyncScheduler`. */
  readonly scheduler?: SchedulerLike;
  /** Histogram/timer series whose name matches feed the anomaly detector. Default `/_duration_ms$|latency/`. */
  readonly latencyMetricPattern?: RegExp;
  /** An anomaly alert resolves after this long without a new incident of its series and type. Default 300. */
  readonly anomalyAlertResolveAfterSeconds?: number;
  /** Severity of anomaly alerts. Default `'warning'`. */
  readonly anomalyAlertSeverity?: AlertSeverity;
  /** Period of SLO evaluation. Default 10. */
  readonly sloEvaluationIntervalSeconds?: number;
  readonly flows?: HubFlowsConfig;
  readonly dashboard?: DashboardConfig;
  readonly events?: EventDeliveryConfig;
  /** Saves state to a file periodically and on `stop()`, restores on `start()`. Off unless given. */
  readonly persistence?: PersistenceConfig;
  /**
   * Exporters the hub runs: span exporters (e.g. `createOtlpHttpExporter` from
   * `@obs/tracing/otlp`) are added to the trace manager; metric push exporters
   * (`createOtlpMetricExporter` from `@obs/metrics/otlp`, `createRemoteWriteExporter`
   * from `@obs/metrics/remote-write`) get the hub's collector on `start()` and are
   * flushed and shut down on `stop()`.
   */
  readonly exporters?: readonly HubExporter[];
  /** Options passed to each component (the hub supplies clock, scheduler and the intervals above). */
  readonly metrics?: MetricsCollectorConfig;
  readonly tracing?: TraceManagerConfig;
  readonly health?: HealthMonitorConfig;
  readonly alerts?: AlertManagerConfig;
  readonly slo?: SLOTrackerConfig;
  readonly anomaly?: AnomalyDetectorConfig;
}

/** Options after validation, with every default applied. */
export interface ResolvedHubConfig extends ObservabilityConfig {
  readonly clock: Clock;
  readonly scheduler: SchedulerLike;
  readonly latencyMetricPattern: RegExp;
  readonly anomalyAlertResolveAfterSeconds: number;
  readonly anomalyAlertSeverity: AlertSeverity;
  readonly sloEvaluationIntervalSeconds: number;
  readonly flows: Required<HubFlowsConfig>;
  readonly dashboard: Required<Omit<DashboardConfig, 'metricNames'>> & { readonly metricNames: DashboardMetricNames };
  readonly events: Required<EventDeliveryConfig>;
  readonly persistence: Required<PersistenceConfig> | undefined;
}

export const DEFAULT_LATENCY_METRIC_PATTERN = /_duration_ms$|latency/;

function fail(what: string, expected: string, value: unknown): never {
  throw new HubValidationError('INVALID_CONFIG', `${what} must be ${expected}, got ${describeValue(value)}`);
}

const invalidConfig: InvalidOption = (message) => new HubValidationError('INVALID_CONFIG', message);

function positive(value: unknown, what: string, fallback: number, max = Number.MAX_SAFE_INTEGER): number {
  return optionalNumber(value, what, fallback, { ...POSITIVE_NUMBER, max }, invalidConfig);
}

function count(value: unknown, what: string, fallback: number, max = 1_000_000): number {
  return optionalNumber(value, what, fallback, { min: 1, max, integer: true }, invalidConfig);
}

function object<T>(value: unknown, what: string): Partial<T> {
  if (value === undefined) return {};
  if (typeof value !== 'object' || value === null || Array.isArray(value)) fail(what, 'an object', value);
  return value as Partial<T>;
}

const METRIC_NAME = /^[a-zA-Z_:][a-zA-Z0-9_:]*$/;

function metricNames(value: unknown): DashboardMetricNames {
  const given = object<DashboardMetricNames>(value, 'dashboard.metricNames');
  const out = { ...DEFAULT_DASHBOARD_METRICS };
  for (const key of Object.keys(DEFAULT_DASHBOARD_METRICS) as (keyof DashboardMetricNames)[]) {
    const name = given[key];
    if (name === undefined) continue;
    if (typeof name !== 'string' || name.length > 256 || !METRIC_NAME.test(name))
      fail(`dashboard.metricNames.${key}`, 'a metric name', name);
    out[key] = name;
  }
  return Object.freeze(out);
}

const SEVERITIES = new Set(['info', 'warning', 'error', 'critical']);

/** Validates options and applies defaults; throws {@link HubValidationError} on a bad option. */
export function resolveHubConfig(options: unknown = {}): ResolvedHubConfig {
  const o = object<HubOptions>(options, 'options');
  const d = DEFAULT_OBSERVABILITY_CONFIG;
  const traceSampleRate = o.traceSampleRate ?? d.traceSampleRate;
  if (typeof traceSampleRate !== 'number' || !(traceSampleRate >= 0 && traceSampleRate <= 1))
    fail('traceSampleRate', 'a number in [0, 1]', traceSampleRate);
  const clock = o.clock ?? systemClock;
  if (typeof clock !== 'object' || clock === null || typeof (clock as Clock).now !== 'function')
    fail('clock', 'an object with now()', clock);
  const scheduler = o.scheduler ?? asyncScheduler;
  if (
    typeof scheduler !== 'object' ||
    scheduler === null ||
    typeof (scheduler as SchedulerLike).schedule !== 'function'
  ) {
    fail('scheduler', 'an RxJS scheduler', scheduler);
  }
  const pattern = o.latencyMetricPattern ?? DEFAULT_LATENCY_METRIC_PATTERN;
  if (!(pattern instanceof RegExp)) fail('latencyMetricPattern', 'a RegExp', pattern);
  const severity = o.anomalyAlertSeverity ?? 'warning';
  if (!SEVERITIES.has(severity)) fail('anomalyAlertSeverity', 'info, warning, error or critical', severity);

  const anomalyDetectionEnabled = optionalBoolean(
    o.anomalyDetectionEnabled,
    'anomalyDetectionEnabled',
    d.anomalyDetectionEnabled,
    invalidConfig,
  );
  const sloTrackingEnabled = optionalBoolean(
    o.sloTrackingEnabled,
    'sloTrackingEnabled',
    d.sloTrackingEnabled,
    invalidConfig,
  );
  const flows = object<HubFlowsConfig>(o.flows, 'flows');
  const dashboard = object<DashboardConfig>(o.dashboard, 'dashboard');
  const events = object<EventDeliveryConfig>(o.events, 'events');
  let persistence: Required<PersistenceConfig> | undefined;
  if (o.persistence !== undefined) {
    const p = object<PersistenceConfig>(o.persistence, 'persistence');
    if (typeof p.path !== 'string' || p.path.length === 0 || p.path.length > 4096 || p.path.includes('\0'))
      fail('persistence.path', 'a non-empty file path', p.path);
    persistence = {
      path: p.path,
      intervalSeconds: positive(p.intervalSeconds, 'persistence.intervalSeconds', 60, 86_400),
      restoreOnStart: optionalBoolean(p.restoreOnStart, 'persistence.restoreOnStart', true, invalidConfig),
      maxFileBytes: positive(p.maxFileBytes, 'persistence.maxFileBytes', 64 * 1024 * 1024, 2 ** 31),
      maxAbsValue: positive(p.maxAbsValue, 'persistence.maxAbsValue', 1e15, Number.MAX_VALUE),
    };
  }
  for (const key of ['metrics', 'tracing', 'health', 'alerts', 'slo', 'anomaly'] as const) object(o[key], key);

  return {
    metricsRetentionHours: positive(
      o.metricsRetentionHours,
      'metricsRetentionHours',
      d.metricsRetentionHours,
      24 * 366,
    ),
    traceSampleRate,
    healthCheckIntervalSeconds: positive(
      o.healthCheckIntervalSeconds,
      'healthCheckIntervalSeconds',
      d.healthCheckIntervalSeconds,
      86_400,
    ),
    alertEvaluationIntervalSeconds: positive(
      o.alertEvaluationIntervalSeconds,
      'alertEvaluationIntervalSeconds',
      d.alertEvaluationIntervalSeconds,
      86_400,
    ),
    anomalyDetectionEnabled,
    sloTrackingEnabled,
    clock: clock as Clock,
    scheduler: scheduler as SchedulerLike,
    // A global or sticky RegExp keeps state between test() calls; use a stateless copy.
    latencyMetricPattern: new RegExp(pattern.source, pattern.flags.replace(/[gy]/g, '')),
    anomalyAlertResolveAfterSeconds: positive(
      o.anomalyAlertResolveAfterSeconds,
      'anomalyAlertResolveAfterSeconds',
      300,
      86_400 * 7,
    ),
    anomalyAlertSeverity: severity,
    sloEvaluationIntervalSeconds: positive(o.sloEvaluationIntervalSeconds, 'sloEvaluationIntervalSeconds', 10, 86_400),
    flows: {
      latencyAnomalies:
        anomalyDetectionEnabled &&
        optionalBoolean(flows.latencyAnomalies, 'flows.latencyAnomalies', true, invalidConfig),
      anomalyAlerts:
        anomalyDetectionEnabled && optionalBoolean(flows.anomalyAlerts, 'flows.anomalyAlerts', true, invalidConfig),
      healthAlerts: optionalBoolean(flows.healthAlerts, 'flows.healthAlerts', true, invalidConfig),
      sloAlerts: sloTrackingEnabled && optionalBoolean(flows.sloAlerts, 'flows.sloAlerts', true, invalidConfig),
      dashboard: optionalBoolean(flows.dashboard, 'flows.dashboard', true, invalidConfig),
    },
    dashboard: {
      sampleIntervalSeconds: positive(dashboard.sampleIntervalSeconds, 'dashboard.sampleIntervalSeconds', 1, 3600),
      historySize: count(dashboard.historySize, 'dashboard.historySize', 300, 100_000),
      maxSeries: count(dashboard.maxSeries, 'dashboard.maxSeries', 200, 10_000),
      recentTraces: count(dashboard.recentTraces, 'dashboard.recentTraces', 20, 1000),
      recentAnomalies: count(dashboard.recentAnomalies, 'dashboard.recentAnomalies', 50, 1000),
      recentAlerts: count(dashboard.recentAlerts, 'dashboard.recentAlerts', 20, 1000),
      metricNames: metricNames(dashboard.metricNames),
    },
    events: {
      queueCapacity: count(events.queueCapacity, 'events.queueCapacity', 10_000, 10_000_000),
      batchBudgetMs: positive(events.batchBudgetMs, 'events.batchBudgetMs', 10, 10_000),
    },
    persistence,
  };
}
