import { TestScheduler } from 'rxjs/testing';
import { fc, test } from '@fast-check/vitest';
import { describe, expect, it } from 'vitest';
import { AlertValidationError, createAlertManager, type AlertNotification } from './index';

const S = 1000;
const MIN = 60 * S;

function virtual() {
  const scheduler = new TestScheduler((a, b) => expect(a).toEqual(b));
  const clock = { now: () => scheduler.now() };
  return { scheduler, clock };
}

const summary = (n: AlertNotification) =>
  `${n.timestamp / S}s ${n.groupKey} ${n.status} ${n.alerts.map((a) => `${a.labels['i'] ?? ''}${a.state[0]}`).join(',')}`;

describe('grouping (Alertmanager group_wait / group_interval / repeat_interval)', () => {
  it('turns a storm of alerts into one notification per group, then batches changes per groupInterval', () => {
    const { scheduler, clock } = virtual();
    const sent: AlertNotification[] = [];
    scheduler.run(() => {
      const alerts = createAlertManager({
        clock,
        scheduler,
        route: { groupBy: ['alertname'], groupWait: 30 * S, groupInterval: 5 * MIN, repeatInterval: 60 * MIN },
      });
      alerts.addNotificationHandler((n) => void sent.push(n));
      for (let i = 0; i < 100; i++)
        scheduler.schedule(() => alerts.fireAlert({ name: 'HighLatency', labels: { i: String(i) } }), i * 100);
      scheduler.schedule(() => alerts.fireAlert({ name: 'DiskFull', labels: { i: 'd' } }), 5 * S);
      scheduler.schedule(() => alerts.fireAlert({ name: 'HighLatency', labels: { i: 'late' } }), 60 * S);
      scheduler.schedule(
        () => alerts.resolveAlert(alerts.getActiveAlerts().find((a) => a.labels['i'] === '0')!.alertId),
        400 * S,
      );
      scheduler.schedule(
        () => alerts.getActiveAlerts().forEach((a) => a.name === 'DiskFull' && alerts.resolveAlert(a.alertId)),
        3 * 3600 * S,
      );
      scheduler.schedule(() => alerts.dispose(), 3 * 3600 * S + 10 * MIN); // repeats would run forever in virtual time
    });
    expect(sent.map((n) => [n.timestamp / S, n.groupLabels, n.status, n.alerts.length])).toEqual([
      [30, { alertname: 'HighLatency' }, 'firing', 100],
      [35, { alertname: 'DiskFull' }, 'firing', 1],
      [330, { alertname: 'HighLatency' }, 'firing', 101], // the late one waited for groupInterval
      [630, { alertname: 'HighLatency' }, 'firing', 101], // 100 firing + 1 resolved
      [35 + 3600, { alertname: 'DiskFull' }, 'firing', 1], // repeat_interval
      [630 + 3600, { alertname: 'HighLatency' }, 'firing', 100],
      [35 + 7200, { alertname: 'DiskFull' }, 'firing', 1],
      [630 + 7200, { alertname: 'HighLatency' }, 'firing', 100],
      [3 * 3600, { alertname: 'DiskFull' }, 'resolved', 1], // groupInterval had long passed: sent at once
    ]);
    const resolvedNote = sent[3]!;
    expect(resolvedNote.alerts.filter((a) => a.state === 'resolved').map((a) => a.labels['i'])).toEqual(['0']);
  });

  it('sends nothing when nothing changed, and nothing for alerts that resolve before the first flush', () => {
    const { scheduler, clock } = virtual();
    const sent: string[] = [];
    scheduler.run(() => {
      const alerts = createAlertManager({
        clock,
        scheduler,
        route: { groupBy: [], groupWait: 10 * S, groupInterval: MIN },
      });
      alerts.addNotificationHandler((n) => void sent.push(summary(n)));
      scheduler.schedule(() => alerts.fireAlert({ alertId: 'x', name: 'Flap', labels: { i: 'x' } }), 0);
      scheduler.schedule(() => alerts.resolveAlert('x'), 5 * S);
      scheduler.schedule(() => alerts.fireAlert({ alertId: 'y', name: 'Y', labels: { i: 'y' } }), 20 * S);
      scheduler.schedule(() => alerts.fireAlert({ alertId: 'y', name: 'Y', labels: { i: 'y' }, value: 5 }), 25 * S);
    });
    expect(sent).toEqual(['30s  firing yf']);
  });

  it('per-alert handlers get each alert with its notification; the default route notifies synchronously', () => {
    const alerts = createAlertManager({ clock: { now: () => 0 } });
    const calls: string[] = [];
    alerts.addHandler((a, n) => void calls.push(`${a.name}:${a.state}:${n.status}:${n.alerts.length}`));
    alerts.fireAlert({ name: 'A' });
    expect(calls).toEqual(['A:firing:firing:1']);
    alerts.resolveAlert(alerts.getActiveAlerts()[0]!.alertId);
    expect(calls).toEqual(['A:firing:firing:1', 'A:resolved:resolved:1']);
    expect(alerts.stats().notifications).toBe(2);
  });

  it('an alert unmuted after its silence ends is notified again within its group', () => {
    const { scheduler, clock } = virtual();
    const sent: string[] = [];
    scheduler.run(() => {
      const alerts = createAlertManager({
        clock,
        scheduler,
        route: { groupBy: ['alertname'], groupWait: 0, groupInterval: 10 * S },
      });
      alerts.addNotificationHandler((n) => void sent.push(summary(n)));
      scheduler.schedule(() => alerts.fireAlert({ name: 'A', labels: { i: '1' } }), 0);
      scheduler.schedule(
        () => alerts.addSilence({ matchers: [{ name: 'i', value: '1' }], endsAt: clock.now() + 30 * S }),
        1 * S,
      );
      scheduler.schedule(() => alerts.fireAlert({ name: 'A', labels: { i: '2' } }), 2 * S);
    });
    expect(sent).toEqual([
      '0s alertname="A", firing 1f',
      '10s alertname="A", firing 2f',
      '31s alertname="A", firing 1f,2f',
    ]);
  });

  it('bounds groups: beyond maxGroups alerts share an overflow group', () => {
    const alerts = createAlertManager({ clock: { now: () => 0 }, limits: { maxGroups: 2 } });
    const keys: string[] = [];
    alerts.addNotificationHandler((n) => void keys.push(n.groupKey));
    for (let i = 0; i < 4; i++) alerts.fireAlert({ name: 'A', labels: { i: String(i) } });
    expect(keys.slice(2)).toEqual(['{overflow}', '{overflow}']);
    expect(alerts.stats().groups).toBe(3); // two groups plus the overflow group
  });

  it('rejects bad routes', () => {
    for (const route of [
      null,
      'x',
      { groupBy: 'alertname' },
      { groupBy: ['bad-label'] },
      { groupWait: -1 },
      { groupInterval: Number.NaN },
      { repeatInterval: Infinity },
    ]) {
      expect(() => createAlertManager({ route: route as never }), JSON.stringify(route)).toThrow(AlertValidationError);
    }
  });
});

describe('grouping properties', () => {
  const event = fc.record({
    t: fc.integer({ min: 0, max: 600 }),
    resolve: fc.boolean(),
    name: fc.constantFrom('A', 'B'),
    i: fc.integer({ min: 0, max: 3 }),
  });

  test.prop([fc.array(event, { maxLength: 40 })])(
    'receivers end up with the true firing set, and a group is never notified faster than its timers allow',
    (events) => {
      const { scheduler, clock } = virtual();
      const WAIT = 30;
      const INTERVAL = 60;
      const sent: AlertNotification[] = [];
      let firingAtEnd: string[] = [];
      scheduler.run(() => {
        const alerts = createAlertManager({
          clock,
          scheduler,
          route: { groupBy: ['alertname'], groupWait: WAIT, groupInterval: INTERVAL },
        });
        alerts.addNotificationHandler((n) => void sent.push(n));
        for (const e of events) {
          scheduler.schedule(() => {
            if (!e.resolve) alerts.fireAlert({ alertId: `${e.name}${e.i}`, name: e.name, labels: { i: String(e.i) } });
            else alerts.resolveAlert(`${e.name}${e.i}`);
          }, e.t);
        }
        scheduler.schedule(
          () =>
            (firingAtEnd = alerts
              .getFiringAlerts()
              .map((a) => a.alertId)
              .sort()),
          1000,
        );
      });
      const view = new Map<string, string>();
      const last = new Map<string, number>();
      for (const n of sent) {
        const previous = last.get(n.groupKey);
        if (previous !== undefined) expect(n.timestamp - previous).toBeGreaterThanOrEqual(WAIT);
        last.set(n.groupKey, n.timestamp);
        for (const a of n.alerts) view.set(a.alertId, a.state);
      }
      const believedFiring = [...view]
        .filter(([, s]) => s === 'firing')
        .map(([id]) => id)
        .sort();
      expect(believedFiring).toEqual(firingAtEnd);
      // Storm compression: never more notifications than changes.
      expect(sent.length).toBeLessThanOrEqual(events.length);
    },
  );
});
