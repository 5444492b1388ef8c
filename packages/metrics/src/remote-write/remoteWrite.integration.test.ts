import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import {
  IDLE_PROMETHEUS_CONFIG,
  freePort,
  requireBinary,
  startPrometheus,
  startServer,
  type RunningServer,
} from '@obs/testing';
import { createMetricsCollector } from '../MetricsCollector';
import type { CollectedMetrics, MetricsProducer } from '../MetricsProducer';
import { createRemoteWriteExporter, type RemoteWriteExporter } from './RemoteWriteExporter';

const prometheusBin = requireBinary('prometheus');
const victoriaBin = requireBinary('victoria-metrics');

interface Receiver {
  readonly name: string;
  readonly bin: string | undefined;
  /** Starts (or restarts, on the same port and data directory) the receiver. */
  start(port: number, dir: string): Promise<RunningServer>;
  writePath: string;
}

const receivers: Receiver[] = [
  {
    name: 'Prometheus --web.enable-remote-write-receiver',
    bin: prometheusBin,
    writePath: '/api/v1/write',
    start(port, dir) {
      return startPrometheus({
        binary: prometheusBin!,
        config: IDLE_PROMETHEUS_CONFIG,
        port,
        dir,
        args: ['--web.enable-remote-write-receiver', '--log.level=warn'],
      });
    },
  },
  {
    name: 'VictoriaMetrics',
    bin: victoriaBin,
    writePath: '/api/v1/write',
    start(port, dir) {
      return startServer(
        'victoria-metrics',
        victoriaBin!,
        [
          `-httpListenAddr=127.0.0.1:${port}`,
          `-storageDataPath=${join(dir, 'vm')}`,
          '-search.latencyOffset=0s',
          '-search.disableCache',
          '-loggerLevel=ERROR',
        ],
        { url: `http://127.0.0.1:${port}`, readyUrl: `http://127.0.0.1:${port}/health`, timeoutMs: 45_000 },
      );
    },
  },
];

interface Sample {
  metric: Record<string, string>;
  value?: [number, string];
  values?: Array<[number, string]>;
}

async function query(port: number, promql: string, time?: number): Promise<Sample[]> {
  const params = new URLSearchParams({ query: promql });
  if (time !== undefined) params.set('time', String(time / 1000));
  const res = await fetch(`http://127.0.0.1:${port}/api/v1/query?${params}`);
  const body = (await res.json()) as { status: string; data: { result: Sample[] }; error?: string };
  if (body.status !== 'success') throw new Error(`query ${promql} failed: ${body.error}`);
  return body.data.result;
}

async function until<T>(what: string, probe: () => Promise<T | undefined>, timeoutMs = 50_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last: unknown;
  for (;;) {
    try {
      const value = await probe();
      if (value !== undefined) return value;
    } catch (error) {
      last = error;
    }
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}${last ? `: ${String(last)}` : ''}`);
    await new Promise((r) => setTimeout(r, 300));
  }
}

const dirs: string[] = [];
afterAll(() => {
  for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
});

describe.each(receivers)('remote write into a real $name', (receiver) => {
  it.skipIf(!receiver.bin)('10k series pushed, every value read back exact through PromQL', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'obs-rw-'));
    dirs.push(dir);
    const port = await freePort();
    const server = await receiver.start(port, dir);
    const exporter = createRemoteWriteExporter({
      url: `http://127.0.0.1:${port}${receiver.writePath}`,
      intervalMs: 3_600_000,
      externalLabels: { cluster: 'test' },
    });
    try {
      const metrics = createMetricsCollector();
      // 10 metrics × 1000 series with fractional values (VictoriaMetrics keeps 12 significant
      // decimal digits, so the values have fewer: every one must come back exactly).
      const valueOf = (m: number, i: number) => i * 1.125 + m * 1000.5;
      for (let m = 0; m < 10; m++)
        for (let i = 0; i < 1000; i++) metrics.increment(`rw_load_${m}`, valueOf(m, i), { i: String(i) });
      for (let i = 0; i < 20; i++) metrics.histogram('rw_latency', (i * 37) % 250, { route: String(i % 4) });
      exporter.attach(metrics);
      expect(await exporter.forceFlush(50_000)).toBe(true);
      expect(exporter.stats()).toMatchObject({ dropped: 0, failedRequests: 0 });
      const collected = metrics.collect();
      const at = Date.now();
      for (let m = 0; m < 10; m++) {
        const result = await until(`rw_load_${m}_total`, async () => {
          const r = await query(port, `rw_load_${m}_total{cluster="test"}`, at);
          return r.length === 1000 ? r : undefined;
        });
        const byI = new Map(result.map((s) => [s.metric.i, Number(s.value![1])]));
        for (let i = 0; i < 1000; i++) expect(byI.get(String(i))).toBe(valueOf(m, i));
      }
      const buckets = await until('rw_latency_bucket', async () => {
        const r = await query(port, 'rw_latency_bucket', at);
        return r.length === 4 * 14 ? r : undefined;
      });
      const family = collected.families.find((f) => f.name === 'rw_latency')!;
      for (const s of family.series) {
        let cumulative = 0;
        const le = [...family.bounds!.map(String), '+Inf'];
        s.bucketCounts!.forEach((c, j) => {
          cumulative += c;
          const num = (text: string | undefined) => (text === '+Inf' ? Infinity : Number(text));
          const found = buckets.find((b) => b.metric.route === s.labels.route && num(b.metric.le) === num(le[j]));
          expect(Number(found!.value![1])).toBe(cumulative);
        });
      }
      const counts = await query(port, 'rw_latency_count', at);
      expect(counts.map((c) => Number(c.value![1])).reduce((a, b) => a + b, 0)).toBe(20);
    } finally {
      await exporter.shutdown(1000);
      await server.stop();
    }
  });

  it.skipIf(!receiver.bin)(
    'receiver killed mid-run and restarted: nothing the queue held is lost, nothing duplicated',
    async () => {
      const dir = mkdtempSync(join(tmpdir(), 'obs-rw-kill-'));
      dirs.push(dir);
      const port = await freePort();
      let server = await receiver.start(port, dir);
      const metrics = createMetricsCollector();
      // Every collection bumps 50 counters, then records exactly what it produced.
      const sent: Array<{ ts: number; value: number }> = [];
      let tick = 0;
      const producer: MetricsProducer = {
        collect(): CollectedMetrics {
          tick++;
          for (let i = 0; i < 50; i++) metrics.increment('rw_kill', i + 1, { i: String(i) });
          const c = metrics.collect();
          sent.push({ ts: Math.round(c.timestamp), value: tick });
          return c;
        },
      };
      const exporter: RemoteWriteExporter = createRemoteWriteExporter({
        url: `http://127.0.0.1:${port}${receiver.writePath}`,
        producer,
        intervalMs: 250,
        initialBackoffMs: 50,
        maxBackoffMs: 400,
        maxQueueSize: 100_000,
        exportTimeoutMs: 5_000,
      });
      try {
        await until('a few pushes', async () => (exporter.stats().exported >= 150 ? true : undefined));
        await server.stop(); // SIGTERM: the receiver goes away mid-run
        const before = tick;
        await until('collections queued while down', async () =>
          tick >= before + 6 && exporter.stats().queued > 0 ? true : undefined,
        );
        server = await receiver.start(port, dir);
        await until('the queue drained', async () =>
          exporter.stats().queued === 0 && exporter.stats().retries > 0 ? true : undefined,
        );
        await exporter.shutdown(20_000);
        expect(exporter.stats().dropped).toBe(0);
        // Every collection arrived, once: for series i the samples are (ts_k, k × (i + 1)) for each collection k.
        const lookback = Math.ceil((Date.now() - sent[0]!.ts) / 1000) + 60;
        for (const i of [0, 17, 49]) {
          const series = await until(`raw samples of series ${i}`, async () => {
            const r = await query(port, `rw_kill_total{i="${i}"}[${lookback}s]`);
            return r.length === 1 && r[0]!.values!.length >= sent.length ? r[0]! : undefined;
          });
          const got = series.values!.map(([t, v]) => ({ ts: Math.round(t * 1000), value: Number(v) }));
          expect(got).toEqual(sent.map((s) => ({ ts: s.ts, value: s.value * (i + 1) })));
        }
      } finally {
        await exporter.shutdown(1000);
        await server.stop();
      }
    },
  );
});
