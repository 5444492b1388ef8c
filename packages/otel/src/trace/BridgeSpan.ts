import {
  SpanStatusCode,
  type Attributes,
  type AttributeValue,
  type Exception,
  type Link,
  type Span as OtelSpan,
  type SpanContext as OtelSpanContext,
  type SpanStatus,
  type TimeInput,
} from '@opentelemetry/api';
import { TraceStatus, type Span, type TagValue } from '@obs/tracing';
import { isValidOtelContext, toObsContext, toOtelContext } from './convert';
import { toEpochMs } from './time';

/**
 * An OpenTelemetry API Span over an @obs/tracing span: every call lands on
 * the @obs span, which is stored, exported and shown like any other. A span
 * whose status was never set ends UNSET (OpenTelemetry's meaning), not OK.
 * Nothing here throws: bad input is dropped (and counted by @obs/tracing).
 */
export class BridgeSpan implements OtelSpan {
  private contextCache: OtelSpanContext | undefined = undefined;
  private statusSet = false;

  constructor(readonly obs: Span) {}

  spanContext(): OtelSpanContext {
    return (this.contextCache ??= toOtelContext(this.obs.context));
  }

  setAttribute(key: string, value: AttributeValue): this {
    if (value !== undefined && value !== null) this.obs.setTag(key, value as TagValue);
    return this;
  }

  setAttributes(attributes: Attributes): this {
    if (attributes !== null && typeof attributes === 'object') this.obs.setTags(withoutNullish(attributes));
    return this;
  }

  addEvent(name: string, attributesOrStartTime?: Attributes | TimeInput, startTime?: TimeInput): this {
    let attributes: Attributes | undefined;
    let time = startTime;
    if (isTimeInput(attributesOrStartTime)) time = attributesOrStartTime;
    else attributes = attributesOrStartTime;
    this.obs.log(
      typeof name === 'string' ? name : String(name),
      attributes ? withoutNullish(attributes) : undefined,
      toEpochMs(time),
    );
    return this;
  }

  addLink(link: Link): this {
    if (link !== null && typeof link === 'object' && isValidOtelContext(link.context)) {
      this.obs.addLink(toObsContext(link.context), link.attributes ? withoutNullish(link.attributes) : undefined);
    }
    return this;
  }

  addLinks(links: Link[]): this {
    if (Array.isArray(links)) for (const link of links) this.addLink(link);
    return this;
  }

  setStatus(status: SpanStatus): this {
    if (status === null || typeof status !== 'object' || this.obs.ended) return this;
    if (status.code === SpanStatusCode.ERROR) {
      this.obs.setStatus(TraceStatus.ERROR);
      // The tag OpenTelemetry's non-OTLP exporters use for the status message.
      if (typeof status.message === 'string' && status.message !== '')
        this.obs.setTag('otel.status_description', status.message);
      this.statusSet = true;
    } else if (status.code === SpanStatusCode.OK) {
      this.obs.setStatus(TraceStatus.OK);
      this.statusSet = true;
    }
    return this;
  }

  updateName(name: string): this {
    if (typeof name === 'string' && name !== '') this.obs.updateName(name.length > 1024 ? name.slice(0, 1024) : name);
    return this;
  }

  end(endTime?: TimeInput): void {
    if (this.obs.ended) return;
    this.obs.finish(this.statusSet ? undefined : TraceStatus.UNSET, toEpochMs(endTime));
  }

  isRecording(): boolean {
    return this.obs.isRecording && !this.obs.ended;
  }

  recordException(exception: Exception, time?: TimeInput): void {
    const fields: Record<string, string> = {};
    if (typeof exception === 'string') fields['exception.message'] = exception;
    else if (exception !== null && typeof exception === 'object') {
      const e = exception as { name?: unknown; code?: unknown; message?: unknown; stack?: unknown };
      const type =
        typeof e.code === 'string' || typeof e.code === 'number'
          ? String(e.code)
          : typeof e.name === 'string'
            ? e.name
            : undefined;
      if (type !== undefined) fields['exception.type'] = type;
      if (typeof e.message === 'string') fields['exception.message'] = e.message;
      if (typeof e.stack === 'string') fields['exception.stacktrace'] = e.stack;
    }
    if (fields['exception.type'] === undefined && fields['exception.message'] === undefined) return;
    this.obs.log('exception', fields, toEpochMs(time));
  }
}

function isTimeInput(value: unknown): value is TimeInput {
  return (
    typeof value === 'number' ||
    value instanceof Date ||
    (Array.isArray(value) && value.length === 2 && typeof value[0] === 'number')
  );
}

/** OpenTelemetry allows undefined/null attribute values (meaning "unset"); @obs would count them as dropped. */
function withoutNullish(attributes: Attributes): Record<string, unknown> {
  for (const key in attributes) {
    const value = attributes[key];
    if (value === undefined || value === null) {
      const out: Record<string, unknown> = {};
      for (const k in attributes) if (attributes[k] !== undefined && attributes[k] !== null) out[k] = attributes[k];
      return out;
    }
  }
  return attributes;
}
