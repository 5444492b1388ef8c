import cluster, { type Worker } from 'node:cluster';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import {
  collectRuntimeMetrics,
  createMetricsCollector,
  createObservabilityHub,
  systemClock,
  type HubExporter,
  type ObservabilityHub,
} from '@obs/hub';
import {
  createHardenedServer,
  createHttpHandler,
  type FallbackContext,
  type HardenedServer,
  type HardenedServerOptions,
} from '@obs/hub/http';
import { createClusterAggregator, type ClusterAggregator } from '@obs/metrics/cluster';
import { demoSampleSLO, runtimeSnapshot } from '../createExampleApp';
import type { TrafficStats } from '../demo/TrafficGenerator';
import { phaseAt } from '../demo/trafficPlan';
import { eventLoopCheck } from '../healthChecks';
import { DASHBOARD_CSP, sendError, sendJson } from '../http/responses';
import { loadStaticAssets, serveStaticAsset } from '../http/staticAssets';
import { applyForwarded } from './applyForwarded';
import { isWorkerMessage } from './protocol';

export interface ClusterPrimaryOptions {
  readonly host: string;
  /** The dashboard, `/metrics` and the API (0: a free port). */
  readonly port: number;
  /** The uploads port the workers share (0: a random port, the same for all). */
  readonly workerPort: number;
  readonly workers: number;
  readonly demo: boolean;
  readonly token?: string | null;
  readonly metricsToken?: string | null;
  readonly traceSampleRate: number;
  readonly exporters?: readonly HubExporter[];
  readonly server?: HardenedServerOptions;
  /** Waiting for every worker to listen, ms (default 30 000). */
  readonly startTimeoutMs?: number;
  readonly log?: (line: string) => void;
}

export interface ClusterPrimary {
  readonly hub: ObservabilityHub;
  readonly aggregator: ClusterAggregator;
  readonly server: HardenedServer;
  /** The dashboard, `/metrics` and the API. */
  readonly url: string;
  /** Where the workers take uploads (`POST /api/analyze`). */
  readonly uploadsUrl: string;
  /** Stops the workers (SIGTERM, their last state and spans delivered), then the server and the hub. */
  close(): Promise<void>;
}

interface WorkerView {
  readonly id: number;
  readonly pid: number | undefined;
  url: string | undefined;
  alive: boolean;
  demo: TrafficStats | undefined;
  forwarded: number;
  rejected: number;
  droppedByWorker: number;
}

/** Replacement workers allowed per minute after crashes; beyond it the primary stops replacing (and says so). */
const MAX_RESTARTS_PER_MINUTE = 10;

/**
 * The primary of the example app under node:cluster (`--workers N`): forks the
 * workers, which serve uploads on their shared port, and runs the hub on the merged
 * view. `/metrics` is the cluster aggregator's merge of every worker's collector
 * (counters summed, histogram sketches merged exactly, process gauges per worker)
 * plus the primary's own runtime metrics (`worker="primary"`). The hub receives every
 * worker's vision recordings, SLO outcomes, alerts and finished spans, so its SLOs,
 * anomaly detection, alert rules, dashboard charts and recent traces are computed
 * on the merged stream.
 */
export async function startClusterPrimary(options: ClusterPrimaryOptions): Promise<ClusterPrimary> {
  const log = options.log ?? ((line: string) => process.stderr.write(line + '\n'));
  const hub = createObservabilityHub({
    traceSampleRate: options.traceSampleRate,
    healthCheckIntervalSeconds: 5,
    alertEvaluationIntervalSeconds: 5,
    sloEvaluationIntervalSeconds: 5,
    ...(options.exporters?.length ? { exporters: options.exporters } : {}),
  });
  // The primary's own process metrics, merged into /metrics as worker "primary" (the hub's collector holds the
  // workers' recordings, which the aggregator already merges from their collectors).
  const primaryMetrics = createMetricsCollector();
  const stopRuntime = collectRuntimeMetrics(primaryMetrics);
  const aggregator = createClusterAggregator({
    // collect() first: it runs the runtime metrics' callbacks, whose values snapshot() then holds.
    local: {
      snapshot: () => {
        primaryMetrics.collect();
        return primaryMetrics.snapshot();
      },
    },
    // The latest confidence of any worker; other gauges (process metrics) stay per worker.
    gaugePolicies: { vision_confidence: 'last' },
  });
  const detach = aggregator.attachCluster(cluster);
  const startedAt = systemClock.now();
  const views = new Map<number, WorkerView>();
  let stopping = false;
  let restarts: number[] = [];

  const loop = eventLoopCheck();
  hub.health.registerCheck('event-loop', loop.check, { groups: ['liveness'] });
  hub.health.registerCheck(
    'workers',
    () => {
      const alive = [...views.values()].filter((v) => v.alive && v.url !== undefined).length;
      const status = alive >= options.workers ? 'healthy' : alive > 0 ? 'degraded' : 'unhealthy';
      return { status, message: `${alive} of ${options.workers} workers serving uploads`, details: { alive } };
    },
    { critical: true, groups: ['readiness'] },
  );
  const troubles = hub.eventsOf('hub/processor-error').subscribe((event) => {
    if (event.type === 'hub/processor-error') log(`flow ${event.processor} failed: ${event.error}`);
  });
  await hub.start();
  if (options.demo) demoSampleSLO(hub);

  let announceReady: () => void = () => {};
  const allListening = new Promise<void>((resolve) => (announceReady = resolve));
  const onMessage = (worker: Worker, message: unknown) => {
    if (!isWorkerMessage(message)) return;
    const view = views.get(worker.id);
    if (!view) return;
    if (message.kind === 'hello' && typeof message.url === 'string') {
      view.url = message.url;
      if ([...views.values()].filter((v) => v.url !== undefined).length >= options.workers) announceReady();
      return;
    }
    if (message.kind !== 'batch' || !Array.isArray(message.items)) return;
    for (const item of message.items as unknown[]) {
      if (applyForwarded(hub, item)) view.forwarded++;
      else view.rejected++;
    }
    if (typeof message.dropped === 'number' && Number.isSafeInteger(message.dropped) && message.dropped > 0)
      view.droppedByWorker += message.dropped;
    if (typeof message.demo === 'object' && message.demo !== null) view.demo = message.demo as TrafficStats;
  };
  cluster.on('message', onMessage);

  const fork = (): Worker => {
    const worker = cluster.fork({ OBS_WORKER_PORT: String(options.workerPort) });
    views.set(worker.id, {
      id: worker.id,
      pid: worker.process.pid,
      url: undefined,
      alive: true,
      demo: undefined,
      forwarded: 0,
      rejected: 0,
      droppedByWorker: 0,
    });
    worker.on('exit', (code, signal) => {
      const view = views.get(worker.id);
      if (view) view.alive = false;
      if (stopping) return;
      log(`worker ${worker.id} (pid ${String(worker.process.pid)}) exited (${signal ?? `code ${String(code)}`})`);
      const now = Date.now();
      restarts = restarts.filter((t) => now - t < 60_000);
      if (restarts.length >= MAX_RESTARTS_PER_MINUTE) {
        log(`not replacing it: ${MAX_RESTARTS_PER_MINUTE} workers replaced in the last minute`);
        return;
      }
      restarts.push(now);
      // Its counters stay in the merged view (the aggregator keeps the totals of workers that left).
      setTimeout(() => {
        if (!stopping) fork();
      }, 1000).unref();
    });
    return worker;
  };
  for (let i = 0; i < options.workers; i++) fork();

  const timeout = options.startTimeoutMs ?? 30_000;
  let timer: ReturnType<typeof setTimeout> | undefined;
  const started = await Promise.race([
    allListening.then(() => true),
    new Promise<boolean>((resolve) => (timer = setTimeout(() => resolve(false), timeout))),
  ]);
  clearTimeout(timer);
  const stopWorkers = async () => {
    stopping = true;
    const live = Object.values(cluster.workers ?? {}).filter((w): w is Worker => w !== undefined && !w.isDead());
    await Promise.all(
      live.map(
        (worker) =>
          new Promise<void>((resolve) => {
            const kill = setTimeout(() => worker.process.kill('SIGKILL'), 8000);
            worker.once('exit', () => {
              clearTimeout(kill);
              resolve();
            });
            worker.process.kill('SIGTERM');
          }),
      ),
    );
  };
  const release = async () => {
    cluster.off('message', onMessage);
    detach();
    aggregator.close();
    stopRuntime();
    loop.stop();
    await hub.stop();
    troubles.unsubscribe();
  };
  if (!started) {
    await stopWorkers();
    await release();
    throw new Error(`the workers did not start listening within ${timeout} ms`);
  }
  const uploadsUrl = [...views.values()].find((v) => v.url !== undefined)!.url!;

  const assets = loadStaticAssets();
  const workerList = () =>
    [...views.values()].map((v) => ({
      id: v.id,
      pid: v.pid ?? null,
      alive: v.alive,
      url: v.url ?? null,
      forwarded: v.forwarded,
      rejected: v.rejected,
      droppedByWorker: v.droppedByWorker,
      demo: v.demo ?? null,
    }));
  const routes = async (req: IncomingMessage, res: ServerResponse, ctx: FallbackContext): Promise<void> => {
    const path = ctx.url.pathname;
    const get = req.method === 'GET' || req.method === 'HEAD';
    if (path === '/api/analyze') {
      // Uploads are the workers' job: send the client there (307 keeps the method and body).
      const location = `${uploadsUrl}/api/analyze${ctx.url.search}`;
      sendError(res, 307, 'USE_WORKERS', `uploads go to the workers at ${location}`, { Location: location });
      return;
    }
    if (!get && path.startsWith('/api/')) {
      sendError(res, 405, 'METHOD_NOT_ALLOWED', 'use GET', { Allow: 'GET, HEAD' });
      return;
    }
    if (path === '/api/runtime') {
      sendJson(res, 200, runtimeSnapshot({ metrics: primaryMetrics }, true));
      return;
    }
    if (path === '/api/cluster') {
      sendJson(res, 200, { workers: workerList(), uploadsUrl, aggregator: aggregator.stats });
      return;
    }
    if (path === '/api/demo') {
      if (!options.demo) {
        sendJson(res, 200, { enabled: false });
        return;
      }
      const sum: TrafficStats = { sent: 0, succeeded: 0, failed: 0, dropped: 0, inFlight: 0 };
      for (const v of views.values())
        for (const key of Object.keys(sum) as (keyof TrafficStats)[]) sum[key] += v.demo?.[key] ?? 0;
      sendJson(res, 200, {
        enabled: true,
        phase: phaseAt(systemClock.now() - startedAt).name,
        ...sum,
        workers: workerList().map((w) => ({ id: w.id, pid: w.pid, alive: w.alive, ...w.demo })),
      });
      return;
    }
    if (get && assets.has(path)) {
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
    metricsExposition: (accept) => aggregator.metrics(accept),
    fallback: routes,
    contentSecurityPolicy: DASHBOARD_CSP,
    healthJson: { serviceId: 'obs-example-vision', description: 'example vision service (cluster primary)' },
  });
  const server = createHardenedServer(handler, options.server);
  try {
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(options.port, options.host, () => {
        server.off('error', reject);
        resolve();
      });
    });
  } catch (error) {
    await stopWorkers();
    await release();
    throw error;
  }
  const address = server.address() as AddressInfo;
  const host = address.family === 'IPv6' ? `[${address.address}]` : address.address;
  const url = `http://${host}:${address.port}`;

  let closing: Promise<void> | undefined;
  const close = () =>
    (closing ??= (async () => {
      // Workers first: their last recordings and spans reach the hub while it still runs.
      await stopWorkers();
      handler.close();
      const closed = new Promise<void>((resolve) => server.close(() => resolve()));
      server.closeIdleConnections();
      const force = setTimeout(() => server.closeAllConnections(), 2000);
      force.unref();
      await closed;
      clearTimeout(force);
      await release();
    })());
  return { hub, aggregator, server, url, uploadsUrl, close };
}
