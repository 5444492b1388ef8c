/**
 * Model-based test: random sequences of condition changes, time steps, evaluations,
 * silences and manual resolutions, checked against a deliberately simple model of
 * Prometheus rule semantics (`for`, `keepFiringFor`), Alertmanager silences and inhibition.
 */
import { ManualClock } from '@obs/core';
import { fc, test } from '@fast-check/vitest';
import { expect } from 'vitest';
import { AlertSeverity, createAlertManager, type AlertManager } from './index';

const FOR = 10;
const KEEP = 5;
const INSTANCES = ['a', 'b', 'c'] as const;
type Instance = (typeof INSTANCES)[number];

interface ModelAlert {
  activeAt: number;
  lastSeen: number;
  firing: boolean;
}
interface Model {
  now: number;
  cond: Set<Instance>;
  alerts: Map<Instance, ModelAlert>;
  silences: { inst: Instance; start: number; end: number }[];
}
interface Real {
  clock: ManualClock;
  alerts: AlertManager<{ cond: readonly Instance[] }>;
  silenceIds: string[];
  notified: Map<string, string>;
}

// Instance 'c' raises a critical alert, which inhibits the warnings of 'a' and 'b' while it fires.
function muted(m: Model, inst: Instance): boolean {
  const silenced = m.silences.some((s) => s.inst === inst && s.start <= m.now && m.now < s.end);
  const inhibited = inst !== 'c' && m.alerts.get('c')?.firing === true;
  return silenced || inhibited;
}

function expectedState(m: Model, inst: Instance): string | undefined {
  const a = m.alerts.get(inst);
  if (!a) return undefined;
  if (!a.firing) return 'pending';
  return muted(m, inst) ? 'suppressed' : 'firing';
}

function checkInvariants(m: Model, r: Real): void {
  const actual = new Map(r.alerts.getActiveAlerts().map((a) => [a.labels['instance'], a.state]));
  for (const inst of INSTANCES) {
    expect(actual.get(inst), `state of ${inst} at ${m.now}`).toBe(expectedState(m, inst));
    const state = expectedState(m, inst);
    // Receivers know about every unmuted firing alert, and never believe a finished one still fires.
    if (state === 'firing') expect(r.notified.get(inst), `notified ${inst}`).toBe('firing');
    if (state === undefined) expect(r.notified.get(inst), `notified ${inst}`).not.toBe('firing');
  }
}

class SetCondition implements fc.Command<Model, Real> {
  constructor(
    readonly inst: Instance,
    readonly on: boolean,
  ) {}
  check = () => true;
  run(m: Model, r: Real): void {
    if (this.on) m.cond.add(this.inst);
    else m.cond.delete(this.inst);
    checkInvariants(m, r);
  }
  toString = () => `cond(${this.inst}=${this.on})`;
}

class Advance implements fc.Command<Model, Real> {
  constructor(readonly ms: number) {}
  check = () => true;
  run(m: Model, r: Real): void {
    m.now += this.ms;
    r.clock.advance(this.ms);
    checkInvariants(m, r);
  }
  toString = () => `advance(${this.ms})`;
}

class Evaluate implements fc.Command<Model, Real> {
  check = () => true;
  run(m: Model, r: Real): void {
    for (const inst of m.cond) {
      const a = m.alerts.get(inst);
      if (!a) m.alerts.set(inst, { activeAt: m.now, lastSeen: m.now, firing: false });
      else a.lastSeen = m.now;
      const b = m.alerts.get(inst)!;
      if (!b.firing && m.now - b.activeAt >= FOR) b.firing = true;
    }
    for (const [inst, a] of [...m.alerts]) {
      if (m.cond.has(inst)) continue;
      if (!a.firing || m.now - a.lastSeen >= KEEP) m.alerts.delete(inst);
    }
    const returned = r.alerts.evaluateRules({ cond: [...m.cond] });
    expect(returned.map((a) => a.labels['instance']).sort()).toEqual([...m.cond].sort());
    checkInvariants(m, r);
  }
  toString = () => 'evaluate';
}

class AddSilence implements fc.Command<Model, Real> {
  constructor(
    readonly inst: Instance,
    readonly duration: number,
  ) {}
  check = () => true;
  run(m: Model, r: Real): void {
    m.silences.push({ inst: this.inst, start: m.now, end: m.now + this.duration });
    r.silenceIds.push(
      r.alerts.addSilence({ matchers: [{ name: 'instance', value: this.inst }], endsAt: m.now + this.duration }),
    );
    checkInvariants(m, r);
  }
  toString = () => `silence(${this.inst}, ${this.duration})`;
}

class ExpireSilence implements fc.Command<Model, Real> {
  constructor(readonly index: number) {}
  check = (m: Readonly<Model>) => m.silences.length > 0;
  run(m: Model, r: Real): void {
    const i = this.index % m.silences.length;
    const s = m.silences[i]!;
    const wasActive = s.start <= m.now && m.now < s.end;
    if (wasActive) s.end = m.now;
    expect(r.alerts.expireSilence(r.silenceIds[i]!)).toBe(wasActive);
    checkInvariants(m, r);
  }
  toString = () => `expire(#${this.index})`;
}

class Resolve implements fc.Command<Model, Real> {
  constructor(readonly inst: Instance) {}
  check = () => true;
  run(m: Model, r: Real): void {
    const had = m.alerts.delete(this.inst);
    const id = `InstanceDown-${this.inst}`;
    expect(r.alerts.resolveAlert(id)?.state).toBe(had ? 'resolved' : undefined);
    checkInvariants(m, r);
  }
  toString = () => `resolve(${this.inst})`;
}

const instance = fc.constantFrom(...INSTANCES);
const commands = [
  fc.tuple(instance, fc.boolean()).map(([i, on]) => new SetCondition(i, on)),
  instance.map((i) => new SetCondition(i, true)),
  fc.integer({ min: 1, max: 8 }).map((ms) => new Advance(ms)),
  fc.integer({ min: 1, max: 8 }).map((ms) => new Advance(ms)),
  fc.constant(new Evaluate()),
  fc.constant(new Evaluate()),
  fc.tuple(instance, fc.integer({ min: 1, max: 20 })).map(([i, d]) => new AddSilence(i, d)),
  fc.nat(10).map((i) => new ExpireSilence(i)),
  instance.map((i) => new Resolve(i)),
];

test.prop([fc.commands(commands, { maxCommands: 100, size: 'max' })])(
  'alert states and notifications follow the model',
  (cmds) => {
    const clock = new ManualClock(0);
    const alerts = createAlertManager<{ cond: readonly Instance[] }>({
      clock,
      inhibitRules: [
        {
          sourceMatchers: [{ name: 'severity', value: 'critical' }],
          targetMatchers: [{ name: 'severity', value: 'warning' }],
        },
      ],
    });
    const notified = new Map<string, string>();
    alerts.addHandler((a) => void notified.set(a.labels['instance'] ?? '', a.state));
    alerts.registerRule(
      'down',
      (ctx) =>
        ctx.cond.map((inst) => ({
          alertId: `InstanceDown-${inst}`,
          name: 'InstanceDown',
          severity: inst === 'c' ? AlertSeverity.CRITICAL : AlertSeverity.WARNING,
          labels: { instance: inst },
        })),
      {
        for: FOR,
        keepFiringFor: KEEP,
      },
    );
    const model: Model = { now: 0, cond: new Set(), alerts: new Map(), silences: [] };
    fc.modelRun(() => ({ model, real: { clock, alerts, silenceIds: [], notified } }), cmds);
  },
);
