/**
 * Whether `value` looks like a promise (has a callable `then`), as
 * `Promise.resolve` decides. A `then` getter that throws counts as thenable:
 * `Promise.resolve(value)` then turns the throw into a rejection.
 */
export function isThenable(value: unknown): value is PromiseLike<unknown> {
  if ((typeof value !== 'object' && typeof value !== 'function') || value === null) return false;
  try {
    return typeof (value as { then?: unknown }).then === 'function';
  } catch {
    return true;
  }
}
