import { ManualClock, ObsError, ofType } from '@obs/core';
import { fc, test } from '@fast-check/vitest';
import { map, of, Subject, VirtualAction, VirtualTimeScheduler } from 'rxjs';
import { TestScheduler } from 'rxjs/testing';
import { describe, expect, expectTypeOf, it } from 'vitest';
import { DuplicateSLOError, SLOLimitError, SLOSnapshotError, SLOValidationError, UnknownSLOError } from './errors';
import type { SLOEvent } from './events';
import { createSLODefinition, type SLODefinition } from './SLODefinition';
import { BudgetingMethod, SLOStatus } from './SLOStatus';
import { createSLOTracker, type SLOOutcome } from './SLOTracker';

const MIN = 60_000;
const HOUR = 3_600_000;
const DAY = 86_400_000;
const T0 = Date.UTC(2026, 10, 1, 12, 0, 0);

function setup(config: Parameters<typeof createSLOTracker>[0] = {}) {
  const clock = new ManualClock(T0);
  const tracker = createSLOTracker({ clock, ...config });
  const events: SLOEvent[] = [];
  tracker.events$.subscribe((e) => events.push(e));
  return { clock, tracker, events };
}

describe('SLOTracker basics', () => {
  it('runs the seed example', () => {
    const { tracker } = setup();
    const slo = createSLODefinition('API Availability', 99.9, 30);
    tracker.defineSLO(slo);
    tracker.recordEvent(slo.sloId, true);
    tracker.recordEvent(slo.sloId, false);
    const status = tracker.getSLOStatus(slo.sloId);
    expect(slo.sloId).toBe('api-availability');
    expect(status.currentValue).toBe(50);
    expect(status.errorBudgetRemaining).toBeCloseTo(100 * (1 - 0.5 / 0.001), 6);
    expect(status.status).toBe(SLOStatus.BREACHED);
    expect(status.slo).toEqual(slo);
    expect(status.goodEvents).toBe(1);
    expect(status.totalEvents).toBe(2);
    expect(tracker.listSLOs()).toEqual([slo]);
    expect(tracker.getAllStatuses()).toEqual([status]);
  });

  it('reports no data as 100% and MET', () => {
    const { tracker } = setup();
    const slo = tracker.defineSLO(createSLODefinition('Quiet', 99, 7));
    const r = tracker.getSLOStatus(slo.sloId);
    expect(r).toMatchObject({ currentValue: 100, errorBudgetRemaining: 100, burnRate: 0, status: 'met', noData: true });
    expect(Object.values(r.burnRates)).toEqual([0, 0, 0, 0, 0, 0, 0]);
  });

  it('is not breached exactly at target', () => {
    const { tracker } = setup();
    const slo = tracker.defineSLO(createSLODefinition('Edge', 99.9, 30));
    const rec = tracker.recorder(slo.sloId);
    for (let i = 0; i < 9_990; i++) rec.good();
    for (let i = 0; i < 10; i++) rec.bad();
    const r = tracker.getSLOStatus(slo.sloId);
    expect(r.currentValue).toBeCloseTo(99.9, 10);
    expect(r.errorBudgetRemaining).toBe(0);
    expect(r.status).toBe(SLOStatus.AT_RISK);
    expect(r.reasons).toContain('budget-low');
    rec.bad();
    expect(tracker.getSLOStatus(slo.sloId).status).toBe(SLOStatus.BREACHED);
  });

  it('goes AT_RISK when less than the threshold of budget is left', () => {
    const { tracker, clock } = setup({ budgetAtRiskThreshold: 50 });
    const slo = tracker.defineSLO(createSLODefinition('Half', 99, 30));
    // spend 60% of the budget: 6 bad of 1000, spread over days so no burn-rate condition holds
    for (let d = 0; d < 10; d++) {
      tracker.recordEvents(slo.sloId, 100, 100);
      clock.advance(DAY);
    }
    for (let i = 0; i < 6; i++) tracker.recordEvents(slo.sloId, 0, 1, T0 + i * 2 * DAY);
    const r = tracker.getSLOStatus(slo.sloId);
    expect(r.errorBudgetRemaining).toBeCloseTo(100 * (1 - 6 / 10.06), 6);
    expect(r.status).toBe(SLOStatus.AT_RISK);
    expect(r.alerting).toEqual({ page: false, ticket: false });
  });

  it('rejects bad input with typed errors', () => {
    const { tracker } = setup();
    const slo = tracker.defineSLO(createSLODefinition('X', 99, 30));
    expect(() => tracker.defineSLO(slo)).toThrow(DuplicateSLOError);
    for (const target of [0, 100, -1, 101, NaN, Infinity, '99' as unknown as number]) {
      expect(() => createSLODefinition('Y', target)).toThrow(SLOValidationError);
    }
    for (const days of [0, -1, NaN, Infinity, 1e9])
      expect(() => createSLODefinition('Y', 99, days)).toThrow(SLOValidationError);
    expect(() => createSLODefinition('', 99)).toThrow(SLOValidationError);
    expect(() => createSLODefinition(5 as unknown as string, 99)).toThrow(SLOValidationError);
    expect(() => createSLODefinition('Y', 99, 30, '', { sloId: 'bad id' })).toThrow(SLOValidationError);
    expect(() =>
      createSLODefinition('Y', 99, 30, '', { calendar: { unit: 'month', timeZone: 'Mars/Olympus' } }),
    ).toThrow(SLOValidationError);
    expect(() => createSLODefinition('Y', 99, 30, '', { labels: { 'bad-name': 'x' } })).toThrow(ObsError);
    expect(() => createSLODefinition('Y', 99, 30, '', { timeSliceTarget: 90 })).toThrow(SLOValidationError);
    expect(() => tracker.defineSLO({ ...slo, sloId: 'y', target: 100 })).toThrow(SLOValidationError);
    expect(() => tracker.defineSLO(null as unknown as SLODefinition)).toThrow(SLOValidationError);
    expect(() => tracker.recordEvent('nope', true)).toThrow(UnknownSLOError);
    expect(() => tracker.recordEvent(slo.sloId, 1 as unknown as boolean)).toThrow(SLOValidationError);
    expect(() => tracker.recordEvents(slo.sloId, 2, 1)).toThrow(SLOValidationError);
    expect(() => tracker.recordEvents(slo.sloId, -1, 1)).toThrow(SLOValidationError);
    expect(() => tracker.recordEvents(slo.sloId, 1, NaN)).toThrow(SLOValidationError);
    expect(() => tracker.recordEvents(slo.sloId, 1, 1, NaN)).toThrow(SLOValidationError);
    expect(() => tracker.getSLOStatus('nope')).toThrow(UnknownSLOError);
    expect(() => tracker.recorder('nope')).toThrow(UnknownSLOError);
    expect(() => tracker.track('nope', new Subject<SLOOutcome>())).toThrow(UnknownSLOError);
    expect(() => tracker.track(slo.sloId, {} as never)).toThrow(SLOValidationError);
    expect(() => tracker.restore({})).toThrow(SLOSnapshotError);
    // state untouched by the rejected calls
    expect(tracker.getSLOStatus(slo.sloId).noData).toBe(true);
  });

  it('validates its config', () => {
    for (const config of [
      { bucketMs: 10 },
      { bucketMs: 1.5 },
      { evaluationIntervalMs: 0 },
      { budgetAtRiskThreshold: 101 },
      { minEvents: -1 },
      { conditions: [{ severity: 'page', factor: 0, longWindow: '1h', shortWindow: '5m' }] },
      { conditions: [{ severity: 'pager', factor: 1, longWindow: '1h', shortWindow: '5m' }] },
      { conditions: [{ severity: 'page', factor: 1, longWindow: '7h', shortWindow: '5m' }] },
      { limits: { maxSLOs: 0 } },
      { clock: {} },
    ]) {
      expect(() => createSLOTracker(config as never)).toThrow(SLOValidationError);
    }
  });

  it('enforces its limits', () => {
    const { tracker } = setup({ limits: { maxSLOs: 2, maxBucketsPerSLO: 50_000 } });
    tracker.defineSLO(createSLODefinition('A', 99));
    expect(() => tracker.defineSLO(createSLODefinition('B', 99, 60))).toThrow(SLOLimitError);
    tracker.defineSLO(createSLODefinition('C', 99));
    expect(() => tracker.defineSLO(createSLODefinition('D', 99))).toThrow(SLOLimitError);
    expect(tracker.removeSLO('a')).toBe(true);
    expect(tracker.removeSLO('a')).toBe(false);
    tracker.defineSLO(createSLODefinition('D', 99));
    expect(tracker.listSLOs().map((s) => s.sloId)).toEqual(['c', 'd']);
  });

  it('makes readable ids, with a hash only when needed', () => {
    expect(createSLODefinition('Checkout p99 < 300ms', 99).sloId).toBe('checkout-p99-300ms');
    expect(createSLODefinition('日本語', 99).sloId).toMatch(/^slo-[0-9a-z]{7}$/);
    const long = createSLODefinition('x'.repeat(100), 99).sloId;
    expect(long).toMatch(/^x{48}-[0-9a-z]{7}$/);
    expect(createSLODefinition('x'.repeat(100), 99).sloId).toBe(long);
  });
});

describe('burn rates and alert conditions', () => {
  it('computes burn rates per window and pages at a fast burn', () => {
    const { tracker, clock } = setup();
    const slo = tracker.defineSLO(createSLODefinition('Fast', 99.9, 30));
    const rec = tracker.recorder(slo.sloId);
    // 70 minutes at 100 requests/min with 2% errors: burn rate 20
    for (let m = 0; m < 70; m++) {
      for (let i = 0; i < 98; i++) rec.good();
      rec.bad();
      rec.bad();
      clock.advance(MIN);
    }
    const r = tracker.getSLOStatus(slo.sloId);
    expect(r.burnRate).toBeCloseTo(20, 9);
    expect(r.burnRates['5m']).toBeCloseTo(20, 9);
    expect(r.alerting.page).toBe(true);
    expect(r.alerting.ticket).toBe(true);
    expect(r.reasons).toContain('burn-rate:page');
  });

  it('does not page at a slow burn but files a ticket', () => {
    const { tracker, clock } = setup({ budgetAtRiskThreshold: 0 });
    const slo = tracker.defineSLO(createSLODefinition('Slow', 99.9, 30));
    for (let m = 0; m < 7 * 60; m++) {
      tracker.recordEvents(slo.sloId, 998, 1000); // 0.2% errors: burn rate 2
      clock.advance(MIN);
    }
    const r = tracker.getSLOStatus(slo.sloId);
    expect(r.burnRates['6h']).toBeCloseTo(2, 9);
    expect(r.alerting).toEqual({ page: false, ticket: true });
    expect(r.status).toBe(SLOStatus.BREACHED); // 0.2% > 0.1% over the window so far
  });

  it('needs both windows of a pair above the factor', () => {
    const { tracker, clock } = setup({
      conditions: [{ severity: 'page', factor: 14.4, longWindow: '1h', shortWindow: '5m' }],
    });
    const slo = tracker.defineSLO(createSLODefinition('Recovered', 99.9, 30));
    for (let m = 0; m < 60; m++) {
      tracker.recordEvents(slo.sloId, m < 50 ? 90 : 100, 100); // errors stopped 10 minutes ago
      clock.advance(MIN);
    }
    const r = tracker.getSLOStatus(slo.sloId);
    expect(r.burnRates['1h']).toBeGreaterThan(14.4);
    expect(r.burnRates['5m']).toBe(0);
    expect(r.alerting.page).toBe(false);
  });

  it('does not page a low-traffic service on one error', () => {
    const { tracker } = setup();
    const slo = tracker.defineSLO(createSLODefinition('Low', 99.9, 30));
    tracker.recordEvent(slo.sloId, false);
    const r = tracker.getSLOStatus(slo.sloId);
    expect(r.burnRate).toBe(1000);
    expect(r.alerting.page).toBe(false);
  });

  it('emits slo/status and slo/burn-rate on changes only', () => {
    const { tracker, clock, events } = setup();
    const slo = tracker.defineSLO(createSLODefinition('Ev', 99.9, 30));
    tracker.evaluate();
    expect(events).toEqual([]);
    for (let m = 0; m < 61; m++) {
      tracker.recordEvents(slo.sloId, 80, 100);
      clock.advance(MIN);
    }
    tracker.evaluate();
    tracker.evaluate();
    const types = events.map((e) => e.type + ':' + ('severity' in e ? e.severity : 'status' in e ? e.status : ''));
    expect(types).toEqual(['slo/status:breached', 'slo/burn-rate:page', 'slo/burn-rate:ticket']);
    const page = events[1];
    expect(page).toMatchObject({
      type: 'slo/burn-rate',
      sloId: slo.sloId,
      active: true,
      source: 'slo',
      ts: clock.now(),
    });
    if (page?.type === 'slo/burn-rate') expect(page.conditions.map((c) => c.longWindow)).toEqual(['1h', '6h']);
    // traffic recovers for 4 days: conditions stop
    events.length = 0;
    for (let h = 0; h < 96; h++) {
      tracker.recordEvents(slo.sloId, 100_000, 100_000);
      clock.advance(HOUR);
    }
    tracker.evaluate();
    expect(
      events
        .filter((e) => e.type === 'slo/burn-rate')
        .map((e) => (e.type === 'slo/burn-rate' ? [e.severity, e.active] : [])),
    ).toEqual([
      ['page', false],
      ['ticket', false],
    ]);
  });

  it('narrows events with ofType', () => {
    const { tracker } = setup();
    const seen: string[] = [];
    tracker.events$.pipe(ofType('slo/burn-rate')).subscribe((e) => {
      expectTypeOf(e.severity).toEqualTypeOf<'page' | 'ticket'>();
      seen.push(e.severity);
    });
    tracker.events$.pipe(ofType('slo/status')).subscribe((e) => {
      expectTypeOf(e.status).toEqualTypeOf<SLOStatus>();
      seen.push(e.status);
    });
    const slo = tracker.defineSLO(createSLODefinition('Narrow', 99, 30));
    tracker.recordEvents(slo.sloId, 0, 100);
    tracker.evaluate();
    expect(seen).toEqual(['breached', 'page', 'ticket']);
  });

  it('runs in virtual time with a TestScheduler (marbles)', () => {
    const testScheduler = new TestScheduler((a, e) => expect(a).toEqual(e));
    testScheduler.run(({ hot, expectObservable }) => {
      const tracker = createSLOTracker({
        clock: { now: () => T0 + testScheduler.now() },
        scheduler: testScheduler,
        evaluationIntervalMs: 1000,
      });
      const slo = tracker.defineSLO(createSLODefinition('Marbles', 99, 30));
      const outcomes = hot<SLOOutcome>('-a 1499ms b', {
        a: { good: 0, total: 100 },
        b: { good: 1_000_000, total: 1_000_000 },
      });
      tracker.track(slo.sloId, outcomes);
      tracker.start();
      testScheduler.schedule(() => tracker.stop(), 3500);
      const types = tracker.events$.pipe(
        map((e) =>
          e.type === 'slo/burn-rate' ? `${e.severity}:${e.active}` : e.type === 'slo/status' ? e.status : e.type,
        ),
      );
      // breached at the first tick; a million good events at 1501 ms dilute every window far below 1%: met, conditions stop
      expectObservable(types, '^ 2500ms !').toBe('1000ms (abc) 995ms (def)', {
        a: 'breached',
        b: 'page:true',
        c: 'ticket:true',
        d: 'met',
        e: 'page:false',
        f: 'ticket:false',
      });
    });
  });

  it('evaluates periodically on the injected scheduler', () => {
    const scheduler = new VirtualTimeScheduler(VirtualAction, 35_000);
    const { tracker, clock, events } = setup({ scheduler, evaluationIntervalMs: 10_000 });
    const slo = tracker.defineSLO(createSLODefinition('Tick', 99, 30));
    tracker.recordEvent(slo.sloId, false);
    clock.advance(1);
    tracker.start();
    tracker.start(); // idempotent
    expect(tracker.running).toBe(true);
    scheduler.flush();
    expect(events.filter((e) => e.type === 'slo/status')).toHaveLength(1);
    tracker.stop();
    expect(tracker.running).toBe(false);
  });
});

describe('burn rate property', () => {
  test.prop([
    fc.constantFrom(90, 99, 99.5, 99.9, 99.95),
    fc.integer({ min: 0, max: 100 }),
    fc.integer({ min: 1, max: 50 }),
  ])('a constant error ratio r burns at r / (1 - target) in every full window', (target, badPerMille, perMinute) => {
    const { tracker, clock } = setup();
    const slo = tracker.defineSLO(createSLODefinition('Const', target, 30));
    // 3 days + 1 minute of steady traffic fills every burn window
    for (let m = 0; m <= 3 * 1440; m++) {
      tracker.recordEvents(slo.sloId, (1000 - badPerMille) * perMinute, 1000 * perMinute);
      clock.advance(MIN);
    }
    const r = tracker.getSLOStatus(slo.sloId);
    const expected = badPerMille / 1000 / (1 - target / 100);
    for (const w of ['30m', '1h', '2h', '6h', '1d', '3d'] as const) {
      expect(Math.abs(r.burnRates[w] - expected)).toBeLessThanOrEqual(1e-9 * Math.max(1, expected));
    }
  });
});

describe('track() and recorders', () => {
  it('consumes booleans and counts, drops bad outcomes as events', () => {
    const { tracker, events } = setup();
    const slo = tracker.defineSLO(createSLODefinition('Stream', 99, 30));
    const outcomes = new Subject<SLOOutcome>();
    const sub = tracker.track(slo.sloId, outcomes);
    outcomes.next(true);
    outcomes.next(false);
    outcomes.next({ good: 8, total: 8 });
    outcomes.next('x' as never);
    outcomes.next({ good: 3, total: 1 });
    outcomes.next(null as never);
    const r = tracker.getSLOStatus(slo.sloId);
    expect([r.good, r.total]).toEqual([9, 10]);
    expect(tracker.stats().droppedOutcomes).toBe(3);
    expect(events.filter((e) => e.type === 'slo/error')).toHaveLength(3);
    outcomes.error(new Error('boom'));
    expect(events.at(-1)).toMatchObject({ type: 'slo/error', operation: 'track', message: 'boom' });
    expect(sub.closed).toBe(true);
  });

  it('consumes a synchronous stream and releases it on complete', () => {
    const { tracker } = setup();
    const slo = tracker.defineSLO(createSLODefinition('Sync', 99, 30));
    const sub = tracker.track(slo.sloId, of<SLOOutcome[]>(true, false, { good: 2, total: 3, timestamp: T0 - MIN }));
    expect(sub.closed).toBe(true);
    expect(tracker.getSLOStatus(slo.sloId)).toMatchObject({ good: 3, total: 5 });
  });

  it('stops counting for a removed SLO and on unsubscribe', () => {
    const { tracker } = setup();
    const slo = tracker.defineSLO(createSLODefinition('Gone', 99, 30));
    const outcomes = new Subject<SLOOutcome>();
    const rec = tracker.recorder(slo.sloId);
    tracker.track(slo.sloId, outcomes);
    tracker.removeSLO(slo.sloId);
    outcomes.next(true);
    expect(tracker.stats().droppedOutcomes).toBe(1);
    expect(() => rec.good()).toThrow(UnknownSLOError);
    expect(() => rec.record(true)).toThrow(UnknownSLOError);
    tracker.dispose();
    expect(outcomes.observed).toBe(false);
  });

  it('places timestamped counts in older buckets and treats future ones as now', () => {
    const { tracker, clock } = setup();
    const slo = tracker.defineSLO(createSLODefinition('Late', 99, 1));
    tracker.recordEvents(slo.sloId, 0, 5, T0 - 2 * HOUR);
    tracker.recordEvents(slo.sloId, 0, 5, T0 - 2 * DAY); // older than the 1-day window, still within the 3-day ring
    tracker.recordEvents(slo.sloId, 5, 5, T0 + DAY); // future: now
    let r = tracker.getSLOStatus(slo.sloId);
    expect([r.good, r.total]).toEqual([5, 10]);
    expect(r.burnRates['3d']).toBeCloseTo(10 / 15 / 0.01, 9);
    expect(r.burnRates['1h']).toBe(0);
    clock.advance(22 * HOUR - MIN);
    r = tracker.getSLOStatus(slo.sloId);
    expect(r.total).toBe(10);
    clock.advance(2 * MIN);
    expect(tracker.getSLOStatus(slo.sloId).total).toBe(5);
    tracker.recordEvents(slo.sloId, 1, 1, T0 - 10 * DAY);
    expect(tracker.stats().droppedLate).toBe(1);
  });

  it('survives a clock that goes backwards', () => {
    const { tracker, clock } = setup();
    const slo = tracker.defineSLO(createSLODefinition('Back', 99, 30));
    clock.advance(10 * MIN);
    tracker.recordEvent(slo.sloId, true);
    clock.set(T0 + MIN);
    tracker.recordEvent(slo.sloId, false);
    const r = tracker.getSLOStatus(slo.sloId);
    expect([r.good, r.total]).toEqual([1, 2]);
  });

  test.prop([
    fc.array(
      fc.record({
        advance: fc.integer({ min: 0, max: 3 * HOUR }),
        back: fc.integer({ min: 0, max: 4 * DAY }),
        good: fc.integer({ min: 0, max: 3 }),
        bad: fc.integer({ min: 0, max: 3 }),
      }),
      {
        maxLength: 60,
      },
    ),
  ])('window totals and burn rates agree with brute force over random timestamps', (steps) => {
    const { tracker, clock } = setup();
    const slo = tracker.defineSLO(createSLODefinition('Prop', 99, 1));
    const kept: Array<{ bucket: number; good: number; total: number }> = [];
    for (const s of steps) {
      clock.advance(s.advance);
      const ts = clock.now() - s.back;
      const headBucket = Math.floor(clock.now() / MIN);
      if (Math.floor(ts / MIN) > headBucket - 3 * 1440)
        kept.push({ bucket: Math.floor(ts / MIN), good: s.good, total: s.good + s.bad });
      tracker.recordEvents(slo.sloId, s.good, s.good + s.bad, ts);
    }
    const r = tracker.getSLOStatus(slo.sloId);
    const head = Math.floor(clock.now() / MIN);
    const sum = (len: number) =>
      kept
        .filter((k) => k.bucket > head - len && k.bucket <= head)
        .reduce((a, k) => ({ good: a.good + k.good, total: a.total + k.total }), { good: 0, total: 0 });
    const day = sum(1440);
    expect([r.good, r.total]).toEqual([day.good, day.total]);
    const hour = sum(60);
    expect(r.burnRate).toBeCloseTo(hour.total ? (hour.total - hour.good) / hour.total / 0.01 : 0, 9);
  });
});

describe('budgeting methods and calendar windows', () => {
  it('counts good time slices for timeslices', () => {
    const { tracker, clock } = setup();
    const slo = tracker.defineSLO(
      createSLODefinition('Slices', 90, 1, '', { budgetingMethod: BudgetingMethod.TIMESLICES, timeSliceTarget: 95 }),
    );
    const perMinute: Array<[number, number]> = [
      [100, 100],
      [94, 100], // bad slice
      [95, 100], // good: exactly at slice target
      [0, 0], // empty: not counted
      [1, 1],
    ];
    for (const [good, total] of perMinute) {
      if (total) tracker.recordEvents(slo.sloId, good, total);
      clock.advance(MIN);
    }
    const r = tracker.getSLOStatus(slo.sloId);
    expect(r.budgetingMethod).toBe('timeslices');
    expect([r.good, r.total]).toEqual([3, 4]);
    expect(r.currentValue).toBe(75);
    expect([r.goodEvents, r.totalEvents]).toEqual([290, 301]);
    expect(r.status).toBe(SLOStatus.BREACHED);
  });

  it('supports larger time slices', () => {
    const { tracker, clock } = setup();
    const slo = tracker.defineSLO(
      createSLODefinition('Big slices', 50, 1, '', {
        budgetingMethod: 'timeslices',
        timeSliceTarget: 100,
        timeSliceWindowMs: 10 * MIN,
      }),
    );
    tracker.recordEvents(slo.sloId, 1, 1);
    clock.advance(10 * MIN);
    tracker.recordEvents(slo.sloId, 0, 1);
    expect(tracker.getSLOStatus(slo.sloId)).toMatchObject({ good: 1, total: 2, currentValue: 50 });
  });

  it('resets a calendar month at local midnight across DST', () => {
    const clock = new ManualClock(Date.UTC(2026, 9, 31, 22, 30)); // 23:30 CET on Oct 31 (DST ended Oct 25)
    const tracker = createSLOTracker({ clock });
    const slo = tracker.defineSLO(
      createSLODefinition('Monthly', 99, undefined, '', { calendar: { unit: 'month', timeZone: 'Europe/Berlin' } }),
    );
    expect(slo.windowDays).toBe(31);
    tracker.recordEvents(slo.sloId, 0, 10);
    let r = tracker.getSLOStatus(slo.sloId);
    expect(r.windowStart).toBe(Date.UTC(2026, 8, 30, 22, 0)); // Oct 1 00:00 CEST
    expect(r.total).toBe(10);
    clock.advance(29 * MIN); // 23:59 local
    expect(tracker.getSLOStatus(slo.sloId).total).toBe(10);
    clock.advance(MIN); // Nov 1 00:00 CET
    r = tracker.getSLOStatus(slo.sloId);
    expect(r.windowStart).toBe(Date.UTC(2026, 9, 31, 23, 0));
    expect(r.noData).toBe(true);
    expect(r.burnRates['1h']).toBeGreaterThan(0); // burn windows stay rolling
  });

  it('uses ISO weeks for calendar weeks', () => {
    const clock = new ManualClock(Date.UTC(2026, 10, 29, 8)); // Sunday
    const tracker = createSLOTracker({ clock });
    const slo = tracker.defineSLO(
      createSLODefinition('Weekly', 99, undefined, '', { calendar: { unit: 'week', timeZone: 'America/New_York' } }),
    );
    expect(tracker.getSLOStatus(slo.sloId).windowStart).toBe(Date.UTC(2026, 10, 23, 5)); // Monday 00:00 EST
  });
});

describe('snapshot and restore', () => {
  function populated() {
    const ctx = setup();
    const a = ctx.tracker.defineSLO(
      createSLODefinition('Alpha', 99.9, 30, 'http_requests', { labels: { team: 'core', __proto__: 'x' } as never }),
    );
    const b = ctx.tracker.defineSLO(
      createSLODefinition('Beta', 95, 7, '', {
        budgetingMethod: 'timeslices',
        calendar: { unit: 'week', timeZone: 'Asia/Tokyo' },
      }),
    );
    for (let m = 0; m < 200; m++) {
      ctx.tracker.recordEvents(a.sloId, 99, 100);
      ctx.tracker.recordEvents(b.sloId, m % 7 ? 10 : 1, 10);
      ctx.clock.advance(MIN * 13);
    }
    ctx.tracker.evaluate();
    return { ...ctx, a, b };
  }

  it('round-trips through JSON', () => {
    const { tracker, clock, a, b } = populated();
    const json = JSON.parse(JSON.stringify(tracker.snapshot())) as unknown;
    const copy = createSLOTracker({ clock });
    copy.restore(json);
    for (const id of [a.sloId, b.sloId]) expect(copy.getSLOStatus(id)).toEqual(tracker.getSLOStatus(id));
    expect(copy.listSLOs()).toEqual(tracker.listSLOs());
    expect(Object.getPrototypeOf({})).toBe(Object.prototype);
    // a restart later: the window rolls on
    clock.advance(40 * DAY);
    expect(copy.getSLOStatus(a.sloId).noData).toBe(true);
  });

  it('stays compact: only non-empty buckets', () => {
    const { tracker } = populated();
    const snap = tracker.snapshot();
    expect(snap.slos[0]!.buckets.length).toBeLessThanOrEqual(3 * 201);
  });

  it('rejects bad snapshots and leaves state untouched', () => {
    const { tracker, a } = populated();
    const before = tracker.getSLOStatus(a.sloId);
    const good = JSON.parse(JSON.stringify(tracker.snapshot())) as { slos: Array<Record<string, unknown>> };
    const variants: unknown[] = [
      null,
      [],
      { ...good, version: 2 },
      { ...good, slos: 'x' },
      { ...good, slos: [{ ...good.slos[0], head: 1.5 }] },
      { ...good, slos: [{ ...good.slos[0], bucketMs: 1000 }] },
      { ...good, slos: [{ ...good.slos[0], buckets: [0, 1] }] },
      { ...good, slos: [{ ...good.slos[0], buckets: [5, 1, 1, 5, 1, 1] }] },
      { ...good, slos: [{ ...good.slos[0], buckets: [0, 1, -1] }] },
      { ...good, slos: [{ ...good.slos[0], buckets: [999_999_999, 1, 1] }] },
      { ...good, slos: [{ ...good.slos[0], status: 'fine' }] },
      { ...good, slos: [{ ...good.slos[0], definition: { ...(good.slos[0]!['definition'] as object), target: 100 } }] },
      { ...good, slos: [good.slos[0], good.slos[0]] },
      { ...good, slos: [{ ...good.slos[0], head: (good.slos[0]!['head'] as number) + 24 * 60 }] },
    ];
    for (const v of variants) expect(() => tracker.restore(v)).toThrow(SLOSnapshotError);
    expect(tracker.getSLOStatus(a.sloId)).toEqual(before);
  });

  test.prop([fc.jsonValue()])('never throws anything but SLOSnapshotError on random input', (value) => {
    const { tracker } = setup();
    try {
      tracker.restore(value);
    } catch (error) {
      expect(error).toBeInstanceOf(SLOSnapshotError);
    }
  });
});
