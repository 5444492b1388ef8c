import type { Server } from 'node:http';
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

/**
 * Applies conservative timeouts and limits to a node:http server and answers
 * malformed requests (bad request line, oversized headers) with a JSON 400/431
 * instead of silently dropping the socket. Server-Sent Events connections are not
 * affected: `requestTimeout` covers receiving the request, not the response.
 *
 * @example
 * const server = hardenServer(createServer(createHttpHandler(hub)));
 */
export function hardenServer<S extends Server>(server: S, options: HardenServerOptions = {}): S {
  server.headersTimeout = options.headersTimeoutMs ?? 10_000;
  server.requestTimeout = options.requestTimeoutMs ?? 30_000;
  server.keepAliveTimeout = options.keepAliveTimeoutMs ?? 5_000;
  server.maxHeadersCount = options.maxHeadersCount ?? 100;
  server.maxRequestsPerSocket = options.maxRequestsPerSocket ?? 1_000;
  server.on('clientError', (error: Error & { code?: string }, socket: Socket) => {
    if (!socket.writable || (socket as Socket & { _httpMessage?: unknown })._httpMessage) {
      socket.destroy();
      return;
    }
    const tooLarge = error.code === 'HPE_HEADER_OVERFLOW';
    const timedOut = error.code === 'ERR_HTTP_REQUEST_TIMEOUT';
    const status = tooLarge ? '431 Request Header Fields Too Large' : timedOut ? '408 Request Timeout' : '400 Bad Request';
    const body = JSON.stringify({ error: tooLarge ? 'headers_too_large' : timedOut ? 'request_timeout' : 'bad_request' });
    socket.end(
      `HTTP/1.1 ${status}\r\nContent-Type: application/json\r\nContent-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\nX-Content-Type-Options: nosniff\r\n\r\n${body}`,
    );
  });
  return server;
}
