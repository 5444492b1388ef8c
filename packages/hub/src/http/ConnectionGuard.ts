import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import type { Socket } from 'node:net';

export interface ConnectionGuardOptions {
  /** Connections served normally. */
  readonly maxConnections: number;
  /** Extra connections admitted past the cap for `reservedPaths` only (the rest get 503). */
  readonly reservedConnections: number;
  /** Request paths a reserved connection may ask for (health probes). */
  readonly reservedPaths: ReadonlySet<string>;
  /** A connection that sends no byte at all within this many ms is closed. */
  readonly firstByteTimeoutMs: number;
  /** How often idle connections are swept, ms. */
  readonly sweepIntervalMs: number;
}

export interface ConnectionGuardStats {
  /** Connections open now. */
  readonly open: number;
  /** Most connections open at once. */
  readonly peak: number;
  /** Idle connections closed to make room for a new one. */
  readonly evictedIdle: number;
  /** Connections closed because they sent nothing within the first-byte timeout. */
  readonly closedSilent: number;
  /** Connections refused outright (cap and reserve full). */
  readonly refused: number;
  /** Requests answered 503 on a reserved connection (not a reserved path). */
  readonly reservedRejected: number;
}

/** A connection younger than this is not closed to make room while the reserve has space. */
const EVICTION_GRACE_MS = 1_000;

/** Per-connection bookkeeping. */
interface Tracked {
  readonly openedAt: number;
  /** When it opened or last started or finished a request (the map is in this order). */
  lastActive: number;
  /** Requests being served on this connection right now. */
  active: number;
  /** Whether any request has been seen (a connection that sent nothing yet is idle). */
  seenRequest: boolean;
  /** Admitted past the cap: only reserved paths are served. */
  readonly reserved: boolean;
}

/**
 * Caps open connections while keeping health probes answerable. A new
 * connection at the cap first evicts the oldest idle connection (one with no
 * request in flight: a silent or half-sent slowloris socket, or a keep-alive
 * connection between requests). If every connection is busy, up to
 * `reservedConnections` more are admitted but only for `reservedPaths`; beyond
 * that new connections are closed at once, which keeps the process well under
 * its file-descriptor limit. Connections that never send a byte are closed after
 * `firstByteTimeoutMs` (Node's own `headersTimeout` starts only with the first byte).
 */
export class ConnectionGuard {
  /** In order of last activity: the first idle entry is the oldest idle connection. */
  private readonly sockets = new Map<Socket, Tracked>();
  private readonly counters = { peak: 0, evictedIdle: 0, closedSilent: 0, refused: 0, reservedRejected: 0 };
  private sweepTimer: NodeJS.Timeout | undefined;

  constructor(private readonly options: ConnectionGuardOptions) {}

  /** Hooks the guard into a server; call before `listen()`. */
  attach(server: Server): void {
    server.on('connection', (socket: Socket) => this.onConnection(socket));
    server.on('listening', () => this.startSweep());
    server.on('close', () => this.stopSweep());
    if (server.listening) this.startSweep();
  }

  /**
   * Called for every request before the app's listener. Returns false when the
   * request was answered here (503 on a reserved connection).
   */
  onRequest(req: IncomingMessage, res: ServerResponse): boolean {
    const socket = req.socket;
    const tracked = this.sockets.get(socket);
    if (!tracked) return true;
    tracked.seenRequest = true;
    tracked.active++;
    this.touch(socket, tracked);
    res.once('close', () => {
      tracked.active--;
      if (this.sockets.has(socket)) this.touch(socket, tracked);
    });
    if (tracked.reserved && !this.options.reservedPaths.has(pathOf(req.url))) {
      this.counters.reservedRejected++;
      const body = JSON.stringify({
        error: 'too_many_connections',
        message: 'the server is at its connection limit; retry shortly',
      });
      res.writeHead(503, {
        'Content-Type': 'application/json; charset=utf-8',
        'Content-Length': String(Buffer.byteLength(body)),
        'Cache-Control': 'no-store',
        'Retry-After': '1',
        Connection: 'close',
      });
      res.end(body);
      return false;
    }
    return true;
  }

  stats(): ConnectionGuardStats {
    return { open: this.sockets.size, ...this.counters };
  }

  private onConnection(socket: Socket): void {
    const { maxConnections, reservedConnections } = this.options;
    let reserved = false;
    // At the cap: make room by closing the oldest idle connection, but not one that has just
    // opened and may be about to send its request; failing that, admit into the reserve.
    if (this.sockets.size >= maxConnections && !this.evictOldestIdle(Date.now() - EVICTION_GRACE_MS)) {
      reserved = true;
      if (this.sockets.size >= maxConnections + reservedConnections && !this.evictOldestIdle(Infinity)) {
        this.counters.refused++;
        socket.destroy();
        return;
      }
    }
    const now = Date.now();
    const tracked: Tracked = { openedAt: now, lastActive: now, active: 0, seenRequest: false, reserved };
    this.sockets.set(socket, tracked);
    if (this.sockets.size > this.counters.peak) this.counters.peak = this.sockets.size;
    socket.once('close', () => this.sockets.delete(socket));
  }

  /** Moves a connection to the end of the activity order. */
  private touch(socket: Socket, tracked: Tracked): void {
    tracked.lastActive = Date.now();
    this.sockets.delete(socket);
    this.sockets.set(socket, tracked);
  }

  /** Closes the least recently active connection with no request in flight, last active before `before`. */
  private evictOldestIdle(before: number): boolean {
    for (const [socket, tracked] of this.sockets) {
      if (tracked.lastActive > before) return false;
      if (tracked.active === 0) {
        this.counters.evictedIdle++;
        this.sockets.delete(socket);
        socket.destroy();
        return true;
      }
    }
    return false;
  }

  private startSweep(): void {
    if (this.sweepTimer) return;
    this.sweepTimer = setInterval(() => this.sweep(), this.options.sweepIntervalMs);
    this.sweepTimer.unref();
  }

  private stopSweep(): void {
    if (this.sweepTimer) clearInterval(this.sweepTimer);
    this.sweepTimer = undefined;
  }

  /** Closes connections that have sent nothing at all within the first-byte timeout. */
  private sweep(): void {
    const cutoff = Date.now() - this.options.firstByteTimeoutMs;
    for (const [socket, tracked] of this.sockets) {
      if (!tracked.seenRequest && tracked.openedAt <= cutoff && socket.bytesRead === 0) {
        this.counters.closedSilent++;
        this.sockets.delete(socket);
        socket.destroy();
      }
    }
  }
}

function pathOf(url: string | undefined): string {
  if (!url) return '/';
  const end = url.search(/[?#]/);
  return end === -1 ? url : url.slice(0, end);
}
