import type { IncomingMessage, ServerResponse } from 'node:http';
import { HEALTH_JSON_CONTENT_TYPE, isPassing, type HealthJsonOptions, type Lifecycle } from '@obs/health';
import { serializeAsync } from '@obs/metrics';
import { isValidTraceId } from '@obs/tracing';
import { HubValidationError } from '../errors';
import { summarizeSpan } from '../serialize/serializeEvent';
import type { ObservabilityHub } from '../ObservabilityHub';
import { isExplorerPath, serveExplorer } from './explorerRoutes';
import { requestBodyPending } from './hardenServer';
import { isAlertmanagerApiPath, serveAlertmanagerApi } from './alertmanagerApi';
import { applySecurityHeaders, CONTENT_SECURITY_POLICY } from './securityHeaders';
import { DEFAULT_SSE_EVENTS, SseBroadcaster, type SseOptions } from './SseBroadcaster';
import { BearerToken, presentedToken } from './tokens';

/** What the handler tells the app's fallback about a request it did not serve itself. */
export interface FallbackContext {
  readonly url: URL;
  /** Whether the request carried a valid token (always true when no token is configured). */
  readonly authorized: boolean;
  /** Sends a JSON response with the handler's headers, e.g. `ctx.json(400, { error: 'bad_image' })`. */
  json(status: number, body: unknown): void;
}

export interface HttpHandlerOptions {
  /**
   * Bearer token required for `/api/*` (the app's routes under `/api/` included).
   * Default `process.env.OBS_TOKEN`; `null` or `''` means no token.
   */
  readonly token?: string | null;
  /** Bearer token required for `/metrics` (the main token is accepted too). Default `process.env.OBS_METRICS_TOKEN`. */
  readonly metricsToken?: string | null;
  /**
   * Renders `GET /metrics` instead of the hub's collector: e.g. the merged view of a
   * node:cluster app, `metricsExposition: (accept) => aggregator.metrics(accept)` with
   * `createClusterAggregator` from `@obs/metrics/cluster`. The metrics token still applies.
   */
  readonly metricsExposition?: (
    accept: string | undefined,
  ) => Promise<{ readonly contentType: string; readonly body: string }>;
  /** Serves every request the hub's routes do not (the app's pages, static files, `POST /api/analyze`). */
  readonly fallback?: (req: IncomingMessage, res: ServerResponse, ctx: FallbackContext) => void | Promise<void>;
  /** Server-Sent Events limits for `/api/events`. */
  readonly sse?: SseOptions;
  /** Passed to health+json (serviceId, version, description …). */
  readonly healthJson?: Pick<HealthJsonOptions, 'serviceId' | 'version' | 'releaseId' | 'description'>;
  /** Content-Security-Policy sent with every response. Default {@link CONTENT_SECURITY_POLICY}. */
  readonly contentSecurityPolicy?: string;
  /** Longer request URLs get 414. Default 8192. */
  readonly maxUrlLength?: number;
  /**
   * The service's lifecycle (`createLifecycle` from @obs/health): `/health/ready` fails while it
   * is starting or shutting down, and `/health/startup` follows its startup. Without one,
   * `/health/startup` follows the `startup` group (200 once it passed, or when it has no checks).
   */
  readonly lifecycle?: Pick<Lifecycle, 'toHealthJson'>;
}

/** A node:http request listener with the hub's routes; `close()` ends open event streams. */
export interface HubHttpHandler {
  (req: IncomingMessage, res: ServerResponse): void;
  /** Ends every open `/api/events` stream (call before `server.close()`). */
  close(): void;
  stats(): {
    requests: number;
    unauthorized: number;
    badRequests: number;
    errors: number;
    sse: ReturnType<SseBroadcaster['stats']>;
  };
}

const JSON_TYPE = 'application/json; charset=utf-8';
const TRACE_ROUTE = /^\/api\/traces\/([^/]*)$/;

function tokenOption(value: string | null | undefined, envName: string, what: string): BearerToken | undefined {
  const raw = value === undefined ? process.env[envName] : value;
  if (raw === null || raw === undefined || raw === '') return undefined;
  if (typeof raw !== 'string' || raw.length > 4096 || /[\s]/.test(raw)) {
    throw new HubValidationError(
      'INVALID_TOKEN',
      `${what} must be a string of at most 4096 characters without whitespace`,
    );
  }
  return new BearerToken(raw);
}

/**
 * The hub's HTTP endpoints as a node:http request listener:
 *
 * | route | what |
 * | --- | --- |
 * | `GET /metrics` | Prometheus text or OpenMetrics, by `Accept` |
 * | `GET /health`, `/health/live`, `/health/ready`, `/health/startup` | `application/health+json` (503 when failing) |
 * | `GET /api/dashboard` | {@link DashboardData} |
 * | `GET /api/events` | Server-Sent Events of hub events (batched JSON arrays) |
 * | `GET /api/traces/:traceId` | the spans of one trace |
 * | `/api/v2/alerts`, `/api/v2/silences`, `/api/v2/silence/:id` | Alertmanager API v2 (amtool); see {@link serveAlertmanagerApi} |
 * | `GET /api/metrics`, `/api/metrics/series`, `/api/metrics/query` | the metric explorer (names, label sets, live queries) |
 *
 * Everything else goes to `options.fallback`, or gets a JSON 404. Every
 * response carries security headers and a strict Content-Security-Policy.
 *
 * @example
 * const server = createHardenedServer(createHttpHandler(hub, { fallback: app }));
 * server.listen(3000, '127.0.0.1');
 */
export function createHttpHandler(hub: ObservabilityHub, options: HttpHandlerOptions = {}): HubHttpHandler {
  if (typeof hub !== 'object' || hub === null || typeof hub.getDashboardData !== 'function') {
    throw new HubValidationError('INVALID_ARGUMENT', 'createHttpHandler needs an ObservabilityHub');
  }
  if (options.metricsExposition !== undefined && typeof options.metricsExposition !== 'function') {
    throw new HubValidationError('INVALID_ARGUMENT', 'metricsExposition must be a function');
  }
  if (options.fallback !== undefined && typeof options.fallback !== 'function') {
    throw new HubValidationError('INVALID_ARGUMENT', 'fallback must be a function');
  }
  const token = tokenOption(options.token, 'OBS_TOKEN', 'token');
  const metricsToken = tokenOption(options.metricsToken, 'OBS_METRICS_TOKEN', 'metricsToken');
  const csp = options.contentSecurityPolicy ?? CONTENT_SECURITY_POLICY;
  const maxUrlLength = options.maxUrlLength ?? 8192;
  const sse = new SseBroadcaster(hub.eventsOf(...(options.sse?.events ?? DEFAULT_SSE_EVENTS)), options.sse);
  const counters = { requests: 0, unauthorized: 0, badRequests: 0, errors: 0 };
  const lifecycle = options.lifecycle;
  if (lifecycle !== undefined && (typeof lifecycle !== 'object' || typeof lifecycle?.toHealthJson !== 'function')) {
    throw new HubValidationError('INVALID_ARGUMENT', 'lifecycle must be a Lifecycle from createLifecycle');
  }
  // Kubernetes stops probing startup once it passed, so once passed it stays passed.
  let startupPassed = false;

  const sendJson = (res: ServerResponse, status: number, body: unknown, head = false, contentType = JSON_TYPE) => {
    if (res.headersSent) {
      res.end();
      return;
    }
    const text = JSON.stringify(body);
    // Refused before its body was read: close rather than let Node drain the rest of the body.
    if (status >= 400 && requestBodyPending(res.req)) res.setHeader('Connection', 'close');
    res.statusCode = status;
    res.setHeader('Content-Type', contentType);
    res.setHeader('Cache-Control', 'no-store');
    res.setHeader('Content-Length', Buffer.byteLength(text));
    res.end(head ? undefined : text);
  };
  const fail = (res: ServerResponse, status: number, error: string, message: string, head = false) => {
    if (status >= 400 && status < 500) counters.badRequests++;
    sendJson(res, status, { error, message }, head);
  };

  const handle = async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    counters.requests++;
    applySecurityHeaders(res, csp);
    const rawUrl = req.url ?? '/';
    if (rawUrl.length > maxUrlLength)
      return fail(res, 414, 'uri_too_long', `request URLs are limited to ${maxUrlLength} characters`);
    let url: URL;
    try {
      url = new URL(rawUrl, 'http://localhost');
    } catch {
      return fail(res, 400, 'bad_url', 'the request URL cannot be parsed');
    }
    const path = url.pathname;
    const method = req.method ?? 'GET';
    const head = method === 'HEAD';
    const provided = presentedToken(req, url);
    const authorized = token === undefined || token.matches(provided);

    if (isAlertmanagerApiPath(path)) {
      // Alertmanager API v2 (amtool): behind the same token as the rest of /api.
      if (!authorized) return unauthorized(res);
      const answer = await serveAlertmanagerApi(
        hub.alerts,
        req,
        method,
        path,
        url.searchParams,
        hub.config.clock.now(),
      );
      if (answer.status >= 400 && answer.status < 500) counters.badRequests++;
      return sendJson(res, answer.status, answer.body, head);
    }
    const route = routeOf(path);
    if (route === undefined || (route === 'api-other' && options.fallback)) {
      if (path.startsWith('/api/') && !authorized) return unauthorized(res);
      if (options.fallback) {
        const ctx: FallbackContext = { url, authorized, json: (status, body) => sendJson(res, status, body) };
        await options.fallback(req, res, ctx);
        return;
      }
      return fail(res, 404, 'not_found', `no route for ${method} ${path.slice(0, 200)}`, head);
    }
    if (method !== 'GET' && !head) {
      res.setHeader('Allow', 'GET, HEAD');
      return fail(res, 405, 'method_not_allowed', `${path} accepts GET and HEAD`);
    }
    switch (route) {
      case 'metrics': {
        if (
          metricsToken !== undefined &&
          !metricsToken.matches(provided) &&
          !(token !== undefined && token.matches(provided))
        )
          return unauthorized(res);
        const exposition = options.metricsExposition
          ? await options.metricsExposition(req.headers.accept)
          : await serializeAsync(hub.metrics, req.headers.accept);
        res.statusCode = 200;
        res.setHeader('Content-Type', exposition.contentType);
        res.setHeader('Cache-Control', 'no-store');
        res.setHeader('Content-Length', Buffer.byteLength(exposition.body));
        res.end(head ? undefined : exposition.body);
        return;
      }
      case 'health':
      case 'health-live':
      case 'health-ready':
      case 'health-startup': {
        // With a token configured, only authenticated callers see messages and observed values.
        const includeDetails = authorized;
        if (lifecycle && (route === 'health-ready' || route === 'health-startup')) {
          const probe = lifecycle.toHealthJson(route === 'health-ready' ? 'readiness' : 'startup', {
            ...options.healthJson,
            includeDetails,
          });
          return sendJson(res, probe.httpStatus, probe.body, head, probe.contentType);
        }
        const groups = hub.health.listGroups();
        if (route === 'health-startup') {
          if (!startupPassed && (!groups.includes('startup') || isPassing(hub.health.getGroupStatus('startup'))))
            startupPassed = true;
          if (startupPassed)
            return sendJson(res, 200, { status: 'pass', ...options.healthJson }, head, HEALTH_JSON_CONTENT_TYPE);
          const startup = hub.health.toHealthJson('startup', { ...options.healthJson, includeDetails });
          return sendJson(res, startup.httpStatus, startup.body, head, startup.contentType);
        }
        const group = route === 'health-live' ? 'liveness' : route === 'health-ready' ? 'readiness' : undefined;
        if (route === 'health-live' && !groups.includes('liveness')) {
          // No liveness checks registered: answering at all proves the process is alive.
          return sendJson(res, 200, { status: 'pass', ...options.healthJson }, head, HEALTH_JSON_CONTENT_TYPE);
        }
        const response = hub.health.toHealthJson(group !== undefined && groups.includes(group) ? group : undefined, {
          ...options.healthJson,
          includeDetails,
        });
        return sendJson(res, response.httpStatus, response.body, head, response.contentType);
      }
      case 'dashboard':
        if (!authorized) return unauthorized(res);
        return sendJson(res, 200, hub.getDashboardData(), head);
      case 'events':
        if (!authorized) return unauthorized(res);
        if (hub.isStopped) return fail(res, 503, 'stopped', 'the hub is stopped');
        if (head) return sendJson(res, 200, {}, true);
        sse.accept(req, res);
        return;
      case 'trace': {
        if (!authorized) return unauthorized(res);
        const match = TRACE_ROUTE.exec(path);
        const traceId = decodeSafe(match?.[1] ?? '').toLowerCase();
        if (!isValidTraceId(traceId))
          return fail(res, 400, 'invalid_trace_id', 'a trace id is 32 lowercase hex digits, not all zero', head);
        const spans = hub.traces.getTrace(traceId);
        if (spans.length === 0) return fail(res, 404, 'trace_not_found', `no spans stored for trace ${traceId}`, head);
        return sendJson(res, 200, { traceId, spans: spans.map(summarizeSpan) }, head);
      }
      case 'explorer': {
        if (!authorized) return unauthorized(res);
        const answer = serveExplorer(hub.explorer, path, url.searchParams);
        if (answer.status >= 400) counters.badRequests++;
        return sendJson(res, answer.status, answer.body, head);
      }
      case 'api-other':
        return fail(res, 404, 'not_found', `no route for ${method} ${path.slice(0, 200)}`, head);
    }
  };

  const unauthorized = (res: ServerResponse) => {
    counters.unauthorized++;
    res.setHeader('WWW-Authenticate', 'Bearer realm="obs"');
    sendJson(res, 401, { error: 'unauthorized', message: 'a valid bearer token is required' });
  };

  const handler = ((req: IncomingMessage, res: ServerResponse) => {
    handle(req, res).catch((error: unknown) => {
      counters.errors++;
      // Never leak internals: the body says what kind of failure, not the stack.
      if (!res.headersSent) sendJson(res, 500, { error: 'internal_error', message: 'the request could not be served' });
      else res.destroy(error instanceof Error ? error : undefined);
    });
  }) as HubHttpHandler;
  handler.close = () => sse.closeAll();
  handler.stats = () => ({ ...counters, sse: sse.stats() });
  return handler;
}

type Route =
  | 'metrics'
  | 'health'
  | 'health-live'
  | 'health-ready'
  | 'health-startup'
  | 'dashboard'
  | 'events'
  | 'trace'
  | 'explorer'
  | 'api-other';

function routeOf(path: string): Route | undefined {
  switch (path) {
    case '/metrics':
      return 'metrics';
    case '/health':
      return 'health';
    case '/health/live':
      return 'health-live';
    case '/health/ready':
      return 'health-ready';
    case '/health/startup':
      return 'health-startup';
    case '/api/dashboard':
      return 'dashboard';
    case '/api/events':
      return 'events';
  }
  if (TRACE_ROUTE.test(path)) return 'trace';
  if (isExplorerPath(path)) return 'explorer';
  if (path.startsWith('/api/')) return 'api-other';
  return undefined;
}

function decodeSafe(text: string): string {
  try {
    return decodeURIComponent(text);
  } catch {
    return '';
  }
}
