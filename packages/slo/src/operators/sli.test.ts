import { ManualClock } from '@obs/core';
import { type Observable, of, Subject } from 'rxjs';
import { TestScheduler } from 'rxjs/testing';
import { describe, expect, it } from 'vitest';
import { SLOValidationError } from '../errors';
import { createSLODefinition } from '../SLODefinition';
import { createSLOTracker } from '../SLOTracker';
import { latencySli } from './latencySli';
import type { MetricPointLike } from './MetricPointLike';
import { ratioSli } from './ratioSli';

const point = (name: string, value: number, timestamp = 0, labels: Record<string, string> = {}): MetricPointLike => ({
  name,
  value,
  metricType: 'counter',
  timestamp,
  labels,
});

describe('ratioSli', () => {
  it('turns cumulative good/total counters into deltas (marbles)', () => {
    new TestScheduler((a, e) => expect(a).toEqual(e)).run(({ cold, expectObservable, expectSubscriptions }) => {
      const src = cold('a-b-c-d-e-f|', {
        a: point('req_total', 10, 1),
        b: point('req_ok', 9, 1),
        c: point('other', 5, 2),
        d: point('req_total', 15, 3),
        e: point('req_ok', 3, 3), // reset: counts 3
        f: point('req_total', 15, 4), // no change: nothing
      });
      expectObservable(src.pipe(ratioSli({ good: 'req_ok', total: 'req_total' }))).toBe('a-b---d-e--|', {
        a: { kind: 'delta', good: 0, total: 10, timestamp: 1, labels: {} },
        b: { kind: 'delta', good: 9, total: 0, timestamp: 1, labels: {} },
        d: { kind: 'delta', good: 0, total: 5, timestamp: 3, labels: {} },
        e: { kind: 'delta', good: 3, total: 0, timestamp: 3, labels: {} },
      });
      expectSubscriptions(src.subscriptions).toBe('^----------!');
    });
  });

  it('supports bad counters, label matchers, delta mode and baselines', () => {
    const seen: unknown[] = [];
    of(
      point('errors', 2, 5, { job: 'api' }),
      point('total', 10, 5, { job: 'api' }),
      point('total', 99, 5, { job: 'web' }),
    )
      .pipe(ratioSli({ bad: 'errors', total: 'total', labels: { job: 'api' }, mode: 'delta' }))
      .subscribe((v) => seen.push(v));
    expect(seen).toEqual([
      { kind: 'delta', good: -2, total: 0, timestamp: 5, labels: { job: 'api' } },
      { kind: 'delta', good: 10, total: 10, timestamp: 5, labels: { job: 'api' } },
    ]);
    const base: unknown[] = [];
    of(point('t', 100), point('g', 90), point('t', 110), point('g', 99))
      .pipe(ratioSli({ good: 'g', total: 't', firstPoint: 'baseline' }))
      .subscribe((v) => base.push(v));
    expect(base).toEqual([
      { kind: 'delta', good: 0, total: 10, timestamp: 0, labels: {} },
      { kind: 'delta', good: 9, total: 0, timestamp: 0, labels: {} },
    ]);
  });

  it('feeds a tracker exactly once both counters arrived', () => {
    const clock = new ManualClock(1_000_000);
    const tracker = createSLOTracker({ clock });
    const slo = tracker.defineSLO(createSLODefinition('Ratio', 99, 30, 'req_total'));
    const points = new Subject<MetricPointLike>();
    tracker.track(slo.sloId, points.pipe(ratioSli({ bad: 'req_err', total: 'req_total' })));
    points.next(point('req_total', 100, clock.now()));
    points.next(point('req_err', 3, clock.now()));
    points.next(point('req_err', 4, clock.now())); // error before its total
    points.next(point('req_total', 101, clock.now()));
    const r = tracker.getSLOStatus(slo.sloId);
    expect([r.good, r.total]).toEqual([97, 101]);
    expect(tracker.stats().droppedOutcomes).toBe(0);
  });

  it('rejects bad configs', () => {
    for (const config of [
      {},
      { total: 't' },
      { total: 't', good: 'g', bad: 'b' },
      { total: 't', good: 't' },
      { total: '', good: 'g' },
      { total: 't', good: 'g', mode: 'x' },
      { total: 't', good: 'g', maxSeries: 0 },
      null,
    ]) {
      expect(() => ratioSli(config as never)).toThrow(SLOValidationError);
    }
  });

  it('ignores malformed points', () => {
    const seen: unknown[] = [];
    (
      of(
        null,
        { name: 't' },
        point('t', NaN),
        point('t', Infinity),
        { ...point('t', 1), labels: null },
        point('t', 1),
      ) as Observable<MetricPointLike>
    )
      .pipe(ratioSli({ good: 'g', total: 't' }))
      .subscribe((v) => seen.push(v));
    expect(seen).toEqual([{ kind: 'delta', good: 0, total: 1, timestamp: 0 }]); // null labels count as no labels: the last point is no change
  });
});

describe('latencySli', () => {
  it('marks observations at or under the threshold as good (marbles)', () => {
    new TestScheduler((a, e) => expect(a).toEqual(e)).run(({ cold, expectObservable }) => {
      const src = cold('a-b-c-d', {
        a: { ...point('lat', 100, 1), metricType: 'histogram' },
        b: { ...point('lat', 300, 2), metricType: 'histogram' },
        c: { ...point('lat', 300.5, 3), metricType: 'histogram' },
        d: { ...point('other', 1, 4), metricType: 'histogram' },
      });
      expectObservable(src.pipe(latencySli({ metric: 'lat', threshold: 300 })), '^----!').toBe('a-b-c', {
        a: { good: 1, total: 1, timestamp: 1, labels: {} },
        b: { good: 1, total: 1, timestamp: 2, labels: {} },
        c: { good: 0, total: 1, timestamp: 3, labels: {} },
      });
    });
  });

  it('rejects bad configs', () => {
    for (const config of [{}, { metric: 'x' }, { metric: 'x', threshold: NaN }, { metric: '', threshold: 1 }, null]) {
      expect(() => latencySli(config as never)).toThrow(SLOValidationError);
    }
  });
});
