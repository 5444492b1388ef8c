import { createServer, get, type IncomingMessage, type Server } from 'node:http';
import { connect, type AddressInfo } from 'node:net';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { BodyTooLargeError } from '../errors';
import { createLifecycle, createObservabilityHub, type ObservabilityHub } from '../index';
import { createHttpHandler, type HttpHandlerOptions, type HubHttpHandler } from './createHttpHandler';
import { hardenServer } from './hardenServer';
import { readBody } from './readBody';

interface Running {
  hub: ObservabilityHub;
  server: Server;
  handler: HubHttpHandler;
  base: string;
}
const running: Running[] = [];

async function serve(
  options: HttpHandlerOptions = {},
  hubOptions: Parameters<typeof createObservabilityHub>[0] = {},
): Promise<Running> {
  const hub = createObservabilityHub({ traceSampleRate: 1, ...hubOptions });
  const handler = createHttpHandler(hub, { token: null, metricsToken: null, ...options });
  const server = hardenServer(createServer(handler));
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const r = { hub, server, handler, base };
  running.push(r);
  return r;
}

async function shutdown(r: Running): Promise<void> {
  r.handler.close();
  await r.hub.stop();
  r.server.closeAllConnections();
  await new Promise((resolve) => r.server.close(resolve));
}

afterEach(async () => {
  for (const r of running.splice(0)) await shutdown(r);
});

describe('createHttpHandler routes', () => {
  it('serves Prometheus text, or OpenMetrics by Accept', async () => {
    const { hub, base } = await serve();
    hub.metrics.increment('vision_requests_total', 3, { provider: 'local' });
    const prom = await fetch(`${base}/metrics`);
    expect(prom.status).toBe(200);
    expect(prom.headers.get('content-type')).toContain('text/plain; version=0.0.4');
    expect(await prom.text()).toContain('vision_requests_total{provider="local"} 3');
    const om = await fetch(`${base}/metrics`, { headers: { accept: 'application/openmetrics-text; version=1.0.0' } });
    expect(om.headers.get('content-type')).toContain('application/openmetrics-text');
    expect(await om.text()).toMatch(/# EOF\n$/);
  });

  it('serves health+json with 503 when failing, and live/ready by group', async () => {
    const { hub, base } = await serve();
    hub.health.registerCheck('db', () => ({ status: 'unhealthy', message: 'refused' }), { groups: ['readiness'] });
    await hub.health.runAllChecks();
    const health = await fetch(`${base}/health`);
    expect(health.status).toBe(503);
    expect(health.headers.get('content-type')).toBe('application/health+json');
    const body = (await health.json()) as { status: string; checks: Record<string, Array<{ output?: string }>> };
    expect(body.status).toBe('fail');
    expect(JSON.stringify(body)).toContain('refused');
    expect((await fetch(`${base}/health/live`)).status).toBe(200);
    expect((await fetch(`${base}/health/ready`)).status).toBe(503);
  });

  it('serves /health/startup from the startup group: 503 until it passes, then 200 for good', async () => {
    const { base } = await serve();
    expect((await fetch(`${base}/health/startup`)).status).toBe(200); // no startup checks
    const other = await serve();
    let warm = false;
    other.hub.health.registerCheck('warm-up', () => warm, { groups: ['startup'] });
    const before = await fetch(`${other.base}/health/startup`);
    expect(before.status).toBe(503);
    expect(before.headers.get('content-type')).toBe('application/health+json');
    await other.hub.health.runAllChecks();
    expect((await fetch(`${other.base}/health/startup`)).status).toBe(503);
    warm = true;
    await other.hub.health.runAllChecks();
    expect((await fetch(`${other.base}/health/startup`)).status).toBe(200);
    warm = false;
    await other.hub.health.runAllChecks();
    expect((await fetch(`${other.base}/health/startup`)).status).toBe(200);
    expect((await fetch(`${other.base}/health/startup`, { method: 'HEAD' })).status).toBe(200);
  });

  it('answers readiness and startup from a lifecycle: 503 while starting and from the start of a shutdown', async () => {
    const hub = createObservabilityHub();
    const lifecycle = createLifecycle({ health: hub.health, signals: [], shutdownDelayMs: 300 });
    const { base } = await serve({ lifecycle });
    hub.health.registerCheck('db', () => true, { groups: ['readiness', 'startup'] });
    const probe = async (path: string) => {
      const res = await fetch(`${base}${path}`);
      return { status: res.status, body: (await res.json()) as { status: string; output?: string } };
    };
    // `serve` made its own hub; the lifecycle watches this one.
    expect(await probe('/health/startup')).toMatchObject({ status: 503, body: { output: /not started/ } });
    expect((await probe('/health/ready')).status).toBe(503);
    lifecycle.ready();
    await hub.health.runAllChecks();
    expect(lifecycle.phase).toBe('ready');
    expect(await probe('/health/startup')).toMatchObject({ status: 200, body: { status: 'pass' } });
    expect(await probe('/health/ready')).toMatchObject({ status: 200, body: { status: 'pass' } });
    const stopped = lifecycle.shutdown('test');
    expect(await probe('/health/ready')).toMatchObject({
      status: 503,
      body: { status: 'fail', output: 'shutting down (draining)' },
    });
    expect((await probe('/health/live')).status).toBe(200);
    expect((await probe('/health/startup')).status).toBe(200);
    expect((await stopped).ok).toBe(true);
    expect((await probe('/health/ready')).status).toBe(503);
    await hub.stop();
    expect(() => createHttpHandler(hub, { lifecycle: 'x' as never })).toThrow(/lifecycle/);
  });

  it('serves dashboard JSON and traces by id, with 400/404 for bad or unknown ids', async () => {
    const { hub, base } = await serve();
    const span = hub.traces.startSpan('op', 'svc');
    hub.traces.finishSpan(span);
    const dashboard = await fetch(`${base}/api/dashboard`);
    expect(dashboard.status).toBe(200);
    expect(((await dashboard.json()) as { health: unknown }).health).toBeDefined();
    const trace = await fetch(`${base}/api/traces/${span.context.traceId}`);
    expect(trace.status).toBe(200);
    expect(await trace.json()).toMatchObject({
      traceId: span.context.traceId,
      spans: [{ operationName: 'op', serviceName: 'svc', status: 'ok' }],
    });
    expect((await fetch(`${base}/api/traces/not-hex`)).status).toBe(400);
    expect((await fetch(`${base}/api/traces/${'0'.repeat(32)}`)).status).toBe(400);
    expect((await fetch(`${base}/api/traces/${'a'.repeat(32)}`)).status).toBe(404);
  });

  it('answers unknown routes, wrong methods and oversized URLs with JSON 4xx, and keeps serving', async () => {
    const { base } = await serve();
    const missing = await fetch(`${base}/nope`);
    expect(missing.status).toBe(404);
    expect(await missing.json()).toMatchObject({ error: 'not_found' });
    const post = await fetch(`${base}/metrics`, { method: 'POST', body: 'x' });
    expect(post.status).toBe(405);
    expect(post.headers.get('allow')).toBe('GET, HEAD');
    expect((await fetch(`${base}/api/dashboard?${'x'.repeat(9000)}`)).status).toBe(414);
    const raw = await new Promise<string>((resolve) => {
      const url = new URL(base);
      const socket = connect(Number(url.port), '127.0.0.1', () =>
        socket.write('GET /\u0000 HTTP/1.1\r\nHost: x\r\n\r\n'),
      );
      let data = '';
      socket.on('data', (d: Buffer) => (data += d.toString()));
      socket.on('close', () => resolve(data));
    });
    expect(raw).toMatch(/^HTTP\/1.1 400/);
    expect((await fetch(`${base}/health/live`)).status).toBe(200);
  });

  it('sets security headers and a strict CSP on every response, the fallback included', async () => {
    const { base } = await serve({
      fallback: (_req, res) => {
        res.end('<!doctype html><title>app</title>');
      },
    });
    for (const path of ['/metrics', '/api/dashboard', '/']) {
      const res = await fetch(`${base}${path}`);
      expect(res.headers.get('content-security-policy')).toContain("script-src 'self'");
      expect(res.headers.get('content-security-policy')).not.toContain('unsafe-inline');
      expect(res.headers.get('x-content-type-options')).toBe('nosniff');
      expect(res.headers.get('x-frame-options')).toBe('DENY');
    }
  });

  it('hands other routes to the fallback, which can read bodies with a limit', async () => {
    const { base } = await serve({
      fallback: async (req, res, ctx) => {
        if (ctx.url.pathname !== '/api/analyze' || req.method !== 'POST') return ctx.json(404, { error: 'not_found' });
        try {
          const body = await readBody(req, { limit: 16 });
          ctx.json(200, { bytes: body.length });
        } catch (error) {
          if (error instanceof BodyTooLargeError) {
            res.setHeader('Connection', 'close');
            return ctx.json(413, { error: 'body_too_large' });
          }
          throw error;
        }
      },
    });
    const ok = await fetch(`${base}/api/analyze`, { method: 'POST', body: 'hello' });
    expect(await ok.json()).toEqual({ bytes: 5 });
    const big = await fetch(`${base}/api/analyze`, { method: 'POST', body: 'x'.repeat(1000) });
    expect(big.status).toBe(413);
    expect((await fetch(`${base}/api/analyze`, { method: 'POST', body: 'again' })).status).toBe(200);
  });

  it('turns an exception in a route into a JSON 500 without internals', async () => {
    const { base } = await serve({
      fallback: () => {
        throw new Error('secret internals at /srv/app.js:12');
      },
    });
    const res = await fetch(`${base}/boom`);
    expect(res.status).toBe(500);
    const text = await res.text();
    expect(text).not.toContain('secret');
    expect((await fetch(`${base}/health/live`)).status).toBe(200);
  });

  it('rejects bad arguments with typed errors', () => {
    const hub = createObservabilityHub();
    expect(() => createHttpHandler({} as ObservabilityHub)).toThrow(/ObservabilityHub/);
    expect(() => createHttpHandler(hub, { token: 'has space' })).toThrow(/token/);
    expect(() => createHttpHandler(hub, { fallback: 'x' as never })).toThrow(/fallback/);
    void hub.stop();
  });
});

describe('authentication', () => {
  it('requires the bearer token for /api/*, compares it exactly, and accepts access_token on GET', async () => {
    const { base } = await serve({
      token: 'tok-123',
      fallback: (_req, _res, ctx) => ctx.json(200, { authorized: ctx.authorized }),
    });
    const denied = await fetch(`${base}/api/dashboard`);
    expect(denied.status).toBe(401);
    expect(denied.headers.get('www-authenticate')).toContain('Bearer');
    expect((await fetch(`${base}/api/dashboard`, { headers: { authorization: 'Bearer tok-12' } })).status).toBe(401);
    expect((await fetch(`${base}/api/dashboard`, { headers: { authorization: 'Bearer tok-123' } })).status).toBe(200);
    expect((await fetch(`${base}/api/dashboard?access_token=tok-123`)).status).toBe(200);
    expect((await fetch(`${base}/api/analyze`, { method: 'POST', body: 'x' })).status).toBe(401);
    // Pages outside /api are the app's; it is told whether the caller is authenticated.
    expect(await (await fetch(`${base}/`)).json()).toEqual({ authorized: false });
    // /metrics stays open unless it has its own token.
    expect((await fetch(`${base}/metrics`)).status).toBe(200);
  });

  it('hides health details from unauthenticated callers when a token is set', async () => {
    const { hub, base } = await serve({ token: 'tok-123' });
    hub.health.registerCheck('db', () => ({ status: 'degraded', message: 'replica lag 12s on db-internal-7' }));
    await hub.health.runAllChecks();
    const anonymous = await (await fetch(`${base}/health`)).text();
    expect(anonymous).not.toContain('db-internal-7');
    const authed = await (await fetch(`${base}/health`, { headers: { authorization: 'Bearer tok-123' } })).text();
    expect(authed).toContain('db-internal-7');
  });

  it('protects /metrics with its own token (the main token works too)', async () => {
    const { base } = await serve({ token: 'main', metricsToken: 'scrape' });
    expect((await fetch(`${base}/metrics`)).status).toBe(401);
    expect((await fetch(`${base}/metrics`, { headers: { authorization: 'Bearer scrape' } })).status).toBe(200);
    expect((await fetch(`${base}/metrics`, { headers: { authorization: 'Bearer main' } })).status).toBe(200);
    expect((await fetch(`${base}/api/dashboard`, { headers: { authorization: 'Bearer scrape' } })).status).toBe(401);
  });

  it('serves /metrics from metricsExposition when given (behind the metrics token)', async () => {
    const accepts: (string | undefined)[] = [];
    const { hub, base } = await serve({
      metricsToken: 'scrape',
      metricsExposition: async (accept) => {
        accepts.push(accept);
        return { contentType: 'text/plain; version=0.0.4; charset=utf-8', body: 'merged_total 7\n' };
      },
    });
    hub.metrics.increment('local_only_total');
    expect((await fetch(`${base}/metrics`)).status).toBe(401);
    const res = await fetch(`${base}/metrics`, { headers: { authorization: 'Bearer scrape', accept: 'text/plain' } });
    expect(res.status).toBe(200);
    expect(await res.text()).toBe('merged_total 7\n');
    expect(accepts).toEqual(['text/plain']);
    expect(() => createHttpHandler(hub, { metricsExposition: 'no' as never })).toThrow(/metricsExposition/);
  });

  it('reads OBS_TOKEN from the environment by default', async () => {
    const previous = process.env.OBS_TOKEN;
    process.env.OBS_TOKEN = 'from-env';
    try {
      const hub = createObservabilityHub();
      const handler = createHttpHandler(hub);
      const server = createServer(handler);
      await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
      running.push({ hub, server, handler, base: '' });
      const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
      expect((await fetch(`${base}/api/dashboard`)).status).toBe(401);
      expect((await fetch(`${base}/api/dashboard`, { headers: { authorization: 'Bearer from-env' } })).status).toBe(
        200,
      );
    } finally {
      if (previous === undefined) delete process.env.OBS_TOKEN;
      else process.env.OBS_TOKEN = previous;
    }
  });
});

describe('/api/events (Server-Sent Events)', () => {
  function openStream(url: string): Promise<{ res: IncomingMessage; next: () => Promise<string>; close: () => void }> {
    return new Promise((resolve, reject) => {
      const req = get(url, (res) => {
        let buffer = '';
        const waiters: Array<(s: string) => void> = [];
        res.setEncoding('utf8');
        res.on('data', (chunk: string) => {
          buffer += chunk;
          let end: number;
          while ((end = buffer.indexOf('\n\n')) >= 0) {
            const message = buffer.slice(0, end);
            buffer = buffer.slice(end + 2);
            if (message.includes('data: ')) waiters.shift()?.(message);
          }
        });
        resolve({
          res,
          next: () => new Promise<string>((r) => waiters.push(r)),
          close: () => req.destroy(),
        });
      });
      req.on('error', reject);
    });
  }

  it('streams batched hub events as JSON arrays', async () => {
    const { hub, base } = await serve({ sse: { throttleMs: 20 } });
    const stream = await openStream(`${base}/api/events`);
    expect(stream.res.headers['content-type']).toContain('text/event-stream');
    const message = stream.next();
    hub.alerts.fireAlert({ name: 'DiskFull', severity: 'critical', message: '<b>96%</b>' });
    const text = await message;
    const data = JSON.parse(text.slice(text.indexOf('data: ') + 6)) as Array<{
      type: string;
      alert?: { name: string; message: string };
    }>;
    const fired = data.find((e) => e.type === 'alerts/fired');
    expect(fired?.alert).toMatchObject({ name: 'DiskFull', message: '<b>96%</b>' });
    stream.close();
  });

  it('streams chart samples but never per-value metric points', async () => {
    const { hub, base } = await serve({ sse: { throttleMs: 20 } }, { dashboard: { sampleIntervalSeconds: 0.05 } });
    await hub.start();
    const stream = await openStream(`${base}/api/events`);
    const types = new Set<string>();
    for (let i = 0; i < 5; i++) {
      hub.metrics.increment('vision_requests_total');
      const text = await stream.next();
      for (const e of JSON.parse(text.slice(text.indexOf('data: ') + 6)) as Array<{ type: string }>) types.add(e.type);
    }
    expect(types.has('hub/sample')).toBe(true);
    expect(types.has('metrics/point')).toBe(false);
    stream.close();
  });

  it('limits concurrent streams and frees a slot when a client goes away', async () => {
    const { base, handler } = await serve({ sse: { maxClients: 2 } });
    const a = await openStream(`${base}/api/events`);
    const b = await openStream(`${base}/api/events`);
    const third = await fetch(`${base}/api/events`);
    expect(third.status).toBe(503);
    expect(third.headers.get('retry-after')).toBe('10');
    a.close();
    for (let i = 0; i < 50 && handler.stats().sse.clients > 1; i++) await new Promise((r) => setTimeout(r, 10));
    expect(handler.stats().sse.clients).toBe(1);
    const c = await openStream(`${base}/api/events`);
    expect(c.res.statusCode).toBe(200);
    b.close();
    c.close();
    expect(handler.stats().sse.rejected).toBe(1);
  });

  it('needs the token (as access_token for EventSource) when one is set', async () => {
    const { base } = await serve({ token: 'tok' });
    expect((await fetch(`${base}/api/events`)).status).toBe(401);
    const stream = await openStream(`${base}/api/events?access_token=tok`);
    expect(stream.res.statusCode).toBe(200);
    stream.close();
  });
});

describe('readBody limit before reading', () => {
  let server: Server;
  let base: string;
  beforeAll(async () => {
    server = createServer((req, res) => {
      readBody(req, { limit: 4 }).then(
        () => res.end('ok'),
        (error: Error & { statusCode?: number }) => {
          res.statusCode = error.statusCode ?? 500;
          res.end(error.name);
        },
      );
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterAll(async () => {
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
  });
  it('answers 413 for a declared length over the limit', async () => {
    const res = await fetch(base, { method: 'POST', body: '12345' });
    expect(res.status).toBe(413);
    expect(await res.text()).toBe('BodyTooLargeError');
  });
});
