import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Observable, Subscription } from 'rxjs';
import type { ObsEvent } from '../events';
import { serializeEvent } from '../serialize/serializeEvent';

export interface SseOptions {
  /** Most concurrent event-stream clients; more get 503. Default 32. */
  readonly maxClients?: number;
  /** Events are batched and written at most this often, ms. Default 250. */
  readonly throttleMs?: number;
  /** A comment line is sent this often so proxies keep the connection, ms. Default 15 000. */
  readonly heartbeatMs?: number;
  /** Most events in one batch; the rest of a burst is dropped and counted. Default 500. */
  readonly maxBatchSize?: number;
  /** A client whose unsent output exceeds this many bytes is disconnected. Default 1 MiB. */
  readonly maxBufferedBytes?: number;
  /**
   * Which events are streamed: domains (`'alerts'`) or event types (`'metrics/cardinality-limit'`),
   * as for `hub.eventsOf`. Default {@link DEFAULT_SSE_EVENTS}: everything but `metrics/point`
   * (charts use `hub/sample`), so an open dashboard costs nothing per recorded value.
   */
  readonly events?: readonly string[];
}

interface Client {
  readonly res: ServerResponse;
  readonly heartbeat: ReturnType<typeof setInterval>;
}

export const DEFAULT_SSE_EVENTS: readonly string[] = Object.freeze([
  'traces',
  'health',
  'alerts',
  'slo',
  'anomaly',
  'hub',
  'metrics/cardinality-limit',
  'metrics/label-value-truncated',
  'metrics/series-expired',
  'metrics/points-dropped',
]);

/**
 * Streams hub events to browsers as Server-Sent Events: each message's data is
 * a JSON array of events, written at most every `throttleMs`. It subscribes to
 * the hub only while at least one client is connected.
 */
export class SseBroadcaster {
  private readonly clients = new Set<Client>();
  private subscription: Subscription | undefined;
  private pending: Record<string, unknown>[] = [];
  private flushTimer: ReturnType<typeof setTimeout> | undefined;
  private nextId = 1;
  private counters = { rejected: 0, droppedEvents: 0, slowClients: 0 };
  private readonly maxClients: number;
  private readonly throttleMs: number;
  private readonly heartbeatMs: number;
  private readonly maxBatchSize: number;
  private readonly maxBufferedBytes: number;

  constructor(
    /** The events to stream, already selected (see `hub.eventsOf`). */
    private readonly events$: Observable<ObsEvent>,
    options: SseOptions = {},
  ) {
    this.maxClients = options.maxClients ?? 32;
    this.throttleMs = options.throttleMs ?? 250;
    this.heartbeatMs = options.heartbeatMs ?? 15_000;
    this.maxBatchSize = options.maxBatchSize ?? 500;
    this.maxBufferedBytes = options.maxBufferedBytes ?? 1 << 20;
  }

  get clientCount(): number {
    return this.clients.size;
  }

  stats(): { clients: number; rejected: number; droppedEvents: number; slowClients: number } {
    return { clients: this.clients.size, ...this.counters };
  }

  /** Takes over a request as an event stream; answers 503 when the limit is reached. */
  accept(req: IncomingMessage, res: ServerResponse): void {
    if (this.clients.size >= this.maxClients) {
      this.counters.rejected++;
      res.statusCode = 503;
      res.setHeader('Retry-After', '10');
      res.setHeader('Content-Type', 'application/json; charset=utf-8');
      res.end(
        JSON.stringify({
          error: 'too_many_event_streams',
          message: `at most ${this.maxClients} event streams at once`,
        }),
      );
      return;
    }
    res.statusCode = 200;
    res.setHeader('Content-Type', 'text/event-stream; charset=utf-8');
    res.setHeader('Cache-Control', 'no-store');
    res.setHeader('Connection', 'keep-alive');
    res.setHeader('X-Accel-Buffering', 'no');
    res.flushHeaders();
    res.write('retry: 5000\n\n');
    req.socket.setNoDelay(true);
    const heartbeat = setInterval(() => this.write(client, ': ping\n\n'), this.heartbeatMs);
    heartbeat.unref();
    const client: Client = { res, heartbeat };
    this.clients.add(client);
    const cleanup = () => this.remove(client);
    req.on('close', cleanup);
    res.on('close', cleanup);
    res.on('error', cleanup);
    if (!this.subscription) {
      this.subscription = this.events$.subscribe({
        next: (event) => this.enqueue(event),
        complete: () => this.closeAll(),
      });
      if (this.subscription.closed) this.subscription = undefined;
    }
  }

  /** Ends every stream (e.g. on shutdown). */
  closeAll(): void {
    this.flush();
    for (const client of [...this.clients]) {
      client.res.end();
      this.remove(client);
    }
  }

  private enqueue(event: ObsEvent): void {
    if (this.pending.length >= this.maxBatchSize) {
      this.counters.droppedEvents++;
      return;
    }
    this.pending.push(serializeEvent(event));
    if (!this.flushTimer) {
      this.flushTimer = setTimeout(() => this.flush(), this.throttleMs);
      this.flushTimer.unref();
    }
  }

  private flush(): void {
    if (this.flushTimer) clearTimeout(this.flushTimer);
    this.flushTimer = undefined;
    if (this.pending.length === 0) return;
    const message = `id: ${this.nextId++}\ndata: ${JSON.stringify(this.pending)}\n\n`;
    this.pending = [];
    for (const client of [...this.clients]) this.write(client, message);
  }

  private write(client: Client, chunk: string): void {
    if (client.res.writableEnded || client.res.destroyed) {
      this.remove(client);
      return;
    }
    if (client.res.writableLength > this.maxBufferedBytes) {
      // The client does not read fast enough: cut it off rather than buffer without bound.
      this.counters.slowClients++;
      client.res.destroy();
      this.remove(client);
      return;
    }
    client.res.write(chunk);
  }

  private remove(client: Client): void {
    if (!this.clients.delete(client)) return;
    clearInterval(client.heartbeat);
    if (this.clients.size === 0) {
      this.subscription?.unsubscribe();
      this.subscription = undefined;
      this.pending = [];
      if (this.flushTimer) clearTimeout(this.flushTimer);
      this.flushTimer = undefined;
    }
  }
}
