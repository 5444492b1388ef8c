/**
 * The prom-client drop-in (`@obs/metrics/prom-client`) side by side with prom-client
 * 15.1.3 on the same user code: each case is one function run against both modules.
 */
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { collectRuntimeMetrics, createMetricsCollector, serialize } from '@obs/metrics';
import * as ours from '@obs/metrics/prom-client';
import theirs from 'prom-client';
import { formatGroup, type BenchCase, type GroupResult } from './harness';

type Client = typeof ours;
const clients: Array<[string, Client]> = [
  ['@obs/metrics/prom-client', ours],
  ['prom-client', theirs as unknown as Client],
];
const ENDPOINTS = ['/api/users', '/api/orders', '/api/items', '/health', '/login', '/logout', '/search', '/cart'];
const STATUS = ['200', '500'];

const cpuMicros = () => {
  const u = process.cpuUsage();
  return u.user + u.system;
};

/**
 * Like the harness's benchGroup, but timed in process CPU time rather than wall time: on a
 * machine shared with other builds the wall clock also counts the time other processes ran,
 * which made these ratios swing by 10x between runs. Rotated order, median of 11 rounds.
 */
function cpuGroup(group: string, baseline: string, cases: BenchCase[], rounds = 11, roundMs = 200): GroupResult {
  const sizes = cases.map((c) => {
    let n = 1000;
    for (;;) {
      const start = cpuMicros();
      c.run(n);
      const elapsed = (cpuMicros() - start) / 1000;
      if (elapsed > roundMs / 4 || n > 1e9) return Math.max(1, Math.round((n * roundMs) / Math.max(elapsed, 0.001)));
      n *= 4;
    }
  });
  const samples = cases.map(() => [] as number[]);
  for (let round = 0; round < rounds; round++) {
    for (let k = 0; k < cases.length; k++) {
      const i = (k + round) % cases.length;
      const start = cpuMicros();
      cases[i]!.run(sizes[i]!);
      samples[i]!.push(sizes[i]! / ((cpuMicros() - start) / 1e6));
    }
  }
  const medians = samples.map((s) => s.sort((a, b) => a - b)[s.length >> 1]!);
  const base = medians[cases.findIndex((c) => c.name === baseline)]!;
  return {
    group,
    baseline,
    rows: cases.map((c, i) => ({ name: c.name, opsPerSec: medians[i]!, ratio: medians[i]! / base })),
  };
}

/** One group: the same user code (`make(client)` returns the loop) against both modules. */
function sideBySide(title: string, make: (client: Client) => (n: number) => unknown): string {
  const cases: BenchCase[] = clients.map(([name, client]) => ({ name, run: make(client) }));
  return formatGroup(cpuGroup(title, 'prom-client', cases));
}

function recording(): string[] {
  return [
    sideBySide('counter `labels(endpoint, status).inc()`', (c) => {
      const ctr = new c.Counter({
        name: 'req_total',
        help: 'h',
        labelNames: ['endpoint', 'status'],
        registers: [new c.Registry()],
      });
      return (n) => {
        for (let i = 0; i < n; i++) ctr.labels(ENDPOINTS[i & 7]!, STATUS[(i >> 3) & 1]!).inc();
        return ctr;
      };
    }),
    sideBySide('counter `inc({ endpoint, status })` (fresh label object per call)', (c) => {
      const ctr = new c.Counter({
        name: 'req_total',
        help: 'h',
        labelNames: ['endpoint', 'status'],
        registers: [new c.Registry()],
      });
      return (n) => {
        for (let i = 0; i < n; i++) ctr.inc({ endpoint: ENDPOINTS[i & 7]!, status: STATUS[(i >> 3) & 1]! });
        return ctr;
      };
    }),
    sideBySide('histogram `observe({ route }, seconds)`', (c) => {
      const h = new c.Histogram({
        name: 'lat_seconds',
        help: 'h',
        labelNames: ['route'],
        registers: [new c.Registry()],
      });
      return (n) => {
        for (let i = 0; i < n; i++) h.observe({ route: ENDPOINTS[i & 7]! }, ((i * 7919) % 1000) / 1000);
        return h;
      };
    }),
    sideBySide('histogram `observe(seconds)` (unlabeled)', (c) => {
      const h = new c.Histogram({ name: 'lat_seconds', help: 'h', registers: [new c.Registry()] });
      return (n) => {
        for (let i = 0; i < n; i++) h.observe(((i * 7919) % 1000) / 1000);
        return h;
      };
    }),
    sideBySide('histogram `startTimer({ route })` then `end()`', (c) => {
      const h = new c.Histogram({
        name: 'lat_seconds',
        help: 'h',
        labelNames: ['route'],
        registers: [new c.Registry()],
      });
      return (n) => {
        for (let i = 0; i < n; i++) h.startTimer({ route: ENDPOINTS[i & 7]! })();
        return h;
      };
    }),
    sideBySide('summary `observe({ route }, seconds)` (10 min window, 5 age buckets)', (c) => {
      const s = new c.Summary({
        name: 'lat_seconds',
        help: 'h',
        labelNames: ['route'],
        maxAgeSeconds: 600,
        ageBuckets: 5,
        registers: [new c.Registry()],
      });
      return (n) => {
        for (let i = 0; i < n; i++) s.observe({ route: ENDPOINTS[i & 7]! }, ((i * 7919) % 1000) / 1000);
        return s;
      };
    }),
  ];
}

/** Median CPU ms of `fn` over rounds, the clients interleaved. */
async function medianMs(fns: Array<() => Promise<unknown>>, rounds = 15): Promise<number[]> {
  for (const fn of fns) for (let i = 0; i < 3; i++) await fn();
  const samples = fns.map(() => [] as number[]);
  for (let r = 0; r < rounds; r++) {
    for (let k = 0; k < fns.length; k++) {
      const i = (k + r) % fns.length;
      const start = cpuMicros();
      await fns[i]!();
      samples[i]!.push((cpuMicros() - start) / 1000);
    }
  }
  return samples.map((s) => s.sort((a, b) => a - b)[s.length >> 1]!);
}

async function exposition(): Promise<string> {
  const registries = clients.map(([, c]) => {
    const registry = new c.Registry();
    const ctr = new c.Counter({
      name: 'req_total',
      help: 'Requests.',
      labelNames: ['endpoint', 'status'],
      registers: [registry],
    });
    for (let i = 0; i < 10_000; i++) ctr.inc({ endpoint: `/api/${i}`, status: STATUS[i & 1]! }, i);
    return registry;
  });
  const histograms = clients.map(([, c]) => {
    const registry = new c.Registry();
    const h = new c.Histogram({ name: 'lat_seconds', help: 'Latency.', labelNames: ['route'], registers: [registry] });
    for (let i = 0; i < 1000; i++) h.observe({ route: `/api/${i}` }, (i % 100) / 100);
    return registry;
  });
  const [oursMs, promMs] = await medianMs(registries.map((r) => () => r.metrics()));
  const [oursH, promH] = await medianMs(histograms.map((r) => () => r.metrics()));
  return [
    '### `registry.metrics()`',
    '',
    '| registry | @obs CPU ms | prom-client CPU ms | speed-up |',
    '| --- | ---: | ---: | ---: |',
    `| counter, 10k series (2 labels) | ${oursMs!.toFixed(2)} | ${promMs!.toFixed(2)} | ${(promMs! / oursMs!).toFixed(1)}x |`,
    `| histogram, 1k series (11 buckets = 14k lines) | ${oursH!.toFixed(2)} | ${promH!.toFixed(2)} | ${(promH! / oursH!).toFixed(1)}x |`,
  ].join('\n');
}

/** CPU µs per scrape of the default metrics alone: the drop-in, the collector API, prom-client. */
async function defaultMetricsScrape(): Promise<string> {
  const registries: Array<{ metrics(): Promise<string> }> = clients.map(([, c]) => {
    const registry = new c.Registry();
    c.collectDefaultMetrics({ register: registry });
    return registry;
  });
  const collector = createMetricsCollector();
  collectRuntimeMetrics(collector);
  registries.push({ metrics: async () => serialize(collector).body });
  const cpu = async (r: { metrics(): Promise<string> }) => {
    const before = process.cpuUsage();
    for (let i = 0; i < 20; i++) await r.metrics();
    const d = process.cpuUsage(before);
    return (d.user + d.system) / 20;
  };
  for (const r of registries) await cpu(r);
  const samples = registries.map(() => [] as number[]);
  for (let round = 0; round < 15; round++) {
    for (let k = 0; k < registries.length; k++) {
      const i = (k + round) % registries.length;
      samples[i]!.push(await cpu(registries[i]!));
    }
  }
  const [o, p, c] = samples.map((s) => s.sort((a, b) => a - b)[s.length >> 1]!);
  return [
    '### default runtime metrics: CPU per scrape',
    '',
    '| implementation | CPU µs per scrape | share of prom-client |',
    '| --- | ---: | ---: |',
    `| @obs/metrics/prom-client \`collectDefaultMetrics()\` + \`register.metrics()\` | ${o!.toFixed(0)} | ${((o! / p!) * 100).toFixed(0)}% |`,
    `| @obs/metrics \`collectRuntimeMetrics(collector)\` + \`serialize(collector)\` | ${c!.toFixed(0)} | ${((c! / p!) * 100).toFixed(0)}% |`,
    `| prom-client \`collectDefaultMetrics()\` + \`register.metrics()\` | ${p!.toFixed(0)} | 100% |`,
  ].join('\n');
}

/** CPU per second of an otherwise idle process with each implementation's background collection on (child processes). */
function background(): string {
  const script = fileURLToPath(new URL('./runtimeIdle.mjs', import.meta.url));
  const run = (mode: string) => {
    const out = spawnSync(process.execPath, [script, mode], {
      encoding: 'utf8',
      cwd: fileURLToPath(new URL('..', import.meta.url)),
    });
    return Number(out.stdout.trim());
  };
  const modes = ['none', 'obs', 'collector-base', 'collector', 'prom'];
  const samples = new Map(modes.map((m) => [m, [] as number[]]));
  for (let round = 0; round < 5; round++) for (const m of modes) samples.get(m)!.push(run(m));
  const med = (m: string) => {
    const s = samples.get(m)!.sort((a, b) => a - b);
    return s[s.length >> 1]!;
  };
  const base = med('none');
  const obs = Math.max(0, med('obs') - base);
  // A collector alone runs its 25 ms coarse clock: that is the collector's cost, not the runtime metrics'.
  const collector = Math.max(0, med('collector') - med('collector-base'));
  const prom = Math.max(0, med('prom') - base);
  return [
    '### default runtime metrics: background CPU per second (idle process, 3 s, no scrapes)',
    '',
    '| implementation | CPU µs/s above an idle process |',
    '| --- | ---: |',
    `| @obs/metrics/prom-client \`collectDefaultMetrics()\` | ${obs.toFixed(0)} |`,
    `| @obs/metrics \`collectRuntimeMetrics(collector)\` (above a collector without it) | ${collector.toFixed(0)} |`,
    `| prom-client \`collectDefaultMetrics()\` | ${prom.toFixed(0)} |`,
    `| (idle process itself) | ${base.toFixed(0)} |`,
  ].join('\n');
}

export async function run(): Promise<string> {
  const parts = [...recording(), await exposition(), await defaultMetricsScrape()];
  if (!process.argv.includes('--no-background')) parts.push(background());
  return parts.join('\n\n');
}
