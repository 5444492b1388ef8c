import { TracingValidationError } from '../errors';
import { generateSpanId, traceIdFromLowBits, generateTraceId, isValidSpanId, isValidTraceId } from '../ids';
import type { Span, SpanContext, SpanLink, SpanLog, TagValue, Tags } from '../Span';
import { checkName } from './validate';
import { TraceStatus, isTraceStatus } from '../TraceStatus';
import { TraceFlags } from '../propagation/traceparent';
import { describeValue } from '@obs/core';
import { isValidTagKey, normalizeFields, normalizeTagValue } from './tags';
import type { SpanSink } from './SpanProcessor';
import type { TraceRecord } from './TraceStore';
import { EMPTY_BAGGAGE } from './empty';
export { EMPTY_BAGGAGE };

const NO_LINKS: readonly SpanLink[] = Object.freeze([]);

function checkEndTime(endTime: unknown, startTime: number): number {
  if (typeof endTime !== 'number' || !Number.isFinite(endTime)) {
    throw new TracingValidationError(
      'INVALID_TIME',
      `endTime must be a finite number (epoch ms), got ${describeValue(endTime)}`,
    );
  }
  return endTime < startTime ? startTime : endTime;
}

function checkStatus(status: unknown): TraceStatus {
  if (!isTraceStatus(status)) {
    throw new TracingValidationError(
      'INVALID_STATUS',
      `status must be one of 'unset', 'ok', 'error', got ${describeValue(status)}`,
    );
  }
  return status;
}

/**
 * A sampled span: it records tags, logs and timing and is stored and exported
 * when it ends. Active spans form an intrusive doubly linked list in start
 * order (`prev`/`next`), so the age reaper only looks at the head and
 * removal is O(1) without hashing.
 */
export class RecordingSpan implements Span {
  endTime: number | undefined = undefined;
  status: TraceStatus = TraceStatus.UNSET;
  /** Tags, logs and links dropped because they were invalid or beyond the limits. */
  droppedTags = 0;
  droppedLogs = 0;
  droppedLinks = 0;
  /** Tags set so far (the `maxTagsPerSpan` check without counting keys). */
  private tagCount = 0;
  prev: RecordingSpan | undefined = undefined;
  next: RecordingSpan | undefined = undefined;
  private tagStore: Tags | undefined = undefined;
  private logStore: SpanLog[] | undefined = undefined;
  private contextCache: SpanContext | undefined = undefined;
  private traceparentCache: string | undefined = undefined;
  private spanIdCache: string | undefined = undefined;
  private linkStore: SpanLink[] | undefined = undefined;

  constructor(
    /** What the span reports its end and dropped attributes to. */
    readonly sink: SpanSink,
    readonly record: TraceRecord,
    readonly parentSpanId: string | undefined,
    readonly traceFlags: number,
    readonly baggage: Readonly<Record<string, string>>,
    readonly traceState: string | undefined,
    readonly baggageMetadata: Readonly<Record<string, string>> | undefined,
    public operationName: string,
    readonly serviceName: string,
    readonly startTime: number,
  ) {}

  get isRecording(): boolean {
    return true;
  }

  /**
   * The span id, drawn on first read: many spans are stored and never asked
   * for it, and random bytes plus their hex text are a good part of a span's
   * cost. Once read it never changes (children, headers and export read it).
   */
  /** The trace id, kept by the trace record (a root's is drawn on first read, like the span id). */
  get traceId(): string {
    return this.record.traceId;
  }

  get spanId(): string {
    return (this.spanIdCache ??= generateSpanId());
  }

  /** Gives a span made for an imported one its original id (before anything reads it). */
  adoptSpanId(spanId: string): void {
    this.spanIdCache = spanId;
  }

  /** Whether the age reaper ended the span. */
  get abandoned(): boolean {
    return this.tagStore !== undefined && this.tagStore['obs.span.abandoned'] === true;
  }

  get context(): SpanContext {
    // Built on first use: most spans are never asked for it.
    return (this.contextCache ??= makeContext(
      this.traceId,
      this.spanId,
      this.parentSpanId,
      true,
      this.traceFlags,
      this.baggage,
      this.traceState,
      this.baggageMetadata,
    ));
  }

  /** The span's outgoing `traceparent` (ids and flags never change, so it is built once). */
  get traceparent(): string {
    return (this.traceparentCache ??=
      '00-' + this.traceId + '-' + this.spanId + ((this.traceFlags & TraceFlags.RANDOM) !== 0 ? '-03' : '-01'));
  }

  get tags(): Tags {
    return (this.tagStore ??= Object.create(null) as Tags);
  }

  get logs(): readonly SpanLog[] {
    return (this.logStore ??= []);
  }

  get links(): readonly SpanLink[] {
    return this.linkStore ?? NO_LINKS;
  }

  /** Whether the span has any tags, without creating the record. */
  get hasTags(): boolean {
    return this.tagStore !== undefined;
  }

  get durationMs(): number | undefined {
    return this.endTime === undefined ? undefined : this.endTime - this.startTime;
  }

  get ended(): boolean {
    return this.endTime !== undefined;
  }

  setTag(key: string, value: TagValue): this {
    if (this.endTime !== undefined) return this;
    const limits = this.sink.limits;
    const normalized = normalizeTagValue(value, limits);
    const tags = this.tags;
    if (
      normalized === undefined ||
      !isValidTagKey(key, limits) ||
      (!(key in tags) && this.tagCount >= limits.maxTags)
    ) {
      this.droppedTags++;
      this.sink.countDroppedAttributes(1);
      return this;
    }
    if (!(key in tags)) this.tagCount++;
    tags[key] = normalized;
    return this;
  }

  setTags(fields: Readonly<Record<string, unknown>>): this {
    if (this.endTime !== undefined || fields === undefined || fields === null) return this;
    const limits = this.sink.limits;
    let dropped = 0;
    if (typeof fields !== 'object' || Array.isArray(fields)) dropped = 1;
    else {
      // Written straight into the span's tags: no intermediate record on the hot path.
      const tags = this.tags;
      try {
        for (const key of Object.keys(fields)) {
          const value = normalizeTagValue(fields[key], limits);
          if (value === undefined || !isValidTagKey(key, limits)) {
            dropped++;
            continue;
          }
          if (!(key in tags)) {
            if (this.tagCount >= limits.maxTags) {
              dropped++;
              continue;
            }
            this.tagCount++;
          }
          tags[key] = value;
        }
      } catch {
        dropped++; // a hostile object (a throwing getter)
      }
    }
    if (dropped > 0) {
      this.droppedTags += dropped;
      this.sink.countDroppedAttributes(dropped);
    }
    return this;
  }

  log(message: string, fields?: Readonly<Record<string, unknown>>, timestamp?: number): this {
    if (this.endTime !== undefined) return this;
    const logs = (this.logStore ??= []);
    if (typeof message !== 'string' || logs.length >= this.sink.limits.maxLogs) {
      this.droppedLogs++;
      this.sink.countDroppedAttributes(1);
      return this;
    }
    const { tags, dropped } = normalizeFields(fields, this.sink.limits);
    if (dropped > 0) this.sink.countDroppedAttributes(dropped);
    const max = this.sink.limits.maxValueLength;
    const at = typeof timestamp === 'number' && Number.isFinite(timestamp) ? timestamp : this.sink.now();
    logs.push({ timestamp: at, message: message.length > max ? message.slice(0, max) : message, fields: tags });
    return this;
  }

  addLink(context: SpanContext, attributes?: Readonly<Record<string, unknown>>): this {
    if (this.endTime !== undefined) return this;
    const links = (this.linkStore ??= []);
    const ctx = context as Partial<Record<keyof SpanContext, unknown>> | null | undefined;
    if (
      ctx === null ||
      typeof ctx !== 'object' ||
      !isValidTraceId(ctx.traceId) ||
      !isValidSpanId(ctx.spanId) ||
      links.length >= this.sink.limits.maxLogs
    ) {
      this.droppedLinks++;
      this.sink.countDroppedAttributes(1);
      return this;
    }
    const { tags, dropped } = normalizeFields(attributes, this.sink.limits);
    if (dropped > 0) this.sink.countDroppedAttributes(dropped);
    const link: { traceId: string; spanId: string; sampled: boolean; traceState?: string; attributes: Tags } = {
      traceId: ctx.traceId,
      spanId: ctx.spanId,
      sampled: ctx.sampled === true,
      attributes: tags,
    };
    if (typeof ctx.traceState === 'string' && ctx.traceState !== '') link.traceState = ctx.traceState;
    links.push(link);
    return this;
  }

  updateName(operationName: string): this {
    if (this.endTime === undefined) this.operationName = checkName(operationName, 'operationName');
    return this;
  }

  setStatus(status: TraceStatus): this {
    const checked = checkStatus(status);
    if (this.endTime === undefined) this.status = checked;
    return this;
  }

  finish(status?: TraceStatus, endTime?: number): void {
    if (this.endTime !== undefined) return;
    if (status !== undefined) this.status = checkStatus(status);
    else if (this.status === TraceStatus.UNSET) this.status = TraceStatus.OK;
    // An explicit end time (e.g. from the OpenTelemetry API) never precedes the start.
    this.endTime = endTime === undefined ? this.sink.now() : checkEndTime(endTime, this.startTime);
    this.sink.onEnd(this, false);
  }

  /** Ends a span that outlived the maximum age; its status stays as it was. */
  abandon(now: number): void {
    if (this.endTime !== undefined) return;
    this.tags['obs.span.abandoned'] = true;
    this.endTime = now;
    this.sink.onEnd(this, true);
  }
}

/**
 * An unsampled span. It exists so context propagates (children and outgoing
 * headers carry the same trace id with the sampled flag off), and does no
 * other work: no clock read, no storage, no events, and for a root even the
 * ids are made only when someone asks for the context.
 */
export class NonRecordingSpan implements Span {
  status: TraceStatus = TraceStatus.UNSET;
  ended = false;
  private contextCache: SpanContext | undefined = undefined;

  /**
   * A root (no parent) makes its trace id lazily from the 56 random bits
   * (`hi24`, `lo32`) that decided it was not sampled, or from fresh random
   * bits when `hi24` is -1 (sample rate 0: any id is unsampled).
   */
  constructor(
    private readonly hi24: number,
    private readonly lo32: number,
    private readonly parent: SpanContext | NonRecordingSpan | undefined,
    public operationName: string,
    readonly serviceName: string,
  ) {}

  get context(): SpanContext {
    if (this.contextCache) return this.contextCache;
    const parent = this.parent instanceof NonRecordingSpan ? this.parent.context : this.parent;
    if (parent) {
      const flags = ((parent.traceFlags ?? 0) & TraceFlags.RANDOM) | TraceFlags.NONE;
      return (this.contextCache = makeContext(
        parent.traceId,
        generateSpanId(),
        parent.spanId,
        false,
        flags,
        parent.baggage,
        parent.traceState,
        parent.baggageMetadata,
      ));
    }
    const traceId = this.hi24 < 0 ? generateTraceId() : traceIdFromLowBits(this.hi24, this.lo32);
    return (this.contextCache = makeContext(
      traceId,
      generateSpanId(),
      undefined,
      false,
      TraceFlags.RANDOM,
      EMPTY_BAGGAGE,
      undefined,
      undefined,
    ));
  }

  get isRecording(): boolean {
    return false;
  }

  get startTime(): number {
    return 0;
  }

  get endTime(): undefined {
    return undefined;
  }

  get durationMs(): undefined {
    return undefined;
  }

  get tags(): Tags {
    return Object.create(null) as Tags;
  }

  get logs(): readonly SpanLog[] {
    return [];
  }

  get links(): readonly SpanLink[] {
    return NO_LINKS;
  }

  setTag(): this {
    return this;
  }

  addLink(): this {
    return this;
  }

  updateName(operationName: string): this {
    if (!this.ended) this.operationName = checkName(operationName, 'operationName');
    return this;
  }

  setTags(): this {
    return this;
  }

  log(): this {
    return this;
  }

  setStatus(status: TraceStatus): this {
    const checked = checkStatus(status);
    if (!this.ended) this.status = checked;
    return this;
  }

  finish(status?: TraceStatus, endTime?: number): void {
    if (this.ended) return;
    if (endTime !== undefined) checkEndTime(endTime, 0);
    if (status !== undefined) this.status = checkStatus(status);
    else if (this.status === TraceStatus.UNSET) this.status = TraceStatus.OK;
    this.ended = true;
  }
}

/** Builds a SpanContext with a stable shape (not frozen: freezing costs more than the object). */
export function makeContext(
  traceId: string,
  spanId: string,
  parentSpanId: string | undefined,
  sampled: boolean,
  traceFlags: number,
  baggage: Readonly<Record<string, string>>,
  traceState: string | undefined,
  baggageMetadata: Readonly<Record<string, string>> | undefined,
): SpanContext {
  const context: {
    traceId: string;
    spanId: string;
    parentSpanId?: string;
    baggage: Readonly<Record<string, string>>;
    sampled: boolean;
    traceFlags: number;
    traceState?: string;
    baggageMetadata?: Readonly<Record<string, string>>;
  } = {
    traceId,
    spanId,
    baggage,
    sampled,
    traceFlags: sampled ? traceFlags | TraceFlags.SAMPLED : traceFlags & ~TraceFlags.SAMPLED,
  };
  if (parentSpanId !== undefined) context.parentSpanId = parentSpanId;
  if (traceState !== undefined) context.traceState = traceState;
  if (baggageMetadata !== undefined) context.baggageMetadata = baggageMetadata;
  return context;
}

export type AnySpan = RecordingSpan | NonRecordingSpan;
