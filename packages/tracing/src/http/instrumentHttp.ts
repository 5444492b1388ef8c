import { subscribe, unsubscribe } from 'node:diagnostics_channel';
import type { ClientRequest, IncomingMessage, ServerResponse } from 'node:http';
import type { Socket } from 'node:net';
import type { Span } from '../Span';
import type { TraceManager } from '../TraceManager';
import {
  CLIENT_DURATION,
  DURATION_BUCKETS_SECONDS,
  SERVER_DURATION,
  normalizeMethod,
  splitHost,
  splitTarget,
} from './semconv';

/**
 * Where `instrumentHttp` records its duration histograms: a MetricsCollector
 * of @obs/metrics fits (only these two methods are used, so @obs/tracing
 * does not depend on @obs/metrics).
 */
export interface HttpMetricsRecorder {
  histogram(name: string, value: number, labels?: Readonly<Record<string, string>>): void;
  describe?(name: string, description: { readonly help?: string; readonly buckets?: readonly number[] }): void;
}

/** Options of {@link instrumentHttp}. */
export interface InstrumentHttpOptions {
  /** Spans go here (server and client, with W3C context extracted and injected). */
  readonly traces?: TraceManager;
  /** `http_server_request_duration_seconds` and `http_client_request_duration_seconds` go here. */
  readonly metrics?: HttpMetricsRecorder;
  /** `serviceName` of the spans (default `'http'`). */
  readonly serviceName?: string;
  /** Instrument incoming requests of node:http servers (default true). */
  readonly server?: boolean;
  /** Instrument outgoing requests: fetch / undici and node:http clients (default true). */
  readonly client?: boolean;
  /** Incoming requests to leave alone (e.g. health probes); they get no span and no metric. */
  readonly ignoreIncomingRequest?: (request: IncomingMessage) => boolean;
}

interface Pending {
  readonly span: Span | undefined;
  readonly startedAt: number;
  readonly labels: Record<string, string>;
  status: number | undefined;
  done: boolean;
}

/** The slice of undici's request object (diagnostics_channel messages) this file reads. */
interface UndiciRequest {
  readonly origin?: string | URL;
  readonly method?: string;
  readonly path?: string;
  readonly headers?: string | string[];
  addHeader?(name: string, value: string): unknown;
}

/**
 * Server and client HTTP instrumentation without patching anything: it
 * subscribes to `node:diagnostics_channel` (`http.server.request.start` /
 * `http.server.response.finish`, `http.client.request.start` /
 * `http.client.response.finish` / `http.client.request.error`, and undici's
 * `undici:request:*` for `fetch`), so it works the same in ESM and CommonJS
 * with no loader hook and whatever the import order.
 *
 * Server requests get a SERVER span continuing the caller's `traceparent`
 * (made active for the handler), client requests a CLIENT span, child of
 * the active span, whose context is injected into the outgoing headers;
 * attributes follow the HTTP semantic conventions as OpenTelemetry's http
 * and undici instrumentations write them. With `metrics`, durations go to
 * `http_server_request_duration_seconds` and
 * `http_client_request_duration_seconds` (OpenTelemetry's advised buckets).
 *
 * Node 20 publishes `http.client.request.start` after the headers of a
 * node:http client request are sent, so there the span is made but the
 * context is injected only for `fetch` (and for node:http on Node versions
 * with `http.client.request.created`). Returns the function that uninstalls
 * it.
 */
export function instrumentHttp(options: InstrumentHttpOptions): () => void {
  if (
    options === null ||
    typeof options !== 'object' ||
    (options.traces === undefined && options.metrics === undefined)
  ) {
    throw new TypeError('instrumentHttp needs { traces } and/or { metrics }');
  }
  const { traces, metrics } = options;
  const serviceName =
    typeof options.serviceName === 'string' && options.serviceName !== '' ? options.serviceName : 'http';
  const ignore = options.ignoreIncomingRequest;
  const pending = new WeakMap<object, Pending>();
  const subscriptions: Array<[string, (message: unknown, name: string | symbol) => void]> = [];
  const on = <T>(channel: string, handler: (message: T) => void) => {
    const listener = (message: unknown) => {
      try {
        handler(message as T);
      } catch {
        // Instrumentation must never break the request it observes.
      }
    };
    subscribe(channel, listener);
    subscriptions.push([channel, listener]);
  };
  if (metrics !== undefined && typeof metrics.describe === 'function') {
    for (const [name, help] of [
      [SERVER_DURATION, 'Duration of HTTP server requests.'],
      [CLIENT_DURATION, 'Duration of HTTP client requests.'],
    ] as const) {
      try {
        metrics.describe(name, { help, buckets: DURATION_BUCKETS_SECONDS });
      } catch {
        // Already described with other buckets: record into it as it is.
      }
    }
  }

  const finish = (key: object, metric: string, error?: unknown) => {
    const state = pending.get(key);
    if (state === undefined || state.done) return;
    state.done = true;
    pending.delete(key);
    const isServer = metric === SERVER_DURATION;
    const status = state.status;
    if (status !== undefined) state.labels['http_response_status_code'] = String(status);
    let errorType: string | undefined;
    if (error !== undefined) errorType = errorName(error);
    else if (status !== undefined && status >= (isServer ? 500 : 400)) errorType = String(status);
    else if (status === undefined) errorType = 'aborted';
    if (errorType !== undefined) state.labels['error_type'] = errorType;
    const span = state.span;
    if (span !== undefined) {
      if (status !== undefined) span.setTag('http.response.status_code', status);
      if (errorType !== undefined) {
        span.setTag('error.type', errorType);
        if (error !== undefined)
          span.log('exception', { 'exception.type': errorType, 'exception.message': errorMessage(error) });
      }
      span.finish(errorType !== undefined ? 'error' : 'unset');
    }
    if (metrics !== undefined) {
      try {
        metrics.histogram(metric, (performance.now() - state.startedAt) / 1000, state.labels);
      } catch {
        // A refused recording (a name clash, the series limit) must not break the request.
      }
    }
  };

  if (options.server !== false) {
    on<{ request: IncomingMessage; response: ServerResponse; socket: Socket }>(
      'http.server.request.start',
      ({ request, response, socket }) => {
        if (ignore !== undefined && ignore(request)) {
          // Clear a span a previous request on this connection left active.
          traces?.enterSpan(undefined);
          return;
        }
        const { method, original } = normalizeMethod(request.method);
        const { path, query } = splitTarget(request.url);
        const host = splitHost(request.headers.host);
        const scheme = (socket as Socket & { encrypted?: boolean }).encrypted ? 'https' : 'http';
        const labels: Record<string, string> = {
          http_request_method: method,
          url_scheme: scheme,
          network_protocol_version: request.httpVersion,
        };
        let span: Span | undefined;
        if (traces !== undefined) {
          const tags: Record<string, unknown> = {
            'span.kind': 'server',
            'http.request.method': method,
            'url.scheme': scheme,
            'url.path': path,
            'network.protocol.version': request.httpVersion,
          };
          if (original !== undefined) tags['http.request.method_original'] = original;
          if (query !== undefined) tags['url.query'] = query;
          if (host.address !== undefined) tags['server.address'] = host.address;
          tags['server.port'] = host.port ?? socket.localPort;
          if (socket.remoteAddress !== undefined)
            tags['network.peer.address'] = tags['client.address'] = socket.remoteAddress;
          if (socket.remotePort !== undefined) tags['network.peer.port'] = socket.remotePort;
          const agent = request.headers['user-agent'];
          if (typeof agent === 'string') tags['user_agent.original'] = agent;
          span = traces.startSpan(method, serviceName, traces.extractContext(request.headers) ?? null, tags);
          traces.enterSpan(span);
        }
        pending.set(request, { span, startedAt: performance.now(), labels, status: undefined, done: false });
        // A connection closed before the response finished ends the span as aborted.
        response.once('close', () => {
          const state = pending.get(request);
          if (state !== undefined && response.writableFinished) state.status = response.statusCode;
          finish(request, SERVER_DURATION);
        });
      },
    );
    on<{ request: IncomingMessage; response: ServerResponse }>(
      'http.server.response.finish',
      ({ request, response }) => {
        const state = pending.get(request);
        if (state === undefined) return;
        state.status = response.statusCode;
        finish(request, SERVER_DURATION);
      },
    );
  }

  if (options.client !== false) {
    const startClient = (
      key: object,
      method: unknown,
      scheme: string,
      address: string | undefined,
      port: number | undefined,
      path: string,
      query: string | undefined,
      full: string | undefined,
      agent: string | undefined,
    ): Pending => {
      const normalized = normalizeMethod(method);
      const labels: Record<string, string> = { http_request_method: normalized.method, url_scheme: scheme };
      if (address !== undefined) labels['server_address'] = address;
      if (port !== undefined) labels['server_port'] = String(port);
      let span: Span | undefined;
      if (traces !== undefined) {
        const tags: Record<string, unknown> = {
          'span.kind': 'client',
          'http.request.method': normalized.method,
          'url.scheme': scheme,
          'url.path': path,
        };
        if (normalized.original !== undefined) tags['http.request.method_original'] = normalized.original;
        if (full !== undefined) tags['url.full'] = full;
        if (query !== undefined) tags['url.query'] = query;
        if (address !== undefined) tags['server.address'] = address;
        if (port !== undefined) tags['server.port'] = port;
        if (agent !== undefined) tags['user_agent.original'] = agent;
        span = traces.startSpan(normalized.method, serviceName, undefined, tags);
      }
      const state: Pending = { span, startedAt: performance.now(), labels, status: undefined, done: false };
      pending.set(key, state);
      return state;
    };

    // fetch (undici): the request is created before its headers are written, so the context is injected.
    on<{ request: UndiciRequest }>('undici:request:create', ({ request }) => {
      let url: URL;
      try {
        url = new URL(String(request.path ?? '/'), request.origin);
      } catch {
        return;
      }
      const scheme = url.protocol === 'https:' ? 'https' : 'http';
      const port = url.port !== '' ? Number(url.port) : scheme === 'https' ? 443 : 80;
      const agent = headerValue(request.headers, 'user-agent');
      const state = startClient(
        request,
        request.method,
        scheme,
        url.hostname,
        port,
        url.pathname,
        url.search === '' ? undefined : url.search.slice(1),
        url.href,
        agent,
      );
      if (
        state.span !== undefined &&
        traces !== undefined &&
        typeof request.addHeader === 'function' &&
        headerValue(request.headers, 'traceparent') === undefined
      ) {
        const headers = traces.injectContext(state.span);
        for (const name of Object.keys(headers)) request.addHeader(name, headers[name]!);
      }
    });
    on<{ request: UndiciRequest; socket: Socket }>('undici:client:sendHeaders', ({ request, socket }) => {
      const span = pending.get(request)?.span;
      if (span === undefined || socket === undefined) return;
      if (socket.remoteAddress !== undefined) span.setTag('network.peer.address', socket.remoteAddress);
      if (socket.remotePort !== undefined) span.setTag('network.peer.port', socket.remotePort);
    });
    on<{ request: UndiciRequest; response: { statusCode?: number } }>(
      'undici:request:headers',
      ({ request, response }) => {
        const state = pending.get(request);
        if (state !== undefined && typeof response?.statusCode === 'number') state.status = response.statusCode;
      },
    );
    on<{ request: UndiciRequest }>('undici:request:trailers', ({ request }) => finish(request, CLIENT_DURATION));
    on<{ request: UndiciRequest; error: unknown }>('undici:request:error', ({ request, error }) =>
      finish(request, CLIENT_DURATION, error ?? new Error('request failed')),
    );

    // node:http clients.
    const startHttpClient = (request: ClientRequest) => {
      if (pending.has(request)) return pending.get(request)!;
      const host = splitHost(request.getHeader('host') ?? request.host);
      const scheme = request.protocol === 'https:' ? 'https' : 'http';
      const { path, query } = splitTarget(request.path);
      const address = host.address ?? request.host;
      const port = host.port ?? (scheme === 'https' ? 443 : 80);
      const agent = request.getHeader('user-agent');
      const full =
        address !== undefined ? `${scheme}://${request.getHeader('host') ?? address}${request.path}` : undefined;
      return startClient(
        request,
        request.method,
        scheme,
        address,
        port,
        path,
        query,
        full,
        typeof agent === 'string' ? agent : undefined,
      );
    };
    const inject = (request: ClientRequest, state: Pending) => {
      if (
        state.span === undefined ||
        traces === undefined ||
        request.headersSent ||
        request.getHeader('traceparent') !== undefined
      )
        return;
      try {
        const headers = traces.injectContext(state.span);
        for (const name of Object.keys(headers)) request.setHeader(name, headers[name]!);
      } catch {
        // Headers already built (Node 20 publishes the start after that): the span stays, uninjected.
      }
    };
    on<{ request: ClientRequest }>('http.client.request.created', ({ request }) =>
      inject(request, startHttpClient(request)),
    );
    on<{ request: ClientRequest }>('http.client.request.start', ({ request }) =>
      inject(request, startHttpClient(request)),
    );
    on<{ request: ClientRequest; response: IncomingMessage }>(
      'http.client.response.finish',
      ({ request, response }) => {
        const state = pending.get(request);
        if (state === undefined) return;
        state.status = response.statusCode;
        // The exchange ends with the response body, as in OpenTelemetry's http instrumentation.
        const done = () => finish(request, CLIENT_DURATION);
        if (response.readableEnded) done();
        else {
          response.once('end', done);
          response.once('close', done);
        }
      },
    );
    on<{ request: ClientRequest; error: unknown }>('http.client.request.error', ({ request, error }) =>
      finish(request, CLIENT_DURATION, error ?? new Error('request failed')),
    );
  }

  return () => {
    for (const [channel, listener] of subscriptions.splice(0)) unsubscribe(channel, listener);
  };
}

function headerValue(headers: unknown, name: string): string | undefined {
  if (typeof headers === 'string') {
    for (const line of headers.split('\r\n')) {
      const colon = line.indexOf(':');
      if (colon > 0 && line.slice(0, colon).trim().toLowerCase() === name) return line.slice(colon + 1).trim();
    }
    return undefined;
  }
  if (Array.isArray(headers)) {
    for (let i = 0; i + 1 < headers.length; i += 2) {
      if (String(headers[i]).toLowerCase() === name) return String(headers[i + 1]);
    }
  }
  return undefined;
}

function errorName(error: unknown): string {
  if (error !== null && typeof error === 'object') {
    const e = error as { code?: unknown; name?: unknown };
    if (typeof e.code === 'string') return e.code;
    if (typeof e.name === 'string') return e.name;
  }
  return '_OTHER';
}

function errorMessage(error: unknown): string {
  try {
    return error instanceof Error ? error.message : String(error);
  } catch {
    return 'unprintable error';
  }
}
