/**
 * Cluster aggregation side by side with prom-client 15.1.3's AggregatorRegistry:
 * the primary's work at scrape time once the 4 workers' states have arrived (merge and
 * render the text), for 4 workers × 10k series, and the p99 each can report for a
 * latency recorded in 4 workers with different distributions.
 * Run: `pnpm --filter @obs/bench bench cluster`.
 */
import { createMetricsCollector, serializeFormat, type MetricsSnapshot } from '@obs/metrics';
import { aggregateSnapshots, toClusterWire, type ClusterWire } from '@obs/metrics/cluster';
import client from 'prom-client';

const WORKERS = 4;
const SERIES = 10_000; // per worker: half counters, half histograms
const BUCKETS_MS = [1, 2.5, 5, 10, 25, 50, 100, 250, 500, 1000, 2500, 5000, 10000];

function random(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function lognormal(next: () => number, mu: number, sigma: number): number {
  const u = Math.max(next(), 1e-12);
  const v = next();
  return Math.exp(mu + sigma * Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * v));
}

/** The same recordings into an @obs collector and a prom-client registry, as one worker would make them. */
function worker(index: number): { ours: ClusterWire; theirs: Promise<client.metric[]> } {
  const next = random(7 + index);
  const ours = createMetricsCollector();
  ours.describe('http_request_duration_ms', { help: 'Latency.', buckets: BUCKETS_MS });
  ours.describe('http_requests_total', { help: 'Requests.' });
  const registry = new client.Registry();
  const counter = new client.Counter({
    name: 'http_requests_total',
    help: 'Requests.',
    labelNames: ['route'],
    registers: [registry],
  });
  const histogram = new client.Histogram({
    name: 'http_request_duration_ms',
    help: 'Latency.',
    labelNames: ['route'],
    buckets: BUCKETS_MS,
    registers: [registry],
  });
  for (let i = 0; i < SERIES / 2; i++) {
    const route = `/api/r${i}`;
    const labels = { route };
    const n = 1 + Math.floor(next() * 5);
    ours.increment('http_requests_total', n, labels);
    counter.inc(labels, n);
    for (let k = 0; k < 4; k++) {
      const v = lognormal(next, 3, 1);
      ours.histogram('http_request_duration_ms', v, labels);
      histogram.observe(labels, v);
    }
  }
  // What connectToPrimary sends: the compact form of collect().
  return { ours: toClusterWire(ours.collect()), theirs: registry.getMetricsAsJSON() };
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[s.length >> 1]!;
}

async function timeAggregation(): Promise<string> {
  const workers = Array.from({ length: WORKERS }, (_, i) => worker(i));
  // What arrives at the primary: JSON over IPC for both (a round trip, so neither side keeps object identity).
  const oursIn = workers.map((w) => JSON.stringify(w.ours));
  const theirsIn = await Promise.all(workers.map(async (w) => JSON.stringify(await w.theirs)));

  const ours = async () => {
    const merged = aggregateSnapshots(oursIn.map((s) => JSON.parse(s) as ClusterWire));
    return serializeFormat({ collect: () => merged.collected }, 'prometheus').body.length;
  };
  const theirs = async () => {
    const registry = client.AggregatorRegistry.aggregate(theirsIn.map((s) => JSON.parse(s) as client.metric[]));
    return (await registry.metrics()).length;
  };
  const samples = { ours: [] as number[], theirs: [] as number[] };
  const runs = [ours, theirs];
  for (let round = 0; round < 9; round++) {
    for (let k = 0; k < 2; k++) {
      const i = (k + round) % 2;
      const start = performance.now();
      await runs[i]!();
      (i === 0 ? samples.ours : samples.theirs).push(performance.now() - start);
    }
  }
  const o = median(samples.ours);
  const t = median(samples.theirs);
  return [
    `### Aggregating ${WORKERS} workers × ${SERIES / 1000}k series (merge + render Prometheus text, median of 9)`,
    '',
    '| case | ms | vs prom-client |',
    '| --- | ---: | ---: |',
    `| prom-client AggregatorRegistry.aggregate() + metrics() | ${t.toFixed(1)} | 1.00x |`,
    `| @obs aggregateSnapshots(compact states) + serialize | ${o.toFixed(1)} | ${(t / o).toFixed(2)}x |`,
  ].join('\n');
}

async function p99Error(): Promise<string> {
  const all: number[] = [];
  const states: MetricsSnapshot[] = [];
  const histograms: client.metric[][] = [];
  const summaries: client.metric[][] = [];
  for (let w = 0; w < WORKERS; w++) {
    // Workers see different traffic: each one's latency has another median.
    const next = random(100 + w);
    const ours = createMetricsCollector();
    ours.describe('latency_ms', { buckets: BUCKETS_MS });
    const registry = new client.Registry();
    const h = new client.Histogram({ name: 'latency_ms', help: 'h', buckets: BUCKETS_MS, registers: [registry] });
    const sRegistry = new client.Registry();
    const s = new client.Summary({
      name: 'latency_ms',
      help: 's',
      percentiles: [0.99],
      aggregator: 'average',
      registers: [sRegistry],
    });
    for (let i = 0; i < 50_000; i++) {
      const v = lognormal(next, 2 + w, 0.8);
      all.push(v);
      ours.histogram('latency_ms', v);
      h.observe(v);
      s.observe(v);
    }
    states.push(ours.snapshot());
    histograms.push(await registry.getMetricsAsJSON());
    summaries.push(await sRegistry.getMetricsAsJSON());
  }
  all.sort((a, b) => a - b);
  const exact = all[Math.floor(0.99 * (all.length - 1))]!;
  const ours = aggregateSnapshots(states).collector.getQuantile('latency_ms', 0.99)!;
  // prom-client histogram: buckets summed across workers, p99 by histogram_quantile's linear interpolation.
  const hv = (await client.AggregatorRegistry.aggregate(histograms).getMetricsAsJSON())[0]!.values;
  const buckets = hv
    .filter((v) => v.metricName === 'latency_ms_bucket')
    .map((v) => ({ le: Number(v.labels.le), count: v.value }));
  const total = buckets.at(-1)!.count;
  const rank = 0.99 * total;
  let interpolated = NaN;
  for (let i = 0; i < buckets.length; i++) {
    if (buckets[i]!.count >= rank) {
      const lo = i === 0 ? 0 : buckets[i - 1]!.le;
      const below = i === 0 ? 0 : buckets[i - 1]!.count;
      const hi = buckets[i]!.le === Infinity ? lo : buckets[i]!.le;
      interpolated = lo + ((hi - lo) * (rank - below)) / (buckets[i]!.count - below);
      break;
    }
  }
  // prom-client summary with aggregator 'average' (its default, 'sum', would add the four p99s).
  const sv = (await client.AggregatorRegistry.aggregate(summaries).getMetricsAsJSON())[0]!.values;
  const averaged = sv.find((v) => v.labels.quantile === 0.99)!.value;
  const err = (x: number) => `${(((x - exact) / exact) * 100).toFixed(2)}%`;
  return [
    `### p99 of a latency recorded in ${WORKERS} workers (50k values each, lognormal medians e², e³, e⁴, e⁵ ms)`,
    '',
    `Exact p99 of all ${all.length} values: ${exact.toFixed(2)} ms.`,
    '',
    '| case | merged p99 (ms) | error |',
    '| --- | ---: | ---: |',
    `| @obs: merged sketch | ${ours.toFixed(2)} | ${err(ours)} |`,
    `| prom-client Histogram: summed buckets, histogram_quantile interpolation | ${interpolated.toFixed(2)} | ${err(interpolated)} |`,
    `| prom-client Summary, aggregator 'average' (averaged p99s) | ${averaged.toFixed(2)} | ${err(averaged)} |`,
  ].join('\n');
}

export async function run(): Promise<string> {
  return [await timeAggregation(), await p99Error()].join('\n\n');
}
