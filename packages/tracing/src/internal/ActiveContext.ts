import { AsyncLocalStorage } from 'node:async_hooks';
import type { AnySpan } from './spans';

/**
 * The span active in the current async context, on AsyncLocalStorage: what
 * `withSpan`, `trace`, `bind` and `getActiveSpan` of a TraceManager use, and
 * the default parent of `startSpan`.
 */
export class ActiveContext {
  private readonly als = new AsyncLocalStorage<AnySpan>();
  /**
   * Whether any span was ever made active. Only `run` can set this storage,
   * so until then it is empty and the ~15 ns lookup is skipped (it is most of
   * an unsampled root's cost).
   */
  private entered = false;

  /** The active span, if any. */
  current(): AnySpan | undefined {
    return this.entered ? this.als.getStore() : undefined;
  }

  /** Runs `fn(...args)` with `span` active; returns what `fn` returns. */
  run<A extends unknown[], R>(span: AnySpan, fn: (...args: A) => R, ...args: A): R {
    this.entered = true;
    return this.als.run(span, fn, ...args);
  }

  /** `fn` bound to the span active now (or to no span). */
  bind<A extends unknown[], R>(fn: (...args: A) => R): (...args: A) => R {
    const span = this.current();
    const als = this.als;
    if (span === undefined) return (...args: A) => als.exit(fn, ...args);
    return (...args: A) => als.run(span, fn, ...args);
  }
}
