import { filter, type OperatorFunction } from 'rxjs';

/** What every event of every @obs package carries. `type` is `'<domain>/<fact>'`. */
export interface ObsEventBase<T extends string = string> {
  readonly type: T;
  /** When it happened, epoch ms. */
  readonly ts: number;
  /** Which component emitted it, e.g. `'metrics'`. */
  readonly source: string;
}

/**
 * Narrows a stream of tagged events to the listed types (redux-observable's `ofType`).
 *
 * @example
 * hub.events$.pipe(ofType('alerts/fired', 'alerts/resolved'))
 */
export function ofType<E extends { type: string }, T extends E['type']>(
  ...types: readonly [T, ...T[]]
): OperatorFunction<E, Extract<E, { type: T }>> {
  const wanted = new Set<string>(types);
  return filter((event): event is Extract<E, { type: T }> => wanted.has(event.type));
}

/** Exhaustiveness helper for switches over closed unions. */
export function assertNever(value: never, message = 'unexpected value'): never {
  throw new Error(`${message}: ${JSON.stringify(value)}`);
}
