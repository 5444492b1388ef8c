/**
 * @obs/metrics side by side with prom-client 15.1.3, @opentelemetry/sdk-metrics 2.12.1
 * and DDSketch: recording throughput, quantile accuracy, heap per series and text
 * exposition. Run: `pnpm --filter @obs/bench bench metrics`.
 */
import { DDSketch } from '@datadog/sketches-js';
import {
  AggregationType,
  DataPointType,
  MeterProvider,
  MetricReader,
  type ExponentialHistogram,
} from '@opentelemetry/sdk-metrics';
import { createMetricsCollector, serialize, serializeAsync, type ExemplarSource } from '@obs/metrics';
import { createTraceManager } from '@obs/tracing';
import client from 'prom-client';
import { benchGroup, formatGroup, formatOps } from './harness';

/**
 * Retained bytes per item, counting the JS heap and ArrayBuffer backing stores: large
 * typed arrays live outside the V8 heap, so heapUsed alone would flatter a library
 * that keeps its numbers in them (as @obs/metrics does).
 */
function retained(): number {
  const gc = (globalThis as { gc?: () => void }).gc;
  gc?.();
  gc?.();
  const usage = process.memoryUsage();
  return usage.heapUsed + usage.arrayBuffers;
}
const held: unknown[] = [];
function heapPerItem(count: number, build: (count: number) => unknown): number {
  held.length = 0;
  const before = retained();
  held.push(build(count));
  const after = retained();
  return (after - before) / count;
}

class ManualReader extends MetricReader {
  protected async onForceFlush(): Promise<void> {}
  protected async onShutdown(): Promise<void> {}
}

function otelMeter(limit = 2000) {
  const reader = new ManualReader();
  const provider = new MeterProvider({
    readers: [reader],
    // One view per instrument (by name prefix), so no instrument feeds two streams.
    views: [
      { instrumentName: 'c_*', aggregationCardinalityLimit: limit },
      { instrumentName: 'h_*', aggregationCardinalityLimit: limit },
      {
        instrumentName: 'x_*',
        aggregationCardinalityLimit: limit,
        aggregation: { type: AggregationType.EXPONENTIAL_HISTOGRAM as const },
      },
    ],
  });
  return { meter: provider.getMeter('bench'), reader };
}

/** Deterministic lognormal values (mulberry32 + Box-Muller). */
function lognormal(n: number, mu: number, sigma: number, seed = 42): Float64Array {
  let a = seed >>> 0;
  const rand = () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  const out = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    const u = 1 - rand();
    const v = rand();
    out[i] = Math.exp(mu + sigma * Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * v));
  }
  return out;
}

/**
 * The exemplar source @obs/hub wires: the sampled span active where a value is recorded.
 * No span is ever made active in these loops, so this measures the "no active span" cost.
 */
function hubExemplarSource(): ExemplarSource {
  const traces = createTraceManager({ traceSampleRate: 1, reaperIntervalMs: 0 });
  return () => {
    const span = traces.getActiveSpan();
    return span !== undefined && span.context.sampled ? span.context : undefined;
  };
}

const ENDPOINTS = [
  '/api/users',
  '/api/orders',
  '/api/items',
  '/api/cart',
  '/api/login',
  '/api/logout',
  '/api/search',
  '/api/health',
];
const STATUS = ['200', '404'];

function recordingGroups(): string[] {
  const out: string[] = [];
  const values = lognormal(1 << 16, Math.log(50), 1);
  const mask = values.length - 1;

  // Counter with labels: a fresh label object per call, as application code writes it.
  {
    const ours = createMetricsCollector();
    const reg = new client.Registry();
    const prom = new client.Counter({
      name: 'req_total',
      help: 'h',
      labelNames: ['endpoint', 'status'],
      registers: [reg],
    });
    const { meter } = otelMeter();
    const otel = meter.createCounter('c_req');
    out.push(
      formatGroup(
        benchGroup('counter increment with 2 labels (fresh label object per call)', 'prom-client labels().inc()', [
          {
            name: '@obs increment(name, 1, labels)',
            run: (n) => {
              for (let i = 0; i < n; i++)
                ours.increment('req_total', 1, { endpoint: ENDPOINTS[i & 7]!, status: STATUS[(i >> 3) & 1]! });
              return ours;
            },
          },
          {
            name: 'prom-client labels().inc()',
            run: (n) => {
              for (let i = 0; i < n; i++)
                prom.labels({ endpoint: ENDPOINTS[i & 7]!, status: STATUS[(i >> 3) & 1]! }).inc();
              return prom;
            },
          },
          {
            name: 'prom-client inc(labels)',
            run: (n) => {
              for (let i = 0; i < n; i++) prom.inc({ endpoint: ENDPOINTS[i & 7]!, status: STATUS[(i >> 3) & 1]! });
              return prom;
            },
          },
          {
            name: 'OpenTelemetry add(1, attrs)',
            run: (n) => {
              for (let i = 0; i < n; i++) otel.add(1, { endpoint: ENDPOINTS[i & 7]!, status: STATUS[(i >> 3) & 1]! });
              return otel;
            },
          },
        ]),
      ),
    );
  }

  // Bound handles versus prom-client's cheapest call.
  {
    const ours = createMetricsCollector();
    const handle = ours.counter('bound_total', { endpoint: '/api/users', status: '200' });
    const unlabeledOurs = ours.counter('plain_total');
    const withExemplars = createMetricsCollector({ exemplars: hubExemplarSource() }).counter('bound_total', {
      endpoint: '/api/users',
      status: '200',
    });
    const reg = new client.Registry();
    const promPlain = new client.Counter({ name: 'plain_total', help: 'h', registers: [reg] });
    const promLabeled = new client.Counter({
      name: 'bound_total',
      help: 'h',
      labelNames: ['endpoint', 'status'],
      registers: [reg],
    });
    const promChild = promLabeled.labels({ endpoint: '/api/users', status: '200' });
    const { meter } = otelMeter();
    const otel = meter.createCounter('c_plain');
    out.push(
      formatGroup(
        benchGroup('bound counter handle', 'prom-client inc() (unlabeled)', [
          {
            name: '@obs counter(name, labels).inc()',
            run: (n) => {
              for (let i = 0; i < n; i++) handle.inc();
              return handle;
            },
          },
          {
            name: '@obs counter(name).inc()',
            run: (n) => {
              for (let i = 0; i < n; i++) unlabeledOurs.inc();
              return unlabeledOurs;
            },
          },
          {
            name: '@obs counter(name, labels).inc(), exemplar source, no active span',
            run: (n) => {
              for (let i = 0; i < n; i++) withExemplars.inc();
              return withExemplars;
            },
          },
          {
            name: 'prom-client inc() (unlabeled)',
            run: (n) => {
              for (let i = 0; i < n; i++) promPlain.inc();
              return promPlain;
            },
          },
          {
            name: 'prom-client labels(...) child inc()',
            run: (n) => {
              for (let i = 0; i < n; i++) promChild.inc();
              return promChild;
            },
          },
          {
            name: 'OpenTelemetry add(1)',
            run: (n) => {
              for (let i = 0; i < n; i++) otel.add(1);
              return otel;
            },
          },
        ]),
      ),
    );
  }

  // Histogram record.
  {
    const ours = createMetricsCollector();
    const handle = ours.histogram('lat_ms');
    ours.histogram('lat_by_name_ms', 1);
    const labeled = ours.histogram('lat_labeled_ms', { route: '/api/users' });
    const exemplarHandle = createMetricsCollector({ exemplars: hubExemplarSource() }).histogram('lat_ms');
    const reg = new client.Registry();
    const prom = new client.Histogram({ name: 'lat_ms', help: 'h', registers: [reg] });
    const { meter } = otelMeter();
    const otel = meter.createHistogram('h_lat');
    const otelExp = meter.createHistogram('x_lat');
    const dd = new DDSketch();
    out.push(
      formatGroup(
        benchGroup('histogram record (lognormal latencies)', 'prom-client observe()', [
          {
            name: '@obs histogram(name).observe(v)',
            run: (n) => {
              for (let i = 0; i < n; i++) handle.observe(values[i & mask]!);
              return handle;
            },
          },
          {
            name: '@obs histogram(name, v)',
            run: (n) => {
              for (let i = 0; i < n; i++) ours.histogram('lat_by_name_ms', values[i & mask]!);
              return ours;
            },
          },
          {
            name: '@obs histogram(name, labels).observe(v)',
            run: (n) => {
              for (let i = 0; i < n; i++) labeled.observe(values[i & mask]!);
              return labeled;
            },
          },
          {
            name: '@obs histogram(name).observe(v), exemplar source, no active span',
            run: (n) => {
              for (let i = 0; i < n; i++) exemplarHandle.observe(values[i & mask]!);
              return exemplarHandle;
            },
          },
          {
            name: 'prom-client observe()',
            run: (n) => {
              for (let i = 0; i < n; i++) prom.observe(values[i & mask]!);
              return prom;
            },
          },
          {
            name: 'OpenTelemetry record() explicit buckets',
            run: (n) => {
              for (let i = 0; i < n; i++) otel.record(values[i & mask]!);
              return otel;
            },
          },
          {
            name: 'OpenTelemetry record() exponential',
            run: (n) => {
              for (let i = 0; i < n; i++) otelExp.record(values[i & mask]!);
              return otelExp;
            },
          },
          {
            name: 'DDSketch accept()',
            run: (n) => {
              for (let i = 0; i < n; i++) dd.accept(values[i & mask]!);
              return dd;
            },
          },
        ]),
      ),
    );
  }
  return out;
}

/** histogram_quantile(): linear interpolation inside the classic bucket holding the rank. */
function classicQuantile(bounds: number[], cumulative: number[], q: number): number {
  const total = cumulative[cumulative.length - 1]!;
  const rank = q * total;
  let i = cumulative.findIndex((c) => c >= rank);
  if (i < 0) i = cumulative.length - 1;
  if (i >= bounds.length) return bounds[bounds.length - 1]!; // the +Inf bucket
  const lower = i === 0 ? 0 : bounds[i - 1]!;
  const before = i === 0 ? 0 : cumulative[i - 1]!;
  const inBucket = cumulative[i]! - before;
  return lower + (bounds[i]! - lower) * (inBucket === 0 ? 0 : (rank - before) / inBucket);
}

function exponentialQuantile(h: ExponentialHistogram, q: number): number {
  const rank = Math.floor(q * (h.count - 1));
  const base = Math.pow(2, Math.pow(2, -h.scale));
  let seen = h.zeroCount;
  if (seen > rank) return 0;
  const counts = h.positive.bucketCounts;
  for (let j = 0; j < counts.length; j++) {
    seen += counts[j]!;
    if (seen > rank) {
      const lo = Math.pow(base, h.positive.offset + j);
      const hi = lo * base;
      return Math.min(h.max ?? Infinity, Math.max(h.min ?? 0, (2 * lo * hi) / (lo + hi)));
    }
  }
  return h.max ?? NaN;
}

async function accuracy(): Promise<string> {
  const n = 1_000_000;
  // Seconds, so prom-client's default buckets (5 ms … 10 s) are the fair comparison.
  const values = lognormal(n, Math.log(0.1), 1, 7);
  const sorted = Float64Array.from(values).sort();
  const qs = [0.5, 0.9, 0.95, 0.99, 0.999];
  const exact = qs.map((q) => sorted[Math.floor(q * (n - 1))]!);

  const ours = createMetricsCollector();
  const h = ours.histogram('acc_seconds');
  const reg = new client.Registry();
  const prom = new client.Histogram({ name: 'acc', help: 'h', registers: [reg] });
  const { meter, reader } = otelMeter();
  const otelExp = meter.createHistogram('x_lat');
  const dd = new DDSketch({ relativeAccuracy: 0.01 });
  for (let i = 0; i < n; i++) {
    const v = values[i]!;
    h.observe(v);
    prom.observe(v);
    otelExp.record(v);
    dd.accept(v);
  }
  const promData = await prom.get();
  const buckets = promData.values.filter((v) => v.metricName === 'acc_bucket');
  const bounds = buckets.map((b) => Number(b.labels.le)).filter(Number.isFinite);
  const cumulative = buckets.map((b) => b.value);
  const collected = await reader.collect();
  const metric = collected.resourceMetrics.scopeMetrics[0]!.metrics.find((m) => m.descriptor.name === 'x_lat')!;
  if (metric.dataPointType !== DataPointType.EXPONENTIAL_HISTOGRAM)
    throw new Error('expected an exponential histogram');
  const expHist = metric.dataPoints[0]!.value;

  const estimators: Array<[string, (q: number) => number]> = [
    ['@obs LogHistogram (scale 6)', (q) => ours.getQuantile('acc_seconds', q)!],
    ['prom-client default buckets + histogram_quantile', (q) => classicQuantile(bounds, cumulative, q)],
    [`OpenTelemetry exponential (maxSize 160, scale ${expHist.scale})`, (q) => exponentialQuantile(expHist, q)],
    ['DDSketch (relativeAccuracy 0.01)', (q) => dd.getValueAtQuantile(q)],
  ];
  const lines = [
    '### quantile error on 1e6 lognormal values (median 0.1 s, sigma 1)',
    '',
    `| estimator | ${qs.map((q) => `p${q * 100}`).join(' | ')} | worst |`,
    `| --- | ${qs.map(() => '---:').join(' | ')} | ---: |`,
  ];
  for (const [name, estimate] of estimators) {
    const errs = qs.map((q, i) => Math.abs(estimate(q) - exact[i]!) / exact[i]!);
    lines.push(
      `| ${name} | ${errs.map((e) => (e * 100).toFixed(2) + '%').join(' | ')} | ${(Math.max(...errs) * 100).toFixed(2)}% |`,
    );
  }
  return lines.join('\n');
}

function heap(): string {
  const N = 20_000;
  const lines = [
    '### retained memory per series (JS heap + ArrayBuffers)',
    '',
    '| case | bytes per series |',
    '| --- | ---: |',
  ];
  const row = (name: string, bytes: number) => lines.push(`| ${name} | ${Math.round(bytes)} |`);
  row(
    `@obs labeled counter series (${N}, 2 labels)`,
    heapPerItem(N, (n) => {
      const c = createMetricsCollector({ maxSeriesPerMetric: n + 1 });
      for (let i = 0; i < n; i++) c.increment('req_total', 1, { endpoint: '/api/' + i, status: '200' });
      return c;
    }),
  );
  row(
    `prom-client labeled counter series (${N}, 2 labels)`,
    heapPerItem(N, (n) => {
      const reg = new client.Registry();
      const c = new client.Counter({
        name: 'req_total',
        help: 'h',
        labelNames: ['endpoint', 'status'],
        registers: [reg],
      });
      for (let i = 0; i < n; i++) c.inc({ endpoint: '/api/' + i, status: '200' });
      return reg;
    }),
  );
  row(
    `OpenTelemetry counter attribute set (${N}, 2 attributes)`,
    heapPerItem(N, (n) => {
      const { meter, reader } = otelMeter(n + 10);
      const c = meter.createCounter('c_req');
      for (let i = 0; i < n; i++) c.add(1, { endpoint: '/api/' + i, status: '200' });
      return [meter, reader, c];
    }),
  );
  const H = 2000;
  const values = lognormal(200, Math.log(50), 1, 3);
  row(
    `@obs histogram series (${H}, 200 lognormal values each)`,
    heapPerItem(H, (n) => {
      const c = createMetricsCollector({ maxSeriesPerMetric: n + 1 });
      for (let i = 0; i < n; i++) for (const v of values) c.histogram('lat_ms', v, { route: '/r/' + i });
      return c;
    }),
  );
  row(
    `prom-client histogram series (${H}, default 11 buckets)`,
    heapPerItem(H, (n) => {
      const reg = new client.Registry();
      const h = new client.Histogram({ name: 'lat_ms', help: 'h', labelNames: ['route'], registers: [reg] });
      for (let i = 0; i < n; i++) for (const v of values) h.observe({ route: '/r/' + i }, v);
      return reg;
    }),
  );
  row(
    `OpenTelemetry exponential histogram series (${H})`,
    heapPerItem(H, (n) => {
      const { meter, reader } = otelMeter(n + 10);
      const h = meter.createHistogram('x_lat');
      for (let i = 0; i < n; i++) for (const v of values) h.record(v, { route: '/r/' + i });
      return [meter, reader, h];
    }),
  );
  return lines.join('\n');
}

/** Median ms per call of each case, the cases interleaved in rotated order each round (as benchGroup does). */
async function timeRotated(cases: Array<() => Promise<string> | string>, rounds = 21): Promise<number[]> {
  // The body is measured up to a flat string (Buffer.byteLength reads it all): an HTTP
  // response has to flatten a rope anyway, so leaving that out would flatter a `+=` builder.
  const once = async (fn: () => Promise<string> | string) => {
    const start = performance.now();
    Buffer.byteLength(await fn());
    return performance.now() - start;
  };
  for (const fn of cases) for (let i = 0; i < 3; i++) await once(fn);
  const samples = cases.map(() => [] as number[]);
  for (let r = 0; r < rounds; r++) {
    for (let k = 0; k < cases.length; k++) {
      const i = (k + r) % cases.length;
      samples[i]!.push(await once(cases[i]!));
    }
  }
  return samples.map((xs) => xs.sort((a, b) => a - b)[xs.length >> 1]!);
}

/** Longest gap between 1 ms interval ticks while `work` runs: how long the event loop was blocked. */
async function longestStall(work: () => Promise<unknown>): Promise<{ totalMs: number; stallMs: number }> {
  let last = performance.now();
  let stall = 0;
  const timer = setInterval(() => {
    const now = performance.now();
    stall = Math.max(stall, now - last);
    last = now;
  }, 1);
  const start = performance.now();
  await work();
  const totalMs = performance.now() - start;
  clearInterval(timer);
  return { totalMs, stallMs: stall };
}

async function exposition(): Promise<string> {
  const N = 10_000;
  const ours = createMetricsCollector({ maxSeriesPerMetric: N });
  const reg = new client.Registry();
  const prom = new client.Counter({
    name: 'req_total',
    help: 'Requests.',
    labelNames: ['endpoint', 'status'],
    registers: [reg],
  });
  ours.describe('req_total', { help: 'Requests.' });
  for (let i = 0; i < N; i++) {
    const labels = { endpoint: '/api/' + (i >> 1), status: i & 1 ? '500' : '200' };
    ours.increment('req_total', i, labels);
    prom.inc(labels, i);
  }
  const [oursMs, oursOmMs, oursAsyncMs, promMs] = (await timeRotated([
    () => serialize(ours).body,
    () => serialize(ours, 'application/openmetrics-text; version=1.0.0').body,
    async () => (await serializeAsync(ours)).body,
    () => reg.metrics(),
  ])) as [number, number, number, number];
  const lines = [
    `### text exposition of ${N / 1000}k counter series (median of 21 rotated rounds, up to a flat string)`,
    '',
    '| case | ms per scrape | speed-up vs prom-client |',
    '| --- | ---: | ---: |',
    `| @obs serialize() Prometheus 0.0.4 | ${oursMs.toFixed(2)} | ${(promMs / oursMs).toFixed(1)}x |`,
    `| @obs serialize() OpenMetrics 1.0 | ${oursOmMs.toFixed(2)} | ${(promMs / oursOmMs).toFixed(1)}x |`,
    `| @obs serializeAsync() | ${oursAsyncMs.toFixed(2)} | ${(promMs / oursAsyncMs).toFixed(1)}x |`,
    `| prom-client registry.metrics() | ${promMs.toFixed(2)} | 1.0x |`,
  ];
  // Event-loop stalls of serializeAsync on a big registry, next to an idle baseline (machine noise).
  const big = createMetricsCollector({ maxSeriesPerMetric: 25_000 });
  for (let m = 0; m < 8; m++) for (let i = 0; i < 25_000; i++) big.increment(`big${m}_total`, 1, { id: String(i) });
  (globalThis as { gc?: () => void }).gc?.();
  const idle = await longestStall(() => new Promise((resolve) => setTimeout(resolve, 300)));
  const asyncRuns: Array<{ totalMs: number; stallMs: number }> = [];
  // Written chunk by chunk, as an HTTP handler would (res.write per chunk).
  for (let r = 0; r < 5; r++)
    asyncRuns.push(
      await longestStall(async () => (await serializeAsync(big)).chunks.forEach((c) => Buffer.byteLength(c))),
    );
  const syncStart = performance.now();
  Buffer.byteLength(serialize(big).body);
  const syncMs = performance.now() - syncStart;
  const median = (xs: number[]) => xs.sort((a, b) => a - b)[xs.length >> 1]!;
  lines.push(
    '',
    `serializeAsync on 200k series (${(serialize(big).body.length / 1e6).toFixed(1)} MB), 5 runs: median ${median(asyncRuns.map((r) => r.totalMs)).toFixed(0)} ms in total, ` +
      `median longest event-loop stall ${median(asyncRuns.map((r) => r.stallMs)).toFixed(1)} ms (idle baseline on this machine: ${idle.stallMs.toFixed(1)} ms); ` +
      `synchronous serialize blocks for ${syncMs.toFixed(0)} ms.`,
  );
  return lines.join('\n');
}

export async function run(): Promise<string> {
  const parts = [...recordingGroups(), await accuracy(), heap(), await exposition()];
  void formatOps;
  return parts.join('\n\n');
}
