import type { MetricFamily } from './MetricFamily';

/** What the exposition code reads from a collector; kept off the public surface. */
export interface CollectorInternals {
  families(): Iterable<MetricFamily>;
  /** Expires stale series before a read. */
  beforeRead(): void;
}

const registry = new WeakMap<object, CollectorInternals>();

export function registerInternals(collector: object, internals: CollectorInternals): void {
  registry.set(collector, internals);
}

export function internalsOf(collector: object): CollectorInternals | undefined {
  return registry.get(collector);
}
