import { request as httpRequest } from 'node:http';
import { request as httpsRequest } from 'node:https';
import {
  EventBus,
  NON_NEGATIVE_INTEGER,
  POSITIVE_INTEGER,
  describeValue,
  optionalNumber,
  parseRetryAfter,
  readRetryPolicy,
  retryDelayMs,
  systemClock,
  type Clock,
  type RetryPolicy,
} from '@obs/core';
import { invalidConfig } from '../internal/validate';
import type { Observable } from 'rxjs';
import { TracingError, TracingValidationError } from '../errors';
import { TRACING_SOURCE, type TracingEvent } from '../events';
import type { Span, TagValue } from '../Span';
import type { SpanExporter } from '../SpanExporter';
import { toOtlpRequest } from './otlpJson';
import { encodeTraceRequestProto, readRejectedSpans } from './otlpProto';

/** OTLP/HTTP encodings, named as `OTEL_EXPORTER_OTLP_PROTOCOL` names them. */
export type OtlpTraceProtocol = 'http/json' | 'http/protobuf';

/** Options of {@link createOtlpHttpExporter}. */
export interface OtlpHttpExporterConfig {
  /** The OTLP/HTTP traces endpoint, e.g. `http://127.0.0.1:4318/v1/traces`. */
  url: string;
  /** `http/json` (default, `application/json`) or `http/protobuf` (`application/x-protobuf`, the Collector's default). */
  protocol?: OtlpTraceProtocol;
  /** Extra request headers (e.g. authorization). Values must not contain CR or LF. */
  headers?: Readonly<Record<string, string>>;
  /** Resource attributes added to `service.name` (e.g. `deployment.environment`). */
  resourceAttributes?: Readonly<Record<string, TagValue>>;
  /** Spans waiting for export; more are dropped and counted. Default 2048. */
  maxQueueSize?: number;
  /** Spans per request. Default 512. */
  maxBatchSize?: number;
  /** Longest wait before a partial batch is sent, ms. Default 1000. */
  scheduledDelayMs?: number;
  /** Per-request timeout, ms. Default 10000. */
  exportTimeoutMs?: number;
  /** Retries of a batch after a retryable failure. Default 5. */
  maxRetries?: number;
  /** First backoff, doubled per retry, ms. Default 1000. */
  initialBackoffMs?: number;
  /** Backoff ceiling, ms. Default 30000. */
  maxBackoffMs?: number;
  /** Ceiling on a server's `Retry-After`, ms. Default 60000. */
  maxRetryAfterMs?: number;
  /** Jitter source in [0, 1); the backoff is scaled by 0.5 + 0.5 × random(). Default Math.random. */
  random?: () => number;
  /** Time source for event timestamps. */
  clock?: Clock;
}

/** Counters of an exporter. */
export interface OtlpExporterStats {
  readonly queued: number;
  readonly exported: number;
  /** Spans lost: queue full, failed for good, or arriving after shutdown. */
  readonly dropped: number;
  /** Spans the receiver reported as rejected in a partial success. */
  readonly rejected: number;
  readonly retries: number;
  readonly failedBatches: number;
}

/** Status codes OTLP/HTTP says to retry (plus network errors and timeouts). */
const RETRYABLE = new Set([429, 502, 503, 504]);
const MAX_RESPONSE_BYTES = 64 * 1024;

interface PostResult {
  status: number;
  retryAfterMs: number | undefined;
  body: Buffer;
  error?: string;
}

export { parseRetryAfter } from '@obs/core';

/**
 * Exports finished spans to an OTLP/HTTP receiver as JSON or, with `protocol: 'http/protobuf'`, protobuf
 * (`application/json`, `ExportTraceServiceRequest`). Spans are queued
 * (bounded; overflow is dropped and counted), sent in batches when a batch
 * is full or after `scheduledDelayMs`, one request at a time. 429, 502, 503,
 * 504, timeouts and network errors are retried with exponential backoff and
 * jitter, honouring `Retry-After`; other failures drop the batch. `shutdown`
 * flushes first.
 */
export class OtlpHttpExporter implements SpanExporter {
  readonly name = 'otlp-http';
  readonly protocol: OtlpTraceProtocol;
  readonly events$: Observable<TracingEvent>;
  private readonly bus = new EventBus<TracingEvent>();
  private readonly url: URL;
  private readonly headers: Record<string, string>;
  private readonly resourceAttributes: Readonly<Record<string, TagValue>>;
  private readonly maxQueueSize: number;
  private readonly maxBatchSize: number;
  private readonly scheduledDelayMs: number;
  private readonly exportTimeoutMs: number;
  private readonly retry: RetryPolicy;
  private readonly random: () => number;
  private readonly clock: Clock;
  private queue: Span[] = [];
  private timer: ReturnType<typeof setTimeout> | undefined;
  private pumping: Promise<void> | undefined;
  private closed = false;
  private counters = { exported: 0, dropped: 0, rejected: 0, retries: 0, failedBatches: 0 };

  constructor(config: OtlpHttpExporterConfig) {
    if (config === null || typeof config !== 'object') {
      throw new TracingValidationError('INVALID_CONFIG', `config must be an object, got ${describeValue(config)}`);
    }
    let url: URL;
    try {
      url = new URL(String(config.url));
    } catch {
      throw new TracingValidationError(
        'INVALID_URL',
        `url must be an absolute http(s) URL, got ${describeValue(config.url)}`,
      );
    }
    if (typeof config.url !== 'string' || (url.protocol !== 'http:' && url.protocol !== 'https:')) {
      throw new TracingValidationError(
        'INVALID_URL',
        `url must be an absolute http(s) URL, got ${describeValue(config.url)}`,
      );
    }
    this.url = url;
    const protocol = config.protocol ?? 'http/json';
    if (protocol !== 'http/json' && protocol !== 'http/protobuf') {
      throw new TracingValidationError(
        'INVALID_CONFIG',
        `protocol must be 'http/json' or 'http/protobuf', got ${describeValue(config.protocol)}`,
      );
    }
    this.protocol = protocol;
    this.headers = Object.create(null) as Record<string, string>;
    if (config.headers !== undefined) {
      if (config.headers === null || typeof config.headers !== 'object')
        throw new TracingValidationError('INVALID_HEADERS', 'headers must be an object of strings');
      for (const [key, value] of Object.entries(config.headers)) {
        if (!/^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/.test(key) || typeof value !== 'string' || /[\r\n\0]/.test(value)) {
          throw new TracingValidationError(
            'INVALID_HEADERS',
            `header ${describeValue(key)} must be a token with a string value without CR, LF or NUL`,
          );
        }
        this.headers[key] = value;
      }
    }
    this.resourceAttributes = config.resourceAttributes ?? {};
    this.maxQueueSize = optionalNumber(config.maxQueueSize, 'maxQueueSize', 2048, POSITIVE_INTEGER, invalidConfig);
    this.maxBatchSize = optionalNumber(config.maxBatchSize, 'maxBatchSize', 512, POSITIVE_INTEGER, invalidConfig);
    this.scheduledDelayMs = optionalNumber(
      config.scheduledDelayMs,
      'scheduledDelayMs',
      1000,
      NON_NEGATIVE_INTEGER,
      invalidConfig,
    );
    this.exportTimeoutMs = optionalNumber(
      config.exportTimeoutMs,
      'exportTimeoutMs',
      10_000,
      POSITIVE_INTEGER,
      invalidConfig,
    );
    this.retry = readRetryPolicy(
      config,
      { maxRetries: 5, initialBackoffMs: 1000, maxBackoffMs: 30_000, maxRetryAfterMs: 60_000 },
      invalidConfig,
    );
    this.random = typeof config.random === 'function' ? config.random : Math.random;
    this.clock = config.clock ?? systemClock;
    this.events$ = this.bus.events$;
  }

  stats(): OtlpExporterStats {
    return { queued: this.queue.length, ...this.counters };
  }

  /** Queues a finished span (never blocks; drops and counts when the queue is full). */
  onEnd(span: Span): void {
    if (this.closed) {
      this.drop('shutdown', 1);
      return;
    }
    if (!span || !span.isRecording || span.endTime === undefined) return;
    if (this.queue.length >= this.maxQueueSize) {
      this.drop('queue-full', 1);
      return;
    }
    this.queue.push(span);
    if (this.queue.length >= this.maxBatchSize) this.startPump(false);
    else if (this.timer === undefined && this.pumping === undefined) {
      this.timer = setTimeout(() => {
        this.timer = undefined;
        this.startPump(true);
      }, this.scheduledDelayMs);
      this.timer.unref?.();
    }
  }

  /** Sends everything queued (retrying as configured) and resolves when done. */
  async forceFlush(): Promise<void> {
    for (;;) {
      if (this.pumping) await this.pumping;
      if (this.queue.length === 0) return;
      this.startPump(true);
    }
  }

  /** Flushes, then drops any later span. Idempotent. */
  async shutdown(): Promise<void> {
    if (this.closed) return this.forceFlush();
    await this.forceFlush();
    this.closed = true;
    if (this.timer !== undefined) clearTimeout(this.timer);
    this.timer = undefined;
  }

  private drop(reason: 'queue-full' | 'export-failed' | 'shutdown', count: number): void {
    this.counters.dropped += count;
    this.bus.emit({ type: 'traces/spans-dropped', ts: this.clock.now(), source: TRACING_SOURCE, reason, count });
  }

  private startPump(all: boolean): void {
    if (this.pumping) return;
    if (this.timer !== undefined) {
      clearTimeout(this.timer);
      this.timer = undefined;
    }
    this.pumping = this.pump(all).finally(() => {
      this.pumping = undefined;
      // Spans that arrived while sending wait for the next batch or timer.
      if (this.queue.length >= this.maxBatchSize) this.startPump(false);
      else if (this.queue.length > 0 && !this.closed && this.timer === undefined) {
        this.timer = setTimeout(() => {
          this.timer = undefined;
          this.startPump(true);
        }, this.scheduledDelayMs);
        this.timer.unref?.();
      }
    });
  }

  private async pump(all: boolean): Promise<void> {
    while (this.queue.length > 0 && (all || this.queue.length >= this.maxBatchSize)) {
      const batch = this.queue.splice(0, this.maxBatchSize);
      await this.sendWithRetry(batch);
    }
  }

  private async sendWithRetry(batch: Span[]): Promise<void> {
    let body: string | Uint8Array;
    try {
      const request = toOtlpRequest(batch, this.resourceAttributes);
      body = this.protocol === 'http/protobuf' ? encodeTraceRequestProto(request) : JSON.stringify(request);
    } catch (error) {
      this.counters.failedBatches++;
      this.failed(batch.length, `could not encode the batch: ${String(error)}`, undefined, false, 1);
      this.drop('export-failed', batch.length);
      return;
    }
    for (let attempt = 1; ; attempt++) {
      const result = await this.post(body);
      if (result.status >= 200 && result.status < 300) {
        this.counters.exported += batch.length;
        this.countPartialSuccess(result.body);
        this.bus.emit({
          type: 'traces/export-succeeded',
          ts: this.clock.now(),
          source: TRACING_SOURCE,
          exporter: this.name,
          spans: batch.length,
          attempt,
        });
        return;
      }
      const retryable = result.status === 0 || RETRYABLE.has(result.status);
      const reason = result.error ?? `HTTP ${result.status}`;
      const statusCode = result.status === 0 ? undefined : result.status;
      if (!retryable || attempt > this.retry.maxRetries) {
        this.counters.failedBatches++;
        this.failed(batch.length, reason, statusCode, false, attempt);
        this.drop('export-failed', batch.length);
        return;
      }
      this.counters.retries++;
      this.failed(batch.length, reason, statusCode, true, attempt);
      const delay = retryDelayMs(this.retry, attempt, result.retryAfterMs, this.random);
      await new Promise<void>((resolve) => setTimeout(resolve, delay));
    }
  }

  private failed(
    spans: number,
    reason: string,
    statusCode: number | undefined,
    willRetry: boolean,
    attempt: number,
  ): void {
    this.bus.emit({
      type: 'traces/export-failed',
      ts: this.clock.now(),
      source: TRACING_SOURCE,
      exporter: this.name,
      spans,
      reason,
      statusCode,
      willRetry,
      attempt,
    });
  }

  /** OTLP partial success: `{"partialSuccess":{"rejectedSpans":"3","errorMessage":"..."}}`, or its protobuf form. */
  private countPartialSuccess(body: Buffer): void {
    if (body.length === 0 || body.length > MAX_RESPONSE_BYTES) return;
    if (this.protocol === 'http/protobuf') {
      this.counters.rejected += readRejectedSpans(body);
      return;
    }
    try {
      const parsed = JSON.parse(body.toString('utf8')) as { partialSuccess?: { rejectedSpans?: unknown } };
      const rejected = Number(parsed?.partialSuccess?.rejectedSpans ?? 0);
      if (Number.isSafeInteger(rejected) && rejected > 0) this.counters.rejected += rejected;
    } catch {
      // A body that is not JSON carries no partial-success information.
    }
  }

  private post(body: string | Uint8Array): Promise<PostResult> {
    return new Promise<PostResult>((resolve) => {
      const send = this.url.protocol === 'https:' ? httpsRequest : httpRequest;
      let settled = false;
      const finish = (result: PostResult): void => {
        if (!settled) {
          settled = true;
          resolve(result);
        }
      };
      try {
        const req = send(
          this.url,
          {
            method: 'POST',
            headers: {
              ...this.headers,
              'content-type': this.protocol === 'http/protobuf' ? 'application/x-protobuf' : 'application/json',
              'content-length': typeof body === 'string' ? Buffer.byteLength(body) : body.length,
            },
            timeout: this.exportTimeoutMs,
          },
          (res) => {
            const chunks: Buffer[] = [];
            let size = 0;
            res.on('data', (chunk: Buffer) => {
              if (size < MAX_RESPONSE_BYTES) {
                chunks.push(chunk);
                size += chunk.length;
              }
            });
            res.on('end', () => {
              finish({
                status: res.statusCode ?? 0,
                retryAfterMs: parseRetryAfter(res.headers['retry-after'], Date.now()),
                body: Buffer.concat(chunks),
              });
            });
            res.on('error', (error) =>
              finish({
                status: 0,
                retryAfterMs: undefined,
                body: Buffer.alloc(0),
                error: `response error: ${error.message}`,
              }),
            );
          },
        );
        req.on('timeout', () =>
          req.destroy(new TracingError('EXPORT_TIMEOUT', `export timed out after ${this.exportTimeoutMs} ms`)),
        );
        req.on('error', (error) =>
          finish({ status: 0, retryAfterMs: undefined, body: Buffer.alloc(0), error: error.message }),
        );
        req.end(body);
      } catch (error) {
        finish({
          status: 0,
          retryAfterMs: undefined,
          body: Buffer.alloc(0),
          error: error instanceof Error ? error.message : String(error),
        });
      }
    });
  }
}

/** Creates an {@link OtlpHttpExporter}; attach it with `traces.addExporter(exporter)`. */
export function createOtlpHttpExporter(config: OtlpHttpExporterConfig): OtlpHttpExporter {
  return new OtlpHttpExporter(config);
}
