import type { Observable, SchedulerLike, Subscriber, Subscription } from 'rxjs';
import { IsolatedObservable } from './IsolatedObservable';
import { RingQueue } from './RingQueue';
import type { DeliveryStats } from '../DeliveryStats';

export interface EventDeliveryOptions<E> {
  /** The upstream events; subscribed while at least one subscriber listens. */
  readonly source: Observable<E>;
  /** Where delivery runs: never inside the producer's call. */
  readonly scheduler: SchedulerLike;
  /** Events waiting for slow subscribers beyond this are dropped, oldest first. */
  readonly capacity: number;
  /** Longest a single delivery batch runs before yielding to the event loop, ms. */
  readonly batchBudgetMs: number;
  /** Builds the event announcing a subscriber error, or undefined to only count it. */
  readonly subscriberErrorEvent: (error: unknown, event: E | undefined) => E | undefined;
  /** Builds the event announcing that `count` events were dropped since the last one. */
  readonly droppedEvent: (count: number) => E;
}

/**
 * Delivers events to subscribers asynchronously through a bounded queue, so a
 * producer (`metrics.increment`) returns at once however slow a subscriber is,
 * and one that throws cannot disturb the producer or the other subscribers.
 * Events keep their order. Only `complete()` ends the stream.
 */
export class EventDelivery<E> {
  readonly events$: Observable<E>;
  private readonly sinks = new Set<Subscriber<E>>();
  private readonly queue: RingQueue<E>;
  private upstream: Subscription | undefined;
  private scheduled = false;
  private completed = false;
  private droppedSinceReport = 0;
  private delivering: E | undefined;
  private counters = { delivered: 0, dropped: 0, subscriberErrors: 0 };

  constructor(private readonly options: EventDeliveryOptions<E>) {
    this.queue = new RingQueue<E>(options.capacity);
    this.events$ = new IsolatedObservable<E>(
      (subscriber) => this.add(subscriber),
      (error) => this.onSubscriberError(error),
    );
  }

  get observed(): boolean {
    return this.sinks.size > 0;
  }

  stats(): DeliveryStats {
    return { ...this.counters, queued: this.queue.size, subscribers: this.sinks.size };
  }

  /** Queues an event for the current subscribers (ignored when nobody listens). */
  push(event: E): void {
    if (this.completed || this.sinks.size === 0) return;
    if (this.queue.push(event)) {
      this.counters.dropped++;
      this.droppedSinceReport++;
    }
    this.schedule();
  }

  /** Delivers whatever is queued, synchronously (used before completing). */
  flush(): void {
    this.drain(Number.POSITIVE_INFINITY);
  }

  /** Delivers what is queued, then completes every subscriber; later subscribers complete at once. */
  complete(): void {
    if (this.completed) return;
    this.flush();
    this.completed = true;
    this.upstream?.unsubscribe();
    this.upstream = undefined;
    for (const sink of [...this.sinks]) sink.complete();
    this.sinks.clear();
  }

  private add(subscriber: Subscriber<E>): () => void {
    if (this.completed) {
      subscriber.complete();
      return () => undefined;
    }
    this.sinks.add(subscriber);
    if (!this.upstream) this.upstream = this.options.source.subscribe({ next: (event) => this.push(event) });
    return () => {
      this.sinks.delete(subscriber);
      if (this.sinks.size === 0) {
        this.upstream?.unsubscribe();
        this.upstream = undefined;
        this.queue.clear();
      }
    };
  }

  private schedule(): void {
    if (this.scheduled) return;
    this.scheduled = true;
    this.options.scheduler.schedule(() => {
      this.scheduled = false;
      this.drain(this.options.batchBudgetMs);
    });
  }

  private drain(budgetMs: number): void {
    const started = performance.now();
    if (this.droppedSinceReport > 0) {
      const count = this.droppedSinceReport;
      this.droppedSinceReport = 0;
      this.deliver(this.options.droppedEvent(count));
    }
    while (this.queue.size > 0) {
      this.deliver(this.queue.shift() as E);
      if (performance.now() - started >= budgetMs && this.queue.size > 0) {
        // Yield so I/O and timers run between batches; the rest goes next turn.
        this.schedule();
        return;
      }
    }
  }

  private deliver(event: E): void {
    this.counters.delivered++;
    this.delivering = event;
    for (const sink of [...this.sinks]) {
      try {
        sink.next(event);
      } catch (error) {
        this.onSubscriberError(error);
      }
    }
    this.delivering = undefined;
  }

  private onSubscriberError(error: unknown): void {
    this.counters.subscriberErrors++;
    const announcement = this.options.subscriberErrorEvent(error, this.delivering);
    if (announcement !== undefined) this.push(announcement);
  }
}
