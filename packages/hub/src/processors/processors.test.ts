import { Subject, VirtualTimeScheduler } from 'rxjs';
import { describe, expect, it } from 'vitest';
import type { AlertInit } from '@obs/alerts';
import type { ObsEvent } from '../events';
import { anomalyAlerts } from './anomalyAlerts';
import { healthAlerts } from './healthAlerts';

function anomalyEvent(metricName: string, anomalyType = 'spike', labels: Record<string, string> = {}): ObsEvent {
  return {
    type: 'anomaly/detected',
    ts: 0,
    source: 'anomaly',
    labels,
    anomaly: {
      anomalyId: `a-${metricName}`,
      anomalyType,
      metricName,
      expectedValue: 10,
      actualValue: 500,
      deviation: 40,
      confidence: 0.9,
      timestamp: 0,
      details: { reason: 'way up', labels },
    },
  } as unknown as ObsEvent;
}

describe('anomalyAlerts', () => {
  it('fires per series and type, refreshes on new incidents, resolves after the quiet period', () => {
    const scheduler = new VirtualTimeScheduler();
    const events = new Subject<ObsEvent>();
    const out: AlertInit[] = [];
    const sub = anomalyAlerts({ resolveAfterMs: 1000, severity: 'warning', scheduler })(events).subscribe((a) =>
      out.push(a),
    );
    events.next(anomalyEvent('x_duration_ms', 'spike', { route: '/' }));
    scheduler.maxFrames = 600;
    scheduler.flush();
    scheduler.frame = 600;
    events.next(anomalyEvent('x_duration_ms', 'spike', { route: '/' }));
    events.next(anomalyEvent('y_latency', 'drop'));
    scheduler.maxFrames = 1500;
    scheduler.flush();
    expect(out.map((a) => `${a.labels?.['metric']}:${a.state ?? 'firing'}`)).toEqual([
      'x_duration_ms:firing',
      'x_duration_ms:firing',
      'y_latency:firing',
    ]);
    scheduler.maxFrames = 2000;
    scheduler.flush();
    expect(out.slice(3).map((a) => `${a.labels?.['metric']}:${a.state}`)).toEqual([
      'x_duration_ms:resolved',
      'y_latency:resolved',
    ]);
    expect(out[0]?.labels).toEqual({ route: '/', metric: 'x_duration_ms', anomaly_type: 'spike' });
    sub.unsubscribe();
  });

  it('leaves no timer behind when unsubscribed (the process can exit)', () => {
    const scheduler = new VirtualTimeScheduler();
    const events = new Subject<ObsEvent>();
    const sub = anomalyAlerts({ resolveAfterMs: 300_000, severity: 'warning', scheduler })(events).subscribe();
    events.next(anomalyEvent('a_duration_ms'));
    events.next(anomalyEvent('b_duration_ms'));
    expect(scheduler.actions.length).toBe(2);
    sub.unsubscribe();
    expect(scheduler.actions.every((a) => a.closed)).toBe(true);
    expect(events.observed).toBe(false);
  });

  it('keeps at most maxOpenAlerts pending resolutions', () => {
    const scheduler = new VirtualTimeScheduler();
    const events = new Subject<ObsEvent>();
    const out: AlertInit[] = [];
    anomalyAlerts({ resolveAfterMs: 1000, severity: 'warning', scheduler, maxOpenAlerts: 2 })(events).subscribe((a) =>
      out.push(a),
    );
    for (const name of ['a', 'b', 'c']) events.next(anomalyEvent(name));
    expect(out.filter((a) => a.state === 'resolved').map((a) => a.labels?.['metric'])).toEqual(['a']);
  });
});

describe('healthAlerts', () => {
  it('maps check status changes to fire/resolve and ignores the overall status', () => {
    const events = new Subject<ObsEvent>();
    const out: AlertInit[] = [];
    healthAlerts()(events).subscribe((a) => out.push(a));
    const change = (scope: 'check' | 'overall', current: string, name?: string) =>
      events.next({
        type: 'health/changed',
        ts: 0,
        source: 'health',
        scope,
        name,
        previous: 'healthy',
        current,
        result: undefined,
      } as unknown as ObsEvent);
    change('check', 'degraded', 'cache');
    change('overall', 'degraded');
    change('check', 'unhealthy', 'cache');
    change('check', 'healthy', 'cache');
    expect(out.map((a) => `${a.severity}:${a.state ?? 'firing'}`)).toEqual([
      'warning:firing',
      'critical:firing',
      'warning:resolved',
    ]);
    expect(out.every((a) => a.labels?.['check'] === 'cache' && a.name === 'HealthCheckFailed')).toBe(true);
  });
});

describe('sloAlerts', () => {
  it('alerts per group of a grouped SLO, with the group labels', async () => {
    const { ManualClock } = await import('@obs/core');
    const { createSLODefinition, createSLOTracker } = await import('@obs/slo');
    const { sloAlerts } = await import('./sloAlerts');
    const tracker = createSLOTracker({ clock: new ManualClock(Date.UTC(2026, 11, 1)) });
    const slo = tracker.defineSLO(createSLODefinition('Checkout', 99, 30, '', { groupBy: ['route'] }));
    const out: AlertInit[] = [];
    sloAlerts()(tracker.events$ as never).subscribe((a) => out.push(a));
    for (let i = 0; i < 100; i++) tracker.recordEvent(slo.sloId, true, { route: '/home' });
    for (let i = 0; i < 100; i++) tracker.recordEvent(slo.sloId, i >= 50, { route: '/pay' });
    tracker.evaluate();
    const firing = out.filter((a) => a.state === undefined);
    expect(firing.map((a) => [a.name, a.labels])).toEqual([
      ['SLOBreached', { slo: 'checkout' }],
      ['SLOBurnRate', { slo: 'checkout', burn_severity: 'page' }],
      ['SLOBurnRate', { slo: 'checkout', burn_severity: 'ticket' }],
      ['SLOBreached', { route: '/pay', slo: 'checkout' }],
      ['SLOBurnRate', { route: '/pay', slo: 'checkout', burn_severity: 'page' }],
      ['SLOBurnRate', { route: '/pay', slo: 'checkout', burn_severity: 'ticket' }],
    ]);
  });
});
