import { readFileSync } from 'node:fs';
import { afterAll, describe, expect, it } from 'vitest';
import { freePort, promtoolCheckMetrics, requireBinary } from '@obs/testing';
import { startAppProcess, type AppProcess } from './testing/appProcess';

const started: AppProcess[] = [];
afterAll(async () => {
  await Promise.all(started.map((app) => app.kill('SIGKILL')));
});

const png = readFileSync(new URL('../samples/logo.png', import.meta.url));
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

interface WorkerDemo {
  id: number;
  pid: number;
  alive: boolean;
  sent: number;
}
interface DemoView {
  sent: number;
  workers: WorkerDemo[];
}

async function json<T>(url: string): Promise<T> {
  const res = await fetch(url);
  expect(res.status, url).toBe(200);
  return (await res.json()) as T;
}

/** The sum of a counter over all its series in Prometheus text. */
function counterSum(text: string, name: string): number {
  let sum = 0;
  for (const line of text.split('\n'))
    if (line.startsWith(`${name}{`) || line.startsWith(`${name} `)) sum += Number(line.split(' ').at(-1));
  return sum;
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

async function until<T>(what: string, fn: () => Promise<T | undefined>, timeoutMs = 60_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await fn();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await sleep(500);
  }
}

describe('--workers 2: node:cluster with the hub on the primary', () => {
  it('serves the merged /metrics, SLOs and traces of both workers on the primary, and stops with no orphans', async () => {
    const promtool = requireBinary('promtool');
    const workerPort = await freePort();
    const app = await startAppProcess(
      await freePort(),
      { OBS_WORKER_PORT: String(workerPort), OBS_TRACE_SAMPLE_RATE: '1' },
      { args: ['--workers', '2', '--demo'], timeoutMs: 120_000 },
    );
    started.push(app);
    expect(app.output()).toContain('(2 workers)');
    expect(app.output()).toContain(`http://127.0.0.1:${workerPort}/api/analyze`);

    // Both workers run demo traffic and report it.
    const first = await until('demo traffic from both workers', async () => {
      const demo = await json<DemoView>(`${app.url}/api/demo`);
      return demo.workers.length === 2 && demo.workers.every((w) => w.sent >= 20) ? demo : undefined;
    });
    const pids = first.workers.map((w) => w.pid);
    expect(new Set(pids).size).toBe(2);
    expect(pids).not.toContain(app.child.pid);

    // The primary's /metrics is the merge: every request either worker sent is counted once.
    const metricsText = await (await fetch(`${app.url}/metrics`)).text();
    const merged = counterSum(metricsText, 'vision_requests_total');
    await sleep(3000); // past several forwarding intervals, so the next report was taken after the scrape
    const later = await json<DemoView>(`${app.url}/api/demo`);
    const sentBefore = first.workers.reduce((s, w) => s + w.sent, 0);
    const sentAfter = later.workers.reduce((s, w) => s + w.sent, 0);
    expect(merged).toBeGreaterThanOrEqual(sentBefore);
    expect(merged).toBeLessThanOrEqual(sentAfter);
    // Both workers' traffic is in it: it holds at least what both had sent at the first report (each ≥ 20).
    expect(sentBefore).toBeGreaterThan(Math.max(...first.workers.map((w) => w.sent)));
    // Process gauges stay per worker (and the primary's own), counters carry no worker label.
    for (const id of ['1', '2', 'primary'])
      expect(metricsText).toMatch(new RegExp(`process_resident_memory_bytes\\{worker="${id}"\\}`));
    expect(metricsText).not.toMatch(/vision_requests_total\{[^}]*worker=/);
    if (promtool) {
      const result = promtoolCheckMetrics(promtool, metricsText);
      // Parse errors exit 1; lint findings exit 3. The only findings allowed are the names fixed by the contract
      // (`vision_request_duration_ms`, prom-client's `nodejs_active_handles_total` gauges) and missing help.
      const { output } = result;
      expect(output).not.toMatch(/error while linting|parsing error/i);
      expect([0, 3]).toContain(result.status);
      for (const line of output.trim().split('\n').filter(Boolean))
        expect(line).toMatch(
          /^[a-zA-Z_:][a-zA-Z0-9_:]* (no help text|metric names should not contain abbreviated units|non-counter metrics should not have "_total" suffix)$/,
        );
    }

    // SLOs and the dashboard are computed on the merged stream: more outcomes than any one worker had.
    const dashboard = await json<{
      slos: { sloId: string; total: number }[];
      metrics: { requestsTotal: number; latency: { count: number } };
      traces: { recent: { traceId: string }[] };
    }>(`${app.url}/api/dashboard`);
    const availability = dashboard.slos.find((s) => s.sloId === 'vision-availability-local');
    expect(availability?.total).toBeGreaterThan(1.3 * Math.max(...first.workers.map((w) => w.sent)));
    expect(dashboard.metrics.requestsTotal).toBeGreaterThanOrEqual(sentBefore * 0.9);
    expect(dashboard.metrics.latency.count).toBeGreaterThan(Math.max(...first.workers.map((w) => w.sent)));

    // Recent traces on the primary come from both workers (each span carries its process id).
    const seen = await until(
      'traces from both workers',
      async () => {
        const recent = (await json<{ traces: { recent: { traceId: string }[] } }>(`${app.url}/api/dashboard`)).traces
          .recent;
        const found = new Set<number>();
        for (const { traceId } of recent) {
          const trace = await json<{ spans: { tags: Record<string, unknown> }[] }>(`${app.url}/api/traces/${traceId}`);
          for (const span of trace.spans)
            if (typeof span.tags['process.pid'] === 'number') found.add(span.tags['process.pid'] as number);
        }
        return pids.every((pid) => found.has(pid)) ? found : undefined;
      },
      30_000,
    );
    expect([...seen].sort()).toEqual([...pids].sort());

    // Uploads go to the workers; the primary points there, and the upload's trace shows up on the primary.
    const redirect = await fetch(`${app.url}/api/analyze`, { method: 'POST', body: png, redirect: 'manual' });
    expect(redirect.status).toBe(307);
    expect(redirect.headers.get('location')).toBe(`http://127.0.0.1:${workerPort}/api/analyze`);
    const upload = await fetch(`http://127.0.0.1:${workerPort}/api/analyze`, { method: 'POST', body: png });
    // 503 when every decoding thread is busy (a loaded machine); either way the request was traced.
    expect([200, 503]).toContain(upload.status);
    const traceId = upload.headers.get('traceparent')?.split('-')[1];
    if (upload.status === 200) expect(traceId).toMatch(/^[0-9a-f]{32}$/);
    if (traceId) {
      const spans = await until(
        'the upload trace on the primary',
        async () => {
          // 404 until the worker's next batch has brought the spans.
          const res = await fetch(`${app.url}/api/traces/${traceId}`);
          if (res.status === 404) return undefined;
          const trace = (await res.json()) as { spans: { operationName: string }[] };
          return trace.spans.some((s) => s.operationName === 'POST /api/analyze') ? trace.spans : undefined;
        },
        10_000,
      );
      expect(spans.map((s) => s.operationName)).toContain('vision.analyze_image');
    }

    // SIGTERM on the primary stops the workers too.
    const result = await app.kill('SIGTERM');
    expect(result.code).toBe(0);
    await until('the workers to exit', async () => (pids.every((pid) => !alive(pid)) ? true : undefined), 10_000);
  }, 240_000);
});
