import { ManualClock } from '@obs/core';
import { fc, test } from '@fast-check/vitest';
import { describe, expect, it } from 'vitest';
import {
  AlertLimitError,
  AlertSeverity,
  AlertState,
  AlertValidationError,
  alertFingerprint,
  createAlertManager,
  type AlertsEvent,
  type AlertInit,
} from './index';

type Ctx = { instances: string[]; value?: number };

function setup(options: { for?: number; keepFiringFor?: number } = {}, limits = {}) {
  const clock = new ManualClock(1_000_000);
  const alerts = createAlertManager<Ctx>({ clock, limits });
  const events: AlertsEvent[] = [];
  alerts.events$.subscribe((e) => events.push(e));
  const seen: string[] = [];
  alerts.addHandler((a) => seen.push(`${a.labels['instance']}:${a.state}`));
  alerts.registerRule(
    'down',
    (ctx) =>
      ctx.instances.map((instance): AlertInit => ({
        name: 'InstanceDown',
        labels: { instance },
        value: ctx.value ?? 1,
        annotations: { v: String(ctx.value ?? 1) },
      })),
    options,
  );
  return { clock, alerts, events, seen };
}

describe('rule lifecycle (Prometheus semantics)', () => {
  it('keeps an alert PENDING until `for` has elapsed, then FIRING with firingSince', () => {
    const { clock, alerts, seen } = setup({ for: 60_000 });
    const [first] = alerts.evaluateRules({ instances: ['a'] });
    expect(first?.state).toBe(AlertState.PENDING);
    expect(first?.firingSince).toBeUndefined();
    clock.advance(59_999);
    expect(alerts.evaluateRules({ instances: ['a'] })[0]?.state).toBe(AlertState.PENDING);
    expect(seen).toEqual([]);
    clock.advance(1);
    const [firing] = alerts.evaluateRules({ instances: ['a'] });
    expect(firing).toMatchObject({ state: AlertState.FIRING, startedAt: 1_000_000, firingSince: 1_060_000 });
    expect(seen).toEqual(['a:firing']);
  });

  it('drops a pending alert whose condition went away, without resolving or notifying', () => {
    const { clock, alerts, events, seen } = setup({ for: 60_000 });
    alerts.evaluateRules({ instances: ['a'] });
    clock.advance(30_000);
    alerts.evaluateRules({ instances: [] });
    expect(alerts.getActiveAlerts()).toEqual([]);
    expect(alerts.getResolvedAlerts()).toEqual([]);
    expect(events.filter((e) => e.type === 'alerts/resolved')).toEqual([]);
    // It starts over: `for` counts from the new activation.
    clock.advance(1000);
    alerts.evaluateRules({ instances: ['a'] });
    clock.advance(59_000);
    expect(alerts.evaluateRules({ instances: ['a'] })[0]?.state).toBe(AlertState.PENDING);
    expect(seen).toEqual([]);
  });

  it('resolves a firing alert the rule no longer returns', () => {
    const { clock, alerts, events, seen } = setup();
    alerts.evaluateRules({ instances: ['a', 'b'] });
    clock.advance(5000);
    alerts.evaluateRules({ instances: ['b'] });
    expect(alerts.getFiringAlerts().map((a) => a.labels['instance'])).toEqual(['b']);
    const [resolved] = alerts.getResolvedAlerts();
    expect(resolved).toMatchObject({ state: AlertState.RESOLVED, resolvedAt: 1_005_000, labels: { instance: 'a' } });
    expect(seen).toEqual(['a:firing', 'b:firing', 'a:resolved']);
    expect(events.map((e) => e.type).filter((t) => t !== 'alerts/notified')).toEqual([
      'alerts/fired',
      'alerts/fired',
      'alerts/resolved',
    ]);
  });

  it('keepFiringFor keeps an alert firing after its condition cleared', () => {
    const { clock, alerts } = setup({ keepFiringFor: 10_000 });
    alerts.evaluateRules({ instances: ['a'] });
    clock.advance(5000);
    alerts.evaluateRules({ instances: [] });
    expect(alerts.getFiringAlerts()).toHaveLength(1);
    clock.advance(4999);
    alerts.evaluateRules({ instances: [] });
    expect(alerts.getFiringAlerts()).toHaveLength(1);
    clock.advance(1); // 10 s since it was last returned
    alerts.evaluateRules({ instances: [] });
    expect(alerts.getFiringAlerts()).toHaveLength(0);
    expect(alerts.getResolvedAlerts()[0]?.resolvedAt).toBe(1_010_000);
  });

  it('keepFiringFor restarts when the condition comes back', () => {
    const { clock, alerts } = setup({ keepFiringFor: 10_000 });
    alerts.evaluateRules({ instances: ['a'] });
    clock.advance(8000);
    alerts.evaluateRules({ instances: [] });
    clock.advance(1000);
    alerts.evaluateRules({ instances: ['a'] });
    clock.advance(9000);
    alerts.evaluateRules({ instances: [] });
    expect(alerts.getFiringAlerts()).toHaveLength(1);
    expect(alerts.getFiringAlerts()[0]?.startedAt).toBe(1_000_000);
  });

  it('re-firing updates value and annotations instead of duplicating', () => {
    const { clock, alerts, seen } = setup();
    alerts.evaluateRules({ instances: ['a'], value: 1 });
    clock.advance(1000);
    alerts.evaluateRules({ instances: ['a'], value: 7 });
    const [a] = alerts.getActiveAlerts();
    expect(alerts.getActiveAlerts()).toHaveLength(1);
    expect(a).toMatchObject({ value: 7, annotations: { v: '7' }, startedAt: 1_000_000 });
    expect(seen).toEqual(['a:firing']);
  });

  it('resolveAlert sets RESOLVED and resolvedAt, keeps a bounded history and returns undefined for unknown ids', () => {
    const clock = new ManualClock(0);
    const alerts = createAlertManager({ clock, limits: { maxResolvedHistory: 3 } });
    for (let i = 0; i < 5; i++) {
      const a = alerts.fireAlert({ alertId: `a${i}`, name: 'X', labels: { i: String(i) } });
      clock.advance(10);
      expect(alerts.resolveAlert(a.alertId)).toMatchObject({ state: AlertState.RESOLVED, resolvedAt: clock.now() });
    }
    expect(alerts.getResolvedAlerts().map((a) => a.alertId)).toEqual(['a4', 'a3', 'a2']);
    expect(alerts.getResolvedAlerts(1).map((a) => a.alertId)).toEqual(['a4']);
    expect(alerts.getAlert('a4')?.state).toBe(AlertState.RESOLVED);
    expect(alerts.getAlert('a0')).toBeUndefined();
    expect(alerts.resolveAlert('a4')).toBeUndefined();
    expect(alerts.resolveAlert('nope')).toBeUndefined();
  });

  it('a throwing or invalid rule is reported and the other rules still run', () => {
    const alerts = createAlertManager<{ x: number }>({ clock: new ManualClock(0) });
    const events: AlertsEvent[] = [];
    alerts.events$.subscribe((e) => events.push(e));
    alerts.registerRule('boom', () => {
      throw new Error('kaput');
    });
    alerts.registerRule('bad', () => ({ name: 'Bad', value: Number.NaN }));
    alerts.registerRule('async', () => Promise.resolve(undefined) as never);
    alerts.registerRule('dup', () => [{ name: 'D' }, { name: 'D' }, null, false, undefined]);
    alerts.registerRule('ok', (ctx) => ({ name: 'Ok', value: ctx.x }));
    const out = alerts.evaluateRules({ x: 3 });
    expect(out.map((a) => a.name)).toEqual(['D', 'Ok']);
    const errors = events.flatMap((e) => (e.type === 'alerts/rule-error' ? [e.rule] : []));
    expect(errors).toEqual(['boom', 'bad', 'async', 'dup']);
    expect(alerts.stats().ruleErrors).toBe(4);
  });

  it('keeps a failed rule’s alerts as they were (no resolution on error)', () => {
    const alerts = createAlertManager<{ fail: boolean }>({ clock: new ManualClock(0) });
    alerts.registerRule('r', (ctx) => {
      if (ctx.fail) throw new Error('no data');
      return { name: 'R' };
    });
    alerts.evaluateRules({ fail: false });
    alerts.evaluateRules({ fail: true });
    expect(alerts.getFiringAlerts()).toHaveLength(1);
  });

  it('unregisterRule resolves the rule’s alerts; replacing a rule keeps them', () => {
    const alerts = createAlertManager<{ on: boolean }>({ clock: new ManualClock(0) });
    alerts.registerRule('r', () => ({ name: 'R' }));
    alerts.evaluateRules({ on: true });
    alerts.registerRule('r', () => ({ name: 'R', value: 2 }));
    alerts.evaluateRules({ on: true });
    expect(alerts.getFiringAlerts()).toMatchObject([{ value: 2 }]);
    expect(alerts.listRules()).toEqual(['r']);
    expect(alerts.unregisterRule('r')).toBe(true);
    expect(alerts.unregisterRule('r')).toBe(false);
    expect(alerts.getActiveAlerts()).toEqual([]);
    expect(alerts.getResolvedAlerts()).toHaveLength(1);
  });

  it('bounds active alerts: rules count a drop and emit alerts/dropped; fireAlert throws AlertLimitError', () => {
    const { alerts, events } = setup({}, { maxActiveAlerts: 2 });
    const out = alerts.evaluateRules({ instances: ['a', 'b', 'c'] });
    expect(out).toHaveLength(2);
    expect(alerts.stats().dropped).toBe(1);
    expect(events.find((e) => e.type === 'alerts/dropped')).toMatchObject({
      reason: 'active-limit',
      alertName: 'InstanceDown',
      rule: 'down',
    });
    expect(() => alerts.fireAlert({ name: 'Other' })).toThrow(AlertLimitError);
    // Updating an existing alert is still fine at the limit.
    expect(alerts.fireAlert({ name: 'InstanceDown', labels: { instance: 'a' }, value: 9 }).value).toBe(9);
  });

  it('alertId conflicts between different alerts are rejected', () => {
    const alerts = createAlertManager({ clock: new ManualClock(0) });
    alerts.fireAlert({ alertId: 'x', name: 'A' });
    expect(() => alerts.fireAlert({ alertId: 'x', name: 'B' })).toThrow(AlertValidationError);
    expect(alerts.fireAlert({ alertId: 'x', name: 'A', value: 3 }).value).toBe(3);
  });

  it('fireAlert promotes a pending rule alert immediately; getAlertsBySeverity filters active alerts', () => {
    const { alerts } = setup({ for: 60_000 });
    alerts.evaluateRules({ instances: ['a'] });
    const fired = alerts.fireAlert({
      name: 'InstanceDown',
      labels: { instance: 'a' },
      severity: AlertSeverity.CRITICAL,
    });
    expect(fired.state).toBe(AlertState.FIRING);
    alerts.fireAlert({ name: 'Disk', severity: AlertSeverity.INFO });
    expect(alerts.getAlertsBySeverity(AlertSeverity.CRITICAL).map((a) => a.name)).toEqual(['InstanceDown']);
    expect(alerts.getAlertsBySeverity(AlertSeverity.INFO).map((a) => a.name)).toEqual(['Disk']);
  });

  it('rule options add labels, annotations and severity', () => {
    const alerts = createAlertManager<{ v: number }>({ clock: new ManualClock(0) });
    alerts.registerRule('r', () => ({ name: 'R', labels: { team: 'b' } }), {
      severity: AlertSeverity.ERROR,
      labels: { team: 'a', env: 'prod' },
      annotations: { runbook: 'x' },
    });
    const [a] = alerts.evaluateRules({ v: 1 });
    expect(a).toMatchObject({
      severity: 'error',
      labels: { team: 'b', env: 'prod' },
      annotations: { runbook: 'x' },
      source: 'r',
    });
  });

  it('returned alerts are frozen snapshots that cannot corrupt the manager', () => {
    const alerts = createAlertManager({ clock: new ManualClock(0) });
    const a = alerts.fireAlert({ name: 'A', labels: { x: '1' } });
    expect(Object.isFrozen(a)).toBe(true);
    expect(Object.isFrozen(a.labels)).toBe(true);
    expect(() => ((a as { value: number }).value = 5)).toThrow(TypeError);
    expect(alerts.getAlert(a.alertId)?.value).toBe(0);
  });
});

describe('fingerprint', () => {
  const labelsArb = fc.dictionary(fc.stringMatching(/^[a-z_][a-z0-9_]{0,6}$/), fc.string({ maxLength: 8 }), {
    maxKeys: 6,
  });
  test.prop([fc.string({ minLength: 1, maxLength: 10 }), labelsArb])(
    'does not depend on label order',
    (name, labels) => {
      const reversed = Object.fromEntries(Object.entries(labels).reverse());
      expect(alertFingerprint(name, labels)).toBe(alertFingerprint(name, reversed));
      expect(alertFingerprint(name, labels)).toMatch(/^[0-9a-f]{16}$/);
    },
  );
  test.prop([fc.string({ minLength: 1, maxLength: 10 }), labelsArb, labelsArb])(
    'same name and labels give the same alert; different ones do not collide',
    (name, a, b) => {
      const alerts = createAlertManager({ clock: new ManualClock(0) });
      const x = alerts.fireAlert({ name, labels: a });
      const y = alerts.fireAlert({ name, labels: b });
      const same = JSON.stringify(Object.entries(a).sort()) === JSON.stringify(Object.entries(b).sort());
      expect(x.fingerprint === y.fingerprint).toBe(same);
      expect(alerts.getActiveAlerts()).toHaveLength(same ? 1 : 2);
    },
  );
});
