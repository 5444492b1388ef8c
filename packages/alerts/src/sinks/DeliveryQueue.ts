import { AlertValidationError } from '../errors';
import type { CancelTimer, TimerFn } from '../internal/timers';
import { AlertSinkError, sinkNumber } from './http';

/** Delivery counters of one sink (or one target of a sink). */
export interface DeliveryStats {
  /** Items waiting to be delivered. */
  readonly queued: number;
  /** Items delivered. */
  readonly sent: number;
  /** Items dropped because the queue was full. */
  readonly dropped: number;
  /** Items the receiver refused for good (e.g. HTTP 4xx other than 408/429): not retried. */
  readonly rejected: number;
  /** Failed attempts. */
  readonly failures: number;
  readonly lastError: string | undefined;
}

/** Queue and retry settings shared by every sink. */
export interface DeliveryOptions {
  /** Per attempt. Default 10 000 ms. */
  readonly timeoutMs?: number;
  /** Items waiting for delivery; beyond it the oldest are dropped and counted. Default 10 000. */
  readonly maxQueue?: number;
  /** First retry delay while the receiver is unreachable; doubles up to `retryMaxMs`. Default 1000. */
  readonly retryInitialMs?: number;
  /** Default 30 000. */
  readonly retryMaxMs?: number;
}

export interface ResolvedDeliveryOptions {
  readonly timeoutMs: number;
  readonly maxQueue: number;
  readonly retryInitialMs: number;
  readonly retryMaxMs: number;
}

export function resolveDeliveryOptions(config: DeliveryOptions | undefined): ResolvedDeliveryOptions {
  if (config === null || typeof config !== 'object')
    throw new AlertValidationError('INVALID_SINK', 'sink config must be an object');
  const retryInitialMs = sinkNumber(config.retryInitialMs, 'retryInitialMs', 1000, 1, 3_600_000);
  return {
    timeoutMs: sinkNumber(config.timeoutMs, 'timeoutMs', 10_000, 1, 600_000),
    maxQueue: Math.floor(sinkNumber(config.maxQueue, 'maxQueue', 10_000, 1, 1_000_000)),
    retryInitialMs,
    retryMaxMs: Math.max(retryInitialMs, sinkNumber(config.retryMaxMs, 'retryMaxMs', 30_000, 1, 3_600_000)),
  };
}

/** By default an HTTP 4xx other than 408 and 429 is permanent: the same request cannot succeed later. */
export function isPermanentHttpError(error: unknown): boolean {
  return (
    error instanceof AlertSinkError &&
    error.status !== undefined &&
    error.status >= 400 &&
    error.status < 500 &&
    error.status !== 408 &&
    error.status !== 429
  );
}

interface Entry<T> {
  item: T;
  version: number;
}

export interface DeliveryQueueConfig<T> {
  readonly options: ResolvedDeliveryOptions;
  readonly timers: TimerFn;
  /** Items per attempt. Default 1. */
  readonly maxBatch?: number;
  /** Delivers a batch; rejects on failure (it must give up by `timeoutMs` itself). */
  readonly send: (items: T[]) => Promise<void>;
  readonly isPermanent?: (error: unknown) => boolean;
}

/**
 * A bounded, keyed queue with one delivery in flight and exponential-backoff retries: what
 * every sink uses between the manager and its receiver. Enqueueing a key that is already
 * queued replaces the item (the receiver only needs the newest version, e.g. of a group).
 * When the queue is full the oldest item is dropped and counted.
 */
export class DeliveryQueue<T> {
  private readonly queue = new Map<string, Entry<T>>();
  private version = 0;
  private attempt = 0;
  private cancelRetry: CancelTimer | undefined;
  private inFlight: Promise<void> | undefined;
  private stopped = false;
  private counts = { sent: 0, dropped: 0, rejected: 0, failures: 0 };
  private lastError: string | undefined;
  private readonly maxBatch: number;
  private readonly isPermanent: (error: unknown) => boolean;

  constructor(private readonly config: DeliveryQueueConfig<T>) {
    this.maxBatch = config.maxBatch ?? 1;
    this.isPermanent = config.isPermanent ?? isPermanentHttpError;
  }

  get size(): number {
    return this.queue.size;
  }

  /** Whether a retry is scheduled (the receiver is known to be failing). */
  get retrying(): boolean {
    return this.cancelRetry !== undefined;
  }

  enqueue(key: string, item: T): void {
    if (!this.queue.has(key) && this.queue.size >= this.config.options.maxQueue) {
      const oldest = this.queue.keys().next();
      if (!oldest.done) {
        this.queue.delete(oldest.value);
        this.counts.dropped++;
      }
    }
    this.queue.delete(key); // re-insert: newest last, so the oldest is dropped first
    this.queue.set(key, { item, version: ++this.version });
  }

  /**
   * After an enqueue: one delivery attempt, unless a retry is already scheduled (it will carry
   * the new items). Rejects when the attempt fails; the items stay queued and a retry is scheduled.
   */
  kick(): Promise<void> {
    if (this.cancelRetry) return Promise.resolve();
    return this.deliver().catch((error: unknown) => {
      this.scheduleRetry();
      throw error;
    });
  }

  /** Sends until the queue is empty; serialized so that only one attempt is in flight. */
  deliver(): Promise<void> {
    if (this.inFlight) return this.inFlight.then(() => (this.queue.size > 0 ? this.deliver() : undefined));
    const run = (async () => {
      while (this.queue.size > 0) await this.sendOnce();
    })();
    this.inFlight = run.finally(() => (this.inFlight = undefined));
    return this.inFlight;
  }

  stop(): void {
    this.stopped = true;
    this.cancelRetry?.();
    this.cancelRetry = undefined;
  }

  stats(): DeliveryStats {
    return { queued: this.queue.size, ...this.counts, lastError: this.lastError };
  }

  private async sendOnce(): Promise<void> {
    const batch = [...this.queue.entries()].slice(0, this.maxBatch);
    if (batch.length === 0) return;
    const done = () => {
      for (const [key, e] of batch) if (this.queue.get(key)?.version === e.version) this.queue.delete(key);
    };
    try {
      await this.config.send(batch.map(([, e]) => e.item));
    } catch (error) {
      this.counts.failures++;
      this.lastError = error instanceof Error ? error.message : String(error);
      if (this.isPermanent(error)) {
        // The receiver refused these items themselves: retrying them cannot help.
        done();
        this.counts.rejected += batch.length;
      }
      throw error;
    }
    done();
    this.counts.sent += batch.length;
    this.attempt = 0;
  }

  private scheduleRetry(): void {
    if (this.stopped || this.cancelRetry || this.queue.size === 0) return;
    const { retryInitialMs, retryMaxMs } = this.config.options;
    const delay = Math.min(retryMaxMs, retryInitialMs * 2 ** Math.min(this.attempt, 30));
    this.attempt++;
    this.cancelRetry = this.config.timers(() => {
      this.cancelRetry = undefined;
      this.deliver().catch(() => this.scheduleRetry());
    }, delay);
  }
}
