import {
  SpanKind,
  context as otelContext,
  trace,
  type Context,
  type Span as OtelSpan,
  type SpanOptions,
  type Tracer,
} from '@opentelemetry/api';
import type { Span, SpanContext, TraceManager } from '@obs/tracing';
import { BridgeSpan } from './BridgeSpan';
import { isValidOtelContext, toObsContext } from './convert';
import { toEpochMs } from './time';

const KIND_TAG: Readonly<Record<number, string | undefined>> = {
  [SpanKind.SERVER]: 'server',
  [SpanKind.CLIENT]: 'client',
  [SpanKind.PRODUCER]: 'producer',
  [SpanKind.CONSUMER]: 'consumer',
};

/**
 * An OpenTelemetry Tracer whose spans are @obs/tracing spans. The parent is
 * the span in the given (or active) OpenTelemetry context: a span of this
 * bridge continues its @obs span, any other valid span context (e.g. one
 * extracted from headers) becomes a remote parent, and none (or `root:
 * true`) starts a new trace, sampled by the TraceManager's rate. The kind is
 * the `span.kind` tag (as @obs/tracing's OTLP export reads it); the
 * tracer's name and version are the `otel.scope.name` / `otel.scope.version`
 * tags.
 */
export class ObsTracer implements Tracer {
  private readonly scope: Readonly<Record<string, string>>;

  constructor(
    private readonly traces: TraceManager,
    private readonly serviceName: string,
    name: string,
    version: string | undefined,
  ) {
    this.scope = version ? { 'otel.scope.name': name, 'otel.scope.version': version } : { 'otel.scope.name': name };
  }

  startSpan(name: string, options: SpanOptions = {}, ctx: Context = otelContext.active()): OtelSpan {
    const opts = options !== null && typeof options === 'object' ? options : {};
    const parent = opts.root ? null : parentOf(this.traces, ctx);
    const startTime = toEpochMs(opts.startTime);
    const span = this.traces.startSpan(
      spanName(name),
      this.serviceName,
      parent,
      this.scope,
      startTime === undefined ? undefined : { startTime },
    );
    if (span.isRecording) {
      const kind = opts.kind === undefined ? undefined : KIND_TAG[opts.kind];
      if (kind !== undefined) span.setTag('span.kind', kind);
      if (opts.attributes) new BridgeSpan(span).setAttributes(opts.attributes);
      if (opts.links)
        for (const link of opts.links)
          if (link && isValidOtelContext(link.context))
            span.addLink(toObsContext(link.context), link.attributes as Record<string, unknown> | undefined);
    }
    return new BridgeSpan(span);
  }

  startActiveSpan<F extends (span: OtelSpan) => unknown>(name: string, fn: F): ReturnType<F>;
  startActiveSpan<F extends (span: OtelSpan) => unknown>(name: string, options: SpanOptions, fn: F): ReturnType<F>;
  startActiveSpan<F extends (span: OtelSpan) => unknown>(
    name: string,
    options: SpanOptions,
    ctx: Context,
    fn: F,
  ): ReturnType<F>;
  startActiveSpan<F extends (span: OtelSpan) => unknown>(
    name: string,
    a?: SpanOptions | F,
    b?: Context | F,
    c?: F,
  ): ReturnType<F> | undefined {
    let options: SpanOptions | undefined;
    let ctx: Context | undefined;
    let fn: F | undefined;
    if (typeof a === 'function') fn = a;
    else if (typeof b === 'function') {
      options = a;
      fn = b;
    } else {
      options = a;
      ctx = b;
      fn = c;
    }
    if (typeof fn !== 'function') return undefined;
    const parentCtx = ctx ?? otelContext.active();
    const span = this.startSpan(name, options, parentCtx);
    return otelContext.with(
      trace.setSpan(parentCtx, span),
      fn as (span: OtelSpan) => unknown,
      undefined,
      span,
    ) as ReturnType<F>;
  }
}

/** The @obs parent of a span started in `ctx`: a span of ours, a remote context, or null (a root). */
export function parentOf(traces: TraceManager, ctx: Context | undefined): Span | SpanContext | null {
  const otelSpan = ctx ? trace.getSpan(ctx) : undefined;
  if (otelSpan === undefined) return null;
  if (otelSpan instanceof BridgeSpan) return otelSpan.obs;
  const sc = otelSpan.spanContext();
  return isValidOtelContext(sc) ? toObsContext(sc) : null;
}

function spanName(name: unknown): string {
  if (typeof name !== 'string' || name === '') return 'unnamed';
  return name.length > 1024 ? name.slice(0, 1024) : name;
}
