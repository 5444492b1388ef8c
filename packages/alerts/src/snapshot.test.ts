import { ManualClock } from '@obs/core';
import { describe, expect, it } from 'vitest';
import { AlertState, AlertValidationError, createAlertManager } from './index';

function populated() {
  const clock = new ManualClock(1000);
  const alerts = createAlertManager<{ on: boolean }>({ clock });
  alerts.registerRule('r', (ctx) => (ctx.on ? { name: 'Slow', labels: { service: 'api' }, value: 2 } : undefined), {
    for: 5000,
  });
  alerts.evaluateRules({ on: true }); // pending
  alerts.fireAlert({
    alertId: 'disk',
    name: 'Disk',
    labels: { host: 'h1' },
    annotations: { summary: 'full' },
    value: 97,
  });
  const quiet = alerts.fireAlert({ name: 'Quiet', labels: { team: 'x' } });
  alerts.addSilence({ matchers: [{ name: 'team', value: 'x' }], endsAt: 100_000, comment: 'c' });
  clock.advance(10);
  const gone = alerts.fireAlert({ name: 'Gone' });
  alerts.resolveAlert(gone.alertId);
  return { clock, alerts, quiet };
}

describe('snapshot / restore', () => {
  it('round-trips active alerts, rule state, silences and history through JSON without re-notifying', () => {
    const { alerts } = populated();
    const json = JSON.parse(JSON.stringify(alerts.snapshot()));

    const clock = new ManualClock(2000);
    const restored = createAlertManager<{ on: boolean }>({ clock });
    const notified: string[] = [];
    restored.addHandler((a) => void notified.push(`${a.name}:${a.state}`));
    restored.restore(json);
    expect(
      restored
        .getActiveAlerts()
        .map((a) => [a.name, a.state])
        .sort(),
    ).toEqual([
      ['Disk', 'firing'],
      ['Quiet', 'suppressed'],
      ['Slow', 'pending'],
    ]);
    expect(restored.getAlert('disk')).toMatchObject({ value: 97, annotations: { summary: 'full' }, startedAt: 1000 });
    expect(restored.getResolvedAlerts().map((a) => a.name)).toEqual(['Gone']);
    expect(restored.listSilences()).toMatchObject([{ status: 'active', comment: 'c' }]);
    expect(notified).toEqual([]);
    expect(restored.stats().groups).toBe(2); // the pending alert is in no notification group yet

    // The rule picks its pending alert up again: `for` counts from the original activation.
    restored.registerRule('r', (ctx) => (ctx.on ? { name: 'Slow', labels: { service: 'api' }, value: 2 } : undefined), {
      for: 5000,
    });
    clock.set(6000);
    expect(restored.evaluateRules({ on: true })[0]?.state).toBe(AlertState.FIRING);
    expect(notified).toEqual(['Slow:firing']);
    // Resolution of a restored alert is still announced.
    restored.resolveAlert('disk');
    expect(notified).toEqual(['Slow:firing', 'Disk:resolved']);
  });

  it('rejects bad snapshots with a typed error and leaves state untouched', () => {
    const { alerts } = populated();
    const good = JSON.parse(JSON.stringify(alerts.snapshot()));
    const before = JSON.stringify(alerts.snapshot());
    const bad: unknown[] = [
      null,
      'x',
      { ...good, version: 2 },
      { ...good, alerts: 'no' },
      { ...good, alerts: [{ alert: { name: '' }, lastSeenAt: 0 }] },
      { ...good, alerts: [{ alert: { ...good.alerts[0].alert, labels: { 'bad-label': 'x' } }, lastSeenAt: 0 }] },
      { ...good, alerts: [good.alerts[0], good.alerts[0]] },
      { ...good, alerts: [{ ...good.alerts[0], lastSeenAt: 'yesterday' }] },
      { ...good, alerts: [{ ...good.alerts[0], alert: { ...good.alerts[0].alert, state: 'resolved' } }] },
      { ...good, history: [{ name: 'X', state: 'firing' }] },
      { ...good, silences: [{ ...good.silences[0], matchers: [{ name: 'x', value: '(', isRegex: true }] }] },
      { ...good, silences: [good.silences[0], good.silences[0]] },
      { ...good, alerts: [{ alert: { ...good.alerts[0].alert, severity: 'fatal' }, lastSeenAt: 0 }] },
    ];
    for (const snapshot of bad) {
      expect(() => alerts.restore(snapshot), JSON.stringify(snapshot)?.slice(0, 80)).toThrow(AlertValidationError);
      expect(JSON.stringify(alerts.snapshot())).toBe(before);
    }
  });

  it('respects the limits of the restoring manager', () => {
    const { alerts } = populated();
    const small = createAlertManager({ limits: { maxActiveAlerts: 1 } });
    expect(() => small.restore(alerts.snapshot())).toThrow(AlertValidationError);
    expect(small.getActiveAlerts()).toEqual([]);
  });
});
