import {
  EventBus,
  POSITIVE_INTEGER,
  describeValue,
  optionalNumber,
  readRetryPolicy,
  retryDelayMs,
  systemClock,
  type Clock,
  type RetryPolicy,
} from '@obs/core';
import { invalidConfig } from '../internal/validate';
import type { Observable } from 'rxjs';
import { InvalidConfigError } from '../errors';
import type { CollectedMetrics, MetricsProducer } from '../MetricsProducer';
import { METRICS_EXPORT_SOURCE, type ExportDroppedEvent, type MetricsExportEvent } from './events';
import { httpPost, type PostResult } from './httpPost';

/** Options every push exporter (OTLP metrics, remote write) shares. */
export interface PushExporterConfig {
  /** Endpoint URL (http or https). */
  url: string;
  /** Where metrics come from: a `MetricsCollector` or any producer. The hub attaches its own when omitted. */
  producer?: MetricsProducer;
  /** Collection and push period, ms. */
  intervalMs?: number;
  /** Extra request headers (e.g. authorization). Values must not contain CR, LF or NUL. */
  headers?: Readonly<Record<string, string>>;
  /** Points (data points or samples) waiting to be sent; past it the oldest requests are dropped and counted. */
  maxQueueSize?: number;
  /** Per-request timeout, ms. Default 10000. */
  exportTimeoutMs?: number;
  /** Retries of a request after a retryable failure (`Infinity`: until the queue drops it). */
  maxRetries?: number;
  /** First backoff, doubled per retry, ms. */
  initialBackoffMs?: number;
  /** Backoff ceiling, ms. */
  maxBackoffMs?: number;
  /** Ceiling on a server's `Retry-After`, ms. Default 60000. */
  maxRetryAfterMs?: number;
  /** Jitter source in [0, 1); backoff is scaled by 0.5 + 0.5 × random(). Default Math.random. */
  random?: () => number;
  /** Time source for event timestamps. */
  clock?: Clock;
}

/** Counters of a push exporter. */
export interface PushExporterStats {
  /** Points queued and not yet sent. */
  readonly queued: number;
  readonly queuedRequests: number;
  /** Points the receiver accepted. */
  readonly exported: number;
  /** Points lost: queue full (oldest first), refused for good, or failed to encode. */
  readonly dropped: number;
  readonly retries: number;
  readonly failedRequests: number;
  readonly collections: number;
}

/** One request waiting in the queue. */
export interface QueuedRequest {
  readonly body: Uint8Array;
  readonly points: number;
}

/** Per-exporter defaults handed to the base class. */
export interface PushDefaults {
  intervalMs: number;
  maxQueueSize: number;
  maxRetries: number;
  initialBackoffMs: number;
  maxBackoffMs: number;
}

const HEADER_NAME = /^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/;

export function parseUrl(value: unknown): URL {
  let url: URL | undefined;
  try {
    url = typeof value === 'string' ? new URL(value) : undefined;
  } catch {
    url = undefined;
  }
  if (url === undefined || (url.protocol !== 'http:' && url.protocol !== 'https:')) {
    throw new InvalidConfigError(`url must be an absolute http(s) URL, got ${describeValue(value)}`);
  }
  return url;
}

export function parseHeaders(value: unknown): Record<string, string> {
  const headers = Object.create(null) as Record<string, string>;
  if (value === undefined) return headers;
  if (value === null || typeof value !== 'object') throw new InvalidConfigError('headers must be an object of strings');
  for (const [key, v] of Object.entries(value)) {
    if (!HEADER_NAME.test(key) || typeof v !== 'string' || /[\r\n\0]/.test(v)) {
      throw new InvalidConfigError(
        `header ${describeValue(key)} must be a token with a string value without CR, LF or NUL`,
      );
    }
    headers[key] = v;
  }
  return headers;
}

/**
 * The shared engine of the metric push exporters: every `intervalMs` it collects from
 * the producer, encodes (subclass), and queues the request(s); one request is on the
 * wire at a time, oldest first. Network errors, timeouts and the statuses the subclass
 * calls retryable are retried with exponential backoff and jitter, honouring
 * `Retry-After`; other failures drop the request. The queue is bounded in points:
 * past it the oldest request not on the wire is dropped and counted.
 */
export abstract class PushExporter {
  abstract readonly name: string;
  readonly events$: Observable<MetricsExportEvent>;
  protected readonly bus = new EventBus<MetricsExportEvent>();
  protected readonly url: URL;
  protected readonly headers: Record<string, string>;
  protected readonly clock: Clock;
  private readonly intervalMs: number;
  private readonly maxQueueSize: number;
  private readonly exportTimeoutMs: number;
  private readonly retry: RetryPolicy;
  private readonly random: () => number;
  private producer: MetricsProducer | undefined;
  private readonly queue: QueuedRequest[] = [];
  private queuedPoints = 0;
  /** The request on the wire (never dropped while there). */
  private inFlight: QueuedRequest | undefined;
  /** Wakes a backoff wait early (the request it waits for was dropped, or shutdown). */
  private wake: (() => void) | undefined;
  private pumping: Promise<void> | undefined;
  private timer: ReturnType<typeof setInterval> | undefined;
  private closed = false;
  private readonly counters = { exported: 0, dropped: 0, retries: 0, failedRequests: 0, collections: 0 };

  protected constructor(config: PushExporterConfig, defaults: PushDefaults) {
    if (config === null || typeof config !== 'object')
      throw new InvalidConfigError(`config must be an object, got ${describeValue(config)}`);
    this.url = parseUrl(config.url);
    this.headers = parseHeaders(config.headers);
    this.intervalMs = optionalNumber(
      config.intervalMs,
      'intervalMs',
      defaults.intervalMs,
      POSITIVE_INTEGER,
      invalidConfig,
    );
    this.maxQueueSize = optionalNumber(
      config.maxQueueSize,
      'maxQueueSize',
      defaults.maxQueueSize,
      POSITIVE_INTEGER,
      invalidConfig,
    );
    this.exportTimeoutMs = optionalNumber(
      config.exportTimeoutMs,
      'exportTimeoutMs',
      10_000,
      POSITIVE_INTEGER,
      invalidConfig,
    );
    this.retry = readRetryPolicy(config, { ...defaults, maxRetryAfterMs: 60_000 }, invalidConfig, true);
    this.random = typeof config.random === 'function' ? config.random : Math.random;
    this.clock = config.clock ?? systemClock;
    if (config.producer !== undefined && (config.producer === null || typeof config.producer.collect !== 'function')) {
      throw new InvalidConfigError('producer must have a collect() method (e.g. a MetricsCollector)');
    }
    this.events$ = this.bus.events$;
    // Subclasses finish their own fields first; they call attach(config.producer) at the end of their constructor.
  }

  /** Encodes one collection into queued requests (each with its point count). */
  protected abstract encode(collected: CollectedMetrics): QueuedRequest[];

  /** Request headers besides the user's (content type, encoding). */
  protected abstract contentHeaders(): Record<string, string>;

  /** Whether an HTTP status means "try again later". */
  protected abstract isRetryable(status: number): boolean;

  /** Points the receiver reported as rejected in a 2xx response (partial success); default none. */
  protected rejectedIn(_result: PostResult): number {
    return 0;
  }

  /** Sets the producer and starts the periodic push (the hub does this when `producer` was not given). */
  attach(producer: MetricsProducer): void {
    if (producer === null || typeof producer !== 'object' || typeof producer.collect !== 'function') {
      throw new InvalidConfigError('producer must have a collect() method (e.g. a MetricsCollector)');
    }
    if (this.closed) return;
    this.producer = producer;
    if (this.timer === undefined) {
      this.timer = setInterval(() => this.tick(), this.intervalMs);
      this.timer.unref?.();
    }
  }

  get attached(): boolean {
    return this.producer !== undefined;
  }

  stats(): PushExporterStats {
    return { queued: this.queuedPoints, queuedRequests: this.queue.length, ...this.counters };
  }

  /**
   * Collects now and sends everything queued. Resolves true when the queue is empty,
   * false when `timeoutMs` (default: the export timeout times four) passed first.
   */
  async forceFlush(timeoutMs = this.exportTimeoutMs * 4): Promise<boolean> {
    this.collectNow();
    return this.drain(timeoutMs);
  }

  /** Stops the timer, pushes a last collection (within `timeoutMs`), then drops whatever is left. Idempotent. */
  async shutdown(timeoutMs = this.exportTimeoutMs * 4): Promise<void> {
    if (this.closed) return;
    if (this.timer !== undefined) clearInterval(this.timer);
    this.timer = undefined;
    this.collectNow();
    this.closed = true;
    await this.drain(timeoutMs);
    if (this.queue.length > 0) {
      const points = this.queuedPoints;
      this.queue.length = 0;
      this.queuedPoints = 0;
      this.drop('shutdown', points);
    }
    this.wake?.();
  }

  private tick(): void {
    this.collectNow();
  }

  /** Collects and queues without waiting for the send. */
  protected collectNow(): void {
    if (this.closed || this.producer === undefined) return;
    let requests: QueuedRequest[];
    try {
      const collected = this.producer.collect();
      this.counters.collections++;
      requests = this.encode(collected);
    } catch (error) {
      this.counters.failedRequests++;
      this.bus.emit({
        type: 'metrics/export-failed',
        ts: this.clock.now(),
        source: METRICS_EXPORT_SOURCE,
        exporter: this.name,
        points: 0,
        reason: `collect or encode failed: ${error instanceof Error ? error.message : String(error)}`,
        statusCode: undefined,
        willRetry: false,
        attempt: 0,
      });
      return;
    }
    for (const request of requests) this.enqueue(request);
    this.startPump();
  }

  private enqueue(request: QueuedRequest): void {
    this.queue.push(request);
    this.queuedPoints += request.points;
    // Drop oldest first, but never the request on the wire, and never the newest one.
    while (this.queuedPoints > this.maxQueueSize) {
      const at = this.queue[0] === this.inFlight ? 1 : 0;
      if (at >= this.queue.length - 1) break;
      const dropped = this.queue.splice(at, 1)[0]!;
      this.queuedPoints -= dropped.points;
      this.drop('queue-full', dropped.points);
      // The head may be waiting out a backoff: let the pump move on.
      if (at === 0) this.wake?.();
    }
  }

  private drop(reason: ExportDroppedEvent['reason'], points: number): void {
    this.counters.dropped += points;
    this.bus.emit({
      type: 'metrics/export-dropped',
      ts: this.clock.now(),
      source: METRICS_EXPORT_SOURCE,
      exporter: this.name,
      reason,
      points,
    });
  }

  private startPump(): void {
    if (this.pumping) return;
    this.pumping = this.pump().finally(() => {
      this.pumping = undefined;
    });
  }

  private async drain(timeoutMs: number): Promise<boolean> {
    const deadline = Date.now() + timeoutMs;
    while (this.queue.length > 0) {
      this.startPump();
      const remaining = deadline - Date.now();
      if (remaining <= 0) return false;
      let timer: ReturnType<typeof setTimeout> | undefined;
      const timedOut = await Promise.race([
        this.pumping!.then(() => false),
        new Promise<boolean>((resolve) => {
          timer = setTimeout(() => resolve(true), remaining);
        }),
      ]);
      clearTimeout(timer);
      if (timedOut) return this.queue.length === 0;
    }
    return true;
  }

  private async pump(): Promise<void> {
    while (this.queue.length > 0) {
      const request = this.queue[0]!;
      await this.sendWithRetry(request);
      // The request leaves the queue once sent or given up (it may already have been dropped while waiting).
      if (this.queue[0] === request) {
        this.queue.shift();
        this.queuedPoints -= request.points;
      }
    }
  }

  private async sendWithRetry(request: QueuedRequest): Promise<void> {
    const headers = { ...this.headers, ...this.contentHeaders() };
    for (let attempt = 1; ; attempt++) {
      this.inFlight = request;
      let result: PostResult;
      try {
        result = await httpPost(this.url, request.body, headers, this.exportTimeoutMs);
      } finally {
        this.inFlight = undefined;
      }
      if (result.status >= 200 && result.status < 300) {
        const rejected = Math.min(request.points, this.rejectedIn(result));
        this.counters.exported += request.points - rejected;
        if (rejected > 0) this.drop('export-failed', rejected);
        this.bus.emit({
          type: 'metrics/export-succeeded',
          ts: this.clock.now(),
          source: METRICS_EXPORT_SOURCE,
          exporter: this.name,
          points: request.points,
          attempt,
        });
        return;
      }
      const retryable = result.status === 0 || this.isRetryable(result.status);
      const reason =
        result.error ?? `HTTP ${result.status}${result.body.length ? ': ' + result.body.toString('utf8', 0, 200) : ''}`;
      const statusCode = result.status === 0 ? undefined : result.status;
      if (!retryable || attempt > this.retry.maxRetries || this.closed) {
        this.counters.failedRequests++;
        this.failed(request.points, reason, statusCode, false, attempt);
        if (this.queue[0] === request) {
          this.queue.shift();
          this.queuedPoints -= request.points;
          this.drop('export-failed', request.points);
        }
        return;
      }
      this.counters.retries++;
      this.failed(request.points, reason, statusCode, true, attempt);
      const delay = retryDelayMs(this.retry, attempt, result.retryAfterMs, this.random);
      await new Promise<void>((resolve) => {
        const timer = setTimeout(done, delay);
        function done(): void {
          clearTimeout(timer);
          resolve();
        }
        this.wake = done;
      });
      this.wake = undefined;
      // Dropped from the queue while waiting (queue full): give up on it.
      if (this.queue[0] !== request) return;
    }
  }

  private failed(
    points: number,
    reason: string,
    statusCode: number | undefined,
    willRetry: boolean,
    attempt: number,
  ): void {
    this.bus.emit({
      type: 'metrics/export-failed',
      ts: this.clock.now(),
      source: METRICS_EXPORT_SOURCE,
      exporter: this.name,
      points,
      reason,
      statusCode,
      willRetry,
      attempt,
    });
  }
}
