import type { TrafficStats } from '../demo/TrafficGenerator';
import { WORKER_MESSAGE_TAG, type ForwardedItem, type WorkerMessage } from './protocol';

export interface WorkerLinkOptions {
  /** Sends one message to the primary (`process.send` in a node:cluster worker); a throw counts as a failure. */
  readonly send: (message: WorkerMessage) => unknown;
  /** Batch period, ms (default 200). */
  readonly intervalMs?: number;
  /** Items kept while the primary is slow; more are dropped and counted (default 20 000). */
  readonly maxQueued?: number;
  /** Items per message (default 2 000). */
  readonly maxBatch?: number;
  /** The demo traffic's counters, sent with each batch. */
  readonly demoStats?: () => TrafficStats | undefined;
}

/**
 * A worker's side of the event forwarding: queues items and sends them to the
 * primary in batches every `intervalMs`, so a burst of requests costs a few IPC
 * messages. The queue is bounded: past `maxQueued` new items are dropped and
 * counted, and the count travels with the next batch.
 */
export class WorkerLink {
  private queue: ForwardedItem[] = [];
  private dropped = 0;
  private timer: ReturnType<typeof setInterval> | undefined;
  private readonly maxQueued: number;
  private readonly maxBatch: number;
  readonly stats = { sentBatches: 0, sentItems: 0, droppedItems: 0, sendFailures: 0 };

  constructor(private readonly options: WorkerLinkOptions) {
    this.maxQueued = options.maxQueued ?? 20_000;
    this.maxBatch = options.maxBatch ?? 2_000;
    this.timer = setInterval(() => this.flush(), options.intervalMs ?? 200);
    this.timer.unref();
  }

  push(item: ForwardedItem): void {
    if (this.timer === undefined) return;
    if (this.queue.length >= this.maxQueued) {
      this.dropped++;
      this.stats.droppedItems++;
      return;
    }
    this.queue.push(item);
  }

  /** Sends what is queued (and the demo counters) now; nothing after `close()`. */
  flush(): void {
    if (this.timer === undefined) return;
    do {
      const items = this.queue.length <= this.maxBatch ? this.queue : this.queue.slice(0, this.maxBatch);
      this.queue = this.queue.length <= this.maxBatch ? [] : this.queue.slice(this.maxBatch);
      const demo = this.options.demoStats?.();
      const message: WorkerMessage = {
        $obs: WORKER_MESSAGE_TAG,
        kind: 'batch',
        items,
        dropped: this.dropped,
        ...(demo ? { demo: { ...demo } } : {}),
      };
      this.dropped = 0;
      try {
        this.options.send(message);
        this.stats.sentBatches++;
        this.stats.sentItems += items.length;
      } catch {
        // The channel is closing (the primary went away): the worker exits on 'disconnect'.
        this.stats.sendFailures++;
      }
    } while (this.queue.length > 0);
  }

  /** A last flush, then no more sends. */
  close(): void {
    if (this.timer === undefined) return;
    this.flush();
    clearInterval(this.timer);
    this.timer = undefined;
  }
}
