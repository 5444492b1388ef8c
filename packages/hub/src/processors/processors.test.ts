import { Subject, VirtualTimeScheduler } from 'rxjs';
import { describe, expect, it } from 'vitest';
import type { AlertInit } from '@obs/alerts';
import type { ObsEvent } from '../events';
import { anomalyAlerts } from './anomalyAlerts';
import { healthAlerts } from './healthAlerts';

function anomalyEvent(
  metricName: string,
  anomalyType = 'spike',
  labels: Record<string, string> = {},
  anomalyId = `a-${metricName}`,
): ObsEvent {
  return {
    type: 'anomaly/detected',
    ts: 0,
    source: 'anomaly',
    labels,
    anomaly: {
      anomalyId,
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

/** The detector's `anomaly/updated` for `anomalyId`: later points showed it to be of `anomalyType`. */
function updatedEvent(
  metricName: string,
  anomalyId: string,
  previousType: string,
  anomalyType: string,
  labels: Record<string, string> = {},
): ObsEvent {
  const detected = anomalyEvent(metricName, anomalyType, labels, anomalyId) as unknown as { anomaly: object };
  return {
    type: 'anomaly/updated',
    ts: 0,
    source: 'anomaly',
    labels,
    previousType,
    anomalyType,
    anomaly: detected.anomaly,
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

  it('moves a spike that became a level shift to a trend alert: the spike alert resolves, the trend alert fires with the same anomaly id', () => {
    const scheduler = new VirtualTimeScheduler();
    const events = new Subject<ObsEvent>();
    const out: AlertInit[] = [];
    const sub = anomalyAlerts({ resolveAfterMs: 1000, severity: 'warning', scheduler })(events).subscribe((a) =>
      out.push(a),
    );
    const labels = { route: '/' };
    events.next(anomalyEvent('x_duration_ms', 'spike', labels, 'a-1'));
    scheduler.maxFrames = 100;
    scheduler.flush();
    scheduler.frame = 100;
    events.next(updatedEvent('x_duration_ms', 'a-1', 'spike', 'trend', labels));
    const seen = () =>
      out.map((a) => `${a.labels?.['anomaly_type']}:${a.state ?? 'firing'}:${a.annotations?.['anomaly_id']}`);
    expect(seen()).toEqual(['spike:firing:a-1', 'spike:resolved:a-1', 'trend:firing:a-1']);
    expect(out[2]?.labels).toEqual({ route: '/', metric: 'x_duration_ms', anomaly_type: 'trend' });
    expect(out[2]?.annotations?.['previous_anomaly_type']).toBe('spike');
    // The trend alert resolves resolveAfterMs after the update, and the old spike timer is gone.
    scheduler.maxFrames = 1099;
    scheduler.flush();
    expect(out).toHaveLength(3);
    scheduler.maxFrames = 5000;
    scheduler.flush();
    expect(seen().slice(3)).toEqual(['trend:resolved:a-1']);
    expect(scheduler.actions.every((a) => a.closed)).toBe(true);
    sub.unsubscribe();
  });

  it('keeps a spike alert firing while another spike of the series still stands behind it', () => {
    const scheduler = new VirtualTimeScheduler();
    const events = new Subject<ObsEvent>();
    const out: AlertInit[] = [];
    anomalyAlerts({ resolveAfterMs: 1000, severity: 'warning', scheduler })(events).subscribe((a) => out.push(a));
    events.next(anomalyEvent('x_duration_ms', 'spike', {}, 'a-1'));
    scheduler.maxFrames = 200;
    scheduler.flush();
    scheduler.frame = 200;
    events.next(anomalyEvent('x_duration_ms', 'spike', {}, 'a-2'));
    events.next(updatedEvent('x_duration_ms', 'a-2', 'spike', 'trend'));
    expect(out.map((a) => `${a.labels?.['anomaly_type']}:${a.state ?? 'firing'}`)).toEqual([
      'spike:firing',
      'spike:firing',
      'trend:firing',
    ]);
    // The spike alert (refreshed at 200 by a-2) still resolves by time, at 1200 like the trend alert.
    scheduler.maxFrames = 1199;
    scheduler.flush();
    expect(out).toHaveLength(3);
    scheduler.maxFrames = 5000;
    scheduler.flush();
    expect(out.slice(3).map((a) => `${a.labels?.['anomaly_type']}:${a.state}`)).toEqual([
      'spike:resolved',
      'trend:resolved',
    ]);
  });

  it('fires the new type even when the old alert already resolved, and ignores an update that changes nothing', () => {
    const scheduler = new VirtualTimeScheduler();
    const events = new Subject<ObsEvent>();
    const out: AlertInit[] = [];
    anomalyAlerts({ resolveAfterMs: 1000, severity: 'warning', scheduler })(events).subscribe((a) => out.push(a));
    events.next(anomalyEvent('x_duration_ms', 'drop', {}, 'a-1'));
    scheduler.flush();
    events.next(updatedEvent('x_duration_ms', 'a-1', 'drop', 'drop'));
    events.next(updatedEvent('x_duration_ms', 'a-1', 'drop', 'trend'));
    expect(out.map((a) => `${a.labels?.['anomaly_type']}:${a.state ?? 'firing'}`)).toEqual([
      'drop:firing',
      'drop:resolved',
      'trend:firing',
    ]);
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
