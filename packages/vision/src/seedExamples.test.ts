/**
 * The usage examples of the seed specification (SPEC.md), in their TypeScript
 * form, written against the public entry points a user imports: @obs/hub (which
 * re-exports every component package) and @obs/vision.
 */
import { describe, expect, it } from 'vitest';
import {
  AlertSeverity,
  HealthStatus,
  TraceStatus,
  createAlertManager,
  createHealthCheck,
  createHealthMonitor,
  createMetricsCollector,
  createObservabilityHub,
  createSLODefinition,
  createTraceManager,
  type Alert,
} from '@obs/hub';
import { createObservableProvider, type VisionProvider } from '@obs/vision';

describe('seed usage examples', () => {
  it('basic metrics collection', () => {
    const metrics = createMetricsCollector();
    metrics.increment('api_requests', 1, { endpoint: '/analyze' });
    metrics.gauge('active_connections', 42);
    metrics.histogram('response_time_ms', 125.5);
    const stats = metrics.getHistogramStats('response_time_ms');
    expect(stats.p99).toBeCloseTo(125.5, 0);
    expect(metrics.getCounter('api_requests', { endpoint: '/analyze' })).toBe(1);
    expect(metrics.getGauge('active_connections')).toBe(42);
  });

  it('distributed tracing', () => {
    const traces = createTraceManager({ traceSampleRate: 1 });
    const span = traces.startSpan('process_image', 'vision-service');
    span.log('Starting image analysis');
    try {
      throw new Error('decoder failed');
    } catch (e) {
      span.log('error', { error: String(e) });
      traces.finishSpan(span, TraceStatus.ERROR);
    }
    expect(span.status).toBe(TraceStatus.ERROR);
    expect(span.logs.map((l) => l.message)).toEqual(['Starting image analysis', 'error']);
    expect(traces.getTrace(span.context.traceId)).toHaveLength(1);
  });

  it('health monitoring', async () => {
    const health = createHealthMonitor();
    const checkDatabase = () =>
      createHealthCheck({ name: 'database', status: HealthStatus.HEALTHY, message: 'Connected' });
    health.registerCheck('database', checkDatabase);
    const results = await health.runAllChecks();
    expect(results['database']?.message).toBe('Connected');
    expect(health.getOverallStatus()).toBe(HealthStatus.HEALTHY);
  });

  it('alert management', () => {
    const alerts = createAlertManager();
    alerts.registerRule('latency', (ctx) =>
      (ctx['latency_ms'] ?? 0) > 1000
        ? { alertId: 'high-latency', name: 'HighLatency', severity: AlertSeverity.WARNING, value: ctx['latency_ms'] }
        : undefined,
    );
    const notified: Alert[] = [];
    alerts.addHandler((a) => notified.push(a));
    const fired = alerts.evaluateRules({ latency_ms: 1500 });
    expect(fired.map((a) => a.alertId)).toEqual(['high-latency']);
    expect(notified.map((a) => a.name)).toEqual(['HighLatency']);
  });

  it('SLO tracking through the hub', async () => {
    const hub = createObservabilityHub();
    const slo = createSLODefinition('API Availability', 99.9, 30);
    hub.sloTracker.defineSLO(slo);
    hub.sloTracker.recordEvent(slo.sloId, true);
    hub.sloTracker.recordEvent(slo.sloId, false);
    const status = hub.sloTracker.getSLOStatus(slo.sloId);
    expect(status.currentValue).toBe(50);
    expect(status.errorBudgetRemaining).toBeLessThan(0);
    await hub.stop();
  });

  it('full observable provider', async () => {
    const hub = createObservabilityHub({ traceSampleRate: 0.5 });
    const myProvider: VisionProvider = {
      providerName: 'mine',
      analyzeImage: async () => ({ summary: 'a cat', details: {}, confidence: 0.9 }),
    };
    const observable = createObservableProvider(myProvider, hub);
    expect(observable.providerName).toBe('observable_mine');
    const result = await observable.analyzeImage(new Uint8Array([1, 2, 3]));
    expect(result.summary).toBe('a cat');
    const dashboard = hub.getDashboardData();
    expect(JSON.parse(JSON.stringify(dashboard))).toMatchObject({ metrics: { requestsTotal: 1 } });
    await hub.stop();
  });
});
