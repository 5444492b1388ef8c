import { ObsError } from '@obs/core';
import { fc, test } from '@fast-check/vitest';
import { describe, expect, it } from 'vitest';
import {
  AlertLimitError,
  AlertValidationError,
  createAlert,
  createAlertManager,
  createAlertmanagerHandler,
  createWebhookHandler,
} from './index';

const junk: unknown[] = [undefined, null, 0, Number.NaN, '', 'x'.repeat(5000), [], {}, () => 1, Symbol('s'), 10n, true];

function snapshotJson(alerts: ReturnType<typeof createAlertManager>) {
  return JSON.stringify(alerts.snapshot());
}

describe('bad input never crashes or corrupts state', () => {
  it('createAlert / fireAlert reject invalid alerts with AlertValidationError', () => {
    const alerts = createAlertManager({ clock: { now: () => 5 } });
    alerts.fireAlert({ name: 'Existing' });
    const before = snapshotJson(alerts);
    const bad: unknown[] = [
      ...junk.filter((j) => typeof j !== 'object' || j === null || Array.isArray(j)),
      {},
      { name: '' },
      { name: 5 },
      { name: 'x'.repeat(300) },
      { name: 'A', severity: 'fatal' },
      { name: 'A', state: 'exploded' },
      { name: 'A', value: Number.NaN },
      { name: 'A', value: Infinity },
      { name: 'A', value: '5' },
      { name: 'A', labels: { 'bad-name': 'x' } },
      { name: 'A', labels: { ok: 1 } },
      { name: 'A', labels: 'x=y' },
      { name: 'A', annotations: { summary: 'x'.repeat(5000) } },
      { name: 'A', message: 42 },
      { name: 'A', alertId: '' },
      { name: 'A', alertId: 7 },
      { name: 'A', startedAt: 'now' },
    ];
    for (const input of bad) {
      expect(
        () => alerts.fireAlert(input as never),
        typeof input === 'object' ? JSON.stringify(input)?.slice(0, 60) : typeof input,
      ).toThrow(AlertValidationError);
      expect(() => createAlert(input as never)).toThrow(AlertValidationError);
    }
    expect(snapshotJson(alerts)).toBe(before);
  });

  it('__proto__ and constructor are ordinary labels and pollute nothing', () => {
    const alerts = createAlertManager();
    const a = alerts.fireAlert(
      JSON.parse('{"name":"P","labels":{"__proto__":"x","constructor":"y"},"annotations":{"__proto__":"z"}}'),
    );
    expect(a.labels['__proto__']).toBe('x');
    expect(a.annotations['__proto__']).toBe('z');
    expect(({} as Record<string, unknown>)['x']).toBeUndefined();
    alerts.addSilence({ matchers: [{ name: '__proto__', value: 'x' }], endsAt: Date.now() + 60_000 });
    expect(alerts.getAlert(a.alertId)?.state).toBe('suppressed');
  });

  it('every method validates its arguments', () => {
    const alerts = createAlertManager<{ v: number }>();
    const expectTyped = (fn: () => unknown) => {
      try {
        fn();
      } catch (error) {
        expect(error).toBeInstanceOf(ObsError);
        return;
      }
      throw new Error('expected a typed error');
    };
    for (const j of junk) {
      if (typeof j !== 'string' || j.length > 256 || j === '')
        expectTyped(() => alerts.registerRule(j as never, () => undefined));
      if (typeof j !== 'function') {
        expectTyped(() => alerts.registerRule('r', j as never));
        expectTyped(() => alerts.addHandler(j as never));
        expectTyped(() => alerts.addNotificationHandler(j as never));
        expectTyped(() => alerts.addSuppressionRule(j as never));
      }
      if (j === null || typeof j !== 'object') expectTyped(() => alerts.evaluateRules(j as never));
      if (typeof j !== 'string' || j === '' || j.length > 256) expectTyped(() => alerts.resolveAlert(j as never));
      expectTyped(() => alerts.getAlertsBySeverity(j as never));
      expectTyped(() => alerts.addSilence(j as never));
      expectTyped(() => alerts.addInhibitRule(j as never));
      expectTyped(() => alerts.restore(j));
      if (j === null || typeof j !== 'object' || Array.isArray(j) || Object.keys(j).length === 0)
        expectTyped(() => alerts.connect(j as never));
      expect(alerts.unregisterRule(j as never)).toBe(false);
      expect(alerts.expireSilence(j as never)).toBe(false);
      if (typeof j !== 'string') expect(alerts.getAlert(j as never)).toBeUndefined();
      expect(alerts.removeInhibitRule(j as never)).toBe(false);
    }
    expectTyped(() => alerts.registerRule('r', () => undefined, { for: -1 }));
    expectTyped(() => alerts.registerRule('r', () => undefined, { keepFiringFor: Number.NaN }));
    expectTyped(() => alerts.registerRule('r', () => undefined, { severity: 'loud' as never }));
    expectTyped(() => alerts.registerRule('r', () => undefined, { labels: { 'a-b': 'c' } }));
    expectTyped(() => alerts.registerRule('r', () => undefined, null as never));
    expectTyped(() => alerts.addHandler(() => undefined, { timeoutMs: 0 }));
    expectTyped(() => alerts.addHandler(() => undefined, { name: '' }));
    expectTyped(() => alerts.getResolvedAlerts(-1));
    expectTyped(() => alerts.getResolvedAlerts(1.5));
    expectTyped(() => alerts.start('not a function' as never));
    expect(alerts.listRules()).toEqual([]);
    expect(alerts.getActiveAlerts()).toEqual([]);
  });

  it('config is validated', () => {
    const bad: unknown[] = [
      null,
      'x',
      { alertEvaluationIntervalSeconds: 0 },
      { alertEvaluationIntervalSeconds: Number.NaN },
      { alertEvaluationIntervalSeconds: '60' },
      { handlerTimeoutMs: -5 },
      { limits: { maxActiveAlerts: 0 } },
      { limits: { maxRules: 1.5 } },
      { limits: null },
      { clock: {} },
      { inhibitRules: [{ sourceMatchers: 'x' }] },
    ];
    for (const config of bad)
      expect(() => createAlertManager(config as never), JSON.stringify(config)).toThrow(AlertValidationError);
  });

  it('limits on rules, handlers and suppression rules are typed errors', () => {
    const alerts = createAlertManager({
      limits: { maxRules: 1, maxHandlers: 1, maxSuppressionRules: 1, maxInhibitRules: 1 },
    });
    alerts.registerRule('a', () => undefined);
    alerts.registerRule('a', () => undefined); // replacing is fine
    expect(() => alerts.registerRule('b', () => undefined)).toThrow(AlertLimitError);
    alerts.addHandler(() => undefined);
    expect(() => alerts.addNotificationHandler(() => undefined)).toThrow(AlertLimitError);
    alerts.addSuppressionRule(() => false);
    expect(() => alerts.addSuppressionRule(() => false)).toThrow(AlertLimitError);
    const rule = { sourceMatchers: [{ name: 'a', value: 'b' }], targetMatchers: [{ name: 'c', value: 'd' }] };
    alerts.addInhibitRule(rule);
    expect(() => alerts.addInhibitRule(rule)).toThrow(AlertLimitError);
  });

  it('sinks validate their config', () => {
    for (const url of [undefined, '', 'not a url', 'ftp://x', 'file:///etc/passwd', 5]) {
      expect(() => createAlertmanagerHandler({ url } as never)).toThrow(AlertValidationError);
      expect(() => createWebhookHandler({ url } as never)).toThrow(AlertValidationError);
    }
    const url = 'http://127.0.0.1:1';
    expect(() => createAlertmanagerHandler({ url, maxQueue: 0 })).toThrow(AlertValidationError);
    expect(() => createAlertmanagerHandler({ url, resendInterval: -1 })).toThrow(AlertValidationError);
    expect(() => createAlertmanagerHandler({ url, generatorURL: 'nope' })).toThrow(AlertValidationError);
    expect(() => createAlertmanagerHandler({ url, externalLabels: { 'a-b': 'c' } })).toThrow(ObsError);
    expect(() => createWebhookHandler({ url, headers: { 'bad header': 'x' } })).toThrow(AlertValidationError);
    expect(() => createWebhookHandler({ url, headers: { ok: 'line\r\nbreak' } })).toThrow(AlertValidationError);
    expect(() => createAlertmanagerHandler(undefined as never)).toThrow(AlertValidationError);
  });

  test.prop([fc.anything()])('fireAlert on arbitrary input either succeeds or throws a typed error', (input) => {
    const alerts = createAlertManager({ clock: { now: () => 0 } });
    try {
      alerts.fireAlert(input as never);
    } catch (error) {
      expect(error).toBeInstanceOf(ObsError);
    }
    expect(alerts.getActiveAlerts().length).toBeLessThanOrEqual(1);
  });

  test.prop([fc.anything()])('addSilence and restore on arbitrary input throw only typed errors', (input) => {
    const alerts = createAlertManager({ clock: { now: () => 0 } });
    for (const call of [
      () => alerts.addSilence(input as never),
      () => alerts.restore(input),
      () => alerts.addInhibitRule(input as never),
    ]) {
      try {
        call();
      } catch (error) {
        expect(error).toBeInstanceOf(ObsError);
      }
    }
  });
});
