import { fc, test } from '@fast-check/vitest';
import { describe, expect, it } from 'vitest';
import {
  applyResult,
  createHealthMonitor,
  HealthStatus,
  initialThresholdState,
  type HealthEvent,
  type HealthMonitor,
  type Thresholds,
} from './index';

const statusArb = fc.constantFrom<HealthStatus>(
  HealthStatus.HEALTHY,
  HealthStatus.DEGRADED,
  HealthStatus.UNHEALTHY,
  HealthStatus.UNKNOWN,
);
const thresholdArb = fc.integer({ min: 1, max: 5 });

const passing = (s: HealthStatus) => s === HealthStatus.HEALTHY || s === HealthStatus.DEGRADED;

/** Length of the run of results satisfying `pred` that ends at index `end`. */
function runEndingAt(history: readonly HealthStatus[], end: number, pred: (s: HealthStatus) => boolean): number {
  let n = 0;
  for (let i = end; i >= 0 && pred(history[i] as HealthStatus); i--) n++;
  return n;
}

/**
 * The model, stated declaratively over the whole history rather than as a state machine:
 * a "fail trigger" is a result that completes F consecutive UNHEALTHY results, a
 * "pass trigger" one that completes S consecutive passing results. The reported status is
 * UNHEALTHY if the last trigger is a fail trigger, the latest passing result if it is a
 * pass trigger, and UNKNOWN if there was no trigger yet.
 */
function modelReported(history: readonly HealthStatus[], t: Thresholds): HealthStatus {
  for (let i = history.length - 1; i >= 0; i--) {
    const s = history[i] as HealthStatus;
    if (
      s === HealthStatus.UNHEALTHY &&
      runEndingAt(history, i, (x) => x === HealthStatus.UNHEALTHY) >= t.failureThreshold
    )
      return HealthStatus.UNHEALTHY;
    if (passing(s) && runEndingAt(history, i, passing) >= t.successThreshold) {
      return [...history].reverse().find(passing) as HealthStatus;
    }
  }
  return HealthStatus.UNKNOWN;
}

function replay(history: readonly HealthStatus[], t: Thresholds) {
  return history.reduce((state, raw) => applyResult(state, raw, t), initialThresholdState);
}

describe('applyResult (pure)', () => {
  test.prop([fc.array(statusArb, { maxLength: 40 }), thresholdArb, thresholdArb])(
    'matches the declarative model',
    (history, f, s) => {
      const t = { failureThreshold: f, successThreshold: s };
      const state = replay(history, t);
      expect(state.reported).toBe(modelReported(history, t));
      expect(state.consecutiveFailures).toBe(
        history.length === 0 ? 0 : runEndingAt(history, history.length - 1, (x) => x === HealthStatus.UNHEALTHY),
      );
      expect(state.consecutiveSuccesses).toBe(
        history.length === 0 ? 0 : runEndingAt(history, history.length - 1, passing),
      );
    },
  );

  test.prop([fc.array(statusArb, { maxLength: 40 })])(
    'with thresholds 1/1 the reported status is the last known raw status',
    (history) => {
      const state = replay(history, { failureThreshold: 1, successThreshold: 1 });
      const lastKnown = [...history].reverse().find((s) => s !== HealthStatus.UNKNOWN) ?? HealthStatus.UNKNOWN;
      expect(state.reported).toBe(lastKnown);
    },
  );

  test.prop([fc.array(statusArb, { maxLength: 40 }), thresholdArb, thresholdArb])(
    'the reported status turns UNHEALTHY only after F consecutive failures, and recovers only after S passes',
    (history, f, s) => {
      const t = { failureThreshold: f, successThreshold: s };
      let state = initialThresholdState;
      history.forEach((raw, i) => {
        const next = applyResult(state, raw, t);
        if (next.reported === HealthStatus.UNHEALTHY && state.reported !== HealthStatus.UNHEALTHY) {
          expect(history.slice(Math.max(0, i - f + 1), i + 1)).toEqual(Array(f).fill(HealthStatus.UNHEALTHY));
          expect(i + 1).toBeGreaterThanOrEqual(f);
        }
        if (passing(next.reported) && !passing(state.reported)) {
          expect(history.slice(Math.max(0, i - s + 1), i + 1).every(passing)).toBe(true);
          expect(i + 1).toBeGreaterThanOrEqual(s);
        }
        state = next;
      });
    },
  );

  test.prop([fc.integer({ min: 2, max: 5 }), fc.integer({ min: 2, max: 5 }), fc.integer({ min: 1, max: 30 })])(
    'an alternating healthy/unhealthy check does not flap the status when both thresholds are above 1',
    (f, s, n) => {
      const t = { failureThreshold: f, successThreshold: s };
      const start = replay(Array(s).fill(HealthStatus.HEALTHY), t);
      expect(start.reported).toBe(HealthStatus.HEALTHY);
      let state = start;
      for (let i = 0; i < n; i++) {
        state = applyResult(state, i % 2 === 0 ? HealthStatus.UNHEALTHY : HealthStatus.HEALTHY, t);
        expect(state.reported).toBe(HealthStatus.HEALTHY);
      }
    },
  );

  it('a raw UNKNOWN keeps the reported status and breaks both runs', () => {
    const t = { failureThreshold: 2, successThreshold: 2 };
    const state = replay(
      [
        HealthStatus.HEALTHY,
        HealthStatus.HEALTHY,
        HealthStatus.UNHEALTHY,
        HealthStatus.UNKNOWN,
        HealthStatus.UNHEALTHY,
      ],
      t,
    );
    expect(state).toEqual({ reported: HealthStatus.HEALTHY, consecutiveFailures: 1, consecutiveSuccesses: 0 });
  });

  it('follows HEALTHY <-> DEGRADED at once while passing', () => {
    const t = { failureThreshold: 3, successThreshold: 3 };
    const healthy = replay([HealthStatus.HEALTHY, HealthStatus.HEALTHY, HealthStatus.HEALTHY], t);
    expect(applyResult(healthy, HealthStatus.DEGRADED, t).reported).toBe(HealthStatus.DEGRADED);
  });
});

// Model-based test of the monitor itself: runs, re-registrations and snapshot/restore
// round trips against per-check histories and a simple aggregation model.
interface Model {
  histories: HealthStatus[][];
}
interface Real {
  monitor: HealthMonitor;
  next: HealthStatus[];
  events: HealthEvent[];
}

const CHECKS = [
  { name: 'db', critical: true, failureThreshold: 3, successThreshold: 2 },
  { name: 'cache', critical: false, failureThreshold: 1, successThreshold: 1 },
  { name: 'queue', critical: true, failureThreshold: 2, successThreshold: 3 },
] as const;

function modelOverall(model: Model): HealthStatus {
  const statuses = CHECKS.map((c, i) => ({ c, s: modelReported(model.histories[i] ?? [], c) }));
  if (statuses.every(({ s }) => s === HealthStatus.UNKNOWN)) return HealthStatus.UNKNOWN;
  if (statuses.some(({ c, s }) => c.critical && s === HealthStatus.UNHEALTHY)) return HealthStatus.UNHEALTHY;
  if (statuses.some(({ s }) => s === HealthStatus.DEGRADED || s === HealthStatus.UNHEALTHY))
    return HealthStatus.DEGRADED;
  if (statuses.some(({ c, s }) => c.critical && s === HealthStatus.UNKNOWN)) return HealthStatus.UNKNOWN;
  return HealthStatus.HEALTHY;
}

function register(real: Real, i: number): void {
  const c = CHECKS[i];
  if (!c) return;
  real.monitor.registerCheck(c.name, async () => ({ status: real.next[i] ?? HealthStatus.UNKNOWN }), {
    critical: c.critical,
    failureThreshold: c.failureThreshold,
    successThreshold: c.successThreshold,
  });
}

function newReal(): Real {
  const real: Real = { monitor: createHealthMonitor(), next: CHECKS.map(() => HealthStatus.UNKNOWN), events: [] };
  real.monitor.events$.subscribe((e) => real.events.push(e));
  CHECKS.forEach((_, i) => register(real, i));
  return real;
}

function expectAgrees(model: Model, real: Real): void {
  CHECKS.forEach((c, i) =>
    expect(real.monitor.getCheckStatus(c.name)).toBe(modelReported(model.histories[i] ?? [], c)),
  );
  expect(real.monitor.getOverallStatus()).toBe(modelOverall(model));
}

class RunCommand implements fc.AsyncCommand<Model, Real> {
  constructor(
    readonly index: number,
    readonly status: HealthStatus,
  ) {}
  check = () => true;
  async run(model: Model, real: Real): Promise<void> {
    const c = CHECKS[this.index];
    if (!c) return;
    const before = real.monitor.getCheckStatus(c.name);
    const overallBefore = real.monitor.getOverallStatus();
    real.next[this.index] = this.status;
    real.events.length = 0;
    const result = await real.monitor.runCheck(c.name);
    model.histories[this.index]?.push(this.status);
    expect(result?.status).toBe(this.status);
    expectAgrees(model, real);
    const after = real.monitor.getCheckStatus(c.name);
    const checkChanges = real.events.filter((e) => e.type === 'health/changed' && e.scope === 'check');
    expect(checkChanges).toHaveLength(before === after ? 0 : 1);
    const overallChanges = real.events.filter((e) => e.type === 'health/changed' && e.scope === 'overall');
    expect(overallChanges).toHaveLength(overallBefore === real.monitor.getOverallStatus() ? 0 : 1);
    expect(real.events.filter((e) => e.type === 'health/check-completed')).toHaveLength(1);
  }
  toString = () => `run(${CHECKS[this.index]?.name}, ${this.status})`;
}

class ReRegisterCommand implements fc.AsyncCommand<Model, Real> {
  constructor(readonly index: number) {}
  check = () => true;
  async run(model: Model, real: Real): Promise<void> {
    register(real, this.index);
    model.histories[this.index] = [];
    expectAgrees(model, real);
  }
  toString = () => `reRegister(${CHECKS[this.index]?.name})`;
}

class RestartCommand implements fc.AsyncCommand<Model, Real> {
  check = () => true;
  async run(model: Model, real: Real): Promise<void> {
    // Simulates a process restart: a fresh monitor, same checks, state restored from JSON.
    const saved = JSON.parse(JSON.stringify(real.monitor.snapshot())) as unknown;
    const fresh = newReal();
    fresh.next = real.next;
    expect(fresh.monitor.restore(saved)).toEqual({ restored: CHECKS.map((c) => c.name), unknown: [] });
    real.monitor.dispose();
    real.monitor = fresh.monitor;
    real.monitor.events$.subscribe((e) => real.events.push(e));
    expectAgrees(model, real);
  }
  toString = () => 'restart';
}

describe('HealthMonitor against a model (fc.commands)', () => {
  const commands = fc.commands(
    [
      fc.tuple(fc.integer({ min: 0, max: CHECKS.length - 1 }), statusArb).map(([i, s]) => new RunCommand(i, s)),
      fc.integer({ min: 0, max: CHECKS.length - 1 }).map((i) => new ReRegisterCommand(i)),
      fc.constant(new RestartCommand()),
    ],
    { maxCommands: 60 },
  );

  test.prop([commands])('reported, overall statuses, events and restores agree with the model', async (cmds) => {
    await fc.asyncModelRun(() => ({ model: { histories: CHECKS.map(() => []) }, real: newReal() }), cmds);
  });
});
