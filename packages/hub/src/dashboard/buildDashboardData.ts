import type { Alert } from '@obs/alerts';
import type { ObservabilityHub } from '../ObservabilityHub';
import { jsonSafe } from '../serialize/jsonSafe';
import type { DashboardSampler } from './DashboardSampler';
import type { DashboardAlert, DashboardData, DashboardSample } from './DashboardTypes';

/** The hub's own drop counters that the dashboard reports. */
export interface DashboardCounters {
  readonly hubEvents: number;
  readonly subscriberErrors: number;
  readonly processorErrors: number;
  readonly persistErrors: number;
}

const ACTIVE_SPANS_LISTED = 20;
const SLO_GROUPS_LISTED = 50;

function alertView(alert: Alert): DashboardAlert {
  return {
    alertId: alert.alertId,
    name: alert.name,
    severity: alert.severity,
    state: alert.state,
    message: alert.message,
    source: alert.source,
    labels: { ...alert.labels },
    annotations: { ...alert.annotations },
    startedAt: alert.startedAt,
    firingSince: alert.firingSince ?? null,
    resolvedAt: alert.resolvedAt ?? null,
    value: alert.value,
  };
}

function mean(values: readonly (number | null)[]): number | null {
  let sum = 0;
  let n = 0;
  for (const v of values) {
    if (v === null) continue;
    sum += v;
    n++;
  }
  return n === 0 ? null : sum / n;
}

function latestOf(samples: readonly DashboardSample[], pick: (s: DashboardSample) => number | null): number | null {
  for (let i = samples.length - 1; i >= 0; i--) {
    const v = pick(samples[i] as DashboardSample);
    if (v !== null) return v;
  }
  return null;
}

/** Reads every component and assembles the dashboard's JSON. */
export function buildDashboardData(
  hub: ObservabilityHub,
  sampler: DashboardSampler,
  counters: DashboardCounters,
  startedAt: number | undefined,
  running: boolean,
): DashboardData {
  const { config, metrics, traces, health, alerts, sloTracker, anomalyDetector } = hub;
  const limits = config.dashboard;
  const names = sampler.names;
  const charts = sampler.history();
  const lastMinute = charts.slice(-Math.max(1, Math.round(60 / limits.sampleIntervalSeconds)));

  const checks = health.listChecks().map((name) => {
    const result = health.getCheckResult(name);
    return {
      name,
      status: health.getCheckStatus(name) ?? 'unknown',
      message: result?.message ?? '',
      timestamp: result?.timestamp ?? null,
      durationMs: result?.durationMs ?? null,
    };
  });

  const requestsTotal = metrics.getCounterTotal(names.requests);
  const errorsTotal = metrics.getCounterTotal(names.errors);
  let latencyCount = 0;
  let latencySum = 0;
  let latencySeries = 0;
  for (const series of metrics.series(names.latency)) {
    if (latencySeries++ >= 1000) break;
    const stats = metrics.getHistogramStats(names.latency, series.labels);
    latencyCount += stats.count;
    latencySum += stats.sum;
  }
  const series: DashboardData['metrics']['series'] = [];
  let seriesTotal = 0;
  for (const s of metrics.series()) {
    seriesTotal++;
    if (series.length >= limits.maxSeries) continue;
    const latest = s.getLatest();
    if (!latest) continue;
    series.push({
      name: latest.name,
      type: latest.metricType,
      labels: { ...latest.labels },
      value: latest.value,
      timestamp: latest.timestamp,
    });
  }

  const firing = alerts.getFiringAlerts().map(alertView);
  const bySeverity = (severity: string) => firing.filter((a) => a.severity === severity);
  const traceStats = traces.stats();
  const healthStats = health.stats();
  const alertStats = alerts.stats();
  const sloStats = sloTracker.stats();

  const slos = sloTracker.listSLOs().map((slo) => {
    const r = sloTracker.getSLOStatus(slo.sloId);
    return {
      sloId: slo.sloId,
      name: slo.name,
      target: slo.target,
      windowDays: slo.windowDays,
      status: r.status,
      currentValue: r.currentValue,
      errorBudgetRemaining: r.errorBudgetRemaining,
      burnRate: r.burnRate,
      burnRates: { ...r.burnRates },
      noData: r.noData,
      good: r.good,
      total: r.total,
      burnDown: sloTracker
        .getBudgetHistory(slo.sloId)
        .samples.map((p) => ({ ts: p.timestamp, remaining: p.errorBudgetRemaining })),
      groups: [...(r.groups ?? [])]
        .sort((a, b) => a.errorBudgetRemaining - b.errorBudgetRemaining)
        .slice(0, SLO_GROUPS_LISTED)
        .map((g) => ({
          labels: { ...g.labels },
          status: g.status,
          currentValue: g.currentValue,
          errorBudgetRemaining: g.errorBudgetRemaining,
          burnRate: g.burnRate,
          total: g.total,
        })),
      groupCount: r.groups?.length ?? 0,
    };
  });

  const data = {
    generatedAt: config.clock.now(),
    startedAt: startedAt ?? null,
    running,
    health: { status: health.getOverallStatus(), checks },
    metrics: {
      names: { ...names },
      requestsTotal,
      errorsTotal,
      errorRatio: requestsTotal > 0 ? Math.min(1, errorsTotal / requestsTotal) : null,
      requestRate: mean(lastMinute.map((s) => s.requestRate)) ?? 0,
      errorRate: mean(lastMinute.map((s) => s.errorRate)) ?? 0,
      latency: {
        p50: latestOf(charts, (s) => s.p50),
        p95: latestOf(charts, (s) => s.p95),
        p99: latestOf(charts, (s) => s.p99),
        mean: latencyCount > 0 ? latencySum / latencyCount : null,
        count: latencyCount,
      },
      confidence: latestOf(charts, (s) => s.confidence),
      series,
      seriesTotal,
    },
    charts,
    exemplars: sampler.exemplars(),
    traces: {
      activeSpans: traceStats.activeSpans,
      active: traces
        .getActiveSpans()
        .slice(0, ACTIVE_SPANS_LISTED)
        .map((span) => ({
          traceId: span.context.traceId,
          spanId: span.context.spanId,
          operationName: span.operationName,
          serviceName: span.serviceName,
          startTime: span.startTime,
        })),
      recent: traces.getRecentTraces(limits.recentTraces).map((t) => ({ ...t, services: [...t.services] })),
    },
    alerts: {
      firing: {
        critical: bySeverity('critical'),
        error: bySeverity('error'),
        warning: bySeverity('warning'),
        info: bySeverity('info'),
      },
      firingCount: firing.length,
      recentResolved: alerts.getResolvedAlerts(limits.recentAlerts).map(alertView),
    },
    slos,
    anomalies: anomalyDetector.getDetectedAnomalies(limits.recentAnomalies).map((a) => ({
      anomalyId: a.anomalyId,
      anomalyType: a.anomalyType,
      metricName: a.metricName,
      expectedValue: a.expectedValue,
      actualValue: a.actualValue,
      deviation: a.deviation,
      confidence: a.confidence,
      timestamp: a.timestamp,
      reason: a.details?.reason ?? '',
      labels: { ...(a.details?.labels ?? {}) },
    })),
    drops: {
      ...counters,
      droppedSpans: traceStats.droppedSpans,
      droppedAlerts: alertStats.dropped,
      alertHandlerErrors: alertStats.handlerErrors,
      droppedSLOOutcomes: sloStats.droppedOutcomes,
      evictedAnomalySeries: anomalyDetector.evictedSeries,
      healthCheckErrors: healthStats.errors + healthStats.timeouts,
    },
  };
  // One pass through jsonSafe guarantees the JSON round-trip (no NaN, no undefined, plain objects).
  return jsonSafe(data, {
    maxDepth: 12,
    maxStringLength: 8192,
    maxArrayLength: 10_000,
    maxKeys: 1000,
  }) as DashboardData;
}
