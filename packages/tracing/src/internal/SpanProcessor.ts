import { EventBus, type Clock } from '@obs/core';
import type { Observable, Subscription } from 'rxjs';
import { TRACING_SOURCE, type TracingEvent } from '../events';
import type { SpanExporter } from '../SpanExporter';
import type { ActiveSpans } from './ActiveSpans';
import type { RecordingSpan } from './spans';
import type { AttributeLimits } from './tags';
import type { TraceStore } from './TraceStore';

/**
 * What a recording span reports to: its attribute limits, the clock, the
 * attributes it dropped and its end. Spans hold this small thing, not the
 * TraceManager that made them.
 */
export interface SpanSink {
  readonly limits: AttributeLimits;
  now(): number;
  countDroppedAttributes(count: number): void;
  /** The span ended (`abandoned` when the reaper ended it); `span.endTime` is set. */
  onEnd(span: RecordingSpan, abandoned: boolean): void;
}

/**
 * The pipeline behind the spans of one TraceManager, as OpenTelemetry's
 * SpanProcessor: on start a sampled span joins the active list and a
 * `span-started` event goes out; on end it leaves the list, is stored, a
 * `span-ended` event goes out and every exporter gets it. Events are built
 * only while `events$` is observed; a throwing exporter is counted and
 * reported, and the others still get the span.
 */
export class SpanProcessor implements SpanSink {
  readonly events$: Observable<TracingEvent>;
  abandonedSpans = 0;
  droppedAttributes = 0;
  exporterErrors = 0;
  private readonly bus = new EventBus<TracingEvent>();
  private readonly exporters: SpanExporter[] = [];
  private readonly exporterSubscriptions = new Map<SpanExporter, Subscription>();

  constructor(
    readonly limits: AttributeLimits,
    private readonly clock: Clock,
    private readonly store: TraceStore,
    private readonly active: ActiveSpans,
  ) {
    this.events$ = this.bus.events$;
  }

  now(): number {
    return this.clock.now();
  }

  countDroppedAttributes(count: number): void {
    if (Number.isSafeInteger(count) && count > 0) this.droppedAttributes += count;
  }

  /** A sampled span started at `now` (its `startTime`). */
  onStart(span: RecordingSpan, now: number): void {
    this.active.add(span, now);
    if (this.bus.observed) {
      this.bus.emit({
        type: 'traces/span-started',
        ts: now,
        source: TRACING_SOURCE,
        span,
        traceId: span.traceId,
        spanId: span.spanId,
        parentSpanId: span.parentSpanId,
        operationName: span.operationName,
        serviceName: span.serviceName,
      });
    }
  }

  onEnd(span: RecordingSpan, abandoned: boolean): void {
    const endTime = span.endTime!;
    this.active.remove(span);
    if (abandoned) this.abandonedSpans++;
    const outcome = this.store.add(span, endTime);
    if (this.bus.observed) {
      if (outcome === 'trace-full')
        this.bus.emit({
          type: 'traces/spans-dropped',
          ts: endTime,
          source: TRACING_SOURCE,
          reason: 'trace-full',
          count: 1,
        });
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
          this.bus.emit({
            type: 'traces/exporter-error',
            ts: endTime,
            source: TRACING_SOURCE,
            exporter: String(exporter.name),
            error: errorMessage(error),
          });
        }
      }
    }
  }

  /** Attaches an exporter (once); its `events$` is forwarded while attached. */
  addExporter(exporter: SpanExporter): void {
    if (this.exporters.includes(exporter)) return;
    this.exporters.push(exporter);
    if (exporter.events$) {
      this.exporterSubscriptions.set(
        exporter,
        exporter.events$.subscribe((event) => this.bus.emit(event)),
      );
    }
  }

  removeExporter(exporter: SpanExporter): void {
    const i = this.exporters.indexOf(exporter);
    if (i >= 0) this.exporters.splice(i, 1);
    this.exporterSubscriptions.get(exporter)?.unsubscribe();
    this.exporterSubscriptions.delete(exporter);
  }

  /** Delivers everything the exporters have queued; a failing flush is ignored. */
  async forceFlush(): Promise<void> {
    await Promise.all(
      this.exporters.map((e) =>
        Promise.resolve()
          .then(() => e.forceFlush())
          .catch(() => undefined),
      ),
    );
  }

  /** Shuts the exporters down (flushing them), detaches them and completes `events$`. */
  async shutdown(): Promise<void> {
    const exporters = this.exporters.splice(0);
    await Promise.all(
      exporters.map((e) =>
        Promise.resolve()
          .then(() => e.shutdown())
          .catch(() => undefined),
      ),
    );
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
