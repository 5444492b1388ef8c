import { ManualClock } from '@obs/core';
import { fc, test } from '@fast-check/vitest';
import { of } from 'rxjs';
import { describe, expect, it } from 'vitest';
import { SLOSnapshotError, SLOValidationError } from './errors';
import type { SLOEvent } from './events';
import { ratioSli } from './operators/ratioSli';
import { createSLODefinition } from './SLODefinition';
import { SLOStatus } from './SLOStatus';
import { createSLOTracker } from './SLOTracker';

const MIN = 60_000;
const T0 = Date.UTC(2026, 10, 1, 12, 0, 0);

function setup(config: Parameters<typeof createSLOTracker>[0] = {}) {
  const clock = new ManualClock(T0);
  const tracker = createSLOTracker({ clock, ...config });
  const events: SLOEvent[] = [];
  tracker.events$.subscribe((e) => events.push(e));
  const slo = tracker.defineSLO(createSLODefinition('Checkout', 99, 30, '', { groupBy: ['route'] }));
  return { clock, tracker, events, slo };
}

describe('SLOs grouped by label', () => {
  it('keeps one budget, burn rate and status per label value, and the SLO as a whole', () => {
    const { tracker, slo } = setup();
    for (let i = 0; i < 100; i++) tracker.recordEvent(slo.sloId, true, { route: '/home', method: 'GET' });
    for (let i = 0; i < 100; i++) tracker.recordEvent(slo.sloId, i >= 10, { route: '/pay' });

    const whole = tracker.getSLOStatus(slo.sloId);
    expect(whole.totalEvents).toBe(200);
    expect(whole.goodEvents).toBe(190);
    expect(whole.labels).toBeUndefined();
    expect(whole.groups?.map((g) => [g.labels, g.totalEvents, g.goodEvents, g.status])).toEqual([
      [{ route: '/home' }, 100, 100, SLOStatus.MET],
      [{ route: '/pay' }, 100, 90, SLOStatus.BREACHED],
    ]);
    const pay = tracker.getSLOStatus(slo.sloId, { route: '/pay' });
    expect(pay.currentValue).toBe(90);
    expect(pay.errorBudgetRemaining).toBeCloseTo(100 * (1 - 0.1 / 0.01), 9);
    expect(pay.burnRates['5m']).toBeCloseTo(10, 9);
    // an unseen group is a no-data result, and asking does not create it
    expect(tracker.getSLOStatus(slo.sloId, { route: '/never' })).toMatchObject({
      noData: true,
      status: 'met',
      labels: { route: '/never' },
    });
    expect(tracker.getSLOStatus(slo.sloId).groups).toHaveLength(2);
  });

  it('emits status and burn-rate events per group, with its labels', () => {
    const { tracker, events, slo } = setup();
    for (let i = 0; i < 100; i++) tracker.recordEvent(slo.sloId, true, { route: '/home' });
    for (let i = 0; i < 100; i++) tracker.recordEvent(slo.sloId, i >= 50, { route: '/pay' });
    tracker.evaluate();
    const statuses = events
      .filter((e) => e.type === 'slo/status')
      .map((e) => [e.type === 'slo/status' && e.labels, e.type === 'slo/status' && e.status]);
    expect(statuses).toEqual([
      [undefined, 'breached'],
      [{ route: '/pay' }, 'breached'],
    ]);
    const pages = events.filter((e) => e.type === 'slo/burn-rate' && e.severity === 'page');
    expect(pages.map((e) => e.type === 'slo/burn-rate' && e.labels)).toEqual([undefined, { route: '/pay' }]);
  });

  it('bounds the number of groups; overflowing events still count for the whole SLO', () => {
    const { tracker, slo } = setup({ limits: { maxGroupsPerSLO: 3 } });
    for (let i = 0; i < 10; i++) tracker.recordEvent(slo.sloId, true, { route: `/r${i}` });
    const r = tracker.getSLOStatus(slo.sloId);
    expect(r.groups).toHaveLength(3);
    expect(r.totalEvents).toBe(10);
    expect(tracker.stats().groupOverflow).toBe(7);
    const rec = tracker.recorder(slo.sloId, { route: '/r9' });
    rec.bad();
    expect(tracker.getSLOStatus(slo.sloId).totalEvents).toBe(11);
    expect(tracker.stats().groupOverflow).toBe(9); // one at bind time, one per event
  });

  it('refuses bad label values with a typed error and records nothing', () => {
    const { tracker, slo } = setup();
    expect(() => tracker.recordEvent(slo.sloId, true, { route: 5 as never })).toThrow(SLOValidationError);
    expect(() => tracker.recordEvent(slo.sloId, true, { route: 'x'.repeat(2000) })).toThrow(SLOValidationError);
    expect(() => tracker.recordEvent(slo.sloId, true, 'route' as never)).toThrow(SLOValidationError);
    expect(tracker.getSLOStatus(slo.sloId).totalEvents).toBe(0);
    // a missing label is the empty value, as in PromQL's sum by
    tracker.recordEvent(slo.sloId, true);
    expect(tracker.getSLOStatus(slo.sloId).groups?.[0]?.labels).toEqual({ route: '' });
  });

  it('feeds groups from ratioSli counters with labels', () => {
    const { tracker, slo } = setup();
    const points = [
      { name: 'req_total', value: 10, metricType: 'counter', timestamp: T0, labels: { route: '/a' } },
      { name: 'req_ok', value: 10, metricType: 'counter', timestamp: T0, labels: { route: '/a' } },
      { name: 'req_total', value: 10, metricType: 'counter', timestamp: T0, labels: { route: '/b' } },
      { name: 'req_ok', value: 5, metricType: 'counter', timestamp: T0, labels: { route: '/b' } },
    ];
    tracker.track(slo.sloId, of(...points).pipe(ratioSli({ good: 'req_ok', total: 'req_total' })));
    expect(tracker.getSLOStatus(slo.sloId, { route: '/a' }).currentValue).toBe(100);
    expect(tracker.getSLOStatus(slo.sloId, { route: '/b' }).currentValue).toBe(50);
    expect(tracker.getSLOStatus(slo.sloId).currentValue).toBe(75);
  });

  it('snapshots and restores groups and budget histories', () => {
    const { tracker, clock, slo } = setup({ evaluationIntervalMs: MIN });
    for (let m = 0; m < 5; m++) {
      tracker.recordEvent(slo.sloId, m !== 3, { route: '/pay' });
      tracker.recordEvent(slo.sloId, true, { route: '/home' });
      tracker.evaluate();
      clock.advance(MIN);
    }
    const snap = JSON.parse(JSON.stringify(tracker.snapshot())) as unknown;
    const other = createSLOTracker({ clock, evaluationIntervalMs: MIN });
    other.restore(snap);
    expect(other.getSLOStatus(slo.sloId)).toEqual(tracker.getSLOStatus(slo.sloId));
    expect(other.getBudgetHistory(slo.sloId, { route: '/pay' })).toEqual(
      tracker.getBudgetHistory(slo.sloId, { route: '/pay' }),
    );
    expect(other.getBudgetHistory(slo.sloId, { route: '/pay' }).samples).toHaveLength(5);

    const bad = JSON.parse(JSON.stringify(snap)) as { slos: { groups: { labels: unknown }[] }[] };
    bad.slos[0]!.groups[0]!.labels = { other: 'x' };
    expect(() => other.restore(bad)).toThrow(SLOSnapshotError);
    expect(other.getSLOStatus(slo.sloId).groups).toHaveLength(2); // unchanged
  });

  test.prop([fc.array(fc.tuple(fc.constantFrom('/a', '/b', '/c'), fc.boolean()), { maxLength: 300 })])(
    'the groups add up to the SLO as a whole',
    (events) => {
      const { tracker, slo } = setup();
      for (const [route, good] of events) tracker.recordEvent(slo.sloId, good, { route });
      const whole = tracker.getSLOStatus(slo.sloId);
      const groups = whole.groups ?? [];
      expect(groups.reduce((n, g) => n + g.totalEvents, 0)).toBe(whole.totalEvents);
      expect(groups.reduce((n, g) => n + g.goodEvents, 0)).toBe(whole.goodEvents);
      for (const g of groups) {
        const mine = events.filter(([route]) => route === g.labels?.['route']);
        expect(g.totalEvents).toBe(mine.length);
        expect(g.goodEvents).toBe(mine.filter(([, good]) => good).length);
      }
    },
  );
});

describe('budget history', () => {
  it('samples the remaining budget on evaluate, for a burn-down chart', () => {
    const clock = new ManualClock(T0);
    const tracker = createSLOTracker({ clock, evaluationIntervalMs: MIN });
    const slo = tracker.defineSLO(createSLODefinition('Api', 99, 30));
    for (let m = 0; m < 10; m++) {
      for (let i = 0; i < 1000; i++) tracker.recordEvent(slo.sloId, i !== 0); // 0.1% bad: 10% of the budget
      tracker.evaluate();
      clock.advance(MIN);
    }
    const history = tracker.getBudgetHistory(slo.sloId);
    expect(history.samples.map((s) => s.timestamp)).toEqual(Array.from({ length: 10 }, (_, m) => T0 + m * MIN));
    for (const s of history.samples) expect(s.errorBudgetRemaining).toBeCloseTo(90, 9);
    expect(tracker.getBudgetHistory(slo.sloId, { route: '/x' }).samples).toHaveLength(10); // ungrouped: labels ignored
  });
});
