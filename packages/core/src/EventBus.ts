import { Observable, Subject } from 'rxjs';

/**
 * A private Subject behind a public Observable (hidden at runtime, not only by
 * type). RxJS already isolates subscribers: an error thrown in one subscriber's
 * callback is reported through `rxjs.config.onUnhandledError` and the others
 * still receive the event, so `emit` never throws into the producer.
 */
export class EventBus<E> {
  private readonly subject = new Subject<E>();
  readonly events$: Observable<E>;

  constructor() {
    const subject = this.subject;
    this.events$ = new Observable<E>((subscriber) => subject.subscribe(subscriber));
  }

  /** Whether anyone listens: producers skip building events nobody will see. */
  get observed(): boolean {
    return this.subject.observed;
  }

  emit(event: E): void {
    if (this.subject.observed) this.subject.next(event);
  }

  /** Ends the stream for every subscriber; later emits are ignored. */
  complete(): void {
    this.subject.complete();
  }
}
