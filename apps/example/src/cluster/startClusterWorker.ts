import type { IncomingMessage, ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { collectRuntimeMetrics, createMetricsCollector, createTraceManager, toImportedSpan, type Span } from '@obs/hub';
import { createHardenedServer, type HardenedServerOptions } from '@obs/hub/http';
import { connectToPrimary } from '@obs/metrics/cluster';
import { ObservableVisionProvider, type VisionProvider } from '@obs/vision';
import { ChaosProvider } from '../demo/ChaosProvider';
import { loadSampleImages } from '../demo/samples';
import { TrafficGenerator } from '../demo/TrafficGenerator';
import { createAnalyzeEndpoint } from '../http/analyzeEndpoint';
import { DASHBOARD_CSP, sendError, sendJson } from '../http/responses';
import { createLocalProvider } from '../localProvider';
import { createForwardingVisionHub } from './forwardingVisionHub';
import { WORKER_MESSAGE_TAG, type WorkerMessage } from './protocol';
import { WorkerLink } from './WorkerLink';

export interface ClusterWorkerOptions {
  readonly host: string;
  /** The uploads port, shared by every worker through node:cluster (0: a random port, the same for all). */
  readonly port: number;
  readonly demo: boolean;
  readonly traceSampleRate: number;
  readonly maxUploadBytes?: number;
  readonly visionWorkers?: number;
  readonly visionQueue?: number;
  readonly server?: HardenedServerOptions;
  /** Sends to the primary (default `process.send`). */
  readonly send?: (message: WorkerMessage) => unknown;
  readonly log?: (line: string) => void;
}

export interface ClusterWorker {
  readonly url: string;
  close(): Promise<void>;
}

/**
 * One node:cluster worker of the example app: serves `POST /api/analyze` (the
 * port is shared by all workers; the cluster spreads connections), runs the demo
 * traffic against its own provider with `--demo`, and reports to the primary:
 * its metric state through `connectToPrimary` (merged into the primary's
 * `/metrics`), and its vision recordings, SLO outcomes, alerts and finished spans
 * through a {@link WorkerLink} (applied to the primary's hub).
 */
export async function startClusterWorker(options: ClusterWorkerOptions): Promise<ClusterWorker> {
  const log = options.log ?? ((line: string) => process.stderr.write(line + '\n'));
  const send =
    options.send ??
    ((message: WorkerMessage) => {
      // With a callback, a write to a closed channel (the primary is gone) is reported there, not as a crash.
      if (process.send && process.connected) process.send(message, undefined, undefined, () => undefined);
    });
  const maxUploadBytes = options.maxUploadBytes ?? 10 * 1024 * 1024;
  const metrics = createMetricsCollector();
  const traces = createTraceManager({ traceSampleRate: options.traceSampleRate });
  // Exemplars: the sampled span active where a value is recorded, as the hub does.
  metrics.setExemplarSource(() => {
    const span = traces.getActiveSpan();
    return span !== undefined && span.context.sampled ? span.context : undefined;
  });
  const stopRuntime = collectRuntimeMetrics(metrics);
  // snapshot() holds what was recorded; callback metrics (the runtime gauges) are only read by collect(),
  // so each state sent to the primary runs the callbacks first.
  const connection = connectToPrimary({
    snapshot: () => {
      metrics.collect();
      return metrics.snapshot();
    },
  });

  let traffic: TrafficGenerator<Span> | undefined;
  const link = new WorkerLink({ send, demoStats: () => traffic?.stats });
  // Every finished span goes to the primary, tagged with this process, so the primary's traces show where each ran.
  const processTags = { 'process.pid': process.pid };
  traces.addExporter({
    name: 'cluster-primary',
    onEnd: (span) => {
      const data = toImportedSpan(span, processTags);
      if (data) link.push({ kind: 'span', span: data });
    },
    forceFlush: async () => link.flush(),
    shutdown: async () => link.flush(),
  });

  const { local, admission } = createLocalProvider({
    maxUploadBytes,
    ...(options.visionWorkers !== undefined ? { visionWorkers: options.visionWorkers } : {}),
    ...(options.visionQueue !== undefined ? { visionQueue: options.visionQueue } : {}),
  });
  const base: VisionProvider = options.demo ? new ChaosProvider(local) : local;
  const provider = new ObservableVisionProvider(base, createForwardingVisionHub(metrics, traces, link), {
    errorAlert: { windowMs: 30_000, minRequests: 20, errorRatio: 0.2 },
  });
  if (options.demo) {
    traffic = new TrafficGenerator({
      provider,
      samples: loadSampleImages(),
      tracer: traces,
      // The per-sample SLO is defined on the primary; outcomes go there.
      onResult: (sample, ok) =>
        link.push({ kind: 'slo-event', sloId: 'demo-uploads-by-sample', good: ok, labels: { sample } }),
    });
  }

  const analyze = createAnalyzeEndpoint({
    traces,
    metrics,
    analyze: (bytes, includeDescription, analyzeOptions) =>
      provider.analyzeImage(bytes, includeDescription, analyzeOptions),
    admission,
    maxUploadBytes,
    spanTags: processTags,
    log,
  });
  const handler = (req: IncomingMessage, res: ServerResponse): void => {
    res.setHeader('Content-Security-Policy', DASHBOARD_CSP);
    res.setHeader('X-Content-Type-Options', 'nosniff');
    let url: URL;
    try {
      url = new URL(req.url ?? '/', 'http://localhost');
    } catch {
      sendError(res, 400, 'BAD_URL', 'the request URL cannot be parsed');
      return;
    }
    if (url.pathname === '/api/analyze') {
      analyze(req, res, url).catch((error: unknown) => {
        log(`analyze failed: ${String(error)}`);
        if (!res.headersSent) sendError(res, 500, 'INTERNAL', 'internal error');
        else res.destroy();
      });
      return;
    }
    if (url.pathname === '/health/live' || url.pathname === '/health/ready') {
      sendJson(res, 200, { status: 'pass', pid: process.pid });
      return;
    }
    sendError(
      res,
      404,
      'NOT_FOUND',
      'workers serve POST /api/analyze only; the dashboard, /metrics and the API are on the primary',
    );
  };
  const server = createHardenedServer(handler, options.server);
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port, options.host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const address = server.address() as AddressInfo;
  const host = address.family === 'IPv6' ? `[${address.address}]` : address.address;
  const url = `http://${host}:${address.port}`;
  send({ $obs: WORKER_MESSAGE_TAG, kind: 'hello', pid: process.pid, url });
  traffic?.start();

  let closing: Promise<void> | undefined;
  const close = () =>
    (closing ??= (async () => {
      const trafficStopped = traffic?.stop();
      const closed = new Promise<void>((resolve) => server.close(() => resolve()));
      server.closeIdleConnections();
      const force = setTimeout(() => server.closeAllConnections(), 2000);
      force.unref();
      await closed;
      clearTimeout(force);
      await local.close();
      await trafficStopped;
      stopRuntime();
      // Last spans and recordings, then the final metric state: nothing recorded is lost on a clean exit.
      await traces.shutdown();
      link.close();
      connection.close();
    })());
  return { url, close };
}
