import { ManualClock } from '@obs/core';
import { config as rxjsConfig, Subject } from 'rxjs';
import { TestScheduler } from 'rxjs/testing';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { AlertState, createAlertManager, type AlertHandlerErrorEvent, type AlertInit, type AlertsEvent } from './index';

describe('handler isolation', () => {
  beforeEach(() => vi.useFakeTimers({ now: 0 }));
  afterEach(() => vi.useRealTimers());

  it('a throwing, rejecting or hanging handler is reported and the others still run', async () => {
    const alerts = createAlertManager({ handlerTimeoutMs: 5000 });
    const errors: AlertHandlerErrorEvent[] = [];
    alerts.events$.subscribe((e) => e.type === 'alerts/handler-error' && errors.push(e));
    const ok: string[] = [];
    let lateResolve: () => void = () => undefined;
    alerts.addHandler(function thrower() {
      throw new Error('sync boom');
    });
    alerts.addHandler(() => Promise.reject(new Error('async boom')), { name: 'rejecter' });
    alerts.addHandler(() => new Promise<void>((resolve) => (lateResolve = resolve)), {
      name: 'hanger',
      timeoutMs: 1000,
    });
    alerts.addNotificationHandler(() => new Promise<void>(() => undefined), { name: 'group-hanger' });
    alerts.addHandler((a) => void ok.push(a.name));
    alerts.addNotificationHandler(async (n) => void ok.push(`group:${n.status}`));
    const alert = alerts.fireAlert({ name: 'A' });
    expect(ok).toEqual(['group:firing', 'A']);
    await vi.advanceTimersByTimeAsync(0);
    expect(errors.map((e) => [e.handler, e.error, e.timedOut])).toEqual([
      ['thrower', 'sync boom', false],
      ['rejecter', 'async boom', false],
    ]);
    await vi.advanceTimersByTimeAsync(1000);
    expect(errors.at(-1)).toMatchObject({
      handler: 'hanger',
      timedOut: true,
      alertId: alert.alertId,
      groupKey: expect.any(String),
    });
    lateResolve(); // settles after its timeout: ignored
    const drained = alerts.drain();
    await vi.advanceTimersByTimeAsync(4000);
    await drained;
    expect(errors.map((e) => e.handler)).toEqual(['thrower', 'rejecter', 'hanger', 'group-hanger']);
    expect(alerts.stats().handlerErrors).toBe(4);
    expect(alerts.getAlert(alert.alertId)?.state).toBe(AlertState.FIRING);
  });

  it('a handler that re-enters the manager does not break delivery', () => {
    const alerts = createAlertManager();
    const seen: string[] = [];
    alerts.addHandler((a) => {
      seen.push(`${a.name}:${a.state}`);
      if (a.name === 'A' && a.state === 'firing') alerts.fireAlert({ name: 'B' });
    });
    alerts.fireAlert({ name: 'A' });
    expect(seen).toEqual(['A:firing', 'B:firing']);
  });

  it('handlers can be removed; a throwing events$ subscriber does not break the manager', () => {
    const alerts = createAlertManager();
    const seen: string[] = [];
    const remove = alerts.addHandler((a) => void seen.push(a.name));
    alerts.fireAlert({ name: 'A' });
    expect(remove()).toBe(true);
    alerts.fireAlert({ name: 'B' });
    expect(seen).toEqual(['A']);
    const reported: unknown[] = [];
    rxjsConfig.onUnhandledError = (e) => reported.push(e);
    try {
      alerts.events$.subscribe(() => {
        throw new Error('bad subscriber');
      });
      expect(() => alerts.fireAlert({ name: 'C' })).not.toThrow();
      vi.runAllTimers(); // rxjs reports the subscriber error asynchronously
      expect(reported.length).toBeGreaterThan(0);
      expect(alerts.getActiveAlerts().map((a) => a.name)).toEqual(['A', 'B', 'C']);
    } finally {
      rxjsConfig.onUnhandledError = null;
    }
  });
});

describe('periodic evaluation', () => {
  it('evaluates at start and every alertEvaluationIntervalSeconds until stopped (TestScheduler)', () => {
    const scheduler = new TestScheduler((a, b) => expect(a).toEqual(b));
    const clock = { now: () => scheduler.now() };
    const contexts: number[] = [];
    scheduler.run(() => {
      const alerts = createAlertManager<{ t: number }>({ clock, scheduler, alertEvaluationIntervalSeconds: 15 });
      alerts.registerRule('r', (ctx) => void contexts.push(ctx.t));
      alerts.start(() => ({ t: clock.now() }));
      scheduler.schedule(() => alerts.stop(), 50_000);
    });
    expect(contexts).toEqual([0, 15_000, 30_000, 45_000]);
  });

  it('reports a failing context provider and keeps running; async providers work', async () => {
    vi.useFakeTimers({ now: 0 });
    try {
      const alerts = createAlertManager<{ v: number }>({ alertEvaluationIntervalSeconds: 1 });
      const events: AlertsEvent[] = [];
      alerts.events$.subscribe((e) => events.push(e));
      alerts.registerRule('r', (ctx) => (ctx.v > 1 ? { name: 'High', value: ctx.v } : undefined));
      let n = 0;
      alerts.start(async () => {
        n++;
        if (n === 2) throw new Error('metrics unavailable');
        if (n === 3) return null as never; // not an object
        return { v: n };
      });
      await vi.advanceTimersByTimeAsync(3500);
      alerts.stop();
      const kinds = events.flatMap((e) => (e.type === 'alerts/rule-error' ? [e.kind] : []));
      expect(kinds).toEqual(['context', 'context']);
      expect(alerts.getFiringAlerts().map((a) => a.value)).toEqual([4]);
      await vi.advanceTimersByTimeAsync(5000);
      expect(n).toBe(4);
    } finally {
      vi.useRealTimers();
    }
  });
});

describe('connect', () => {
  it('fires alert inits from a stream, resolves those marked resolved, and reports bad items', () => {
    const alerts = createAlertManager({ clock: new ManualClock(0) });
    const events: AlertsEvent[] = [];
    alerts.events$.subscribe((e) => events.push(e));
    const candidates$ = new Subject<AlertInit>();
    const sub = alerts.connect(candidates$);
    candidates$.next({ name: 'Anomaly', labels: { metric: 'latency' }, value: 3 });
    expect(alerts.getFiringAlerts()).toHaveLength(1);
    candidates$.next({ name: 'Anomaly', labels: { metric: 'latency' }, state: AlertState.RESOLVED });
    expect(alerts.getFiringAlerts()).toHaveLength(0);
    candidates$.next({ name: '' });
    expect(events.filter((e) => e.type === 'alerts/rule-error').map((e) => (e as { rule: string }).rule)).toEqual([
      'connect',
    ]);
    candidates$.error(new Error('upstream died'));
    expect(events.filter((e) => e.type === 'alerts/rule-error')).toHaveLength(2);
    sub.unsubscribe();
  });
});
