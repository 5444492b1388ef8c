import { AsyncLocalStorage } from 'node:async_hooks';
import { EventBus, describeValue, type Clock } from '@obs/core';
import type { Observable, Subscription } from 'rxjs';
import { TracingError, TracingValidationError } from './errors';
import { TRACING_SOURCE, type TracingEvent } from './events';
import { generateSpanId, generateTraceId, isValidSpanId, isValidTraceId, takeLowBits, traceIdFromLowBits } from './ids';
import { EMPTY_BAGGAGE } from './internal/empty';
import { NonRecordingSpan, RecordingSpan, type AnySpan, type SpanOwner } from './internal/spans';
import type { AttributeLimits } from './internal/tags';
import { TraceRecord, TraceStore } from './internal/TraceStore';
import { extractTraceContext, injectTraceHeaders, injectTrustedHeaders, type TraceHeaders } from './propagation/context';
import { TraceFlags } from './propagation/traceparent';
import { createRatioThreshold, isSampledLowBits, type RatioThreshold } from './sampling';
import type { Span, SpanContext } from './Span';
import { TraceStatus } from './TraceStatus';

/** Receives every finished sampled span; `onEnd` must not block (queue and return). */
export interface SpanExporter {
  /** A short name for events and stats, e.g. `'otlp-http'`. */
  readonly name: string;
  onEnd(span: Span): void;
  /** Delivers everything queued so far. */
  forceFlush(): Promise<void>;
  /** Flushes and stops; later spans are dropped. */
  shutdown(): Promise<void>;
  /** Failures and drops, forwarded into the manager's `events$` while attached. */
  readonly events$?: Observable<TracingEvent>;
}

/** Options of {@link createTraceManager}. Every limit has a default. */
export interface TraceManagerConfig {
  /** Fraction of new traces sampled at the root, in [0, 1]. Default 0.1. */
  traceSampleRate?: number;
  /** Time source (epoch ms). Default: a sub-millisecond clock (performance.timeOrigin + performance.now()). */
  clock?: Clock;
  /** Most traces kept in memory; the oldest is evicted first. Default 1000. */
  maxTraces?: number;
  /** Most spans kept per trace; more are counted as dropped. Default 1000. */
  maxSpansPerTrace?: number;
  /** How long a stored trace is kept, ms. Default 1 hour. */
  traceRetentionMs?: number;
  /** A span still active after this long is ended with tag `obs.span.abandoned=true`. Default 5 minutes. */
  maxSpanAgeMs?: number;
  /** Most active sampled spans; beyond it the oldest is abandoned early. Default 10000. */
  maxActiveSpans?: number;
  /** Period of the (unref'd) reaper timer, ms; 0 turns the timer off (reaping still runs lazily on span start). Default 10000. */
  reaperIntervalMs?: number;
  /** Default 128. */
  maxTagsPerSpan?: number;
  /** Default 128. */
  maxLogsPerSpan?: number;
  /** Longer string tag values and log messages are truncated. Default 4096. */
  maxTagValueLength?: number;
  /** Exporters attached from the start (see {@link TraceManager.addExporter}). */
  exporters?: readonly SpanExporter[];
}

/** One trace for a dashboard list. */
export interface TraceSummary {
  readonly traceId: string;
  readonly rootOperation: string;
  readonly serviceName: string;
  /** Earliest span start, epoch ms. */
  readonly startTime: number;
  /** Latest end minus earliest start, ms. */
  readonly durationMs: number;
  readonly spanCount: number;
  readonly hasError: boolean;
  /** Distinct services in the trace (at most 16). */
  readonly services: readonly string[];
}

/** Counters for health pages and tests. */
export interface TraceManagerStats {
  readonly activeSpans: number;
  readonly storedTraces: number;
  readonly storedSpans: number;
  readonly evictedTraces: number;
  /** Spans not stored because their trace was full. */
  readonly droppedSpans: number;
  readonly abandonedSpans: number;
  /** Tags, logs or fields dropped for being invalid or over a limit. */
  readonly droppedAttributes: number;
  /** Times an exporter threw from `onEnd`. */
  readonly exporterErrors: number;
}

const origin = performance.timeOrigin;
/** The default clock: epoch ms with sub-millisecond resolution. */
export const highResolutionClock: Clock = { now: () => origin + performance.now() };

const MAX_NAME_LENGTH = 1024;

function positiveInt(value: unknown, fallback: number, what: string, allowZero = false): number {
  if (value === undefined) return fallback;
  if (typeof value !== 'number' || !Number.isInteger(value) || value < (allowZero ? 0 : 1)) {
    throw new TracingValidationError('INVALID_CONFIG', `${what} must be a ${allowZero ? 'non-negative' : 'positive'} integer, got ${describeValue(value)}`);
  }
  return value;
}

function checkName(value: unknown, what: string): string {
  if (typeof value !== 'string' || value.length === 0 || value.length > MAX_NAME_LENGTH) {
    throw new TracingValidationError('INVALID_NAME', `${what} must be a non-empty string of at most ${MAX_NAME_LENGTH} characters, got ${describeValue(value)}`);
  }
  return value;
}

function isThenable(value: unknown): value is PromiseLike<unknown> {
  return value !== null && (typeof value === 'object' || typeof value === 'function') && typeof (value as { then?: unknown }).then === 'function';
}

/** Normalizes a caller's parent context, or throws a typed error. */
function checkParentContext(value: unknown): SpanContext {
  if (value === null || typeof value !== 'object') {
    throw new TracingValidationError('INVALID_CONTEXT', `parent must be a Span or a SpanContext, got ${describeValue(value)}`);
  }
  const ctx = value as Partial<Record<keyof SpanContext, unknown>>;
  if (!isValidTraceId(ctx.traceId) || !isValidSpanId(ctx.spanId)) {
    throw new TracingValidationError('INVALID_CONTEXT', `parent context needs a 32-hex traceId and a 16-hex spanId, not all zero`);
  }
  if (ctx.sampled !== undefined && typeof ctx.sampled !== 'boolean') {
    throw new TracingValidationError('INVALID_CONTEXT', `parent context sampled must be a boolean, got ${describeValue(ctx.sampled)}`);
  }
  const flags = typeof ctx.traceFlags === 'number' && Number.isInteger(ctx.traceFlags) ? ctx.traceFlags & 0xff : undefined;
  const sampled = typeof ctx.sampled === 'boolean' ? ctx.sampled : flags !== undefined && (flags & TraceFlags.SAMPLED) !== 0;
  return {
    traceId: ctx.traceId,
    spanId: ctx.spanId,
    sampled,
    traceFlags: flags ?? 0,
    baggage: copyStringRecord(ctx.baggage) ?? EMPTY_BAGGAGE,
    ...(typeof ctx.traceState === 'string' ? { traceState: ctx.traceState } : {}),
    ...(ctx.baggageMetadata !== undefined ? { baggageMetadata: copyStringRecord(ctx.baggageMetadata) } : {}),
  };
}

/** A prototype-free copy holding only string values, or undefined when empty or not an object. */
function copyStringRecord(value: unknown): Record<string, string> | undefined {
  if (value === null || typeof value !== 'object' || value === EMPTY_BAGGAGE) return undefined;
  let out: Record<string, string> | undefined;
  let count = 0;
  for (const key of Object.keys(value)) {
    const v = (value as Record<string, unknown>)[key];
    if (typeof v !== 'string' || ++count > 180) continue;
    (out ??= Object.create(null) as Record<string, string>)[key] = v;
  }
  return out;
}

/**
 * Creates spans, keeps the active one in AsyncLocalStorage, samples at the
 * root from the trace id, stores finished spans in bounded memory, and hands
 * them to exporters. See the package README for the semantics.
 */
export class TraceManager implements SpanOwner {
  readonly limits: AttributeLimits;
  /** Every span start and end (sampled spans only), exporter failures and drops. Emitted only while observed. */
  readonly events$: Observable<TracingEvent>;
  readonly sampleRate: number;
  private readonly clock: Clock;
  private readonly bus = new EventBus<TracingEvent>();
  private readonly als = new AsyncLocalStorage<AnySpan>();
  private readonly threshold: RatioThreshold;
  private readonly sampleAll: boolean;
  private readonly sampleNone: boolean;
  private readonly bits = { hi24: 0, lo32: 0 };
  private readonly store: TraceStore;
  private readonly maxSpanAgeMs: number;
  private readonly maxActiveSpans: number;
  private activeHead: RecordingSpan | undefined = undefined;
  private activeTail: RecordingSpan | undefined = undefined;
  private activeCount = 0;
  private abandonedSpans = 0;
  private droppedAttributes = 0;
  private exporterErrors = 0;
  private readonly exporters: SpanExporter[] = [];
  private readonly exporterSubscriptions = new Map<SpanExporter, Subscription>();
  private timer: ReturnType<typeof setInterval> | undefined;
  private closed = false;
  /**
   * Whether any span was ever made active. Only this manager's own `run`
   * calls can set its AsyncLocalStorage, so until then the store is empty
   * and the ~15 ns lookup is skipped (it is most of an unsampled root's cost).
   */
  private contextEntered = false;

  constructor(config: TraceManagerConfig = {}) {
    if (config === null || typeof config !== 'object') {
      throw new TracingValidationError('INVALID_CONFIG', `config must be an object, got ${describeValue(config)}`);
    }
    this.sampleRate = config.traceSampleRate ?? 0.1;
    this.threshold = createRatioThreshold(this.sampleRate);
    this.sampleAll = this.sampleRate === 1;
    this.sampleNone = this.sampleRate === 0;
    const clock = config.clock ?? highResolutionClock;
    if (clock === null || typeof clock !== 'object' || typeof clock.now !== 'function') {
      throw new TracingValidationError('INVALID_CONFIG', `clock must have a now() method, got ${describeValue(clock)}`);
    }
    this.clock = clock;
    this.store = new TraceStore({
      maxTraces: positiveInt(config.maxTraces, 1000, 'maxTraces'),
      maxSpansPerTrace: positiveInt(config.maxSpansPerTrace, 1000, 'maxSpansPerTrace'),
      retentionMs: positiveInt(config.traceRetentionMs, 3_600_000, 'traceRetentionMs'),
    });
    this.maxSpanAgeMs = positiveInt(config.maxSpanAgeMs, 300_000, 'maxSpanAgeMs');
    this.maxActiveSpans = positiveInt(config.maxActiveSpans, 10_000, 'maxActiveSpans');
    this.limits = {
      maxTags: positiveInt(config.maxTagsPerSpan, 128, 'maxTagsPerSpan'),
      maxLogs: positiveInt(config.maxLogsPerSpan, 128, 'maxLogsPerSpan'),
      maxValueLength: positiveInt(config.maxTagValueLength, 4096, 'maxTagValueLength'),
      maxKeyLength: 256,
      maxArrayLength: 1024,
    };
    const interval = positiveInt(config.reaperIntervalMs, 10_000, 'reaperIntervalMs', true);
    this.events$ = this.bus.events$;
    if (config.exporters !== undefined) {
      if (!Array.isArray(config.exporters)) throw new TracingValidationError('INVALID_CONFIG', 'exporters must be an array');
      for (const exporter of config.exporters) this.addExporter(exporter);
    }
    if (interval > 0) {
      this.timer = setInterval(() => this.reapAbandoned(), interval);
      this.timer.unref?.();
    }
  }

  // ---- spans -------------------------------------------------------------

  /**
   * Starts a span. Without `parentContext` the active span (see
   * {@link withSpan}) is the parent; `null` forces a new root. A root is
   * sampled from its trace id at `traceSampleRate`; a child follows its
   * parent's sampled flag. Throws {@link TracingValidationError} for a bad
   * name or parent; bad tags are dropped and counted.
   */
  startSpan(operationName: string, serviceName: string, parentContext?: SpanContext | Span | null, tags?: Readonly<Record<string, unknown>>): Span {
    checkName(operationName, 'operationName');
    checkName(serviceName, 'serviceName');
    let span: AnySpan;
    const parent =
      parentContext === undefined
        ? this.contextEntered
          ? this.als.getStore()
          : undefined
        : parentContext === null
          ? undefined
          : parentContext instanceof RecordingSpan || parentContext instanceof NonRecordingSpan
            ? parentContext
            : checkParentContext(parentContext);
    if (parent === undefined) {
      span = this.startRoot(operationName, serviceName);
    } else if (parent instanceof RecordingSpan) {
      span = this.startRecording(
        parent.record,
        parent.traceId,
        parent.spanId,
        parent.traceFlags,
        parent.baggage,
        parent.traceState,
        parent.baggageMetadata,
        operationName,
        serviceName,
      );
    } else if (parent instanceof NonRecordingSpan || !parent.sampled) {
      span = new NonRecordingSpan(-1, 0, parent, operationName, serviceName);
    } else {
      const record = this.store.get(parent.traceId) ?? new TraceRecord(parent.traceId);
      span = this.startRecording(
        record,
        parent.traceId,
        parent.spanId,
        parent.traceFlags ?? 0,
        parent.baggage,
        parent.traceState,
        parent.baggageMetadata,
        operationName,
        serviceName,
      );
    }
    if (tags !== undefined) span.setTags(tags);
    return span;
  }

  private startRoot(operationName: string, serviceName: string): AnySpan {
    if (this.sampleAll) {
      const traceId = generateTraceId();
      return this.startRecording(new TraceRecord(traceId), traceId, undefined, TraceFlags.RANDOM, EMPTY_BAGGAGE, undefined, undefined, operationName, serviceName);
    }
    if (this.sampleNone) return new NonRecordingSpan(-1, 0, undefined, operationName, serviceName);
    const bits = this.bits;
    takeLowBits(bits);
    if (!isSampledLowBits(this.threshold, bits.hi24, bits.lo32)) {
      return new NonRecordingSpan(bits.hi24, bits.lo32, undefined, operationName, serviceName);
    }
    const traceId = traceIdFromLowBits(bits.hi24, bits.lo32);
    return this.startRecording(new TraceRecord(traceId), traceId, undefined, TraceFlags.RANDOM, EMPTY_BAGGAGE, undefined, undefined, operationName, serviceName);
  }

  private startRecording(
    record: TraceRecord,
    traceId: string,
    parentSpanId: string | undefined,
    parentFlags: number,
    baggage: Readonly<Record<string, string>>,
    traceState: string | undefined,
    baggageMetadata: Readonly<Record<string, string>> | undefined,
    operationName: string,
    serviceName: string,
  ): RecordingSpan {
    const now = this.clock.now();
    const head = this.activeHead;
    if (head !== undefined && head.startTime <= now - this.maxSpanAgeMs) this.reap(now);
    const span = new RecordingSpan(
      this,
      record,
      traceId,
      generateSpanId(),
      parentSpanId,
      (parentFlags & TraceFlags.RANDOM) | TraceFlags.SAMPLED,
      baggage,
      traceState,
      baggageMetadata,
      operationName,
      serviceName,
      now,
    );
    const tail = this.activeTail;
    if (tail === undefined) this.activeHead = span;
    else {
      tail.next = span;
      span.prev = tail;
    }
    this.activeTail = span;
    if (++this.activeCount > this.maxActiveSpans) this.activeHead!.abandon(now);
    if (this.bus.observed) {
      this.bus.emit({
        type: 'traces/span-started',
        ts: now,
        source: TRACING_SOURCE,
        span,
        traceId,
        spanId: span.spanId,
        parentSpanId,
        operationName,
        serviceName,
      });
    }
    return span;
  }

  /** Ends a span; the same as `span.finish(status)`. A second call does nothing. */
  finishSpan(span: Span, status: TraceStatus = TraceStatus.OK): void {
    if (!(span instanceof RecordingSpan || span instanceof NonRecordingSpan)) {
      throw new TracingValidationError('INVALID_SPAN', `finishSpan needs a span from a TraceManager, got ${describeValue(span)}`);
    }
    span.finish(status);
  }

  /** @internal Called by a span of this manager when it ends; anything else is ignored. */
  onSpanEnd(span: RecordingSpan, abandoned: boolean): void {
    if (!(span instanceof RecordingSpan) || span.owner !== this || span.endTime === undefined) return;
    this.unlink(span);
    const endTime = span.endTime!;
    if (abandoned) this.abandonedSpans++;
    const outcome = this.store.add(span, endTime);
    const observed = this.bus.observed;
    if (observed) {
      if (outcome === 'trace-full') this.bus.emit({ type: 'traces/spans-dropped', ts: endTime, source: TRACING_SOURCE, reason: 'trace-full', count: 1 });
      this.bus.emit({
        type: 'traces/span-ended',
        ts: endTime,
        source: TRACING_SOURCE,
        span,
        traceId: span.traceId,
        spanId: span.spanId,
        operationName: span.operationName,
        serviceName: span.serviceName,
        status: span.status,
        durationMs: endTime - span.startTime,
        abandoned,
      });
    }
    const exporters = this.exporters;
    for (let i = 0; i < exporters.length; i++) {
      const exporter = exporters[i]!;
      try {
        exporter.onEnd(span);
      } catch (error) {
        this.exporterErrors++;
        if (this.bus.observed) {
          this.bus.emit({ type: 'traces/exporter-error', ts: endTime, source: TRACING_SOURCE, exporter: String(exporter.name), error: errorMessage(error) });
        }
      }
    }
  }

  /** @internal */
  now(): number {
    return this.clock.now();
  }

  /** @internal */
  countDroppedAttributes(count: number): void {
    if (Number.isSafeInteger(count) && count > 0) this.droppedAttributes += count;
  }

  private unlink(span: RecordingSpan): void {
    const { prev, next } = span;
    if (prev === undefined) {
      if (this.activeHead !== span) return; // already unlinked
      this.activeHead = next;
    } else prev.next = next;
    if (next === undefined) this.activeTail = prev;
    else next.prev = prev;
    span.prev = span.next = undefined;
    this.activeCount--;
  }

  private reap(now: number): void {
    const cutoff = now - this.maxSpanAgeMs;
    let head = this.activeHead;
    while (head !== undefined && head.startTime <= cutoff) {
      head.abandon(now);
      head = this.activeHead;
    }
  }

  /**
   * Ends every span older than `maxSpanAgeMs` with tag `obs.span.abandoned=true`.
   * Runs on the reaper timer and lazily when spans start; call it directly in tests.
   * Returns how many spans were abandoned.
   */
  reapAbandoned(): number {
    const before = this.abandonedSpans;
    this.reap(this.clock.now());
    return this.abandonedSpans - before;
  }

  // ---- active context ----------------------------------------------------

  /** The span active in the current async context, if any. */
  getActiveSpan(): Span | undefined {
    return this.contextEntered ? this.als.getStore() : undefined;
  }

  /**
   * Runs `fn` with `span` active: spans started inside (also after await,
   * timers, promise chains and EventEmitter callbacks) become its children.
   * Returns what `fn` returns.
   */
  withSpan<T>(span: Span, fn: () => T): T {
    if (!(span instanceof RecordingSpan || span instanceof NonRecordingSpan)) {
      throw new TracingValidationError('INVALID_SPAN', `withSpan needs a span from a TraceManager, got ${describeValue(span)}`);
    }
    if (typeof fn !== 'function') throw new TracingValidationError('INVALID_FUNCTION', `withSpan needs a function, got ${describeValue(fn)}`);
    this.contextEntered = true;
    return this.als.run(span, fn);
  }

  /**
   * Binds `fn` to the span active now, so it runs with that span active
   * wherever it is called from: e.g. an EventEmitter listener registered here
   * but emitted from another async context.
   */
  bind<A extends unknown[], R>(fn: (...args: A) => R): (...args: A) => R {
    if (typeof fn !== 'function') throw new TracingValidationError('INVALID_FUNCTION', `bind needs a function, got ${describeValue(fn)}`);
    const span = this.als.getStore();
    const als = this.als;
    if (span === undefined) return (...args: A) => als.exit(fn, ...args);
    return (...args: A) => als.run(span, fn, ...args);
  }

  /**
   * Runs `fn` inside a new span and finishes it: OK when `fn` returns (or its
   * promise resolves), ERROR with an `exception` log when it throws (or
   * rejects); the error is rethrown. Works for sync and async functions.
   */
  trace<T>(operationName: string, serviceName: string, fn: (span: Span) => T, options: { parent?: SpanContext | Span | null; tags?: Readonly<Record<string, unknown>> } = {}): T {
    if (typeof fn !== 'function') throw new TracingValidationError('INVALID_FUNCTION', `trace needs a function, got ${describeValue(fn)}`);
    const opts = options !== null && typeof options === 'object' ? options : {};
    const span = this.startSpan(operationName, serviceName, opts.parent, opts.tags) as AnySpan;
    this.contextEntered = true;
    let result: T;
    try {
      result = this.als.run(span, fn, span);
    } catch (error) {
      recordError(span, error);
      throw error;
    }
    if (isThenable(result)) {
      return Promise.resolve(result).then(
        (value) => {
          span.finish();
          return value;
        },
        (error: unknown) => {
          recordError(span, error);
          throw error;
        },
      ) as T;
    }
    span.finish();
    return result;
  }

  // ---- storage -----------------------------------------------------------

  /** The stored spans of a trace, ordered by start time ([] when unknown or evicted). */
  getTrace(traceId: string): Span[] {
    if (typeof traceId !== 'string') {
      throw new TracingValidationError('INVALID_TRACE_ID', `traceId must be a string, got ${describeValue(traceId)}`);
    }
    this.store.pruneExpired(this.clock.now());
    const record = this.store.get(traceId);
    if (record === undefined) return [];
    return record.spans.slice().sort((a, b) => a.startTime - b.startTime);
  }

  /** Sampled spans started and not yet finished, oldest first. */
  getActiveSpans(): Span[] {
    const out: Span[] = [];
    for (let span = this.activeHead; span !== undefined; span = span.next) out.push(span);
    return out;
  }

  /** Summaries of the most recently stored traces, newest first. */
  getRecentTraces(limit = 20): TraceSummary[] {
    if (typeof limit !== 'number' || !Number.isInteger(limit) || limit < 0) {
      throw new TracingValidationError('INVALID_LIMIT', `limit must be a non-negative integer, got ${describeValue(limit)}`);
    }
    this.store.pruneExpired(this.clock.now());
    const out: TraceSummary[] = [];
    if (limit === 0) return out;
    for (const record of this.store.newestFirst()) {
      if (record.spans.length === 0) continue;
      out.push(summarize(record));
      if (out.length >= limit) break;
    }
    return out;
  }

  /** Counters: active, stored, evicted, dropped, abandoned. */
  stats(): TraceManagerStats {
    return {
      activeSpans: this.activeCount,
      storedTraces: this.store.traceCount,
      storedSpans: this.store.storedSpans,
      evictedTraces: this.store.evictedTraces,
      droppedSpans: this.store.droppedSpans,
      abandonedSpans: this.abandonedSpans,
      droppedAttributes: this.droppedAttributes,
      exporterErrors: this.exporterErrors,
    };
  }

  // ---- propagation -------------------------------------------------------

  /**
   * Outgoing W3C headers for a span (or a context): `traceparent` always,
   * `tracestate` and `baggage` when there is something valid to send.
   */
  injectContext(span: Span | SpanContext): TraceHeaders {
    if (span instanceof RecordingSpan) {
      return injectTrustedHeaders(span.traceparent, span.traceState, span.baggage, span.baggageMetadata);
    }
    if (span === null || typeof span !== 'object') {
      throw new TracingValidationError('INVALID_CONTEXT', `injectContext needs a Span or a SpanContext, got ${describeValue(span)}`);
    }
    const ctx = (span instanceof NonRecordingSpan ? span.context : 'context' in span ? (span as Span).context : span) as Partial<Record<keyof SpanContext, unknown>>;
    if (ctx === null || typeof ctx !== 'object') {
      throw new TracingValidationError('INVALID_CONTEXT', `injectContext needs a Span or a SpanContext, got ${describeValue(ctx)}`);
    }
    return injectTraceHeaders(ctx.traceId, ctx.spanId, ctx.sampled, ctx.traceFlags, ctx.traceState, ctx.baggage, ctx.baggageMetadata);
  }

  /** The remote caller's context from request headers, or undefined (see {@link extractTraceContext}). */
  extractContext(headers: unknown): SpanContext | undefined {
    return extractTraceContext(headers);
  }

  // ---- export and lifecycle ---------------------------------------------

  /** Attaches an exporter; returns a function that detaches it. */
  addExporter(exporter: SpanExporter): () => void {
    if (exporter === null || typeof exporter !== 'object' || typeof exporter.onEnd !== 'function') {
      throw new TracingValidationError('INVALID_EXPORTER', `an exporter needs onEnd(span), got ${describeValue(exporter)}`);
    }
    if (this.closed) throw new TracingError('CLOSED', 'the trace manager is shut down');
    if (!this.exporters.includes(exporter)) {
      this.exporters.push(exporter);
      if (exporter.events$) {
        this.exporterSubscriptions.set(exporter, exporter.events$.subscribe((event) => this.bus.emit(event)));
      }
    }
    return () => this.removeExporter(exporter);
  }

  private removeExporter(exporter: SpanExporter): void {
    const i = this.exporters.indexOf(exporter);
    if (i >= 0) this.exporters.splice(i, 1);
    this.exporterSubscriptions.get(exporter)?.unsubscribe();
    this.exporterSubscriptions.delete(exporter);
  }

  /** Delivers everything the exporters have queued. */
  async flush(): Promise<void> {
    await Promise.all(this.exporters.map((e) => Promise.resolve().then(() => e.forceFlush()).catch(() => undefined)));
  }

  /**
   * Stops the reaper timer, flushes and shuts down the exporters, and
   * completes `events$`. Idempotent. Spans can still be created afterwards
   * (they propagate context) but nothing is exported.
   */
  async shutdown(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    if (this.timer !== undefined) clearInterval(this.timer);
    this.timer = undefined;
    const exporters = this.exporters.splice(0);
    await Promise.all(exporters.map((e) => Promise.resolve().then(() => e.shutdown()).catch(() => undefined)));
    for (const sub of this.exporterSubscriptions.values()) sub.unsubscribe();
    this.exporterSubscriptions.clear();
    this.bus.complete();
  }
}

function errorMessage(error: unknown): string {
  try {
    return error instanceof Error ? `${error.name}: ${error.message}` : String(error);
  } catch {
    return 'unprintable error';
  }
}

/** Logs an error the OpenTelemetry way (an `exception` event) and ends the span as ERROR. */
function recordError(span: AnySpan, error: unknown): void {
  if (span.isRecording) {
    let type = 'Error';
    let message: string;
    let stack: string | undefined;
    try {
      if (error instanceof Error) {
        type = error.name;
        message = error.message;
        stack = typeof error.stack === 'string' ? error.stack : undefined;
      } else {
        type = typeof error;
        message = String(error);
      }
    } catch {
      message = 'unprintable error';
    }
    span.log('exception', {
      'exception.type': type,
      'exception.message': message,
      ...(stack !== undefined ? { 'exception.stacktrace': stack } : {}),
    });
  }
  span.finish(TraceStatus.ERROR);
}

function summarize(record: TraceRecord): TraceSummary {
  const spans = record.spans;
  const ids = new Set<string>();
  for (const s of spans) ids.add(s.spanId);
  let root: RecordingSpan | undefined;
  let start = Infinity;
  let end = -Infinity;
  const services: string[] = [];
  for (const s of spans) {
    if (s.startTime < start) start = s.startTime;
    if (s.endTime! > end) end = s.endTime!;
    const isRoot = s.parentSpanId === undefined || !ids.has(s.parentSpanId);
    if (isRoot && (root === undefined || s.startTime < root.startTime)) root = s;
    if (services.length < 16 && !services.includes(s.serviceName)) services.push(s.serviceName);
  }
  root ??= spans[0]!;
  return {
    traceId: record.traceId,
    rootOperation: root.operationName,
    serviceName: root.serviceName,
    startTime: start,
    durationMs: end - start,
    spanCount: spans.length,
    hasError: record.hasError,
    services,
  };
}

/** Creates a {@link TraceManager}; `traceSampleRate` defaults to 0.1. */
export function createTraceManager(config?: TraceManagerConfig): TraceManager {
  return new TraceManager(config);
}
