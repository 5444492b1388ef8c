import {
  NON_NEGATIVE_INTEGER,
  POSITIVE_INTEGER,
  describeValue,
  isThenable,
  optionalNumber,
  requireNumber,
  type Clock,
} from '@obs/core';
import type { Observable } from 'rxjs';
import { TracingError, TracingValidationError } from './errors';
import type { TracingEvent } from './events';
import { isValidSpanId, isValidTraceId, takeLowBits, traceIdFromLowBits } from './ids';
import type { ImportedSpan } from './ImportedSpan';
import { ActiveContext, StoredFrame, type ContextFrame } from './internal/ActiveContext';
import { ActiveSpans } from './internal/ActiveSpans';
import { EMPTY_BAGGAGE } from './internal/empty';
import { recordError } from './internal/recordError';
import { SpanProcessor } from './internal/SpanProcessor';
import { NonRecordingSpan, RecordingSpan, type AnySpan } from './internal/spans';
import { summarize, type TraceSummary } from './internal/summarize';
import type { AttributeLimits } from './internal/tags';
import { TraceRecord, TraceStore } from './internal/TraceStore';
import { checkName, checkParentContext, invalidConfig, invalidLimit } from './internal/validate';
import {
  extractTraceContext,
  injectTraceHeaders,
  injectTrustedHeaders,
  type TraceHeaders,
} from './propagation/context';
import { TraceFlags } from './propagation/traceparent';
import { createRatioThreshold, isSampledLowBits, type RatioThreshold } from './sampling';
import type { Span, SpanContext } from './Span';
import type { SpanExporter } from './SpanExporter';
import { TraceStatus, isTraceStatus } from './TraceStatus';

export type { TraceSummary } from './internal/summarize';
export type { ContextFrame } from './internal/ActiveContext';

/** Rarely needed options of {@link TraceManager.startSpan}. */
export interface StartSpanOptions {
  /** Start time, epoch ms (default: now), e.g. for work measured before the span could be made. */
  readonly startTime?: number;
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
  /**
   * Longer string tag values (and strings in array values, log fields and
   * messages) are truncated to this many characters and counted in
   * `stats().truncatedTagValues`. Default 2048 (2 KiB of text, as the metrics' label limit).
   */
  maxTagValueLength?: number;
  /** Exporters attached from the start (see {@link TraceManager.addExporter}). */
  exporters?: readonly SpanExporter[];
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
  /** String tag values (or log fields) truncated to `maxTagValueLength`. */
  readonly truncatedTagValues: number;
}

const origin = performance.timeOrigin;
/** The default clock: epoch ms with sub-millisecond resolution. */
export const highResolutionClock: Clock = { now: () => origin + performance.now() };

/**
 * Creates spans, samples at the root from the trace id, and composes the
 * parts behind them: the active context ({@link withSpan}), the active-span
 * list with its reaper, and the span processor that stores finished spans
 * in bounded memory, emits events and hands them to exporters. See the
 * package README for the semantics.
 */
export class TraceManager {
  readonly limits: AttributeLimits;
  /** Every span start and end (sampled spans only), exporter failures and drops. Emitted only while observed. */
  readonly events$: Observable<TracingEvent>;
  readonly sampleRate: number;
  private readonly clock: Clock;
  private readonly context = new ActiveContext();
  private readonly threshold: RatioThreshold;
  private readonly sampleAll: boolean;
  private readonly sampleNone: boolean;
  private readonly bits = { hi24: 0, lo32: 0 };
  private readonly store: TraceStore;
  private readonly active: ActiveSpans;
  private readonly processor: SpanProcessor;
  private closed = false;
  /** The explicit start time of the span being started (set only while `startSpan` runs). */
  private startTime: number | undefined = undefined;

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
      maxTraces: optionalNumber(config.maxTraces, 'maxTraces', 1000, POSITIVE_INTEGER, invalidConfig),
      maxSpansPerTrace: optionalNumber(
        config.maxSpansPerTrace,
        'maxSpansPerTrace',
        1000,
        POSITIVE_INTEGER,
        invalidConfig,
      ),
      retentionMs: optionalNumber(
        config.traceRetentionMs,
        'traceRetentionMs',
        3_600_000,
        POSITIVE_INTEGER,
        invalidConfig,
      ),
    });
    this.active = new ActiveSpans(
      optionalNumber(config.maxSpanAgeMs, 'maxSpanAgeMs', 300_000, POSITIVE_INTEGER, invalidConfig),
      optionalNumber(config.maxActiveSpans, 'maxActiveSpans', 10_000, POSITIVE_INTEGER, invalidConfig),
    );
    this.limits = {
      maxTags: optionalNumber(config.maxTagsPerSpan, 'maxTagsPerSpan', 128, POSITIVE_INTEGER, invalidConfig),
      maxLogs: optionalNumber(config.maxLogsPerSpan, 'maxLogsPerSpan', 128, POSITIVE_INTEGER, invalidConfig),
      maxValueLength: optionalNumber(
        config.maxTagValueLength,
        'maxTagValueLength',
        2048,
        POSITIVE_INTEGER,
        invalidConfig,
      ),
      maxKeyLength: 256,
      maxArrayLength: 1024,
      onTruncate: () => {
        this.truncatedTagValues++;
      },
    };
    const interval = optionalNumber(
      config.reaperIntervalMs,
      'reaperIntervalMs',
      10_000,
      NON_NEGATIVE_INTEGER,
      invalidConfig,
    );
    this.processor = new SpanProcessor(this.limits, clock, this.store, this.active);
    this.events$ = this.processor.events$;
    if (config.exporters !== undefined) {
      if (!Array.isArray(config.exporters))
        throw new TracingValidationError('INVALID_CONFIG', 'exporters must be an array');
      for (const exporter of config.exporters) this.addExporter(exporter);
    }
    this.active.startReaper(interval, () => this.reapAbandoned());
  }

  // Spans

  /**
   * Starts a span. Without `parentContext` the active span (see
   * {@link withSpan}) is the parent; `null` forces a new root. A root is
   * sampled from its trace id at `traceSampleRate`; a child follows its
   * parent's sampled flag. Throws {@link TracingValidationError} for a bad
   * name or parent; bad tags are dropped and counted.
   */
  startSpan(
    operationName: string,
    serviceName: string,
    parentContext?: SpanContext | Span | null,
    tags?: Readonly<Record<string, unknown>>,
    options?: StartSpanOptions,
  ): Span {
    checkName(operationName, 'operationName');
    checkName(serviceName, 'serviceName');
    const startTime = options === undefined ? undefined : checkStartTime(options);
    let span: AnySpan;
    const parent =
      parentContext === undefined
        ? this.context.parent()
        : parentContext === null
          ? undefined
          : parentContext instanceof RecordingSpan || parentContext instanceof NonRecordingSpan
            ? parentContext
            : checkParentContext(parentContext);
    // Nothing below throws, so the field cannot outlive this call.
    this.startTime = startTime;
    if (parent === undefined) {
      span = this.startRoot(operationName, serviceName);
    } else if (parent instanceof RecordingSpan) {
      span = this.startRecording(
        parent.record,
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
        parent.spanId,
        parent.traceFlags ?? 0,
        parent.baggage,
        parent.traceState,
        parent.baggageMetadata,
        operationName,
        serviceName,
      );
    }
    this.startTime = undefined;
    if (tags !== undefined) span.setTags(tags);
    return span;
  }

  private startRoot(operationName: string, serviceName: string): AnySpan {
    if (this.sampleAll) {
      // No sampling decision to make, so the trace id is drawn when first read.
      return this.startRecording(
        new TraceRecord(undefined),
        undefined,
        TraceFlags.RANDOM,
        EMPTY_BAGGAGE,
        undefined,
        undefined,
        operationName,
        serviceName,
      );
    }
    if (this.sampleNone) return new NonRecordingSpan(-1, 0, undefined, operationName, serviceName);
    const bits = this.bits;
    takeLowBits(bits);
    if (!isSampledLowBits(this.threshold, bits.hi24, bits.lo32)) {
      return new NonRecordingSpan(bits.hi24, bits.lo32, undefined, operationName, serviceName);
    }
    const traceId = traceIdFromLowBits(bits.hi24, bits.lo32);
    return this.startRecording(
      new TraceRecord(traceId),
      undefined,
      TraceFlags.RANDOM,
      EMPTY_BAGGAGE,
      undefined,
      undefined,
      operationName,
      serviceName,
    );
  }

  private startRecording(
    record: TraceRecord,
    parentSpanId: string | undefined,
    parentFlags: number,
    baggage: Readonly<Record<string, string>>,
    traceState: string | undefined,
    baggageMetadata: Readonly<Record<string, string>> | undefined,
    operationName: string,
    serviceName: string,
  ): RecordingSpan {
    const now = this.startTime ?? this.clock.now();
    const span = new RecordingSpan(
      this.processor,
      record,
      parentSpanId,
      (parentFlags & TraceFlags.RANDOM) | TraceFlags.SAMPLED,
      baggage,
      traceState,
      baggageMetadata,
      operationName,
      serviceName,
      now,
    );
    this.processor.onStart(span, now);
    return span;
  }

  /** Ends a span; the same as `span.finish(status)`. A second call does nothing. */
  finishSpan(span: Span, status: TraceStatus = TraceStatus.OK): void {
    if (!(span instanceof RecordingSpan || span instanceof NonRecordingSpan)) {
      throw new TracingValidationError(
        'INVALID_SPAN',
        `finishSpan needs a span from a TraceManager, got ${describeValue(span)}`,
      );
    }
    span.finish(status);
  }

  /**
   * Ends every span older than `maxSpanAgeMs` with tag `obs.span.abandoned=true`.
   * Runs on the reaper timer and lazily when spans start; call it directly in tests.
   * Returns how many spans were abandoned.
   */
  reapAbandoned(): number {
    const before = this.processor.abandonedSpans;
    this.active.reap(this.clock.now());
    return this.processor.abandonedSpans - before;
  }

  // Active context

  /** The span active in the current async context, if any (also the span of an active {@link ContextFrame}). */
  getActiveSpan(): Span | undefined {
    return this.context.span();
  }

  /**
   * What is active in the current async context: a span of ours, a
   * {@link ContextFrame} given to {@link withContext} (the same object), or
   * undefined. Integrations (such as `@obs/otel`'s context manager) read
   * their own frames back through it.
   */
  getActiveContext(): Span | ContextFrame | undefined {
    return this.context.activeContext();
  }

  /**
   * Runs `fn` with a foreign context frame active: spans started inside
   * without a parent take `frame.parent` as their parent (none: a root), and
   * {@link getActiveContext} returns `frame`. For integrations that keep
   * their own context (e.g. OpenTelemetry's) in step with this manager.
   * Throws {@link TracingValidationError} when `frame.parent` is neither a
   * span of a TraceManager nor a valid SpanContext.
   */
  withContext<A extends unknown[], R>(frame: ContextFrame, fn: (...args: A) => R, ...args: A): R {
    if (frame === null || typeof frame !== 'object') {
      throw new TracingValidationError(
        'INVALID_CONTEXT',
        `withContext needs a frame object, got ${describeValue(frame)}`,
      );
    }
    if (typeof fn !== 'function')
      throw new TracingValidationError('INVALID_FUNCTION', `withContext needs a function, got ${describeValue(fn)}`);
    return this.context.run(new StoredFrame(frame, checkFrameParent(frame.parent)), fn, ...args);
  }

  /**
   * Makes `span` (or nothing, with undefined) active for the rest of the
   * current synchronous execution and everything it schedules
   * (AsyncLocalStorage `enterWith`). For instrumentations that are told
   * about work but get no callback to wrap, such as diagnostics_channel
   * subscribers; prefer {@link withSpan} everywhere else.
   */
  enterSpan(span: Span | undefined): void {
    if (span !== undefined && !(span instanceof RecordingSpan || span instanceof NonRecordingSpan)) {
      throw new TracingValidationError(
        'INVALID_SPAN',
        `enterSpan needs a span from a TraceManager, got ${describeValue(span)}`,
      );
    }
    this.context.enter(span);
  }

  /**
   * Runs `fn` with `span` active: spans started inside (also after await,
   * timers, promise chains and EventEmitter callbacks) become its children.
   * Returns what `fn` returns.
   */
  withSpan<T>(span: Span, fn: () => T): T {
    if (!(span instanceof RecordingSpan || span instanceof NonRecordingSpan)) {
      throw new TracingValidationError(
        'INVALID_SPAN',
        `withSpan needs a span from a TraceManager, got ${describeValue(span)}`,
      );
    }
    if (typeof fn !== 'function')
      throw new TracingValidationError('INVALID_FUNCTION', `withSpan needs a function, got ${describeValue(fn)}`);
    return this.context.run(span, fn);
  }

  /**
   * Binds `fn` to the span active now, so it runs with that span active
   * wherever it is called from: e.g. an EventEmitter listener registered here
   * but emitted from another async context.
   */
  bind<A extends unknown[], R>(fn: (...args: A) => R): (...args: A) => R {
    if (typeof fn !== 'function')
      throw new TracingValidationError('INVALID_FUNCTION', `bind needs a function, got ${describeValue(fn)}`);
    return this.context.bind(fn);
  }

  /**
   * Runs `fn` inside a new span and finishes it: OK when `fn` returns (or its
   * promise resolves), ERROR with an `exception` log when it throws (or
   * rejects); the error is rethrown. Works for sync and async functions.
   */
  trace<T>(
    operationName: string,
    serviceName: string,
    fn: (span: Span) => T,
    options: { parent?: SpanContext | Span | null; tags?: Readonly<Record<string, unknown>> } = {},
  ): T {
    if (typeof fn !== 'function')
      throw new TracingValidationError('INVALID_FUNCTION', `trace needs a function, got ${describeValue(fn)}`);
    const opts = options !== null && typeof options === 'object' ? options : {};
    const span = this.startSpan(operationName, serviceName, opts.parent, opts.tags) as AnySpan;
    let result: T;
    try {
      result = this.context.run(span, fn, span);
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

  /**
   * Records a finished span made elsewhere (another process or thread; see
   * {@link ImportedSpan} and `toImportedSpan`) as if it had finished here, with
   * its own ids, times, status, tags and logs: it is stored with the rest of its
   * trace, emitted as `traces/span-ended` and handed to the exporters. It is never
   * active and emits no `traces/span-started`. Tags and logs go through the same
   * limits as local ones. Throws {@link TracingValidationError} for bad ids, names,
   * times or status; returns the stored span.
   */
  importSpan(data: ImportedSpan): Span {
    if (data === null || typeof data !== 'object')
      throw new TracingValidationError('INVALID_SPAN', `importSpan needs span data, got ${describeValue(data)}`);
    if (!isValidTraceId(data.traceId))
      throw new TracingValidationError('INVALID_TRACE_ID', `traceId must be 32 lowercase hex digits, not all zero`);
    if (!isValidSpanId(data.spanId))
      throw new TracingValidationError('INVALID_SPAN_ID', `spanId must be 16 lowercase hex digits, not all zero`);
    if (data.parentSpanId !== undefined && !isValidSpanId(data.parentSpanId))
      throw new TracingValidationError('INVALID_SPAN_ID', `parentSpanId must be 16 lowercase hex digits, not all zero`);
    checkName(data.operationName, 'operationName');
    checkName(data.serviceName, 'serviceName');
    for (const key of ['startTime', 'endTime'] as const) {
      if (typeof data[key] !== 'number' || !Number.isFinite(data[key]))
        throw new TracingValidationError(
          'INVALID_TIME',
          `${key} must be a finite number (epoch ms), got ${describeValue(data[key])}`,
        );
    }
    if (!isTraceStatus(data.status))
      throw new TracingValidationError('INVALID_STATUS', `status must be one of 'unset', 'ok', 'error'`);
    if (this.closed) throw new TracingError('CLOSED', 'the trace manager is shut down');
    const record = this.store.get(data.traceId) ?? new TraceRecord(data.traceId);
    const span = new RecordingSpan(
      this.processor,
      record,
      data.parentSpanId,
      TraceFlags.SAMPLED,
      EMPTY_BAGGAGE,
      undefined,
      undefined,
      data.operationName,
      data.serviceName,
      data.startTime,
    );
    span.adoptSpanId(data.spanId);
    if (data.tags !== undefined) span.setTags(data.tags);
    if (Array.isArray(data.logs)) {
      for (const entry of data.logs as readonly unknown[]) {
        const log = entry as { timestamp?: unknown; message?: unknown; fields?: Readonly<Record<string, unknown>> };
        if (log === null || typeof log !== 'object' || typeof log.timestamp !== 'number') {
          this.processor.countDroppedAttributes(1);
          continue;
        }
        span.log(log.message as string, log.fields, log.timestamp);
      }
    }
    span.finish(data.status, data.endTime);
    return span;
  }

  // Storage

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
    return this.active.list();
  }

  /** Summaries of the most recently stored traces, newest first. */
  getRecentTraces(limit = 20): TraceSummary[] {
    requireNumber(limit, 'limit', NON_NEGATIVE_INTEGER, invalidLimit);
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
      activeSpans: this.active.size,
      storedTraces: this.store.traceCount,
      storedSpans: this.store.storedSpans,
      evictedTraces: this.store.evictedTraces,
      droppedSpans: this.store.droppedSpans,
      abandonedSpans: this.processor.abandonedSpans,
      droppedAttributes: this.processor.droppedAttributes,
      exporterErrors: this.processor.exporterErrors,
      truncatedTagValues: this.truncatedTagValues,
    };
  }

  private truncatedTagValues = 0;

  // Propagation

  /**
   * Outgoing W3C headers for a span (or a context): `traceparent` always,
   * `tracestate` and `baggage` when there is something valid to send.
   */
  injectContext(span: Span | SpanContext): TraceHeaders {
    if (span instanceof RecordingSpan) {
      return injectTrustedHeaders(span.traceparent, span.traceState, span.baggage, span.baggageMetadata);
    }
    if (span === null || typeof span !== 'object') {
      throw new TracingValidationError(
        'INVALID_CONTEXT',
        `injectContext needs a Span or a SpanContext, got ${describeValue(span)}`,
      );
    }
    const ctx = (
      span instanceof NonRecordingSpan ? span.context : 'context' in span ? (span as Span).context : span
    ) as Partial<Record<keyof SpanContext, unknown>>;
    if (ctx === null || typeof ctx !== 'object') {
      throw new TracingValidationError(
        'INVALID_CONTEXT',
        `injectContext needs a Span or a SpanContext, got ${describeValue(ctx)}`,
      );
    }
    return injectTraceHeaders(
      ctx.traceId,
      ctx.spanId,
      ctx.sampled,
      ctx.traceFlags,
      ctx.traceState,
      ctx.baggage,
      ctx.baggageMetadata,
    );
  }

  /** The remote caller's context from request headers, or undefined (see {@link extractTraceContext}). */
  extractContext(headers: unknown): SpanContext | undefined {
    return extractTraceContext(headers);
  }

  // Export and lifecycle

  /** Attaches an exporter; returns a function that detaches it. */
  addExporter(exporter: SpanExporter): () => void {
    if (exporter === null || typeof exporter !== 'object' || typeof exporter.onEnd !== 'function') {
      throw new TracingValidationError(
        'INVALID_EXPORTER',
        `an exporter needs onEnd(span), got ${describeValue(exporter)}`,
      );
    }
    if (this.closed) throw new TracingError('CLOSED', 'the trace manager is shut down');
    this.processor.addExporter(exporter);
    return () => this.processor.removeExporter(exporter);
  }

  /** Delivers everything the exporters have queued. */
  async flush(): Promise<void> {
    await this.processor.forceFlush();
  }

  /**
   * Stops the reaper timer, flushes and shuts down the exporters, and
   * completes `events$`. Idempotent. Spans can still be created afterwards
   * (they propagate context) but nothing is exported.
   */
  async shutdown(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    this.active.stopReaper();
    await this.processor.shutdown();
  }
}

/** Creates a {@link TraceManager}; `traceSampleRate` defaults to 0.1. */
export function createTraceManager(config?: TraceManagerConfig): TraceManager {
  return new TraceManager(config);
}

function checkStartTime(options: StartSpanOptions): number | undefined {
  if (options === null || typeof options !== 'object') {
    throw new TracingValidationError(
      'INVALID_OPTIONS',
      `startSpan options must be an object, got ${describeValue(options)}`,
    );
  }
  const { startTime } = options;
  if (startTime !== undefined && (typeof startTime !== 'number' || !Number.isFinite(startTime))) {
    throw new TracingValidationError(
      'INVALID_TIME',
      `startTime must be a finite number (epoch ms), got ${describeValue(startTime)}`,
    );
  }
  return startTime;
}

function checkFrameParent(parent: unknown): AnySpan | SpanContext | undefined {
  if (parent === undefined || parent instanceof RecordingSpan || parent instanceof NonRecordingSpan) return parent;
  return checkParentContext(parent);
}
