import { createServer, type Server } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freePort, promtoolCheckMetrics, requireBinary, startPrometheus, type RunningPromServer } from '@obs/testing';
import { createMetricsCollector, type ExemplarContext } from '../index';
import { serialize } from './serialize';

const prometheus = requireBinary('prometheus');
const promtool = requireBinary('promtool');

const TRACE_A = '4bf92f3577b34da6a3ce929d0e0e4736';
const TRACE_B = '0af7651916cd43dd8448eb211c80319c';

interface ExemplarResult {
  seriesLabels: Record<string, string>;
  exemplars: Array<{ labels: Record<string, string>; value: string; timestamp: number }>;
}

async function until<T>(what: string, probe: () => Promise<T | undefined>, timeoutMs = 45_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last: unknown;
  for (;;) {
    try {
      const value = await probe();
      if (value !== undefined) return value;
    } catch (err) {
      last = err;
    }
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}${last ? `: ${String(last)}` : ''}`);
    await new Promise((r) => setTimeout(r, 250));
  }
}

describe.skipIf(!prometheus)('exemplars scraped by a real Prometheus (--enable-feature=exemplar-storage)', () => {
  const active: { ctx: ExemplarContext | undefined } = { ctx: undefined };
  const metrics = createMetricsCollector({ exemplars: () => active.ctx });
  const accepts: string[] = [];
  let app: Server;
  let server: RunningPromServer | undefined;
  let promPort = 0;

  beforeAll(async () => {
    metrics.describe('request_duration_seconds', {
      help: 'Request duration.',
      unit: 'seconds',
      buckets: [0.01, 0.1, 1],
    });
    metrics.describe('requests_total', { help: 'Requests.' });
    metrics.histogram('request_duration_seconds', 0.005, { route: '/' }); // no span: no exemplar
    active.ctx = { traceId: TRACE_A, spanId: '00f067aa0ba902b7' };
    metrics.histogram('request_duration_seconds', 0.05, { route: '/' });
    metrics.increment('requests_total', 1, { route: '/' });
    active.ctx = { traceId: TRACE_B, spanId: 'b7ad6b7169203331' };
    metrics.histogram('request_duration_seconds', 0.5, { route: '/' });
    active.ctx = undefined;

    app = createServer((req, res) => {
      accepts.push(String(req.headers.accept));
      const { contentType, body } = serialize(metrics, req.headers.accept);
      res.writeHead(200, { 'content-type': contentType }).end(body);
    });
    const appPort = await freePort();
    await new Promise<void>((resolve) => app.listen(appPort, '127.0.0.1', resolve));

    server = await startPrometheus({
      binary: prometheus!,
      config: `global:\n  scrape_interval: 1s\n  scrape_timeout: 1s\nscrape_configs:\n  - job_name: app\n    static_configs:\n      - targets: ['127.0.0.1:${appPort}']\n`,
      args: ['--enable-feature=exemplar-storage'],
      timeoutMs: 40_000,
    });
    promPort = server.port;
  }, 60_000);

  afterAll(async () => {
    await server?.stop();
    await new Promise((resolve) => app?.close(resolve));
  });

  it('returns our trace ids from /api/v1/query_exemplars, for histogram buckets and counters', async () => {
    const query = async (q: string) => {
      const now = Date.now() / 1000;
      const res = await fetch(
        `http://127.0.0.1:${promPort}/api/v1/query_exemplars?query=${encodeURIComponent(q)}&start=${now - 600}&end=${now + 60}`,
      );
      const body = (await res.json()) as { status: string; data: ExemplarResult[] };
      return body.status === 'success' && body.data.length > 0 ? body.data : undefined;
    };
    const buckets = await until('histogram exemplars', async () => {
      const data = await query('request_duration_seconds_bucket');
      return data && data.flatMap((d) => d.exemplars).length >= 2 ? data : undefined;
    });
    const byLe = new Map(buckets.map((d) => [d.seriesLabels.le, d.exemplars.map((e) => e.labels.trace_id)]));
    expect(byLe.get('0.1')).toEqual([TRACE_A]);
    expect(byLe.get('1')).toEqual([TRACE_B]);
    expect(byLe.has('0.01')).toBe(false);
    const exemplar = buckets.find((d) => d.seriesLabels.le === '1')!.exemplars[0]!;
    expect(exemplar).toMatchObject({ labels: { trace_id: TRACE_B, span_id: 'b7ad6b7169203331' }, value: '0.5' });

    const counter = await until('counter exemplars', () => query('requests_total'));
    expect(counter[0]!.exemplars[0]!.labels.trace_id).toBe(TRACE_A);

    // Prometheus asked for OpenMetrics, and the scrape was healthy.
    expect(accepts[0]).toContain('application/openmetrics-text');
    const targets = (await (await fetch(`http://127.0.0.1:${promPort}/api/v1/targets`)).json()) as {
      data: { activeTargets: Array<{ health: string; lastError: string }> };
    };
    expect(targets.data.activeTargets[0]).toMatchObject({ health: 'up', lastError: '' });
  });

  it.skipIf(!promtool)('promtool check metrics accepts the same registry', () => {
    const result = promtoolCheckMetrics(promtool!, serialize(metrics).body);
    expect(result.output).toBe('');
    expect(result.status).toBe(0);
  });
});
