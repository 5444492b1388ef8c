import { describe, expect, it } from 'vitest';
import { TestScheduler } from 'rxjs/testing';
import { interval, map, take } from 'rxjs';
import { ManualClock } from '@obs/core';
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
        map((i): PointLike => ({ name: 'latency', value: values[i]!, timestamp: (i + 1) * 1000, labels: { host: 'a' } })),
      );
      const found$ = detector.watch(points$).pipe(map((a) => `${a.anomalyType}@${a.timestamp}`));
      // The spike (emitted at 151 s) is confirmed by the next point, at 152 s.
      expectObservable(found$).toBe('152s a 47999ms |', { a: 'spike@151000' });
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
