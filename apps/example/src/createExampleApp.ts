import type { IncomingMessage, ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import {
  collectRuntimeMetrics,
  createLifecycle,
  createObservabilityHub,
  createSLODefinition,
  systemClock,
  type HubExporter,
  type HubOptions,
  type Lifecycle,
  type LifecycleEvent,
  type ObservabilityHub,
  type Span,
} from '@obs/hub';
import {
  createHardenedServer,
  createHttpHandler,
  type FallbackContext,
  type HardenedServer,
  type HardenedServerOptions,
} from '@obs/hub/http';
import { ObservableVisionProvider, type VisionProvider } from '@obs/vision';
import { ChaosProvider } from './demo/ChaosProvider';
import { loadSampleImages } from './demo/samples';
import { TrafficGenerator } from './demo/TrafficGenerator';
import { phaseAt } from './demo/trafficPlan';
import { demoUpstreamCheck, eventLoopCheck, providerCheck } from './healthChecks';
import { createAnalyzeEndpoint } from './http/analyzeEndpoint';
import { DASHBOARD_CSP, sendError, sendJson } from './http/responses';
import { createLocalProvider } from './localProvider';
import { enableOpenTelemetry } from './otel';
import { loadStaticAssets, serveStaticAsset } from './http/staticAssets';

export interface ExampleAppOptions {
  readonly host?: string;
  /** 0 picks a free port. Default 3000. */
  readonly port?: number;
  /** Run the built-in traffic generator. */
  readonly demo?: boolean;
  /** Bearer token for the dashboard and /api/* (null: none, whatever OBS_TOKEN says). */
  readonly token?: string | null;
  /** Bearer token for /metrics. */
  readonly metricsToken?: string | null;
  /** Persist the hub's state to this file. */
  readonly stateFile?: string;
  readonly snapshotIntervalSeconds?: number;
  readonly traceSampleRate?: number;
  /** Largest accepted upload, bytes (default 10 MiB). */
  readonly maxUploadBytes?: number;
  /** Largest accepted image canvas, pixels (default 4 MP). */
  readonly maxPixels?: number;
  /**
   * Worker threads that decode images off the event loop (default: the number of
   * CPUs less one, from 1 to 4). 0 decodes on the event loop (not for production).
   */
  readonly visionWorkers?: number;
  /**
   * Uploads that may wait for a worker (default 4). Past workers + queue, `POST /api/analyze`
   * answers 503 with `Retry-After` before reading the body.
   */
  readonly visionQueue?: number;
  /**
   * HTTP server protections (timeouts, connection cap, per-connection limits); see
   * `createHardenedServer` in @obs/hub. Defaults: headers 10 s, request 30 s (checked
   * every second), keep-alive 5 s, 1 000 connections plus 32 reserved for health probes.
   */
  readonly server?: HardenedServerOptions;
  /**
   * Record the process's runtime metrics (prom-client's default metric names: CPU, memory,
   * heap spaces, event-loop delay, GC, handles) in the hub's collector (default true).
   */
  readonly runtimeMetrics?: boolean;
  /** Trace the HTTP traffic with OpenTelemetry's http and undici instrumentations through @obs/otel (env OBS_OTEL=1). */
  readonly otel?: boolean;
  /** Push exporters for the hub (`exporters: [...]`); `main` builds them from the environment (see exporters.ts). */
  readonly exporters?: readonly HubExporter[];
  /**
   * Graceful shutdown (see `createLifecycle` in @obs/health): on `close()` or a signal,
   * `/health/ready` answers 503 at once while the app still serves for `delayMs` (default 0 here;
   * the command line's SHUTDOWN_DELAY_MS defaults to 3000), then the server stops accepting and the
   * requests in flight get `drainTimeoutMs` (default 10 000) to finish, then workers stop and the
   * hub persists its state. `timeoutMs` bounds it all (default delay + drain + 10 000).
   */
  readonly shutdown?: { readonly delayMs?: number; readonly drainTimeoutMs?: number; readonly timeoutMs?: number };
  /**
   * Start the graceful shutdown on SIGTERM/SIGINT (a second one exits at once), and exit 1 when it
   * takes longer than `shutdown.timeoutMs`. For the command line; off by default, so that tests
   * embedding the app leave their process's signals alone.
   */
  readonly handleSignals?: boolean;
  /** Extra hub options (tests). */
  readonly hubOptions?: HubOptions;
  /** Where log lines go (default stderr). */
  readonly log?: (line: string) => void;
}

export interface ExampleApp {
  readonly hub: ObservabilityHub;
  readonly provider: ObservableVisionProvider<ObservabilityHub>;
  readonly server: HardenedServer;
  readonly traffic: TrafficGenerator<Span> | undefined;
  /** Phases, beacons (uploads in flight) and the shutdown report. */
  readonly lifecycle: Lifecycle;
  /** `http://host:port` */
  readonly url: string;
  /**
   * The graceful shutdown (`lifecycle.shutdown()`): readiness fails, the delay, then traffic stops, event
   * streams end, the server stops accepting and drains, workers stop, and the hub stops (persisting its state).
   */
  close(): Promise<void>;
}

/**
 * Builds and starts the example service: an ObservabilityHub, the local
 * image provider wrapped by ObservableVisionProvider (with injected chaos in
 * demo mode), and one HTTP server: the hub's routes (`/metrics`, `/health*`,
 * `/api/dashboard`, `/api/events`, `/api/traces/:id`) with the app's own
 * routes as their fallback (`/`, the dashboard files, `POST /api/analyze`, `GET /api/demo`).
 */
export async function startExampleApp(options: ExampleAppOptions = {}): Promise<ExampleApp> {
  const log = options.log ?? ((line: string) => process.stderr.write(line + '\n'));
  const maxUploadBytes = options.maxUploadBytes ?? 10 * 1024 * 1024;
  const hub = createObservabilityHub({
    traceSampleRate: options.traceSampleRate ?? 0.25,
    healthCheckIntervalSeconds: 5,
    alertEvaluationIntervalSeconds: 5,
    sloEvaluationIntervalSeconds: 5,
    ...(options.exporters?.length ? { exporters: options.exporters } : {}),
    ...(options.stateFile
      ? { persistence: { path: options.stateFile, intervalSeconds: options.snapshotIntervalSeconds ?? 15 } }
      : {}),
    ...options.hubOptions,
  });

  const { local, admission } = createLocalProvider({
    maxUploadBytes,
    ...(options.maxPixels !== undefined ? { maxPixels: options.maxPixels } : {}),
    ...(options.visionWorkers !== undefined ? { visionWorkers: options.visionWorkers } : {}),
    ...(options.visionQueue !== undefined ? { visionQueue: options.visionQueue } : {}),
  });
  const startedAt = systemClock.now();
  const base: VisionProvider = options.demo ? new ChaosProvider(local) : local;
  const provider = new ObservableVisionProvider(base, hub, {
    errorAlert: { windowMs: 30_000, minRequests: 20, errorRatio: 0.2 },
  });

  const loop = eventLoopCheck();
  // Also a startup check: /health/startup answers 503 until the provider has decoded its probe image once.
  hub.health.registerCheck('vision-provider', providerCheck(local), {
    critical: true,
    groups: ['readiness', 'startup'],
  });
  hub.health.registerCheck('event-loop', loop.check, { groups: ['liveness'] });
  if (options.demo)
    hub.health.registerCheck(
      'upstream',
      demoUpstreamCheck(startedAt, () => systemClock.now()),
    );

  // Operational trouble goes to the log: a snapshot that cannot be written or read, a flow that failed.
  const troubles = hub
    .eventsOf('hub/persist-error', 'hub/restore-error', 'hub/processor-error', 'hub/restored')
    .subscribe((event) => {
      if (event.type === 'hub/restored')
        log(`state restored from ${event.file} (${event.generation} generation, saved ${isoTime(event.savedAt)})`);
      else if (event.type === 'hub/persist-error') log(`state could not be saved to ${event.file}: ${event.error}`);
      else if (event.type === 'hub/restore-error')
        log(
          `state file ${event.file}${event.component ? ` (${event.component})` : ''} was not fully usable (${event.code}): ${event.error}; using ${event.fallback === 'previous' ? 'the previous generation' : 'fresh state'}`,
        );
      else if (event.type === 'hub/processor-error') log(`flow ${event.processor} failed: ${event.error}`);
    });
  await hub.start();
  // Read at scrape time (and by /api/runtime); between scrapes only Node's event-loop monitor and a GC observer run.
  const stopRuntime = options.runtimeMetrics === false ? undefined : collectRuntimeMetrics(hub.metrics);
  const disableOtel = options.otel ? await enableOpenTelemetry(hub) : undefined;

  const assets = loadStaticAssets();
  // A per-label SLO: the demo's uploads grouped by sample image, each with its own budget and burn rate.
  const bySample = options.demo ? demoSampleSLO(hub) : undefined;
  const traffic = options.demo
    ? new TrafficGenerator({ provider, samples: loadSampleImages(), tracer: hub.traces, onResult: bySample })
    : undefined;

  const analyzeEndpoint = createAnalyzeEndpoint({
    traces: hub.traces,
    metrics: hub.metrics,
    analyze: (bytes, includeDescription, analyzeOptions) =>
      provider.analyzeImage(bytes, includeDescription, analyzeOptions),
    admission,
    maxUploadBytes,
    log,
  });
  const appRoutes = async (req: IncomingMessage, res: ServerResponse, ctx: FallbackContext): Promise<void> => {
    const path = ctx.url.pathname;
    // The hub's handler has already refused unauthorized /api/* requests.
    if (path === '/api/analyze') {
      // The shutdown waits for every upload in flight (at most the drain timeout).
      const done = lifecycle.beacon('upload');
      try {
        await analyzeEndpoint(req, res, ctx.url);
      } finally {
        done();
      }
      return;
    }
    if (path === '/api/runtime') {
      if (req.method !== 'GET' && req.method !== 'HEAD') {
        sendError(res, 405, 'METHOD_NOT_ALLOWED', 'use GET', { Allow: 'GET, HEAD' });
        return;
      }
      sendJson(res, 200, runtimeSnapshot(hub, stopRuntime !== undefined));
      return;
    }
    if (path === '/api/demo') {
      if (req.method !== 'GET' && req.method !== 'HEAD') {
        sendError(res, 405, 'METHOD_NOT_ALLOWED', 'use GET', { Allow: 'GET, HEAD' });
        return;
      }
      sendJson(
        res,
        200,
        traffic
          ? { enabled: true, phase: phaseAt(systemClock.now() - startedAt).name, ...traffic.stats }
          : { enabled: false },
      );
      return;
    }
    if ((req.method === 'GET' || req.method === 'HEAD') && assets.has(path)) {
      // The page is protected like the API (open it with ?access_token=); its scripts and styles are public code.
      if ((path === '/' || path === '/index.html') && !ctx.authorized) {
        sendError(res, 401, 'UNAUTHORIZED', 'open the dashboard with ?access_token=<OBS_TOKEN>', {
          'WWW-Authenticate': 'Bearer realm="obs"',
        });
        return;
      }
      serveStaticAsset(req, res, path, assets);
      return;
    }
    sendError(res, 404, 'NOT_FOUND', `no route for ${req.method ?? 'GET'} ${path.slice(0, 200)}`);
  };

  const shutdownDelayMs = options.shutdown?.delayMs ?? 0;
  const drainTimeoutMs = options.shutdown?.drainTimeoutMs ?? 10_000;
  const lifecycle = createLifecycle({
    health: hub.health,
    shutdownDelayMs,
    drainTimeoutMs,
    // The overall bound ends the process (exit 1): only when the app owns the process's signals.
    shutdownTimeoutMs: options.handleSignals
      ? (options.shutdown?.timeoutMs ?? shutdownDelayMs + drainTimeoutMs + 10_000)
      : Infinity,
    handlerTimeoutMs: 10_000,
    signals: options.handleSignals ? ['SIGTERM', 'SIGINT'] : [],
  });
  const lifecycleLog = lifecycle.events$.subscribe((event) => logLifecycle(event, log, shutdownDelayMs));

  const handler = createHttpHandler(hub, {
    token: options.token ?? null,
    metricsToken: options.metricsToken ?? null,
    fallback: appRoutes,
    contentSecurityPolicy: DASHBOARD_CSP,
    healthJson: { serviceId: 'obs-example-vision', description: 'example vision service instrumented by @obs' },
    lifecycle,
  });
  const server = createHardenedServer(handler, options.server);

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 3000, options.host ?? '127.0.0.1', () => {
      server.off('error', reject);
      resolve();
    });
  }).catch(async (error: unknown) => {
    lifecycle.dispose();
    lifecycleLog.unsubscribe();
    stopRuntime?.();
    loop.stop();
    disableOtel?.();
    await local.close();
    await hub.stop();
    troubles.unsubscribe();
    throw error;
  });
  const address = server.address() as AddressInfo;
  const host = address.family === 'IPv6' ? `[${address.address}]` : address.address;
  const url = `http://${host}:${address.port}`;
  traffic?.start();

  // Once the shutdown delay is over: no new connections; resolves when every connection has closed.
  let trafficStopped: Promise<void> | undefined;
  let serverClosed: Promise<void> | undefined;
  lifecycle.onDrain('http-server', () => {
    // Demo traffic stops sending at once; its analyses still queued are cut below by closing the pool.
    trafficStopped = traffic?.stop();
    handler.close(); // event streams never end by themselves
    serverClosed = new Promise<void>((resolve) => server.close(() => resolve()));
    // A keep-alive connection turns idle when its response is sent: close it then, not after the keep-alive timeout.
    server.closeIdleConnections();
    const sweep = setInterval(() => server.closeIdleConnections(), 50);
    sweep.unref();
    return serverClosed.finally(() => clearInterval(sweep));
  });
  lifecycle.onShutdown(
    'connections',
    async () => {
      // Past the drain timeout, whatever is still open is cut.
      server.closeAllConnections();
      await serverClosed;
    },
    { timeoutMs: 2000 },
  );
  lifecycle.onShutdown('instrumentation', () => {
    stopRuntime?.();
    loop.stop();
    disableOtel?.();
  });
  lifecycle.onShutdown('vision-workers', async () => {
    await local.close();
    await trafficStopped;
  });
  // Last: the hub flushes exporters and writes the final state snapshot.
  lifecycle.onShutdown('hub', async () => {
    try {
      await hub.stop();
    } finally {
      troubles.unsubscribe();
    }
  });
  void lifecycle.whenStopped().then(() => lifecycleLog.unsubscribe());
  lifecycle.ready();

  const close = async (): Promise<void> => {
    await lifecycle.shutdown('close()');
  };

  return { hub, provider, server, traffic, lifecycle, url, close };
}

/** One log line per step of the shutdown worth telling an operator about. */
function logLifecycle(event: LifecycleEvent, log: (line: string) => void, delayMs: number): void {
  switch (event.type) {
    case 'lifecycle/signal':
      log(
        event.forced
          ? `${event.signal} again: exiting now`
          : `${event.signal}: shutting down (readiness fails now; still serving for ${delayMs} ms)`,
      );
      return;
    case 'lifecycle/drain-started': {
      const uploads = event.beacons['upload'] ?? 0;
      log(`no longer accepting connections; ${uploads} upload${uploads === 1 ? '' : 's'} in flight`);
      return;
    }
    case 'lifecycle/drained':
      if (event.timedOut)
        log(
          `drain timed out after ${event.durationMs} ms: ${JSON.stringify(event.remainingBeacons)} still in flight${event.pendingHandlers.length ? `, ${event.pendingHandlers.join(', ')} not closed` : ''}; cutting them`,
        );
      return;
    case 'lifecycle/step-completed':
      if (event.step.outcome !== 'ok')
        log(`shutdown step ${event.step.name}: ${event.step.outcome}: ${event.step.error ?? ''}`);
      return;
    case 'lifecycle/forced-exit':
      if (event.reason === 'timeout') log(`shutdown took too long (during ${event.phase}); exiting`);
      return;
    case 'lifecycle/stopped':
      log(`stopped in ${event.report.durationMs} ms${event.report.ok ? '' : ' (not cleanly: see above)'}`);
      return;
    case 'lifecycle/phase-changed':
      return;
  }
}

/** The dashboard's runtime panel: event-loop delay quantiles and heap, read from the runtime metrics (which runs their callbacks). */
export function runtimeSnapshot(hub: Pick<ObservabilityHub, 'metrics'>, enabled: boolean): Record<string, unknown> {
  if (!enabled) return { enabled: false };
  const gauge = (name: string) => hub.metrics.getGauge(name) ?? null;
  return {
    enabled: true,
    ts: systemClock.now(),
    eventLoopDelayP50Seconds: gauge('nodejs_eventloop_lag_p50_seconds'),
    eventLoopDelayP99Seconds: gauge('nodejs_eventloop_lag_p99_seconds'),
    eventLoopDelayMaxSeconds: gauge('nodejs_eventloop_lag_max_seconds'),
    eventLoopUtilization: gauge('nodejs_eventloop_utilization_ratio'),
    heapUsedBytes: gauge('nodejs_heap_size_used_bytes'),
    heapTotalBytes: gauge('nodejs_heap_size_total_bytes'),
    residentBytes: gauge('process_resident_memory_bytes'),
  };
}

/** Defines the demo's `uploads-by-sample` SLO (80%: the demo sends broken images on purpose; grouped by `sample`) and returns its recorder. */
export function demoSampleSLO(hub: ObservabilityHub): (sample: string, ok: boolean) => void {
  const id = 'demo-uploads-by-sample';
  if (!hub.sloTracker.hasSLO(id)) {
    hub.sloTracker.defineSLO(
      createSLODefinition('Demo uploads by sample', 80, 1, '', { sloId: id, groupBy: ['sample'] }),
    );
  }
  return (sample, ok) => hub.sloTracker.recordEvent(id, ok, { sample });
}

/** An epoch-ms time as ISO text, or a note when it is not one (a log line must never throw). */
function isoTime(ms: number): string {
  const date = new Date(ms);
  return Number.isNaN(date.getTime()) ? `an invalid time (${String(ms)})` : date.toISOString();
}
