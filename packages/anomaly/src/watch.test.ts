import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { TestScheduler } from 'rxjs/testing';
import { catchError, config, interval, map, of, take } from 'rxjs';
import { ManualClock, type Clock } from '@obs/core';
import { createAnomalyDetector } from './AnomalyDetector';
import type { PointLike } from './Anomaly';
import type { AnomalyEvent } from './events';
import { noisySeries } from './test-support/series';

const scheduler = () => new TestScheduler((actual, expected) => expect(actual).toEqual(expected));

describe('AnomalyDetector.watch', () => {
  it('turns a stream of points into anomalies, in virtual time', () => {
    const values = noisySeries(31, 200, 100, 4);
    values[150] = 180;
    scheduler().run(({ expectObservable }) => {
      const detector = createAnomalyDetector();
      // One point per virtual second; interval emits i at (i + 1) s.
      const points$ = interval(1000).pipe(
        take(200),
        map((i): PointLike => ({
          name: 'latency',
          value: values[i]!,
          timestamp: (i + 1) * 1000,
          labels: { host: 'a' },
        })),
      );
      const found$ = detector.watch(points$).pipe(map((a) => `${a.anomalyType}@${a.timestamp}`));
      // The spike is emitted by the point that carries it, at 151 s.
      expectObservable(found$).toBe('151s a 48999ms |', { a: 'spike@151000' });
    });
  });

  it('counts rejected points', () => {
    const detector = createAnomalyDetector({ clock: new ManualClock(7) });
    const events: AnomalyEvent[] = [];
    detector.events$.subscribe((e) => events.push(e));
    scheduler().run(({ cold, expectObservable }) => {
      const source = cold<PointLike>('a-b-c|', {
        a: { name: 'm', value: 1, timestamp: 0 },
        b: { name: '', value: 1 },
        c: { name: 'm', value: 2, timestamp: 1, labels: { 'bad label': 'v' } },
      });
      expectObservable(detector.watch(source)).toBe('-----|');
    });
    expect(detector.rejectedPoints).toBe(2);
    expect(events.map((e) => e.type)).toEqual(['anomaly/point-rejected', 'anomaly/point-rejected']);
    expect(events[0]).toMatchObject({ ts: 7, source: 'anomaly', code: 'INVALID_STRING' });
    expect(events[1]).toMatchObject({ code: 'INVALID_LABEL_NAME' });
    expect(detector.calculateBaseline('m')).toBeUndefined();
  });

  it('passes source errors through and unsubscribes from the source', () => {
    scheduler().run(({ cold, expectObservable, expectSubscriptions }) => {
      const detector = createAnomalyDetector();
      const failing = cold<PointLike>('a-#', { a: { name: 'm', value: 1, timestamp: 0 } }, new Error('boom'));
      expectObservable(detector.watch(failing)).toBe('--#', undefined, new Error('boom'));
      const endless = cold<PointLike>('a-a-a-a-a-', { a: { name: 'm', value: 1, timestamp: 0 } });
      expectObservable(detector.watch(endless), '^---!').toBe('-----');
      expectSubscriptions(endless.subscriptions).toBe('^---!');
    });
  });
});

describe('AnomalyDetector.watch never lets an error go unhandled', () => {
  // RxJS reports an error thrown inside an observer through config.onUnhandledError
  // (by default rethrown on a timer: a crash in Node). Catch those reports here.
  let unhandled: unknown[];
  let previous: typeof config.onUnhandledError;
  beforeEach(() => {
    unhandled = [];
    previous = config.onUnhandledError;
    config.onUnhandledError = (error) => unhandled.push(error);
  });
  afterEach(() => {
    config.onUnhandledError = previous;
  });

  it('rejects a point whose scoring throws a non-ObsError, counts it and goes on', () => {
    // A clock that fails once, on the second point without a timestamp.
    let calls = 0;
    const clock: Clock = {
      now: () => {
        if (++calls === 2) throw new TypeError('clock broke');
        return 1000 * calls;
      },
    };
    const detector = createAnomalyDetector({ clock });
    const events: AnomalyEvent[] = [];
    detector.events$.subscribe((e) => events.push(e));
    const hostile = {
      value: 1,
      get name(): string {
        throw new RangeError('hostile getter');
      },
    } as PointLike;
    scheduler().run(({ cold, expectObservable, flush }) => {
      const source = cold<PointLike>('a-b-c-d-e|', {
        a: { name: 'm', value: 1 },
        b: { name: 'm', value: 2 },
        c: hostile,
        d: { name: 'm', value: 3, labels: { 'bad label': 'v' } },
        e: { name: 'm', value: 4, timestamp: 9000 },
      });
      expectObservable(detector.watch(source)).toBe('---------|');
      flush();
    });
    expect(unhandled).toEqual([]);
    expect(detector.rejectedPoints).toBe(3);
    const rejected = events.filter((e) => e.type === 'anomaly/point-rejected');
    expect(rejected).toEqual([
      expect.objectContaining({ code: 'POINT_FAILED', reason: 'TypeError: clock broke', source: 'anomaly' }),
      expect.objectContaining({ code: 'POINT_FAILED', reason: 'RangeError: hostile getter' }),
      expect.objectContaining({ code: 'INVALID_LABEL_NAME' }),
    ]);
    // The points around the failures were learned: the stream went on.
    expect(detector.snapshot().series).toHaveLength(1);
    expect(detector.snapshot().series[0]!.model).toMatchObject({ n: 2 });
  });

  it('counts rejected points even when nobody observes events$', () => {
    const detector = createAnomalyDetector();
    scheduler().run(({ cold, expectObservable, flush }) => {
      const thrower = {
        get name(): string {
          throw 'not an error';
        },
      } as unknown as PointLike;
      expectObservable(detector.watch(cold<PointLike>('a-a|', { a: thrower }))).toBe('---|');
      flush();
    });
    expect(unhandled).toEqual([]);
    expect(detector.rejectedPoints).toBe(2);
  });

  it('forwards a source error to the subscriber, where catchError can handle it', () => {
    const detector = createAnomalyDetector();
    const boom = new Error('source failed');
    scheduler().run(({ cold, expectObservable, expectSubscriptions, flush }) => {
      const source = cold<PointLike>(
        'a-b-#',
        { a: { name: 'm', value: 1, timestamp: 0 }, b: { name: 'm', value: 2, timestamp: 1 } },
        boom,
      );
      const handled$ = detector.watch(source).pipe(
        map(() => 'anomaly'),
        catchError((error: unknown) => of(error === boom ? 'caught' : 'other')),
      );
      expectObservable(handled$).toBe('----(c|)', { c: 'caught' });
      expectSubscriptions(source.subscriptions).toBe('^---!');
      flush();
    });
    expect(unhandled).toEqual([]);
    expect(detector.rejectedPoints).toBe(0);
    expect(detector.snapshot().series[0]!.model).toMatchObject({ n: 2 });
  });
});
