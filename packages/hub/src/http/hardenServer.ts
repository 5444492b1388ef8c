import type { IncomingMessage, Server } from 'node:http';
import type { Socket } from 'node:net';

export interface HardenServerOptions {
  /** Time allowed to receive all request headers (slowloris), ms. Default 10 000. */
  readonly headersTimeoutMs?: number;
  /** Time allowed to receive a whole request, ms. Default 30 000. */
  readonly requestTimeoutMs?: number;
  /** How long an idle keep-alive connection stays open, ms. Default 5 000. */
  readonly keepAliveTimeoutMs?: number;
  /** Most request headers accepted. Default 100. */
  readonly maxHeadersCount?: number;
  /** Most requests served on one connection. Default 1 000. */
  readonly maxRequestsPerSocket?: number;
}

export const DEFAULT_HARDEN_OPTIONS = Object.freeze({
  headersTimeoutMs: 10_000,
  requestTimeoutMs: 30_000,
  keepAliveTimeoutMs: 5_000,
  maxHeadersCount: 100,
  maxRequestsPerSocket: 1_000,
});

/**
 * Applies conservative timeouts and limits to an already created node:http
 * server and answers malformed requests (bad request line, oversized headers)
 * with a JSON 400/431 instead of silently dropping the socket. Server-Sent
 * Events connections are not affected: `requestTimeout` covers receiving the
 * request, not the response.
 *
 * Node checks the header and request timeouts only every
 * `connectionsCheckingInterval` (30 s unless set when the server is created),
 * so on a server created elsewhere a half-sent request may stay open up to 30 s
 * past its timeout, and nothing caps the number of connections. Prefer
 * {@link createHardenedServer}, which sets everything at creation.
 *
 * @example
 * const server = hardenServer(createServer(createHttpHandler(hub)));
 */
export function hardenServer<S extends Server>(server: S, options: HardenServerOptions = {}): S {
  server.headersTimeout = options.headersTimeoutMs ?? DEFAULT_HARDEN_OPTIONS.headersTimeoutMs;
  server.requestTimeout = options.requestTimeoutMs ?? DEFAULT_HARDEN_OPTIONS.requestTimeoutMs;
  server.keepAliveTimeout = options.keepAliveTimeoutMs ?? DEFAULT_HARDEN_OPTIONS.keepAliveTimeoutMs;
  server.maxHeadersCount = options.maxHeadersCount ?? DEFAULT_HARDEN_OPTIONS.maxHeadersCount;
  server.maxRequestsPerSocket = options.maxRequestsPerSocket ?? DEFAULT_HARDEN_OPTIONS.maxRequestsPerSocket;
  server.on('clientError', answerClientError);
  return server;
}

/** A `clientError` listener: a JSON 400/408/431 on a socket that can still take one, else a plain close. */
export function answerClientError(error: Error & { code?: string }, socket: Socket): void {
  if (!socket.writable || (socket as Socket & { _httpMessage?: unknown })._httpMessage) {
    socket.destroy();
    return;
  }
  const tooLarge = error.code === 'HPE_HEADER_OVERFLOW';
  const timedOut = error.code === 'ERR_HTTP_REQUEST_TIMEOUT';
  const status = tooLarge
    ? '431 Request Header Fields Too Large'
    : timedOut
      ? '408 Request Timeout'
      : '400 Bad Request';
  const body = JSON.stringify({ error: tooLarge ? 'headers_too_large' : timedOut ? 'request_timeout' : 'bad_request' });
  socket.end(
    `HTTP/1.1 ${status}\r\nContent-Type: application/json\r\nContent-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\nX-Content-Type-Options: nosniff\r\n\r\n${body}`,
  );
}

/**
 * Whether part of the request body may still be unread: the request declares a
 * body (`Content-Length` above 0 or `Transfer-Encoding`) and has not completed.
 * A response to such a request should close the connection: keeping it alive
 * would make Node read and discard the whole rest of the body first.
 */
export function requestBodyPending(req: IncomingMessage): boolean {
  if (req.complete) return false;
  const length = req.headers['content-length'];
  if (req.headers['transfer-encoding'] !== undefined) return true;
  return length !== undefined && length !== '0';
}
