import { AsyncLocalStorage } from 'node:async_hooks';
import type { Span, SpanContext } from '../Span';
import { NonRecordingSpan, RecordingSpan, type AnySpan } from './spans';

/**
 * Something other than a span of ours made active in a TraceManager's async
 * context, e.g. an OpenTelemetry `Context` through `@obs/otel`. Spans
 * started inside without an explicit parent take `parent` as their parent;
 * `undefined` makes them roots.
 */
export interface ContextFrame {
  readonly parent: Span | SpanContext | undefined;
}

/** A frame as stored: the caller's frame and its parent, checked once on entry. */
export class StoredFrame {
  constructor(
    readonly frame: ContextFrame,
    readonly parent: AnySpan | SpanContext | undefined,
  ) {}
}

type Stored = AnySpan | StoredFrame;

/**
 * The active span (or frame) in the current async context, on
 * AsyncLocalStorage: what `withSpan`, `trace`, `bind` and `getActiveSpan` of
 * a TraceManager use, and the default parent of `startSpan`.
 */
export class ActiveContext {
  private readonly als = new AsyncLocalStorage<Stored>();
  /**
   * Whether anything was ever made active. Only this class can set this
   * storage, so until then it is empty and the ~15 ns lookup is skipped (it
   * is most of an unsampled root's cost).
   */
  private entered = false;

  /** What spans started now take as parent, if anything. */
  parent(): AnySpan | SpanContext | undefined {
    if (!this.entered) return undefined;
    const stored = this.als.getStore();
    return stored instanceof StoredFrame ? stored.parent : stored;
  }

  /** The active span of ours (a frame's parent when it is one), if any. */
  span(): AnySpan | undefined {
    const parent = this.parent();
    return parent instanceof RecordingSpan || parent instanceof NonRecordingSpan ? parent : undefined;
  }

  /** The active span, or the active frame as it was given. */
  activeContext(): Span | ContextFrame | undefined {
    if (!this.entered) return undefined;
    const stored = this.als.getStore();
    return stored instanceof StoredFrame ? stored.frame : stored;
  }

  /** Runs `fn(...args)` with `value` active; returns what `fn` returns. */
  run<A extends unknown[], R>(value: Stored, fn: (...args: A) => R, ...args: A): R {
    this.entered = true;
    return this.als.run(value, fn, ...args);
  }

  /** Makes `value` active for the rest of this synchronous execution and what it schedules. */
  enter(value: Stored | undefined): void {
    this.entered = true;
    this.als.enterWith(value as Stored);
  }

  /** `fn` bound to what is active now (or to nothing). */
  bind<A extends unknown[], R>(fn: (...args: A) => R): (...args: A) => R {
    const stored = this.entered ? this.als.getStore() : undefined;
    const als = this.als;
    if (stored === undefined) return (...args: A) => als.exit(fn, ...args);
    return (...args: A) => als.run(stored, fn, ...args);
  }
}
