import { test, fc } from '@fast-check/vitest';
import { Subject, map, queueScheduler, VirtualTimeScheduler } from 'rxjs';
import { describe, expect, it } from 'vitest';
import { EventDelivery } from './EventDelivery';
import { RingQueue } from './RingQueue';

interface Ev {
  type: string;
  n?: number;
}

function setup(capacity = 100, scheduler = new VirtualTimeScheduler()) {
  const source = new Subject<Ev>();
  const delivery = new EventDelivery<Ev>({
    source,
    scheduler,
    capacity,
    batchBudgetMs: 1e9,
    subscriberErrorEvent: (error, event) =>
      event?.type === 'subscriber-error' ? undefined : { type: 'subscriber-error' },
    droppedEvent: (count) => ({ type: 'dropped', n: count }),
  });
  return { source, delivery, scheduler };
}

describe('RingQueue', () => {
  test.prop([fc.array(fc.integer()), fc.integer({ min: 1, max: 8 })])(
    'keeps the newest `capacity` items in order',
    (items, capacity) => {
      const queue = new RingQueue<number>(capacity);
      let dropped = 0;
      for (const item of items) if (queue.push(item)) dropped++;
      expect(queue.toArray()).toEqual(items.slice(Math.max(0, items.length - capacity)));
      expect(dropped).toBe(Math.max(0, items.length - capacity));
      const shifted: number[] = [];
      while (queue.size > 0) shifted.push(queue.shift() as number);
      expect(shifted).toEqual(items.slice(Math.max(0, items.length - capacity)));
      expect(queue.shift()).toBeUndefined();
    },
  );
});

describe('EventDelivery', () => {
  it('delivers asynchronously, in order, and never inside the producer call', () => {
    const { source, delivery, scheduler } = setup();
    const seen: number[] = [];
    delivery.events$.subscribe((e) => seen.push(e.n ?? -1));
    source.next({ type: 'x', n: 1 });
    source.next({ type: 'x', n: 2 });
    expect(seen).toEqual([]);
    scheduler.flush();
    expect(seen).toEqual([1, 2]);
    expect(delivery.stats()).toMatchObject({ delivered: 2, dropped: 0, subscribers: 1 });
  });

  it('subscribes upstream only while someone listens', () => {
    const { source, delivery } = setup();
    expect(source.observed).toBe(false);
    const sub = delivery.events$.subscribe(() => undefined);
    expect(source.observed).toBe(true);
    sub.unsubscribe();
    expect(source.observed).toBe(false);
  });

  it('isolates a throwing subscriber from the producer and from the others', () => {
    const { source, delivery, scheduler } = setup();
    const good: string[] = [];
    delivery.events$.subscribe(() => {
      throw new Error('boom');
    });
    delivery.events$.subscribe((e) => good.push(e.type));
    expect(() => source.next({ type: 'x' })).not.toThrow();
    scheduler.flush();
    // the error is announced once (not again for the announcement itself)
    expect(good).toEqual(['x', 'subscriber-error']);
    expect(delivery.stats().subscriberErrors).toBe(2);
  });

  it('catches errors of piped subscribers and of operators in the chain', () => {
    const { source, delivery, scheduler } = setup();
    const good: string[] = [];
    let completed = false;
    delivery.events$.pipe(map((e) => e.type)).subscribe(() => {
      throw new Error('in subscriber');
    });
    delivery.events$
      .pipe(
        map((e) => {
          if (e.n === 1) throw new Error('in operator');
          return e;
        }),
      )
      .subscribe({ complete: () => (completed = true) });
    delivery.events$.subscribe((e) => good.push(e.type));
    source.next({ type: 'x', n: 1 });
    scheduler.flush();
    expect(good[0]).toBe('x');
    expect(good.filter((t) => t === 'subscriber-error').length).toBeGreaterThanOrEqual(2);
    expect(completed).toBe(false);
  });

  it('drops the oldest events when subscribers fall behind, and says so', () => {
    const { source, delivery, scheduler } = setup(3);
    const seen: Ev[] = [];
    delivery.events$.subscribe((e) => seen.push(e));
    for (let n = 1; n <= 5; n++) source.next({ type: 'x', n });
    scheduler.flush();
    expect(seen).toEqual([
      { type: 'dropped', n: 2 },
      { type: 'x', n: 3 },
      { type: 'x', n: 4 },
      { type: 'x', n: 5 },
    ]);
    expect(delivery.stats().dropped).toBe(2);
  });

  it('flushes pending events on complete, then completes every subscriber and late ones', () => {
    const { source, delivery } = setup();
    const seen: number[] = [];
    let done = 0;
    delivery.events$.subscribe({ next: (e) => seen.push(e.n ?? 0), complete: () => done++ });
    source.next({ type: 'x', n: 7 });
    delivery.complete();
    expect(seen).toEqual([7]);
    expect(done).toBe(1);
    delivery.events$.subscribe({ complete: () => done++ });
    expect(done).toBe(2);
    expect(source.observed).toBe(false);
  });

  it('works with a synchronous scheduler too', () => {
    const { source, delivery } = setup(10, queueScheduler as unknown as VirtualTimeScheduler);
    const seen: number[] = [];
    delivery.events$.subscribe((e) => seen.push(e.n ?? 0));
    source.next({ type: 'x', n: 1 });
    expect(seen).toEqual([1]);
  });
});
