import type { Observable } from 'rxjs';
import type { TracingEvent } from './events';
import type { Span } from './Span';

/**
 * Receives every finished sampled span of a TraceManager it is attached to
 * (`addExporter`, or `exporters` in the config). `onEnd` runs on the caller's
 * path when a span finishes, so it must not block: queue and return. A
 * throwing `onEnd` is counted (`stats().exporterErrors`) and reported as a
 * `traces/exporter-error` event; the other exporters still get the span.
 */
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
