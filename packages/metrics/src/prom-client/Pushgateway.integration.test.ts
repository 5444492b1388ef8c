import { createServer, type IncomingHttpHeaders } from 'node:http';
import { gunzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freePort, requireBinary, startServer, type RunningServer } from '@obs/testing';
import * as client from './index';

const pushgateway = requireBinary('prometheus-pushgateway');

describe.skipIf(!pushgateway)('Pushgateway against a real prometheus-pushgateway', () => {
  let server: RunningServer;
  let url: string;

  beforeAll(async () => {
    const port = await freePort();
    url = `http://127.0.0.1:${port}`;
    server = await startServer(
      'pushgateway',
      pushgateway!,
      [`--web.listen-address=127.0.0.1:${port}`, '--persistence.file=', '--log.level=warn'],
      { url },
    );
  });

  afterAll(async () => {
    await server?.stop();
  });

  async function scrape(): Promise<string> {
    return (await fetch(`${url}/metrics`)).text();
  }

  function registryWith(value: number, name = 'batch_jobs_total'): client.Registry {
    const registry = new client.Registry();
    const counter = new client.Counter({ name, help: 'Jobs done.', labelNames: ['queue'], registers: [registry] });
    counter.inc({ queue: 'q1' }, value);
    new client.Histogram({
      name: 'batch_duration_seconds',
      help: 'Duration.',
      buckets: [1, 5],
      registers: [registry],
    }).observe(2);
    return registry;
  }

  it('push (PUT) replaces the group; pushAdd (POST) adds metrics; delete removes the group', async () => {
    const gateway = new client.Pushgateway(url, {}, registryWith(3));
    const result = await gateway.push({ jobName: 'nightly', groupings: { instance: 'host/1', region: 'eu' } });
    expect((result.resp as { statusCode: number }).statusCode).toBe(200);
    let text = await scrape();
    // Grouping values come back as labels; one with a slash travels in the gateway's @base64 form.
    expect(text).toMatch(/batch_jobs_total\{instance="host\/1",job="nightly",queue="q1",region="eu"\} 3/);
    expect(text).toMatch(/batch_duration_seconds_bucket\{instance="host\/1",job="nightly",region="eu",le="5"\} 1/);

    await new client.Pushgateway(url, {}, registryWith(1, 'other_total')).pushAdd({
      jobName: 'nightly',
      groupings: { instance: 'host/1', region: 'eu' },
    });
    text = await scrape();
    expect(text).toMatch(/batch_jobs_total\{[^}]*job="nightly"[^}]*\} 3/);
    expect(text).toMatch(/other_total\{[^}]*job="nightly"[^}]*\} 1/);

    await new client.Pushgateway(url, {}, registryWith(7, 'other_total')).push({
      jobName: 'nightly',
      groupings: { instance: 'host/1', region: 'eu' },
    });
    text = await scrape();
    expect(text).not.toMatch(/batch_jobs_total\{[^}]*job="nightly"/);
    expect(text).toMatch(/other_total\{[^}]*job="nightly"[^}]*\} 7/);

    await gateway.delete({ jobName: 'nightly', groupings: { instance: 'host/1', region: 'eu' } });
    expect(await scrape()).not.toMatch(/job="nightly"/);
  });

  it('gzips the body with a Content-Encoding: gzip header, and the gateway accepts it', async () => {
    const gateway = new client.Pushgateway(url, { headers: { 'Content-Encoding': 'gzip' } }, registryWith(11));
    await gateway.pushAdd({ jobName: 'gzipped' });
    expect(await scrape()).toMatch(/batch_jobs_total\{instance="",job="gzipped",queue="q1"\} 11/);
    await gateway.delete({ jobName: 'gzipped' });
  });

  it('rejects with the status and body of a refused push, and throws without a job name', async () => {
    // The gateway refuses a metric whose type differs from what another group already has.
    const counter = new client.Registry();
    new client.Counter({ name: 'mixed_metric', help: 'x', registers: [counter] }).inc();
    await new client.Pushgateway(url, {}, counter).push({ jobName: 'first' });
    const registry = new client.Registry();
    new client.Gauge({ name: 'mixed_metric', help: 'x', registers: [registry] }).set(1);
    const gateway = new client.Pushgateway(url, {}, registry);
    await expect(gateway.push({ jobName: 'bad' })).rejects.toThrow(/^push failed with status 400, .*mixed_metric/s);
    await new client.Pushgateway(url, {}, counter).delete({ jobName: 'first' });
    expect(() => gateway.push({} as never)).toThrow('Missing jobName parameter');
    const optional = new client.Pushgateway(url, { requireJobName: false }, registryWith(1));
    await expect(optional.push({} as never)).rejects.toThrow(/push failed with status (404|405)/);
  });
});

describe('Pushgateway request details (a local HTTP server records the requests)', () => {
  it('sends basic auth, custom headers and the path under the gateway URL; times out', async () => {
    const seen: { method?: string; url?: string; headers: IncomingHttpHeaders; body: Buffer }[] = [];
    const server = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        seen.push({ method: req.method, url: req.url, headers: req.headers, body: Buffer.concat(chunks) });
        if (req.url?.includes('slow')) return; // never answers
        res.end('ok');
      });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const { port } = server.address() as { port: number };
    try {
      const registry = new client.Registry();
      new client.Gauge({ name: 'g', help: 'g', registers: [registry] }).set(2);
      const gateway = new client.Pushgateway(
        `http://127.0.0.1:${port}/prefix/`,
        { auth: 'user:pass', headers: { 'X-Test': '1', 'Content-Encoding': 'gzip' } },
        registry,
      );
      await gateway.pushAdd({ jobName: 'j b', groupings: { a: 'x/y' } });
      await gateway.delete({ jobName: 'j b' });
      expect(seen[0]!.method).toBe('POST');
      expect(seen[0]!.url).toBe(`/prefix/metrics/job/j%20b/a@base64/${Buffer.from('x/y').toString('base64url')}`);
      expect(seen[0]!.headers.authorization).toBe(`Basic ${Buffer.from('user:pass').toString('base64')}`);
      expect(seen[0]!.headers['x-test']).toBe('1');
      expect(gunzipSync(seen[0]!.body).toString()).toBe('# HELP g g\n# TYPE g gauge\ng 2\n');
      expect(seen[1]!.method).toBe('DELETE');
      expect(seen[1]!.headers['content-encoding']).toBeUndefined();
      const slow = new client.Pushgateway(`http://127.0.0.1:${port}`, { timeout: 200 }, registry);
      await expect(slow.push({ jobName: 'slow' })).rejects.toThrow('Pushgateway request timed out');
    } finally {
      server.closeAllConnections();
      server.close();
    }
  });
});
