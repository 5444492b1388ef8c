import { EventEmitter } from 'node:events';
import { ROOT_CONTEXT, trace, type Context, type ContextManager } from '@opentelemetry/api';
import type { ContextFrame, Span, SpanContext, TraceManager } from '@obs/tracing';
import { BridgeSpan } from '../trace/BridgeSpan';
import { parentOf } from '../trace/ObsTracer';

/** An OpenTelemetry Context made active through the bridge, as a frame of the TraceManager's context. */
class OtelFrame implements ContextFrame {
  constructor(
    readonly context: Context,
    readonly parent: Span | SpanContext | undefined,
  ) {}
}

const callWith = (fn: (...args: unknown[]) => unknown, thisArg: unknown, args: unknown[]): unknown =>
  fn.apply(thisArg, args);

const ADD_METHODS = ['addListener', 'on', 'once', 'prependListener', 'prependOnceListener'] as const;
const kBound = Symbol('obs.otel.boundListeners');

type Listener = (...args: unknown[]) => unknown;
type BoundEmitter = EventEmitter & { [kBound]?: Map<string | symbol, WeakMap<Listener, Listener>> };

/**
 * OpenTelemetry's ContextManager on the TraceManager's own AsyncLocalStorage,
 * so both APIs see one active context: `context.with(ctx, fn)` makes `ctx`
 * active for @obs too (spans from `traces.startSpan` become children of the
 * OpenTelemetry span in it), and inside `traces.withSpan(span, fn)` the
 * active OpenTelemetry context holds that span (`trace.getActiveSpan()`,
 * children from any OTel tracer, propagation).
 */
export class ObsContextManager implements ContextManager {
  /** Contexts made for @obs spans made active by @obs, so `active()` returns the same one each time. */
  private readonly spanContexts = new WeakMap<Span, Context>();

  constructor(readonly traces: TraceManager) {}

  active(): Context {
    const active = this.traces.getActiveContext();
    if (active === undefined) return ROOT_CONTEXT;
    if (active instanceof OtelFrame) return active.context;
    if ('parent' in active) return ROOT_CONTEXT; // another integration's frame
    let ctx = this.spanContexts.get(active);
    if (ctx === undefined) {
      ctx = trace.setSpan(ROOT_CONTEXT, new BridgeSpan(active));
      this.spanContexts.set(active, ctx);
    }
    return ctx;
  }

  with<A extends unknown[], F extends (...args: A) => ReturnType<F>>(
    context: Context,
    fn: F,
    thisArg?: ThisParameterType<F>,
    ...args: A
  ): ReturnType<F> {
    const ctx = context ?? ROOT_CONTEXT;
    const parent = parentOf(this.traces, ctx);
    const frame = new OtelFrame(ctx, parent ?? undefined);
    return this.traces.withContext(frame, callWith, fn as unknown as Listener, thisArg, args) as ReturnType<F>;
  }

  bind<T>(context: Context, target: T): T {
    if (typeof target === 'function') return this.bindFunction(context, target as unknown as Listener) as T;
    if (target instanceof EventEmitter) return this.bindEmitter(context, target) as T;
    return target;
  }

  enable(): this {
    return this;
  }

  disable(): this {
    return this;
  }

  private bindFunction(context: Context, fn: Listener): Listener {
    // eslint-disable-next-line @typescript-eslint/no-this-alias
    const manager = this;
    const bound = function (this: unknown, ...args: unknown[]) {
      return manager.with(context, () => fn.apply(this, args));
    };
    Object.defineProperty(bound, 'length', { value: fn.length, configurable: true });
    return bound;
  }

  /**
   * Makes the emitter call its listeners in `context` (as OpenTelemetry's
   * own context managers do): listeners added from now on are wrapped, and
   * `removeListener`/`off` find the wrapper of the listener they are given.
   */
  private bindEmitter(context: Context, emitter: BoundEmitter): EventEmitter {
    if (emitter[kBound] !== undefined) return emitter;
    const map = new Map<string | symbol, WeakMap<Listener, Listener>>();
    Object.defineProperty(emitter, kBound, { value: map, enumerable: false });
    for (const method of ADD_METHODS) {
      const original = emitter[method] as (event: string | symbol, listener: Listener) => EventEmitter;
      if (typeof original !== 'function') continue;
      emitter[method] = ((event: string | symbol, listener: Listener) => {
        if (typeof listener !== 'function') return original.call(emitter, event, listener);
        let byListener = map.get(event);
        if (byListener === undefined) map.set(event, (byListener = new WeakMap()));
        let wrapped = byListener.get(listener);
        if (wrapped === undefined) {
          wrapped = this.bindFunction(context, listener);
          byListener.set(listener, wrapped);
        }
        return original.call(emitter, event, wrapped);
      }) as never;
    }
    for (const method of ['removeListener', 'off'] as const) {
      const original = emitter[method] as (event: string | symbol, listener: Listener) => EventEmitter;
      if (typeof original !== 'function') continue;
      emitter[method] = ((event: string | symbol, listener: Listener) => {
        const wrapped = map.get(event)?.get(listener);
        return original.call(emitter, event, wrapped ?? listener);
      }) as never;
    }
    const removeAll = emitter.removeAllListeners;
    emitter.removeAllListeners = ((event?: string | symbol) => {
      if (event === undefined) map.clear();
      else map.delete(event);
      return removeAll.call(emitter, event as string | symbol);
    }) as never;
    return emitter;
  }
}
