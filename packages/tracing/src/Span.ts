import type { TraceStatus } from './TraceStatus';

/** A tag (attribute) value: OTLP's AnyValue restricted to primitives and homogeneous arrays. */
export type TagValue = string | number | boolean | readonly string[] | readonly number[] | readonly boolean[];

/** Tags of a span: a prototype-free record, so `__proto__` is an ordinary key. */
export type Tags = Record<string, TagValue>;

/** A timestamped event on a span (an OTLP span event). */
export interface SpanLog {
  /** Epoch ms. */
  readonly timestamp: number;
  readonly message: string;
  readonly fields: Readonly<Tags>;
}

/** A link to another span (e.g. the messages of a batch), an OTLP span link. */
export interface SpanLink {
  readonly traceId: string;
  readonly spanId: string;
  readonly sampled: boolean;
  readonly traceState?: string;
  readonly attributes: Readonly<Tags>;
}

/**
 * The identity of a span as it travels between services (W3C Trace Context):
 * `traceId` is 32 and `spanId` 16 lowercase hex digits, never all zero.
 */
export interface SpanContext {
  readonly traceId: string;
  readonly spanId: string;
  /** The span id of the parent, when the span has one. */
  readonly parentSpanId?: string;
  /** W3C Baggage entries, percent-decoded (prototype-free record). */
  readonly baggage: Readonly<Record<string, string>>;
  /** Whether the trace is sampled (recorded); children follow it. */
  readonly sampled: boolean;
  /** All W3C trace-flags bits as carried (SAMPLED 0x01, RANDOM 0x02); derived from `sampled` when absent. */
  readonly traceFlags?: number;
  /** A validated W3C `tracestate` value, forwarded unchanged. */
  readonly traceState?: string;
  /** Baggage properties (`k=v;flag`) per key, forwarded unchanged. */
  readonly baggageMetadata?: Readonly<Record<string, string>>;
  /** True for a context extracted from a remote caller's headers. */
  readonly isRemote?: boolean;
}

/** A unit of work. Obtain one from `TraceManager.startSpan` or `trace`. */
export interface Span {
  readonly context: SpanContext;
  readonly operationName: string;
  readonly serviceName: string;
  /** Epoch ms (fractional). 0 for a span that is not recording (unsampled). */
  readonly startTime: number;
  /** Epoch ms once finished; undefined while active and for spans that are not recording. */
  readonly endTime: number | undefined;
  readonly status: TraceStatus;
  /** Tags of the span; on a span that is not recording, a fresh empty object whose writes are discarded. */
  readonly tags: Tags;
  readonly logs: readonly SpanLog[];
  /** Links to other spans ([] on a span that is not recording). */
  readonly links: readonly SpanLink[];
  /** `endTime - startTime` once finished, else undefined. */
  readonly durationMs: number | undefined;
  /** False for unsampled spans: they propagate context and record nothing. */
  readonly isRecording: boolean;
  /** Whether `finish` has run. */
  readonly ended: boolean;
  /**
   * Ends the span. Without a status it becomes OK unless already ERROR.
   * A second call does nothing (no second event, end time unchanged).
   * `endTime` (epoch ms) defaults to now; one before the start is taken as the start.
   */
  finish(status?: TraceStatus, endTime?: number): void;
  /** Adds a log entry (an OTLP span event) stamped now, or at `timestamp` (epoch ms). */
  log(message: string, fields?: Readonly<Record<string, unknown>>, timestamp?: number): this;
  /** Links another span; a context without valid ids, or links beyond `maxLogsPerSpan`, are dropped and counted. */
  addLink(context: SpanContext, attributes?: Readonly<Record<string, unknown>>): this;
  /** Renames the span before it ends (e.g. once the route is known). */
  updateName(operationName: string): this;
  /** Sets a tag; an invalid key or value is dropped and counted, never thrown. */
  setTag(key: string, value: TagValue): this;
  /** Sets several tags (same rules as {@link setTag}). */
  setTags(tags: Readonly<Record<string, unknown>>): this;
  /** Sets the status before finishing (e.g. ERROR while the work continues). */
  setStatus(status: TraceStatus): this;
}
