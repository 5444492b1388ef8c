import { ManualClock } from '@obs/core';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import {
  AlertLimitError,
  AlertSeverity,
  AlertState,
  AlertValidationError,
  createAlertManager,
  type AlertsEvent,
  type InhibitRule,
} from './index';

function setup(clock: { now(): number } = new ManualClock(0), inhibitRules?: InhibitRule[]) {
  const alerts = createAlertManager({ clock, ...(inhibitRules ? { inhibitRules } : {}) });
  const seen: string[] = [];
  const events: AlertsEvent[] = [];
  alerts.events$.subscribe((e) => events.push(e));
  alerts.addHandler((a) => seen.push(`${a.name}/${a.labels['service'] ?? ''}:${a.state}`));
  return { clock, alerts, seen, events };
}

describe('suppression predicates', () => {
  it('mark alerts SUPPRESSED and notify nobody; removing the predicate notifies', () => {
    const { alerts, seen, events } = setup();
    const remove = alerts.addSuppressionRule((a) => a.severity === AlertSeverity.INFO);
    const a = alerts.fireAlert({ name: 'Chatty', severity: AlertSeverity.INFO });
    expect(a.state).toBe(AlertState.SUPPRESSED);
    expect(a.suppressedBy).toEqual(['suppression']);
    expect(seen).toEqual([]);
    expect(events.map((e) => e.type)).toEqual(['alerts/suppressed']);
    expect(alerts.getFiringAlerts()).toEqual([]);
    expect(remove()).toBe(true);
    expect(remove()).toBe(false);
    expect(alerts.getAlert(a.alertId)?.state).toBe(AlertState.FIRING);
    expect(seen).toEqual(['Chatty/:firing']);
  });

  it('a throwing predicate is reported and does not suppress', () => {
    const { alerts, events } = setup();
    alerts.addSuppressionRule(() => {
      throw new Error('bad predicate');
    });
    expect(alerts.fireAlert({ name: 'A' }).state).toBe(AlertState.FIRING);
    expect(events.find((e) => e.type === 'alerts/rule-error')).toMatchObject({
      kind: 'suppression',
      error: 'bad predicate',
    });
  });
});

describe('silences', () => {
  beforeEach(() => vi.useFakeTimers({ now: 0 }));
  afterEach(() => vi.useRealTimers());
  const clockFromTimers = { now: () => Date.now() };

  it('mute matching alerts while active and notify when they end by themselves', () => {
    const { alerts, seen } = setup(clockFromTimers);
    const id = alerts.addSilence({
      matchers: [{ name: 'service', value: 'api' }],
      endsAt: 60_000,
      createdBy: 'ops',
      comment: 'deploy',
    });
    alerts.fireAlert({ name: 'HighLatency', labels: { service: 'api' } });
    alerts.fireAlert({ name: 'HighLatency', labels: { service: 'db' } });
    expect(seen).toEqual(['HighLatency/db:firing']);
    expect(alerts.getActiveAlerts().find((a) => a.labels['service'] === 'api')?.suppressedBy).toEqual([
      `silence:${id}`,
    ]);
    expect(alerts.listSilences()).toMatchObject([
      {
        id,
        status: 'active',
        createdBy: 'ops',
        comment: 'deploy',
        matchers: [{ name: 'service', value: 'api', isRegex: false, isEqual: true }],
      },
    ]);
    vi.advanceTimersByTime(59_999);
    expect(seen).toHaveLength(1);
    vi.advanceTimersByTime(1);
    expect(seen).toEqual(['HighLatency/db:firing', 'HighLatency/api:firing']);
    expect(alerts.listSilences()[0]?.status).toBe('expired');
  });

  it('a future silence starts muting at startsAt', () => {
    const { alerts } = setup(clockFromTimers);
    alerts.addSilence({ matchers: [{ name: 'alertname', value: 'A' }], startsAt: 10_000, endsAt: 20_000 });
    const a = alerts.fireAlert({ name: 'A' });
    expect(a.state).toBe(AlertState.FIRING);
    expect(alerts.listSilences()[0]?.status).toBe('pending');
    vi.advanceTimersByTime(10_000);
    expect(alerts.getAlert(a.alertId)?.state).toBe(AlertState.SUPPRESSED);
    vi.advanceTimersByTime(10_000);
    expect(alerts.getAlert(a.alertId)?.state).toBe(AlertState.FIRING);
  });

  it('expireSilence unmutes at once and reports unknown ids', () => {
    const { alerts, seen } = setup(clockFromTimers);
    const id = alerts.addSilence({ matchers: [{ name: 'alertname', value: 'A' }], endsAt: 3_600_000 });
    alerts.fireAlert({ name: 'A' });
    expect(seen).toEqual([]);
    expect(alerts.expireSilence(id)).toBe(true);
    expect(alerts.expireSilence(id)).toBe(false);
    expect(alerts.expireSilence('nope')).toBe(false);
    expect(seen).toEqual(['A/:firing']);
  });

  it('expiring a pending silence means it never mutes', () => {
    const { alerts } = setup(clockFromTimers);
    const id = alerts.addSilence({ matchers: [{ name: 'alertname', value: 'A' }], startsAt: 5000, endsAt: 9000 });
    expect(alerts.expireSilence(id)).toBe(true);
    vi.advanceTimersByTime(6000);
    expect(alerts.fireAlert({ name: 'A' }).state).toBe(AlertState.FIRING);
    expect(alerts.listSilences()[0]?.status).toBe('expired');
  });

  it('silences expire per clock even without timers (ManualClock)', () => {
    const clock = new ManualClock(0);
    const { alerts, seen } = setup(clock);
    alerts.addSilence({ matchers: [{ name: 'alertname', value: 'A' }], endsAt: 100 });
    const a = alerts.fireAlert({ name: 'A' });
    clock.set(100);
    expect(alerts.getAlert(a.alertId)?.state).toBe(AlertState.FIRING);
    expect(seen).toEqual(['A/:firing']);
  });

  it('regex matchers are anchored like Alertmanager; != and !~ negate; a missing label is ""', () => {
    const { alerts } = setup(clockFromTimers);
    alerts.addSilence({ matchers: [{ name: 'service', value: 'api|web', isRegex: true }], endsAt: 1e9 });
    alerts.addSilence({
      matchers: [
        { name: 'alertname', value: 'Z.*', isRegex: true },
        { name: 'team', value: '', isEqual: true },
      ],
      endsAt: 1e9,
    });
    const states = (labels: Record<string, string>, name = 'A') => alerts.fireAlert({ name, labels }).state;
    expect(states({ service: 'api' })).toBe('suppressed');
    expect(states({ service: 'web' })).toBe('suppressed');
    expect(states({ service: 'api2' })).toBe('firing'); // anchored: no partial match
    expect(states({ service: 'xapi' })).toBe('firing');
    expect(states({}, 'Zeta')).toBe('suppressed'); // team missing == ''
    expect(states({ team: 'x' }, 'Zeta')).toBe('firing');
    alerts.addSilence({
      matchers: [
        { name: 'env', value: 'prod', isEqual: false },
        { name: 'alertname', value: 'B' },
      ],
      endsAt: 1e9,
    });
    expect(states({ env: 'dev' }, 'B')).toBe('suppressed');
    expect(states({ env: 'prod' }, 'B')).toBe('firing');
  });

  it('rejects bad silences with typed errors', () => {
    const { alerts } = setup(clockFromTimers);
    const bad: unknown[] = [
      undefined,
      null,
      'x',
      { matchers: [], endsAt: 10 },
      { matchers: [{ name: 'a', value: 'b' }] },
      { matchers: [{ name: 'a', value: 'b' }], endsAt: Number.NaN },
      { matchers: [{ name: 'a', value: 'b' }], startsAt: 10, endsAt: 10 },
      { matchers: [{ name: 'bad-name', value: 'b' }], endsAt: 10 },
      { matchers: [{ name: 'a', value: 1 }], endsAt: 10 },
      { matchers: [{ name: 'a', value: '(', isRegex: true }], endsAt: 10 },
      { matchers: [{ name: 'a', value: 'x'.repeat(2000), isRegex: true }], endsAt: 10 },
      { matchers: [{ name: 'a', value: '.*', isRegex: true }], endsAt: 10 }, // would mute everything
      { matchers: [{ name: 'a', value: '' }], endsAt: 10 },
      { matchers: [{ name: 'a', value: 'b', isRegex: 'yes' }], endsAt: 10 },
      { matchers: [{ name: 'a', value: 'b' }], endsAt: 10, comment: 5 },
      { matchers: 'a=b', endsAt: 10 },
    ];
    for (const input of bad)
      expect(() => alerts.addSilence(input as never), JSON.stringify(input)).toThrow(AlertValidationError);
    expect(alerts.listSilences()).toEqual([]);
  });

  it('bounds silences, pruning expired ones first', () => {
    const alerts = createAlertManager({ clock: clockFromTimers, limits: { maxSilences: 2 } });
    alerts.addSilence({ matchers: [{ name: 'a', value: '1' }], endsAt: 100 });
    alerts.addSilence({ matchers: [{ name: 'a', value: '2' }], endsAt: 1000 });
    expect(() => alerts.addSilence({ matchers: [{ name: 'a', value: '3' }], endsAt: 1000 })).toThrow(AlertLimitError);
    vi.advanceTimersByTime(100);
    alerts.addSilence({ matchers: [{ name: 'a', value: '3' }], endsAt: 1000 });
    expect(alerts.listSilences().map((s) => s.matchers[0]?.value)).toEqual(['2', '3']);
  });
});

describe('inhibition', () => {
  const criticalInhibitsWarning = [
    {
      sourceMatchers: [{ name: 'severity', value: 'critical' }],
      targetMatchers: [{ name: 'severity', value: 'warning' }],
      equal: ['service'],
    },
  ];

  it('a firing critical alert mutes warnings of the same service only, and they notify when it resolves', () => {
    const { alerts, seen, events } = setup(new ManualClock(0), criticalInhibitsWarning);
    const crit = alerts.fireAlert({ name: 'Down', severity: AlertSeverity.CRITICAL, labels: { service: 'api' } });
    const warnApi = alerts.fireAlert({ name: 'Slow', severity: AlertSeverity.WARNING, labels: { service: 'api' } });
    const warnDb = alerts.fireAlert({ name: 'Slow', severity: AlertSeverity.WARNING, labels: { service: 'db' } });
    expect(warnApi.state).toBe(AlertState.SUPPRESSED);
    expect(warnApi.suppressedBy).toEqual(['inhibition:inhibit-1']);
    expect(warnDb.state).toBe(AlertState.FIRING);
    expect(seen).toEqual(['Down/api:firing', 'Slow/db:firing']);
    alerts.resolveAlert(crit.alertId);
    expect(alerts.getAlert(warnApi.alertId)?.state).toBe(AlertState.FIRING);
    expect(seen).toEqual(['Down/api:firing', 'Slow/db:firing', 'Down/api:resolved', 'Slow/api:firing']);
    expect(events.filter((e) => e.type === 'alerts/suppressed')).toHaveLength(1);
  });

  it('a severity change moves an alert between the source and target sides', () => {
    const { alerts } = setup(new ManualClock(0), criticalInhibitsWarning);
    alerts.fireAlert({ alertId: 'down', name: 'Down', severity: AlertSeverity.CRITICAL, labels: { service: 'api' } });
    alerts.fireAlert({ alertId: 'slow', name: 'Slow', severity: AlertSeverity.WARNING, labels: { service: 'api' } });
    expect(alerts.getAlert('slow')?.state).toBe(AlertState.SUPPRESSED);
    alerts.fireAlert({ alertId: 'down', name: 'Down', severity: AlertSeverity.WARNING, labels: { service: 'api' } });
    expect(alerts.getAlert('slow')?.state).toBe(AlertState.FIRING);
    alerts.fireAlert({ alertId: 'slow', name: 'Slow', severity: AlertSeverity.CRITICAL, labels: { service: 'api' } });
    expect(alerts.getActiveAlerts().map((a) => `${a.alertId}:${a.state}`)).toEqual(['down:suppressed', 'slow:firing']);
  });

  it('a source that fires later mutes an already-firing target; pending sources do not inhibit', () => {
    const alerts = createAlertManager<{ crit: boolean }>({
      clock: new ManualClock(0),
      inhibitRules: criticalInhibitsWarning,
    });
    const warn = alerts.fireAlert({ name: 'Slow', severity: AlertSeverity.WARNING, labels: { service: 'api' } });
    alerts.registerRule(
      'crit',
      (ctx) => (ctx.crit ? { name: 'Down', severity: AlertSeverity.CRITICAL, labels: { service: 'api' } } : undefined),
      { for: 1 },
    );
    alerts.evaluateRules({ crit: true }); // pending
    expect(alerts.getAlert(warn.alertId)?.state).toBe(AlertState.FIRING);
    alerts.fireAlert({ name: 'Down', severity: AlertSeverity.CRITICAL, labels: { service: 'api' } });
    expect(alerts.getAlert(warn.alertId)?.state).toBe(AlertState.SUPPRESSED);
  });

  it('alerts matching both sides neither inhibit themselves nor each other; rules can be added and removed', () => {
    const alerts = createAlertManager({ clock: new ManualClock(0) });
    const id = alerts.addInhibitRule({
      sourceMatchers: [{ name: 'team', value: 'x' }],
      targetMatchers: [
        { name: 'team', value: 'x' },
        { name: 'severity', value: 'warning' },
      ],
    });
    const a = alerts.fireAlert({ name: 'A', labels: { team: 'x' } });
    expect(a.state).toBe(AlertState.FIRING);
    const b = alerts.fireAlert({ name: 'B', labels: { team: 'x' } });
    expect(b.state).toBe(AlertState.FIRING); // both match both sides: no mutual muting (Alertmanager semantics)
    expect(alerts.getAlert(a.alertId)?.state).toBe(AlertState.FIRING);
    // A source that is not a target itself does inhibit them.
    alerts.fireAlert({ name: 'C', severity: AlertSeverity.CRITICAL, labels: { team: 'x' } });
    expect(alerts.getActiveAlerts().map((x) => `${x.name}:${x.state}`)).toEqual([
      'A:suppressed',
      'B:suppressed',
      'C:firing',
    ]);
    expect(alerts.listInhibitRules()).toHaveLength(1);
    expect(alerts.removeInhibitRule(id)).toBe(true);
    expect(alerts.removeInhibitRule(id)).toBe(false);
    expect(alerts.getFiringAlerts()).toHaveLength(3);
    expect(() => alerts.addInhibitRule({ sourceMatchers: [], targetMatchers: [{ name: 'a', value: 'b' }] })).toThrow(
      AlertValidationError,
    );
    expect(() =>
      alerts.addInhibitRule({
        sourceMatchers: [{ name: 'a', value: 'b' }],
        targetMatchers: [{ name: 'a', value: 'b' }],
        equal: ['bad-name'],
      }),
    ).toThrow(AlertValidationError);
  });
});
