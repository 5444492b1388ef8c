import { readFileSync } from 'node:fs';
import { createServer, ServerResponse, type IncomingMessage, type RequestListener, type Server } from 'node:http';
import type { Socket } from 'node:net';
import { NON_NEGATIVE_INTEGER, POSITIVE_INTEGER, optionalNumber, type InvalidOption } from '@obs/core';
import { HubValidationError } from '../errors';
import { ConnectionGuard, type ConnectionGuardStats } from './ConnectionGuard';
import {
  answerClientError,
  DEFAULT_HARDEN_OPTIONS,
  requestBodyPending,
  type HardenServerOptions,
} from './hardenServer';

export interface HardenedServerOptions extends HardenServerOptions {
  /**
   * How often Node checks the header and request timeouts, ms. Default 1 000
   * (Node's own default is 30 000, which lets a half-sent request live 30 s past its timeout).
   */
  readonly connectionsCheckingIntervalMs?: number;
  /** Largest total size of request headers, bytes. Default 16 384 (Node's default). */
  readonly maxHeaderSize?: number;
  /**
   * Connections served normally. Default 1 000, lowered to 70% of the process's
   * open-file limit when that is smaller. At the cap, the oldest idle connection is closed first.
   */
  readonly maxConnections?: number;
  /** Connections admitted past the cap when every connection is busy, for `reservedPaths` only. Default 32. */
  readonly reservedConnections?: number;
  /** Paths still served on a reserved connection. Default the health endpoints. */
  readonly reservedPaths?: readonly string[];
  /** A connection that sends no byte within this many ms is closed. Default `headersTimeoutMs`. */
  readonly firstByteTimeoutMs?: number;
}

/** A node:http server made by {@link createHardenedServer}. */
export interface HardenedServer extends Server {
  /** Connection counts: open, peak, evicted idle, closed silent, refused. */
  connectionStats(): ConnectionGuardStats;
}

export const DEFAULT_RESERVED_PATHS: readonly string[] = Object.freeze([
  '/health',
  '/health/live',
  '/health/ready',
  '/health/startup',
]);

/**
 * Creates a node:http server with every protection set at creation (some can
 * only be set then):
 *
 * - header (10 s) and request (30 s) timeouts, checked every second;
 * - keep-alive timeout (5 s), at most 100 headers of 16 KiB in all, 1 000 requests per connection;
 * - a connection cap (1 000) that closes the oldest idle connection first and
 *   keeps a reserve of 32 connections for health probes, so `/health` answers
 *   while an attacker holds the rest; connections that send nothing are closed
 *   after the header timeout;
 * - a response to a request whose body was not read (a 401, 404, 405 or 413
 *   before reading) closes the connection instead of draining the body;
 * - malformed requests get a JSON 400/408/431.
 *
 * @example
 * const server = createHardenedServer(createHttpHandler(hub), { maxConnections: 500 });
 * server.listen(3000, '127.0.0.1');
 */
export function createHardenedServer(listener: RequestListener, options: HardenedServerOptions = {}): HardenedServer {
  if (typeof listener !== 'function')
    throw new HubValidationError('INVALID_ARGUMENT', 'createHardenedServer needs a request listener');
  if (options === null || typeof options !== 'object')
    throw new HubValidationError('INVALID_OPTIONS', 'options must be an object');
  const headersTimeout = optionalNumber(
    options.headersTimeoutMs,
    'headersTimeoutMs',
    DEFAULT_HARDEN_OPTIONS.headersTimeoutMs,
    POSITIVE_INTEGER,
    invalidOptions,
  );
  const requestTimeout = optionalNumber(
    options.requestTimeoutMs,
    'requestTimeoutMs',
    DEFAULT_HARDEN_OPTIONS.requestTimeoutMs,
    POSITIVE_INTEGER,
    invalidOptions,
  );
  if (requestTimeout < headersTimeout)
    throw new HubValidationError('INVALID_OPTIONS', 'requestTimeoutMs must not be shorter than headersTimeoutMs');
  const keepAliveTimeout = optionalNumber(
    options.keepAliveTimeoutMs,
    'keepAliveTimeoutMs',
    DEFAULT_HARDEN_OPTIONS.keepAliveTimeoutMs,
    POSITIVE_INTEGER,
    invalidOptions,
  );
  const checkingInterval = optionalNumber(
    options.connectionsCheckingIntervalMs,
    'connectionsCheckingIntervalMs',
    1_000,
    POSITIVE_INTEGER,
    invalidOptions,
  );
  const maxHeaderSize = optionalNumber(
    options.maxHeaderSize,
    'maxHeaderSize',
    16_384,
    POSITIVE_INTEGER,
    invalidOptions,
  );
  const maxHeadersCount = optionalNumber(
    options.maxHeadersCount,
    'maxHeadersCount',
    DEFAULT_HARDEN_OPTIONS.maxHeadersCount,
    POSITIVE_INTEGER,
    invalidOptions,
  );
  const maxRequestsPerSocket = optionalNumber(
    options.maxRequestsPerSocket,
    'maxRequestsPerSocket',
    DEFAULT_HARDEN_OPTIONS.maxRequestsPerSocket,
    POSITIVE_INTEGER,
    invalidOptions,
  );
  const maxConnections = optionalNumber(
    options.maxConnections,
    'maxConnections',
    defaultMaxConnections(),
    POSITIVE_INTEGER,
    invalidOptions,
  );
  const reservedConnections = optionalNumber(
    options.reservedConnections,
    'reservedConnections',
    32,
    NON_NEGATIVE_INTEGER,
    invalidOptions,
  );
  const firstByteTimeout = optionalNumber(
    options.firstByteTimeoutMs,
    'firstByteTimeoutMs',
    headersTimeout,
    POSITIVE_INTEGER,
    invalidOptions,
  );
  const reservedPaths = options.reservedPaths ?? DEFAULT_RESERVED_PATHS;
  if (!Array.isArray(reservedPaths) || !reservedPaths.every((p) => typeof p === 'string' && p.startsWith('/'))) {
    throw new HubValidationError('INVALID_OPTIONS', 'reservedPaths must be an array of paths starting with /');
  }

  const guard = new ConnectionGuard({
    maxConnections,
    reservedConnections,
    reservedPaths: new Set(reservedPaths),
    firstByteTimeoutMs: firstByteTimeout,
    // Sweeping often spreads the closing of a flood of silent connections over many small ticks.
    sweepIntervalMs: Math.min(checkingInterval, 250),
  });
  const server = createServer(
    {
      headersTimeout,
      requestTimeout,
      keepAliveTimeout,
      connectionsCheckingInterval: checkingInterval,
      maxHeaderSize,
      ServerResponse: ClosingResponse,
    },
    (req, res) => {
      if (guard.onRequest(req, res)) listener(req, res);
    },
  ) as HardenedServer;
  server.maxHeadersCount = maxHeadersCount;
  server.maxRequestsPerSocket = maxRequestsPerSocket;
  server.on('clientError', answerClientError);
  guard.attach(server);
  server.connectionStats = () => guard.stats();
  return server;
}

/**
 * A ServerResponse that closes the connection when it answers before the
 * request body was read: keeping the connection alive would make Node read
 * and discard the rest of the body (500 MB behind a 401), so the response says
 * `Connection: close` and Node closes the socket once it is sent.
 */
class ClosingResponse<Request extends IncomingMessage = IncomingMessage> extends ServerResponse<Request> {}

const originalWriteHead = ServerResponse.prototype.writeHead;
ClosingResponse.prototype.writeHead = function writeHead(this: ServerResponse, ...args: unknown[]) {
  if (!this.headersSent && requestBodyPending(this.req)) {
    this.shouldKeepAlive = false;
    if (this.socket) lingerOnClose(this.socket);
  }
  return (originalWriteHead as (...a: unknown[]) => ServerResponse).apply(this, args);
} as ServerResponse['writeHead'];

/** How long a connection closed after an early response stays half-open so the client can read the response. */
const LINGER_MS = 2_000;

/**
 * Closing a socket with unread input makes the kernel send a reset, and a
 * client still uploading may then lose the response it was about to read. So
 * instead of Node's immediate close: stop reading (what the client still sends
 * stays in kernel buffers, a few MB at most), send the response and our FIN,
 * and destroy the socket when the client closes or after {@link LINGER_MS}.
 */
function lingerOnClose(socket: Socket): void {
  const lingering = socket as Socket & { destroySoon?: () => void };
  lingering.destroySoon = function lingeringClose(this: Socket) {
    stopReading(this);
    if (this.writable) this.end();
    const timer = setTimeout(() => this.destroy(), LINGER_MS);
    timer.unref();
    this.once('close', () => clearTimeout(timer));
  };
}

/** Stops reading from the socket for good (the HTTP parser reads the handle directly, so `pause()` is not enough). */
function stopReading(socket: Socket): void {
  const handle = (socket as Socket & { _handle?: { readStop?: () => number } })._handle;
  (socket as Socket & { _paused?: boolean })._paused = true;
  handle?.readStop?.();
}

const invalidOptions: InvalidOption = (message) => new HubValidationError('INVALID_OPTIONS', message);

/** 1 000, or 70% of the soft open-file limit when that is lower (Linux; elsewhere 1 000). */
function defaultMaxConnections(): number {
  try {
    const limits = readFileSync('/proc/self/limits', 'utf8');
    const match = /^Max open files\s+(\d+)/m.exec(limits);
    if (match) return Math.max(16, Math.min(1_000, Math.floor(Number(match[1]) * 0.7)));
  } catch {
    // not Linux: no cheap way to read the limit
  }
  return 1_000;
}
