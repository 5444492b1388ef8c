import { config as rxConfig, filter, firstValueFrom, toArray } from 'rxjs';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { createSLODefinition } from '@obs/slo';
import {
  createObservabilityHub,
  DEFAULT_OBSERVABILITY_CONFIG,
  HubValidationError,
  type ObsEvent,
  type ObservabilityHub,
} from './index';
import { settle, virtualTime } from '@obs/testing';

const hubs: ObservabilityHub[] = [];
function makeHub(options: Parameters<typeof createObservabilityHub>[0] = {}) {
  const time = virtualTime();
  const hub = createObservabilityHub({ clock: time.clock, scheduler: time.scheduler, ...options });
  hubs.push(hub);
  const events: ObsEvent[] = [];
  hub.events$.subscribe((e) => events.push(e));
  return { hub, events, ...time };
}
afterEach(async () => {
  for (const hub of hubs.splice(0)) await hub.stop();
});

describe('config', () => {
  it('has the contract defaults', () => {
    expect(DEFAULT_OBSERVABILITY_CONFIG).toEqual({
      metricsRetentionHours: 24,
      traceSampleRate: 0.1,
      healthCheckIntervalSeconds: 30,
      alertEvaluationIntervalSeconds: 60,
      anomalyDetectionEnabled: true,
      sloTrackingEnabled: true,
    });
    const hub = createObservabilityHub();
    hubs.push(hub);
    expect(hub.config).toMatchObject(DEFAULT_OBSERVABILITY_CONFIG);
    expect(hub.traces.sampleRate).toBe(0.1);
  });

  it('rejects bad options with a typed error', () => {
    for (const bad of [
      { traceSampleRate: 2 },
      { traceSampleRate: NaN },
      { healthCheckIntervalSeconds: -1 },
      { alertEvaluationIntervalSeconds: Infinity },
      { anomalyDetectionEnabled: 'yes' },
      { latencyMetricPattern: '_ms$' },
      { persistence: { path: '' } },
      { persistence: { path: 'x', intervalSeconds: 0 } },
      { flows: 'all' },
      { metrics: 5 },
      { clock: {} },
      { dashboard: { metricNames: { requests: 'bad name' } } },
      { dashboard: { historySize: 0 } },
      'options',
    ]) {
      expect(() => createObservabilityHub(bad as never), JSON.stringify(bad)).toThrow(HubValidationError);
    }
  });

  it('does not let a global RegExp keep state between matches', () => {
    const { hub } = makeHub({ latencyMetricPattern: /_ms$/g });
    expect(hub.watchesLatency('a_ms')).toBe(true);
    expect(hub.watchesLatency('a_ms')).toBe(true);
    expect(hub.watchesLatency('a_total')).toBe(false);
  });
});

describe('lifecycle', () => {
  it('start twice is one start; stop ends every timer and completes events$', async () => {
    const { hub, events, scheduler, advance } = makeHub();
    let completed = false;
    hub.events$.subscribe({ complete: () => (completed = true) });
    const first = hub.start();
    expect(hub.start()).toBe(first);
    await first;
    expect(hub.running).toBe(true);
    advance(0);
    expect(events.filter((e) => e.type === 'hub/started')).toHaveLength(1);
    expect(scheduler.actions.length).toBeGreaterThan(0);
    await hub.stop();
    expect(hub.running).toBe(false);
    expect(completed).toBe(true);
    expect(events.at(-1)?.type).toBe('hub/stopped');
    // Nothing is left scheduled: the process could exit by itself.
    advance(3_600_000);
    expect(scheduler.actions.filter((a) => !a.closed)).toHaveLength(0);
    await expect(hub.start()).rejects.toThrow(/stopped/);
    expect(hub.stop()).toBe(hub.stop());
  });

  it('runs health checks, rule evaluation and samples on their intervals', async () => {
    const { hub, advance } = makeHub({ healthCheckIntervalSeconds: 30, alertEvaluationIntervalSeconds: 60 });
    const check = vi.fn(() => ({ status: 'healthy' as const }));
    const rule = vi.fn(() => null);
    hub.health.registerCheck('db', check);
    hub.alerts.registerRule('never', rule);
    await hub.start();
    advance(0);
    await settle();
    const checksAtStart = check.mock.calls.length;
    const rulesAtStart = rule.mock.calls.length;
    for (let i = 0; i < 4; i++) {
      advance(30_000);
      await settle();
    }
    expect(check.mock.calls.length - checksAtStart).toBe(4);
    expect(rule.mock.calls.length - rulesAtStart).toBe(2);
    expect(hub.getDashboardData().charts.length).toBe(120);
  });

  it('stop without start still completes events$', async () => {
    const { hub } = makeHub();
    const done = firstValueFrom(hub.events$.pipe(toArray()));
    await hub.stop();
    expect((await done).map((e) => e.type)).toEqual(['hub/stopped']);
  });
});

describe('flows', () => {
  it('health changes -> HealthCheckFailed alert, resolved on recovery', async () => {
    const { hub, advance } = makeHub({ healthCheckIntervalSeconds: 10 });
    let healthy = true;
    hub.health.registerCheck('database', () => ({
      status: healthy ? 'healthy' : 'unhealthy',
      message: 'connection refused',
    }));
    await hub.start();
    advance(0);
    await settle();
    expect(hub.alerts.getFiringAlerts()).toHaveLength(0);
    healthy = false;
    advance(10_000);
    await settle();
    const [alert] = hub.alerts.getFiringAlerts();
    expect(alert).toMatchObject({
      name: 'HealthCheckFailed',
      severity: 'critical',
      labels: { check: 'database' },
      source: 'health',
    });
    expect(alert?.message).toContain('connection refused');
    healthy = true;
    advance(10_000);
    await settle();
    expect(hub.alerts.getFiringAlerts()).toHaveLength(0);
    expect(hub.alerts.getResolvedAlerts(5)[0]).toMatchObject({ name: 'HealthCheckFailed', state: 'resolved' });
  });

  it('health alerts can be switched off', async () => {
    const { hub, advance } = makeHub({ flows: { healthAlerts: false } });
    hub.health.registerCheck('database', () => ({ status: 'unhealthy' }));
    await hub.start();
    advance(0);
    await settle();
    expect(hub.health.getOverallStatus()).toBe('unhealthy');
    expect(hub.alerts.getFiringAlerts()).toHaveLength(0);
  });

  it('SLO breach and burn rate -> alerts, resolved when back to met', async () => {
    const { hub, advance } = makeHub({ sloEvaluationIntervalSeconds: 10 });
    const slo = hub.sloTracker.defineSLO(createSLODefinition('checkout availability', 99, 30));
    await hub.start();
    for (let i = 0; i < 100; i++) hub.sloTracker.recordEvent(slo.sloId, i % 2 === 0);
    advance(10_000);
    await settle();
    const names = hub.alerts.getFiringAlerts().map((a) => `${a.name}:${a.labels['burn_severity'] ?? ''}`);
    expect(names).toContain('SLOBreached:');
    expect(names).toContain('SLOBurnRate:page');
    expect(hub.alerts.getFiringAlerts().find((a) => a.name === 'SLOBreached')?.labels).toEqual({ slo: slo.sloId });
    // Plenty of good traffic later: back to met, every SLO alert resolves.
    hub.sloTracker.recordEvents(slo.sloId, 100_000, 100_000);
    advance(10_000);
    await settle();
    expect(hub.sloTracker.getSLOStatus(slo.sloId).status).toBe('met');
    expect(hub.alerts.getFiringAlerts()).toEqual([]);
    expect(new Set(hub.alerts.getResolvedAlerts(10).map((a) => a.name))).toEqual(
      new Set(['SLOBreached', 'SLOBurnRate']),
    );
  });

  it('SLO alerts are off with sloTrackingEnabled false', async () => {
    const { hub, advance } = makeHub({ sloTrackingEnabled: false });
    const slo = hub.sloTracker.defineSLO(createSLODefinition('checkout availability', 99, 30));
    await hub.start();
    for (let i = 0; i < 100; i++) hub.sloTracker.recordEvent(slo.sloId, false);
    advance(60_000);
    await settle();
    expect(hub.alerts.getFiringAlerts()).toHaveLength(0);
  });

  async function feedLatency(hub: ObservabilityHub, advance: (ms: number) => void, values: number[]) {
    for (const value of values) {
      hub.metrics.histogram('vision_request_duration_ms', value, { provider: 'local' });
      advance(1000);
      await settle(1);
    }
  }
  const normal = (n: number) => Array.from({ length: n }, (_, i) => 100 + ((i * 37) % 11));

  it('latency points -> anomaly detector -> MetricAnomaly alert, resolved after a quiet period', async () => {
    const { hub, events, advance } = makeHub({ anomalyAlertResolveAfterSeconds: 60 });
    await hub.start();
    await feedLatency(hub, advance, [...normal(200), 5000]);
    await feedLatency(hub, advance, normal(12));
    const anomalies = hub.anomalyDetector.getDetectedAnomalies();
    expect(anomalies.length).toBeGreaterThan(0);
    expect(anomalies[0]).toMatchObject({ metricName: 'vision_request_duration_ms' });
    const alert = hub.alerts.getFiringAlerts().find((a) => a.name === 'MetricAnomaly');
    expect(alert?.labels).toMatchObject({
      metric: 'vision_request_duration_ms',
      anomaly_type: anomalies[0]?.anomalyType,
      provider: 'local',
    });
    expect(events.some((e) => e.type === 'anomaly/detected')).toBe(true);
    advance(61_000);
    await settle();
    expect(hub.alerts.getFiringAlerts().find((a) => a.name === 'MetricAnomaly')).toBeUndefined();
  });

  it('a latency spike that turns out to be a level shift: anomaly/updated reaches hub.events$, the dashboard shows the new type', async () => {
    const { hub, events, advance } = makeHub();
    await hub.start();
    await feedLatency(hub, advance, [...normal(200), 5000]);
    // Points reach the detector in batches (settle); its events are delivered on the scheduler (advance).
    advance(1000);
    const detected = events.filter((e) => e.type === 'anomaly/detected');
    expect(detected).toHaveLength(1);
    const first = hub.anomalyDetector.getDetectedAnomalies()[0]!;
    expect(first.anomalyType).toBe('spike');
    expect(hub.getDashboardData().anomalies).toEqual([
      expect.objectContaining({ anomalyId: first.anomalyId, anomalyType: 'spike' }),
    ]);
    await feedLatency(hub, advance, [5000, 5000]);
    advance(1000);
    const updated = events.filter((e) => e.type === 'anomaly/updated');
    expect(updated).toEqual([
      expect.objectContaining({
        previousType: 'spike',
        anomalyType: 'trend',
        anomaly: expect.objectContaining({ anomalyId: first.anomalyId }),
      }),
    ]);
    expect(hub.getDashboardData().anomalies).toEqual([
      expect.objectContaining({ anomalyId: first.anomalyId, anomalyType: 'trend' }),
    ]);
    // The alert follows: the spike alert resolved, a trend alert fires for the same anomaly.
    await settle();
    const firing = hub.alerts.getFiringAlerts().filter((a) => a.name === 'MetricAnomaly');
    expect(firing.map((a) => [a.labels['anomaly_type'], a.annotations['anomaly_id']])).toEqual([
      ['trend', first.anomalyId],
    ]);
  });

  it('no anomaly detection when it is disabled', async () => {
    const { hub, advance } = makeHub({ anomalyDetectionEnabled: false });
    await hub.start();
    await feedLatency(hub, advance, [...normal(200), 5000, 5000]);
    expect(hub.anomalyDetector.getDetectedAnomalies()).toHaveLength(0);
    expect(hub.watchesLatency('vision_request_duration_ms')).toBe(false);
  });

  it('a latency point the detector throws on is rejected and counted; the flow goes on', async () => {
    const unhandled: unknown[] = [];
    const previous = rxConfig.onUnhandledError;
    rxConfig.onUnhandledError = (error) => unhandled.push(error);
    try {
      const { hub, events, advance } = makeHub();
      const detector = hub.anomalyDetector as unknown as { observe: (...args: unknown[]) => unknown };
      const original = detector.observe.bind(detector);
      let failures = 1;
      vi.spyOn(detector, 'observe').mockImplementation((...args: unknown[]) => {
        if (failures-- > 0) throw new TypeError('detector bug');
        return original(...args);
      });
      await hub.start();
      await feedLatency(hub, advance, [...normal(200), 5000]);
      await feedLatency(hub, advance, normal(12));
      const rejected = events.filter((e) => e.type === 'anomaly/point-rejected');
      expect(rejected).toHaveLength(1);
      expect(rejected[0]).toMatchObject({ code: 'POINT_FAILED', reason: 'TypeError: detector bug' });
      expect(hub.anomalyDetector.rejectedPoints).toBe(1);
      expect(events.filter((e) => e.type === 'hub/processor-error')).toHaveLength(0);
      // The flow kept working after the bad point.
      expect(hub.alerts.getFiringAlerts().some((a) => a.name === 'MetricAnomaly')).toBe(true);
      expect(hub.getDashboardData().drops.processorErrors).toBe(0);
      expect(unhandled).toEqual([]);
    } finally {
      rxConfig.onUnhandledError = previous;
    }
  });
});

describe('events$ delivery', () => {
  it('a subscriber blocking 50 ms per event never blocks increment, and no data is lost', async () => {
    const { hub, advance } = makeHub();
    let handled = 0;
    hub.events$.pipe(filter((e) => e.type === 'metrics/point')).subscribe(() => {
      const until = performance.now() + 50;
      while (performance.now() < until) {
        // busy: a slow subscriber
      }
      handled++;
    });
    const handledWhenReturned: number[] = [];
    for (let i = 0; i < 20; i++) {
      hub.metrics.increment('jobs_total');
      handledWhenReturned.push(handled);
    }
    // Every increment returned before the subscriber ran once.
    expect(handledWhenReturned.every((n) => n === 0)).toBe(true);
    expect(hub.metrics.getCounter('jobs_total')).toBe(20);
    await settle();
    advance(0);
    expect(handled).toBeGreaterThan(0);
    expect(hub.metrics.getCounter('jobs_total')).toBe(20);
  });

  it('a throwing subscriber does not disturb the others or crash the process', async () => {
    const { hub, events, advance } = makeHub();
    const unhandled = vi.fn();
    const previous = rxConfig.onUnhandledError;
    rxConfig.onUnhandledError = unhandled;
    try {
      hub.events$.subscribe(() => {
        throw new Error('subscriber bug');
      });
      hub.metrics.increment('jobs_total');
      hub.metrics.increment('jobs_total');
      await settle();
      advance(0);
      await settle();
      expect(events.filter((e) => e.type === 'metrics/point')).toHaveLength(2);
      const reports = events.filter((e) => e.type === 'hub/subscriber-error');
      expect(reports.length).toBeGreaterThan(0);
      expect(reports[0]).toMatchObject({ error: 'Error: subscriber bug' });
      expect(hub.stats().delivery.subscriberErrors).toBeGreaterThanOrEqual(2);
      expect(unhandled).not.toHaveBeenCalled();
    } finally {
      rxConfig.onUnhandledError = previous;
    }
  });
});

describe('dashboard', () => {
  it('is plain JSON that round-trips, with key metrics, charts, alerts, SLOs and traces', async () => {
    const { hub, advance } = makeHub({ traceSampleRate: 1 });
    hub.health.registerCheck('db', () => ({ status: 'healthy', message: 'ok' }));
    const slo = hub.sloTracker.defineSLO(createSLODefinition('vision availability', 99.5, 30));
    await hub.start();
    advance(0);
    await settle();
    for (let i = 0; i < 10; i++) {
      hub.metrics.increment('vision_requests_total', 1, { provider: 'local' });
      if (i < 2) hub.metrics.increment('vision_requests_error', 1, { provider: 'local', error_type: 'bad' });
      hub.metrics.histogram('vision_request_duration_ms', 10 * (i + 1), { provider: 'local' });
      hub.metrics.gauge('vision_confidence', 0.8, { provider: 'local' });
      hub.sloTracker.recordEvent(slo.sloId, i >= 2);
      const span = hub.traces.startSpan('vision.analyze_image', 'vision');
      hub.traces.finishSpan(span);
    }
    hub.metrics.gauge('weird_gauge', Number.MAX_VALUE);
    hub.alerts.fireAlert({ name: 'Manual', severity: 'error', message: '<img src=x onerror=alert(1)>' });
    await settle();
    advance(1000);
    const data = hub.getDashboardData();
    expect(JSON.parse(JSON.stringify(data))).toEqual(data);
    expect(data.health).toMatchObject({
      status: 'healthy',
      checks: [{ name: 'db', status: 'healthy', message: 'ok' }],
    });
    expect(data.metrics).toMatchObject({ requestsTotal: 10, errorsTotal: 2, errorRatio: 0.2 });
    expect(data.metrics.latency.count).toBe(10);
    const last = data.charts.at(-1);
    expect(last).toMatchObject({ requestRate: 10, errorRate: 2, errorRatio: 0.2 });
    expect(last?.confidence).toBeCloseTo(0.8, 12);
    expect(last?.p50).toBe(50);
    expect(last?.p99).toBe(100);
    expect(data.alerts.firing.error[0]).toMatchObject({ name: 'Manual', message: '<img src=x onerror=alert(1)>' });
    expect(data.slos[0]).toMatchObject({ sloId: slo.sloId, target: 99.5, total: 10, good: 8 });
    expect(data.traces.recent.length).toBeGreaterThan(0);
    expect(data.metrics.series.length).toBeGreaterThan(0);
    expect(data.drops).toMatchObject({ hubEvents: 0, subscriberErrors: 0, processorErrors: 0 });
  });

  it('takes its key figures from configurable metric names', async () => {
    const { hub, advance } = makeHub({
      dashboard: { metricNames: { requests: 'http_requests_total', errors: 'http_errors_total' } },
    });
    await hub.start();
    hub.metrics.increment('http_requests_total', 4);
    hub.metrics.increment('http_errors_total', 1);
    advance(1000);
    expect(hub.getDashboardData().metrics).toMatchObject({ requestsTotal: 4, errorsTotal: 1, errorRatio: 0.25 });
    expect(hub.getDashboardData().charts.at(-1)).toMatchObject({ requestRate: 4, errorRate: 1 });
  });

  it('emits hub/sample events for live charts', async () => {
    const { hub, events, advance } = makeHub();
    await hub.start();
    advance(3000);
    expect(events.filter((e) => e.type === 'hub/sample')).toHaveLength(3);
  });
});

describe('eventsOf', () => {
  it('selects domains and types, and leaves unselected components unobserved', async () => {
    const time = virtualTime();
    // The latency and dashboard flows observe metric points themselves; switch them off to see the difference.
    const hub = createObservabilityHub({
      clock: time.clock,
      scheduler: time.scheduler,
      anomalyDetectionEnabled: false,
      flows: { dashboard: false },
    });
    hubs.push(hub);
    const selected: string[] = [];
    hub.eventsOf('alerts', 'slo/status').subscribe((e) => selected.push(e.type));
    // metrics/point events exist only while someone observes metrics.events$; nobody does here.
    const internals = hub.metrics as unknown as { bus: { observed: boolean } };
    hub.metrics.increment('jobs_total');
    hub.alerts.fireAlert({ name: 'X' });
    await settle();
    time.advance(0);
    expect(selected).toContain('alerts/fired');
    expect(selected.every((t) => t.startsWith('alerts/'))).toBe(true);
    expect(internals.bus.observed).toBe(false);
    const all = hub.events$.subscribe();
    expect(internals.bus.observed).toBe(true);
    all.unsubscribe();
    expect(hub.eventsOf('metrics/cardinality-limit', 'alerts')).toBe(
      hub.eventsOf('alerts', 'metrics/cardinality-limit'),
    );
    expect(() => hub.eventsOf()).toThrow(HubValidationError);
    expect(() => hub.eventsOf('')).toThrow(HubValidationError);
  });
});

describe('bad input and rule context', () => {
  it('answers bad arguments with typed errors or documented results, never a crash', () => {
    const { hub } = makeHub();
    expect(hub.watchesLatency(123 as unknown as string)).toBe(false);
    expect(hub.watchesLatency('__proto__')).toBe(false);
    expect(() => hub.eventsOf(5 as unknown as string)).toThrow(HubValidationError);
    expect(() => hub.eventsOf('x'.repeat(1_000_000))).toThrow(HubValidationError);
    expect(() => createObservabilityHub({ persistence: { path: 'a\0b' } })).toThrow(HubValidationError);
    expect(() => createObservabilityHub(JSON.parse('{"__proto__":{"traceSampleRate":5}}') as never)).not.toThrow();
    expect(({} as Record<string, unknown>)['traceSampleRate']).toBeUndefined();
    // eventsOf with an unknown domain is simply an empty selection.
    const seen: unknown[] = [];
    hub.eventsOf('nothing-here').subscribe((e) => seen.push(e));
    expect(seen).toEqual([]);
  });

  it('gives alert rules counter totals and per-series values', async () => {
    const { hub, advance } = makeHub({ alertEvaluationIntervalSeconds: 1 });
    const contexts: Array<Record<string, number | undefined>> = [];
    hub.alerts.registerRule('capture', (context) => {
      contexts.push({ ...context });
      return context['jobs_total'] !== undefined && (context['jobs_total'] ?? 0) > 4
        ? { name: 'TooManyJobs', value: context['jobs_total'] }
        : null;
    });
    hub.metrics.increment('jobs_total', 2, { queue: 'a' });
    hub.metrics.increment('jobs_total', 3, { queue: 'b' });
    hub.metrics.gauge('temperature', 21.5);
    await hub.start();
    advance(1000);
    await settle();
    const last = contexts.at(-1) ?? {};
    expect(last['jobs_total']).toBe(5);
    expect(last['jobs_total{queue="a"}']).toBe(2);
    expect(last['temperature']).toBe(21.5);
    expect(hub.alerts.getFiringAlerts().map((a) => a.name)).toEqual(['TooManyJobs']);
  });
});
