import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { requireBinary } from '@obs/testing';
import { createMetricsCollector, serializeFormat, type MetricsCollector } from '../index';
import { ROUTES, recordLoad } from './fixtures/load';

/**
 * Real processes and threads: a primary with 4 node:cluster workers, and one with 4
 * worker threads, each worker recording a known load. The primary's /metrics must equal
 * one process that recorded all of it, sample for sample.
 */
const fixture = fileURLToPath(new URL('./fixtures/app.fixture.ts', import.meta.url));
const tsconfig = fileURLToPath(new URL('./fixtures/tsconfig.json', import.meta.url));
const promtool = requireBinary('promtool');

interface App {
  readonly url: string;
  readonly child: ChildProcess;
}

function start(mode: 'cluster' | 'threads'): Promise<App> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', fixture, mode], {
      cwd: fileURLToPath(new URL('.', import.meta.url)),
      env: { ...process.env, TSX_TSCONFIG_PATH: tsconfig },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    let err = '';
    const timer = setTimeout(() => reject(new Error(`${mode} app did not start:\n${err}`)), 150_000);
    child.stderr!.on('data', (d: Buffer) => (err += d.toString()));
    child.stdout!.on('data', (d: Buffer) => {
      out += d.toString();
      const nl = out.indexOf('\n');
      if (nl >= 0) {
        clearTimeout(timer);
        resolve({ url: (JSON.parse(out.slice(0, nl)) as { url: string }).url, child });
      }
    });
    child.once('exit', (code) => reject(new Error(`${mode} app exited (${code}):\n${err}`)));
  });
}

async function stop(app: App | undefined): Promise<void> {
  if (!app || app.child.exitCode !== null) return;
  const exited = new Promise((r) => app.child.once('exit', r));
  app.child.kill('SIGTERM');
  const force = setTimeout(() => app.child.kill('SIGKILL'), 5000);
  await exited;
  clearTimeout(force);
}

/** One process that recorded every worker's load; gauges as the aggregator's policies make them. */
function reference(
  loads: readonly number[],
  workerIds: readonly string[],
  queueWorkers: readonly number[] = loads,
): MetricsCollector {
  const m = createMetricsCollector();
  let queue = 0;
  loads.forEach((index) => recordLoad(m, index));
  m.removeMetric('worker_heap_bytes');
  queueWorkers.forEach((index) => (queue += index * 3 + 1));
  m.gauge('queue_depth', queue);
  workerIds.forEach((id, i) => m.gauge('worker_heap_bytes', 1_000_000 + queueWorkers[i]! * 4096, { worker: id }));
  return m;
}

function sampleLines(text: string): string[] {
  return text
    .split('\n')
    .filter((l) => l !== '' && !l.startsWith('#'))
    .sort();
}

async function scrape(app: App): Promise<string> {
  const res = await fetch(`${app.url}/metrics`);
  expect(res.status).toBe(200);
  return res.text();
}

function checkWithPromtool(text: string): void {
  if (!promtool) return;
  const result = spawnSync(promtool, ['check', 'metrics'], { input: text, encoding: 'utf8', timeout: 15_000 });
  expect(`${result.stdout}${result.stderr}`).toBe('');
  expect(result.status).toBe(0);
}

async function expectStats(app: App, ref: MetricsCollector): Promise<void> {
  const { stats } = (await (await fetch(`${app.url}/stats`)).json()) as { stats: Record<string, unknown> };
  for (const route of ROUTES) expect(stats[route]).toEqual(ref.getHistogramStats('job_duration_seconds', { route }));
}

describe('4 node:cluster workers', () => {
  let app: App | undefined;
  beforeAll(async () => {
    app = await start('cluster');
  }, 180_000);
  afterAll(() => stop(app));

  it("the primary's /metrics equals one process that recorded everything (counts, sums, buckets, quantiles)", async () => {
    const text = await scrape(app!);
    const ref = reference([1, 2, 3, 4], ['1', '2', '3', '4']);
    expect(sampleLines(text)).toEqual(sampleLines(serializeFormat(ref, 'prometheus').body));
    await expectStats(app!, ref);
    checkWithPromtool(text);
  });

  it('a worker killed and replaced: counters go on from where they were, its gauge moves to the new worker', async () => {
    const res = await fetch(`${app!.url}/restart?worker=2`, { method: 'POST' });
    expect(res.status).toBe(200);
    const { id } = (await res.json()) as { id: number };
    expect(id).toBe(5);
    const text = await scrape(app!);
    // Worker 2's load twice (the dead one's totals are kept, the new one recorded it again); gauges from live workers only.
    const ref = reference([1, 2, 3, 4, 2], ['1', '3', '4', '5'], [1, 3, 4, 2]);
    expect(sampleLines(text)).toEqual(sampleLines(serializeFormat(ref, 'prometheus').body));
    await expectStats(app!, ref);
    checkWithPromtool(text);
  });
});

describe('4 worker threads', () => {
  let app: App | undefined;
  beforeAll(async () => {
    app = await start('threads');
  }, 180_000);
  afterAll(() => stop(app));

  it("the primary's /metrics equals one process that recorded everything", async () => {
    const text = await scrape(app!);
    const ref = reference([1, 2, 3, 4], ['thread-1', 'thread-2', 'thread-3', 'thread-4']);
    expect(sampleLines(text)).toEqual(sampleLines(serializeFormat(ref, 'prometheus').body));
    await expectStats(app!, ref);
    checkWithPromtool(text);
    const om = await (
      await fetch(`${app!.url}/metrics`, { headers: { accept: 'application/openmetrics-text; version=1.0.0' } })
    ).text();
    expect(om.endsWith('# EOF\n')).toBe(true);
  });
});
