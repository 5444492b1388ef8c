import { catchError, defer, EMPTY, tap, type Observable } from 'rxjs';

export interface ProcessorFailure {
  readonly processor: string;
  readonly error: unknown;
  readonly restarts: number;
  readonly gaveUp: boolean;
}

/**
 * Runs a processor so that an error never ends the flow: the error is reported
 * and the processor is subscribed again. A processor that keeps failing without
 * emitting anything in between (e.g. it throws on subscribe) is given up after
 * `maxIdleRestarts`, so a broken flow cannot spin forever.
 */
export function supervise<T>(
  name: string,
  factory: () => Observable<T>,
  report: (failure: ProcessorFailure) => void,
  maxIdleRestarts = 10,
): Observable<T> {
  let restarts = 0;
  let idleRestarts = 0;
  return defer(factory).pipe(
    tap(() => {
      idleRestarts = 0;
    }),
    catchError((error: unknown, caught: Observable<T>) => {
      restarts++;
      idleRestarts++;
      const gaveUp = idleRestarts > maxIdleRestarts;
      report({ processor: name, error, restarts, gaveUp });
      return gaveUp ? EMPTY : caught;
    }),
  );
}
