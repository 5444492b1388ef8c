import { Observable, Subscriber, type Observer, type Operator, type Subscription, type TeardownLogic } from 'rxjs';

/** Receives an error a subscriber's callback threw; `value` is the event being delivered (absent for complete/error). */
export type SubscriberErrorReporter = (error: unknown, phase: 'next' | 'error' | 'complete', value?: unknown) => void;

/**
 * An Observable that shields its producer and its other subscribers from
 * subscribers that throw. RxJS would report such an error through
 * `config.onUnhandledError`, which by default rethrows it on a timer and so
 * crashes a Node process. Here every observer handed to `subscribe` is wrapped
 * in try/catch and the error goes to `report` instead.
 *
 * `lift` is overridden so streams derived with `pipe(...)` are shielded too:
 * the final `subscribe` of `events$.pipe(map(f)).subscribe(g)` catches errors
 * thrown by `g`, and an error thrown by `f` (which ends that subscriber's
 * stream, as in RxJS) is reported instead of going unhandled.
 */
export class IsolatedObservable<T> extends Observable<T> {
  constructor(
    subscribe: ((this: Observable<T>, subscriber: Subscriber<T>) => TeardownLogic) | undefined,
    private readonly report: SubscriberErrorReporter,
  ) {
    super(subscribe);
  }

  override lift<R>(operator?: Operator<T, R>): Observable<R> {
    const derived = new IsolatedObservable<R>(undefined, this.report);
    // lift/source/operator are how RxJS 7 chains operators; keeping the subclass shields derived streams.
    derived.source = this;
    derived.operator = operator;
    return derived;
  }

  override subscribe(
    observerOrNext?: Partial<Observer<T>> | ((value: T) => void) | null,
    error?: ((error: unknown) => void) | null,
    complete?: (() => void) | null,
  ): Subscription {
    // Subscribers made by operators (an inner chain) are RxJS's own; pass them through.
    if (observerOrNext instanceof Subscriber) return super.subscribe(observerOrNext as Subscriber<T>);
    const observer: Partial<Observer<T>> =
      typeof observerOrNext === 'function'
        ? { next: observerOrNext, error: error ?? undefined, complete: complete ?? undefined }
        : (observerOrNext ?? {});
    const report = this.report;
    return super.subscribe({
      next(value) {
        if (!observer.next) return;
        try {
          observer.next(value);
        } catch (caught) {
          report(caught, 'next', value);
        }
      },
      error(err: unknown) {
        if (!observer.error) {
          report(err, 'error');
          return;
        }
        try {
          observer.error(err);
        } catch (caught) {
          report(caught, 'error');
        }
      },
      complete() {
        if (!observer.complete) return;
        try {
          observer.complete();
        } catch (caught) {
          report(caught, 'complete');
        }
      },
    });
  }
}
