import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { AlertValidationError, createAlertManager, type AlertNotification, type AlertNotifiedEvent } from './index';
import { compileTimeIntervals } from './timeIntervals';

function recorder() {
  const got: AlertNotification[] = [];
  const sink = (n: AlertNotification) => void got.push(n);
  const names = () => got.map((n) => `${n.receiver}:${n.status}:${n.alerts.map((a) => a.name).join(',')}`);
  return { got, sink, names };
}

describe('routing tree', () => {
  beforeEach(() => vi.useFakeTimers({ now: Date.UTC(2026, 10, 30, 12, 0) })); // a Monday, noon UTC
  afterEach(() => vi.useRealTimers());

  it('an alert goes to the first matching child; continue lets it go on; no match stays at the root', () => {
    const db = recorder();
    const pager = recorder();
    const audit = recorder();
    const alerts = createAlertManager({
      receivers: { db: db.sink, pager: pager.sink, audit: audit.sink },
      route: {
        routes: [
          { matchers: [{ name: 'severity', value: 'critical' }], receiver: 'audit', continue: true },
          {
            matchers: ['team=~"db|storage"'],
            receiver: 'db',
            routes: [{ matchers: ['severity="critical"'], receiver: 'pager' }],
          },
          { matchers: ['team="db"'], receiver: 'audit' }, // never reached for team=db: the previous child matched without continue
        ],
      },
    });
    const root: string[] = [];
    alerts.addHandler((a, n) => void root.push(`${n.receiver}:${a.name}`)); // the seed's addHandler: root receiver 'default'
    alerts.fireAlert({ name: 'DiskFull', severity: 'warning', labels: { team: 'storage' } });
    alerts.fireAlert({ name: 'DbDown', severity: 'critical', labels: { team: 'db' } });
    alerts.fireAlert({ name: 'Other', labels: { team: 'web' } });
    expect(db.names()).toEqual(['db:firing:DiskFull']);
    expect(pager.names()).toEqual(['pager:firing:DbDown']); // nested child wins over its parent
    expect(audit.names()).toEqual(['audit:firing:DbDown']); // continue: true on the first child
    expect(root).toEqual(['default:Other']);
    alerts.resolveAlert(alerts.getActiveAlerts().find((a) => a.name === 'DbDown')!.alertId);
    expect(pager.names().at(-1)).toBe('pager:resolved:DbDown');
    expect(audit.names().at(-1)).toBe('audit:resolved:DbDown');
  });

  it('children inherit receiver, groupBy and intervals unless they set them', async () => {
    const team = recorder();
    const alerts = createAlertManager({
      receivers: { team: team.sink },
      route: {
        receiver: 'team',
        groupBy: ['team'],
        groupWait: 30_000,
        groupInterval: 60_000,
        routes: [{ matchers: ['team="db"'] }, { matchers: ['team="web"'], groupWait: 1000, groupBy: ['alertname'] }],
      },
    });
    const notified: AlertNotifiedEvent[] = [];
    alerts.events$.subscribe((e) => e.type === 'alerts/notified' && notified.push(e));
    alerts.fireAlert({ name: 'A', labels: { team: 'db' } });
    alerts.fireAlert({ name: 'B', labels: { team: 'db' } });
    alerts.fireAlert({ name: 'C', labels: { team: 'web' } });
    alerts.fireAlert({ name: 'D', labels: { team: 'web' } });
    await vi.advanceTimersByTimeAsync(1000);
    expect(team.names()).toEqual(['team:firing:C', 'team:firing:D']); // web: groupWait 1 s, one group per alertname
    await vi.advanceTimersByTimeAsync(29_000);
    expect(team.names().at(-1)).toBe('team:firing:A,B'); // db: inherited groupWait 30 s and groupBy team
    expect(team.got.at(-1)?.groupLabels).toEqual({ team: 'db' });
    expect(new Set(notified.map((e) => e.groupKey)).size).toBe(3);
    expect(notified.every((e) => e.receiver === 'team')).toBe(true);
  });

  it('addHandler(fn, { receiver }) joins a declared receiver; unknown names are refused', () => {
    const alerts = createAlertManager({
      receivers: { ops: [] },
      route: { routes: [{ matchers: ['team="ops"'], receiver: 'ops' }] },
    });
    const ops: string[] = [];
    alerts.addHandler((a) => void ops.push(a.name), { receiver: 'ops' });
    alerts.fireAlert({ name: 'X', labels: { team: 'ops' } });
    expect(ops).toEqual(['X']);
    expect(() => alerts.addHandler(() => undefined, { receiver: 'nope' })).toThrow(AlertValidationError);
  });

  it('bad trees are refused with AlertValidationError', () => {
    const bad: unknown[] = [
      { receiver: 'missing' },
      { matchers: ['a="b"'] }, // the root takes every alert
      { routes: [{ matchers: ['a=~"("'] }] },
      { routes: [{ muteTimeIntervals: ['undefined-interval'] }] },
      { routes: [{ groupWait: -1 }] },
      { routes: [{ colour: 'red' }] },
      { routes: 'x' },
    ];
    for (const route of bad)
      expect(() => createAlertManager({ route: route as never }), JSON.stringify(route)).toThrow(AlertValidationError);
  });

  it('a severity change re-routes the alert: the old route hears it resolved', () => {
    const pager = recorder();
    const alerts = createAlertManager({
      receivers: { pager: pager.sink },
      route: { routes: [{ matchers: ['severity="critical"'], receiver: 'pager' }] },
    });
    const root: string[] = [];
    alerts.addHandler((a, n) => void root.push(`${n.receiver}:${a.name}:${a.state}`));
    alerts.fireAlert({ name: 'Q', severity: 'warning' });
    alerts.fireAlert({ name: 'Q', severity: 'critical' });
    expect(root).toEqual(['default:Q:firing', 'default:Q:resolved']);
    expect(pager.names()).toEqual(['pager:firing:Q']);
  });
});

describe('mute and active time intervals', () => {
  afterEach(() => vi.useRealTimers());

  it('a route muted at weekends (Berlin time) holds notifications until Monday 00:00 Berlin, then sends', async () => {
    vi.useFakeTimers({ now: Date.UTC(2026, 10, 28, 22, 59) }); // Saturday 23:59 in Berlin (UTC+1)
    const chat = recorder();
    const alerts = createAlertManager({
      receivers: { chat: chat.sink },
      timeIntervals: { weekend: [{ weekdays: ['saturday', 'sunday'], location: 'Europe/Berlin' }] },
      route: { routes: [{ matchers: ['team="web"'], receiver: 'chat', muteTimeIntervals: ['weekend'] }] },
    });
    alerts.fireAlert({ name: 'W', labels: { team: 'web' } });
    await vi.advanceTimersByTimeAsync(60_000); // Sunday 00:00 Berlin: still muted
    expect(chat.got).toHaveLength(0);
    await vi.advanceTimersByTimeAsync(24 * 3600_000 - 60_000); // Sunday 23:59 Berlin
    expect(chat.got).toHaveLength(0);
    await vi.advanceTimersByTimeAsync(60_000); // Monday 00:00 Berlin = Sunday 23:00 UTC
    expect(chat.names()).toEqual(['chat:firing:W']);
    expect(new Date(chat.got[0]!.timestamp).toISOString()).toBe('2026-11-29T23:00:00.000Z');
  });

  it('activeTimeIntervals: only business hours; a resolution outside them waits too', async () => {
    vi.useFakeTimers({ now: Date.UTC(2026, 10, 30, 16, 59) }); // Monday 16:59 UTC
    const chat = recorder();
    const alerts = createAlertManager({
      receivers: { chat: chat.sink },
      timeIntervals: { business: [{ weekdays: ['monday:friday'], times: [{ startTime: '09:00', endTime: '17:00' }] }] },
      route: { receiver: 'chat', activeTimeIntervals: ['business'] },
    });
    const a = alerts.fireAlert({ name: 'B' });
    expect(chat.names()).toEqual(['chat:firing:B']);
    await vi.advanceTimersByTimeAsync(60_000); // 17:00: outside
    alerts.resolveAlert(a.alertId);
    await vi.advanceTimersByTimeAsync(15 * 3600_000); // Tuesday 08:00
    expect(chat.got).toHaveLength(1);
    await vi.advanceTimersByTimeAsync(3600_000); // Tuesday 09:00
    expect(chat.names()).toEqual(['chat:firing:B', 'chat:resolved:B']);
  });

  it('interval fields: ranges, negative days of month, months, years, time zones', () => {
    const at = (iso: string) => Date.parse(iso);
    const lastDay = compileTimeIntervals('t', [{ daysOfMonth: ['-1'] }]);
    expect(lastDay.contains(at('2026-02-28T12:00:00Z'))).toBe(true);
    expect(lastDay.contains(at('2028-02-28T12:00:00Z'))).toBe(false); // leap year: the 29th is last
    const q1 = compileTimeIntervals('t', [{ months: ['january:march'], years: ['2026'] }]);
    expect(q1.contains(at('2026-03-31T23:59:00Z'))).toBe(true);
    expect(q1.contains(at('2026-04-01T00:00:00Z'))).toBe(false);
    expect(q1.contains(at('2027-01-15T00:00:00Z'))).toBe(false);
    const nights = compileTimeIntervals('t', [
      {
        times: [
          { startTime: '22:00', endTime: '24:00' },
          { startTime: '00:00', endTime: '06:00' },
        ],
        location: 'America/New_York',
      },
    ]);
    expect(nights.contains(at('2026-11-30T03:30:00Z'))).toBe(true); // 22:30 in New York
    expect(nights.contains(at('2026-11-30T11:00:00Z'))).toBe(false); // 06:00 (end exclusive)
    expect(nights.contains(at('2026-11-30T10:59:00Z'))).toBe(true);
    for (const bad of [
      [{ weekdays: ['funday'] }],
      [{ times: [{ startTime: '10:00', endTime: '09:00' }] }],
      [{ location: 'Mars/Base' }],
      [{ daysOfMonth: ['0'] }],
      [],
      [{ months: ['13'] }],
      [{ times: [{ startTime: '9:00', endTime: '10:00' }] }],
    ]) {
      expect(() => compileTimeIntervals('bad', bad), JSON.stringify(bad)).toThrow(AlertValidationError);
    }
  });
});
