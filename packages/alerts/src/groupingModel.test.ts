/**
 * Model-based test of notification grouping in fake time: random fires, resolutions and
 * time steps against a model that only knows each alert's true state and when it last
 * changed. Checks Alertmanager's timing contract: a group waits `groupWait` before its
 * first notification, notifies at most every `groupInterval`, and every change reaches
 * the receiver within `groupWait + groupInterval`.
 */
import { fc, test } from '@fast-check/vitest';
import { afterEach, beforeEach, expect, vi } from 'vitest';
import { createAlertManager, type AlertManager, type AlertNotification } from './index';

const WAIT = 20;
const INTERVAL = 30;
const IDS = ['a', 'b', 'c', 'd'] as const;

interface Model {
  firing: Map<string, boolean>;
  changedAt: Map<string, number>;
}
interface Real {
  alerts: AlertManager;
  sent: AlertNotification[];
}

function check(m: Model, r: Real): void {
  const now = Date.now();
  const view = new Map<string, string>();
  for (const n of r.sent) for (const a of n.alerts) view.set(a.alertId, a.state);
  for (const id of IDS) {
    const changedAt = m.changedAt.get(id);
    if (changedAt === undefined || now - changedAt < WAIT + INTERVAL) continue;
    // Settled long enough: the receiver must agree with the truth.
    expect(view.get(id) === 'firing', `receiver view of ${id} at ${now}`).toBe(m.firing.get(id) === true);
  }
  for (let i = 1; i < r.sent.length; i++) {
    expect(r.sent[i]!.timestamp - r.sent[i - 1]!.timestamp).toBeGreaterThanOrEqual(Math.min(WAIT, INTERVAL));
  }
}

class Fire implements fc.Command<Model, Real> {
  constructor(readonly id: string) {}
  check = () => true;
  run(m: Model, r: Real): void {
    if (m.firing.get(this.id) !== true) m.changedAt.set(this.id, Date.now());
    m.firing.set(this.id, true);
    r.alerts.fireAlert({ alertId: this.id, name: 'Storm', labels: { id: this.id } });
    check(m, r);
  }
  toString = () => `fire(${this.id})`;
}

class Resolve implements fc.Command<Model, Real> {
  constructor(readonly id: string) {}
  check = () => true;
  run(m: Model, r: Real): void {
    const wasFiring = m.firing.get(this.id) === true;
    if (wasFiring) m.changedAt.set(this.id, Date.now());
    m.firing.set(this.id, false);
    expect(r.alerts.resolveAlert(this.id) !== undefined).toBe(wasFiring);
    check(m, r);
  }
  toString = () => `resolve(${this.id})`;
}

class Advance implements fc.Command<Model, Real> {
  constructor(readonly ms: number) {}
  check = () => true;
  run(m: Model, r: Real): void {
    vi.advanceTimersByTime(this.ms);
    check(m, r);
  }
  toString = () => `advance(${this.ms})`;
}

beforeEach(() => vi.useFakeTimers({ now: 0 }));
afterEach(() => vi.useRealTimers());

const id = fc.constantFrom(...IDS);
test.prop([
  fc.commands(
    [
      id.map((i) => new Fire(i)),
      id.map((i) => new Resolve(i)),
      fc.integer({ min: 1, max: 40 }).map((ms) => new Advance(ms)),
      fc.integer({ min: 1, max: 40 }).map((ms) => new Advance(ms)),
    ],
    { maxCommands: 80, size: 'max' },
  ),
])('grouped notifications respect groupWait/groupInterval and converge to the truth', (cmds) => {
  vi.setSystemTime(0);
  const alerts = createAlertManager({ route: { groupBy: ['alertname'], groupWait: WAIT, groupInterval: INTERVAL } });
  const sent: AlertNotification[] = [];
  alerts.addNotificationHandler((n) => void sent.push(n));
  fc.modelRun(() => ({ model: { firing: new Map(), changedAt: new Map() }, real: { alerts, sent } }), cmds);
  // Let everything settle, then the receiver must agree on every alert.
  vi.advanceTimersByTime(WAIT + INTERVAL);
  const model = new Map(alerts.getFiringAlerts().map((a) => [a.alertId, true]));
  const view = new Map<string, string>();
  for (const n of sent) for (const a of n.alerts) view.set(a.alertId, a.state);
  for (const i of IDS) expect(view.get(i) === 'firing').toBe(model.get(i) === true);
  alerts.dispose();
});
