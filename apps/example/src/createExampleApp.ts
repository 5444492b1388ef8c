import type { IncomingMessage, ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import {
  collectRuntimeMetrics,
  createObservabilityHub,
  createSLODefinition,
  systemClock,
  type HubExporter,
  type HubOptions,
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
  /** `http://host:port` */
  readonly url: string;
  /** Stops traffic, ends event streams, closes the server, then stops the hub (which persists its state). */
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
  hub.health.registerCheck('vision-provider', providerCheck(local), { critical: true, groups: ['readiness'] });
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
      await analyzeEndpoint(req, res, ctx.url);
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

  const handler = createHttpHandler(hub, {
    token: options.token ?? null,
    metricsToken: options.metricsToken ?? null,
    fallback: appRoutes,
    contentSecurityPolicy: DASHBOARD_CSP,
    healthJson: { serviceId: 'obs-example-vision', description: 'example vision service instrumented by @obs' },
  });
  const server = createHardenedServer(handler, options.server);

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 3000, options.host ?? '127.0.0.1', () => {
      server.off('error', reject);
      resolve();
    });
  }).catch(async (error: unknown) => {
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

  let closing: Promise<void> | undefined;
  const close = () =>
    (closing ??= (async () => {
      // Demo traffic stops sending at once; its analyses still queued are cut below by closing the pool.
      const trafficStopped = traffic?.stop();
      handler.close();
      const closed = new Promise<void>((resolve) => server.close(() => resolve()));
      server.closeIdleConnections();
      // Requests in flight get a moment to finish, then their connections are cut.
      const force = setTimeout(() => server.closeAllConnections(), 2000);
      force.unref();
      await closed;
      clearTimeout(force);
      stopRuntime?.();
      loop.stop();
      disableOtel?.();
      await local.close();
      await trafficStopped;
      await hub.stop();
      troubles.unsubscribe();
    })());

  return { hub, provider, server, traffic, url, close };
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
