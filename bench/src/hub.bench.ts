/**
 * @obs/hub: what the pipeline costs on the recording path, how many events per
 * second it delivers, and a soak run of the example pipeline (series churn over
 * 100k label sets) reporting heap growth per hour, event-loop lag and hub event
 * throughput. Run: `pnpm --filter @obs/bench bench hub`; `HUB_SOAK_SECONDS=600`
 * for the ten-minute soak (default 60).
 */
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { createObservabilityHub, createSLODefinition, type ObservabilityHub } from '@obs/hub';
import { createMetricsCollector } from '@obs/metrics';
import client from 'prom-client';
import { benchGroup, formatGroup, formatOps, heapUsed } from './harness';

const tick = () => new Promise<void>((resolve) => setImmediate(resolve));

/** Deterministic pseudo-random numbers (mulberry32). */
function random(seed = 7): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function recordingGroup(): string {
  const bare = createMetricsCollector();
  const quiet = createObservabilityHub({ anomalyDetectionEnabled: false, flows: { dashboard: false } });
  const flows = createObservabilityHub();
  const watched = createObservabilityHub();
  watched.events$.subscribe(() => undefined);
  const registry = new client.Registry();
  const promHistogram = new client.Histogram({
    name: 'h_duration_ms',
    help: 'h',
    labelNames: ['provider'],
    registers: [registry],
  });
  const labels = { provider: 'local' };
  const histogram =
    (hub: { metrics: { histogram(n: string, v: number, l: Record<string, string>): void } }) => (n: number) => {
      for (let i = 0; i < n; i++) hub.metrics.histogram('vision_request_duration_ms', 40 + (i & 63), labels);
      return n;
    };
  const result = benchGroup('record a latency histogram value (labelled)', 'prom-client Histogram.observe', [
    {
      name: 'prom-client Histogram.observe',
      run: (n) => {
        for (let i = 0; i < n; i++) promHistogram.observe(labels, 40 + (i & 63));
        return n;
      },
    },
    { name: '@obs/metrics collector alone', run: histogram({ metrics: bare }) },
    { name: 'hub, flows off (no point events)', run: histogram(quiet) },
    { name: 'hub, default flows (latency + dashboard observe points)', run: histogram(flows) },
    { name: 'hub, default flows + an events$ subscriber', run: histogram(watched) },
  ]);
  void quiet.stop();
  void flows.stop();
  void watched.stop();
  return formatGroup(result);
}

/** Events per second that reach a subscriber of hub.events$, pipeline included. */
async function throughput(): Promise<string> {
  const hub = createObservabilityHub({ events: { queueCapacity: 100_000 } });
  let delivered = 0;
  hub.events$.subscribe(() => delivered++);
  await hub.start();
  const batches = 400;
  const perBatch = 500;
  const started = performance.now();
  for (let b = 0; b < batches; b++) {
    for (let i = 0; i < perBatch; i++)
      hub.metrics.histogram('vision_request_duration_ms', 40 + (i & 63), { provider: 'local' });
    await tick();
    await tick();
  }
  for (let i = 0; i < 50 && delivered < batches * perBatch; i++) await new Promise((r) => setTimeout(r, 10));
  const seconds = (performance.now() - started) / 1000;
  const stats = hub.stats().delivery;
  await hub.stop();
  return [
    '### events through hub.events$ (latency flow and anomaly detector on the same points)',
    '',
    '| what | value |',
    '| --- | ---: |',
    `| histogram values recorded | ${batches * perBatch} |`,
    `| events delivered to the subscriber | ${delivered} |`,
    `| events dropped by the hub queue | ${stats.dropped} |`,
    `| events per second, end to end | ${formatOps(delivered / seconds)} |`,
  ].join('\n');
}

interface SoakResult {
  baselineLagP99: number;
  lagP50: number;
  seconds: number;
  operations: number;
  events: number;
  heapSamples: Array<{ t: number; heap: number }>;
  lagP99: number;
  lagMax: number;
}

/**
 * The example pipeline at a high rate: vision-style requests (counter, error
 * counter, latency histogram, confidence gauge, a span, SLO events), plus a
 * per-client counter whose label cycles through 100k values (series churn,
 * bounded by the metric's series limit and a 60 s series TTL), an events$
 * subscriber and a dashboard-style eventsOf subscriber.
 */
async function soak(seconds: number): Promise<SoakResult> {
  const hub: ObservabilityHub = createObservabilityHub({
    traceSampleRate: 0.1,
    metrics: { seriesTtlSeconds: 60, maxSeriesPerMetric: 5000 },
    healthCheckIntervalSeconds: 5,
    alertEvaluationIntervalSeconds: 5,
  });
  hub.health.registerCheck('self', () => ({ status: 'healthy' }));
  const availability = hub.sloTracker.defineSLO(createSLODefinition('vision availability', 99.5, 30));
  let events = 0;
  hub.events$.subscribe(() => events++);
  hub.eventsOf('alerts', 'slo', 'anomaly', 'health', 'hub').subscribe(() => undefined);
  await hub.start();
  // The same measurement with no traffic first: on a shared machine, lag also comes from other processes.
  const idle = monitorEventLoopDelay({ resolution: 10 });
  idle.enable();
  await new Promise((resolve) => setTimeout(resolve, 10_000));
  idle.disable();
  const rand = random();
  const lag = monitorEventLoopDelay({ resolution: 10 });
  const heapSamples: Array<{ t: number; heap: number }> = [];
  const started = performance.now();
  const deadline = started + seconds * 1000;
  let nextHeapSample = started + 10_000;
  let operations = 0;
  let client = 0;
  lag.enable();
  // Paced like a busy service (default 20k requests/s), so lag measures the pipeline, not a saturated loop.
  const rate = Number(process.env.HUB_SOAK_RATE ?? 20_000);
  while (performance.now() < deadline) {
    const due = Math.min(500, Math.floor(((performance.now() - started) / 1000) * rate) - operations);
    for (let i = 0; i < due; i++) {
      const failed = rand() < 0.02;
      const spike = rand() < 0.001;
      const labels = { provider: 'local' };
      hub.metrics.increment('vision_requests_total', 1, labels);
      if (failed) hub.metrics.increment('vision_requests_error', 1, { provider: 'local', error_type: 'corrupt_image' });
      hub.metrics.histogram('vision_request_duration_ms', (spike ? 2000 : 40) + rand() * 20, labels);
      hub.metrics.gauge('vision_confidence', 0.7 + rand() * 0.2, labels);
      hub.metrics.increment('soak_client_requests_total', 1, { client: `c${client}` });
      client = (client + 1) % 100_000;
      const span = hub.traces.startSpan('vision.analyze_image', 'vision');
      hub.traces.finishSpan(span, failed ? 'error' : 'ok');
      hub.sloTracker.recordEvent(availability.sloId, !failed);
      operations++;
    }
    await new Promise((resolve) => setTimeout(resolve, 5));
    const now = performance.now();
    if (now >= nextHeapSample) {
      heapSamples.push({ t: (now - started) / 1000, heap: heapUsed() });
      nextHeapSample = now + 10_000;
    }
  }
  lag.disable();
  const elapsed = (performance.now() - started) / 1000;
  await hub.stop();
  return {
    baselineLagP99: idle.percentile(99) / 1e6,
    lagP50: lag.percentile(50) / 1e6,
    seconds: elapsed,
    operations,
    events,
    heapSamples,
    lagP99: lag.percentile(99) / 1e6,
    lagMax: lag.max / 1e6,
  };
}

/** Least-squares slope of heap over time, after the first third (warm-up), in bytes per hour. */
function heapSlopePerHour(samples: Array<{ t: number; heap: number }>): number | undefined {
  const tail = samples.slice(Math.floor(samples.length / 3));
  if (tail.length < 3) return undefined;
  const n = tail.length;
  const mt = tail.reduce((s, p) => s + p.t, 0) / n;
  const mh = tail.reduce((s, p) => s + p.heap, 0) / n;
  let num = 0;
  let den = 0;
  for (const p of tail) {
    num += (p.t - mt) * (p.heap - mh);
    den += (p.t - mt) ** 2;
  }
  return den === 0 ? undefined : (num / den) * 3600;
}

const mib = (bytes: number) => (bytes / (1 << 20)).toFixed(1) + ' MiB';

export async function run(): Promise<string> {
  // HUB_BENCH=soak runs only the soak.
  const out: string[] = process.env.HUB_BENCH === 'soak' ? [] : [recordingGroup(), await throughput()];
  const seconds = Number(process.env.HUB_SOAK_SECONDS ?? 60);
  const r = await soak(seconds);
  const slope = heapSlopePerHour(r.heapSamples);
  const first = r.heapSamples[0]?.heap;
  const last = r.heapSamples.at(-1)?.heap;
  out.push(
    [
      `### soak: example pipeline for ${Math.round(r.seconds)} s, series churn over 100k label sets`,
      '',
      '| what | value |',
      '| --- | ---: |',
      `| requests recorded (each: 4 metrics + churn counter + span + SLO event), paced | ${r.operations} (${formatOps(r.operations / r.seconds)}/s) |`,
      `| events through hub.events$ | ${r.events} (${formatOps(r.events / r.seconds)}/s) |`,
      `| event-loop lag p50 / p99 under load | ${r.lagP50.toFixed(1)} ms / ${r.lagP99.toFixed(1)} ms |`,
      `| event-loop lag p99 of the same process idle for 10 s first (machine noise) | ${r.baselineLagP99.toFixed(1)} ms |`,
      `| event-loop lag max | ${r.lagMax.toFixed(1)} ms |`,
      `| heap at first sample (10 s) / at the end | ${first === undefined ? 'n/a' : mib(first)} / ${last === undefined ? 'n/a' : mib(last)} |`,
      `| heap growth after warm-up (least squares over the last two thirds) | ${slope === undefined ? 'n/a (run longer)' : mib(slope) + '/hour'} |`,
    ].join('\n'),
  );
  return out.join('\n\n');
}
