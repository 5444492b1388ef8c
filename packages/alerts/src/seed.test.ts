import { ofType } from '@obs/core';
import { describe, expect, it } from 'vitest';
import { AlertSeverity, AlertState, createAlert, createAlertManager, type Alert } from './index';

describe('the seed usage example', () => {
  it('works as written, in TypeScript', () => {
    const sent: Alert[] = [];
    const sendSlackNotification = (a: Alert) => sent.push(a);
    const alerts = createAlertManager();
    alerts.registerRule('latency', (ctx) =>
      (ctx.latency_ms ?? 0) > 1000
        ? { alertId: 'high-latency', name: 'HighLatency', severity: AlertSeverity.WARNING, value: ctx.latency_ms }
        : undefined,
    );
    alerts.addHandler((a) => sendSlackNotification(a));
    const fired = alerts.evaluateRules({ latency_ms: 1500 });

    expect(fired).toHaveLength(1);
    expect(fired[0]).toMatchObject({
      alertId: 'high-latency',
      name: 'HighLatency',
      severity: 'warning',
      state: AlertState.FIRING,
      value: 1500,
      source: 'latency',
    });
    expect(sent.map((a) => [a.alertId, a.state])).toEqual([['high-latency', 'firing']]);
    expect(alerts.getFiringAlerts().map((a) => a.alertId)).toEqual(['high-latency']);

    // Still high: updated, not duplicated, not re-notified.
    alerts.evaluateRules({ latency_ms: 1700 });
    expect(alerts.getActiveAlerts()).toHaveLength(1);
    expect(alerts.getAlert('high-latency')?.value).toBe(1700);
    expect(sent).toHaveLength(1);

    // Back to normal: resolved, and the handler hears about it.
    expect(alerts.evaluateRules({ latency_ms: 200 })).toEqual([]);
    expect(alerts.getAlert('high-latency')?.state).toBe(AlertState.RESOLVED);
    expect(sent.map((a) => a.state)).toEqual(['firing', 'resolved']);
  });

  it('createAlert fills defaults', () => {
    const a = createAlert({ name: 'X' }, { now: () => 42 });
    expect(a).toMatchObject({
      name: 'X',
      severity: 'warning',
      state: 'firing',
      message: '',
      source: 'manual',
      value: 0,
      startedAt: 42,
      firingSince: 42,
    });
    expect(a.alertId).toBe(a.fingerprint);
    expect(Object.isFrozen(a)).toBe(true);
  });
});

describe('events$', () => {
  it('is a closed union that ofType narrows', () => {
    const alerts = createAlertManager({ clock: { now: () => 7 } });
    const names: string[] = [];
    alerts.events$
      .pipe(ofType('alerts/fired', 'alerts/resolved'))
      .subscribe((e) => names.push(`${e.type}:${e.alert.name}:${e.ts}:${e.source}`));
    const a = alerts.fireAlert({ name: 'A' });
    alerts.resolveAlert(a.alertId);
    expect(names).toEqual(['alerts/fired:A:7:alerts', 'alerts/resolved:A:7:alerts']);
  });
});
