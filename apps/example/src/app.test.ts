import { readFileSync } from 'node:fs';
import { request } from 'node:http';
import { connect } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startExampleApp, type ExampleApp } from './createExampleApp';
import { loadSampleImages } from './demo/samples';
import { locatePublicFiles } from './http/staticAssets';

const LIMIT = 64 * 1024;
let app: ExampleApp;
let base: string;
const samples = loadSampleImages();
const png = samples.find((s) => s.name === 'logo.png')!.bytes;
const jpg = samples.find((s) => s.name === 'sunset.jpg')!.bytes;

beforeAll(async () => {
  app = await startExampleApp({ port: 0, maxUploadBytes: LIMIT, log: () => undefined });
  base = app.url;
});

afterAll(async () => {
  await app?.close();
});

async function analyze(
  body: Uint8Array | string,
  query = '',
): Promise<{ status: number; json: { error?: string; message?: string; summary?: string; confidence?: number } }> {
  const res = await fetch(`${base}/api/analyze${query}`, {
    method: 'POST',
    body: typeof body === 'string' ? body : Buffer.from(body),
    headers: { 'Content-Type': 'application/octet-stream' },
  });
  expect(res.headers.get('content-type')).toMatch(/^application\/json/);
  return { status: res.status, json: (await res.json()) as never };
}

/** A raw request that streams `size` bytes in chunks without a Content-Length. */
function chunkedUpload(size: number): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const req = request(
      `${base}/api/analyze`,
      { method: 'POST', headers: { 'Transfer-Encoding': 'chunked' } },
      (res) => {
        let body = '';
        res.on('data', (d: Buffer) => (body += d.toString()));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
      },
    );
    req.on('error', (error: NodeJS.ErrnoException) =>
      error.code === 'EPIPE' || error.code === 'ECONNRESET' ? undefined : reject(error),
    );
    const chunk = Buffer.alloc(8192, 1);
    let sent = 0;
    const pump = () => {
      while (sent < size) {
        sent += chunk.length;
        if (!req.write(chunk)) return void req.once('drain', pump);
      }
      req.end();
    };
    pump();
  });
}

describe('POST /api/analyze', () => {
  it('describes a PNG and a JPEG', async () => {
    const a = await analyze(png);
    expect(a.status).toBe(200);
    expect(a.json.summary).toMatch(/^A 256×256 square PNG image/);
    const b = await analyze(jpg, '?description=false');
    expect(b.status).toBe(200);
    expect(b.json.summary).toBe('A 480×320 landscape JPEG image.');
  });

  it.each([
    ['an empty body', new Uint8Array(), 400, 'EMPTY_IMAGE'],
    ['text', 'hello, this is not an image', 415, 'UNSUPPORTED_FORMAT'],
    ['a truncated PNG', png.subarray(0, 100), 400, 'TRUNCATED_IMAGE'],
  ] as const)('answers %s with a JSON 4xx error', async (_label, body, status, code) => {
    const r = await analyze(body);
    expect(r.status).toBe(status);
    expect(r.json.error).toBe(code.toLowerCase());
  });

  it('refuses a bad description parameter', async () => {
    expect((await analyze(png, '?description=maybe')).status).toBe(400);
  });

  it('refuses a declared body over the limit before reading it', async () => {
    const r = await analyze(new Uint8Array(LIMIT + 1));
    expect(r.status).toBe(413);
    expect(r.json.error).toBe('body_too_large');
  });

  it('cuts off a chunked body as soon as it passes the limit', async () => {
    const r = await chunkedUpload(LIMIT * 8);
    expect(r.status).toBe(413);
    expect(JSON.parse(r.body)).toMatchObject({ error: 'body_too_large' });
  });

  it('keeps serving after bad requests', async () => {
    await analyze('junk');
    await chunkedUpload(LIMIT * 2);
    expect((await analyze(png)).status).toBe(200);
  });
});

describe('static dashboard files', () => {
  it('serves the page with a strict CSP and no inline script or style', async () => {
    const res = await fetch(`${base}/`);
    expect(res.status).toBe(200);
    const csp = res.headers.get('content-security-policy') ?? '';
    expect(csp).toContain("script-src 'self'");
    expect(csp).not.toMatch(/unsafe-inline|unsafe-eval/);
    expect(csp).toContain("frame-ancestors 'none'");
    expect(res.headers.get('x-content-type-options')).toBe('nosniff');
    const html = await res.text();
    expect(html).not.toMatch(/<script(?![^>]*\bsrc=)[^>]*>/i);
    expect(html).not.toMatch(/\son[a-z]+\s*=/i);
    expect(html).not.toMatch(/\sstyle\s*=/i);
    expect(html).not.toMatch(/<style/i);
    expect(html).not.toMatch(/https?:\/\/(?!127\.0\.0\.1)/);
  });

  it('serves uPlot from this origin and the dashboard script renders data as text only', async () => {
    const lib = await fetch(`${base}/vendor/uPlot.esm.js`);
    expect(lib.status).toBe(200);
    expect(lib.headers.get('content-type')).toMatch(/javascript/);
    const script = readFileSync(locatePublicFiles()('dashboard.js'), 'utf8');
    expect(script).not.toMatch(/innerHTML|outerHTML|insertAdjacentHTML|document\.write|eval\(|new Function/);
  });

  it('answers conditional requests with 304 and unknown paths are not served', async () => {
    const first = await fetch(`${base}/dashboard.css`);
    const etag = first.headers.get('etag')!;
    const second = await fetch(`${base}/dashboard.css`, { headers: { 'If-None-Match': etag } });
    expect(second.status).toBe(304);
    expect((await fetch(`${base}/../package.json`)).status).toBe(404);
    expect((await fetch(`${base}/vendor/../../package.json`)).status).toBe(404);
  });
});

/** Sends raw bytes on a fresh socket and returns what came back. */
function raw(text: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const { hostname, port } = new URL(base);
    const socket = connect(Number(port), hostname, () => socket.end(text));
    let out = '';
    socket.on('data', (d: Buffer) => (out += d.toString('latin1')));
    socket.on('close', () => resolve(out));
    socket.on('error', reject);
    socket.setTimeout(10_000, () => socket.destroy());
  });
}

describe('HTTP robustness of the app routes', () => {
  it('answers wrong methods and unknown paths with JSON 405/404', async () => {
    const get = await fetch(`${base}/api/analyze`);
    expect(get.status).toBe(405);
    expect(get.headers.get('allow')).toBe('POST');
    expect(await get.json()).toMatchObject({ error: 'method_not_allowed' });
    const unknown = await fetch(`${base}/api/nothing-here`);
    expect(unknown.status).toBe(404);
    expect(unknown.headers.get('content-type')).toMatch(/json/);
    expect((await fetch(`${base}/no/such/page`)).status).toBe(404);
    expect((await fetch(`${base}/dashboard.js`, { method: 'POST', body: 'x' })).status).toBe(404);
  });

  it('answers a malformed request line and oversized headers with 400/431, then keeps serving', async () => {
    expect(await raw('GARBAGE\r\n\r\n')).toMatch(/^HTTP\/1\.1 400/);
    expect(await raw(`GET / HTTP/1.1\r\nHost: x\r\nX-Big: ${'a'.repeat(64 * 1024)}\r\n\r\n`)).toMatch(
      /^HTTP\/1\.1 431/,
    );
    expect(await raw('POST /api/analyze HTTP/1.1\r\nHost: x\r\nContent-Length: abc\r\n\r\n')).toMatch(
      /^HTTP\/1\.1 400/,
    );
    expect((await fetch(`${base}/health/live`)).status).toBe(200);
    expect((await analyze(png)).status).toBe(200);
  });

  it('serves the hub routes next to its own: metrics, health, dashboard, a trace by traceparent', async () => {
    const res = await fetch(`${base}/api/analyze`, { method: 'POST', body: Buffer.from(png) });
    const traceparent = res.headers.get('traceparent');
    expect(traceparent).toMatch(/^00-[0-9a-f]{32}-[0-9a-f]{16}-0[0-3]$/);
    const metrics = await (await fetch(`${base}/metrics`)).text();
    expect(metrics).toMatch(/vision_requests_total\{provider="local"\} \d+/);
    const health = await fetch(`${base}/health`);
    expect(health.headers.get('content-type')).toMatch(/application\/health\+json/);
    const dashboard = (await (await fetch(`${base}/api/dashboard`)).json()) as { metrics: { requestsTotal: number } };
    expect(dashboard.metrics.requestsTotal).toBeGreaterThan(0);
    expect((await fetch(`${base}/api/traces/not-a-trace`)).status).toBe(400);
  });
});

describe('the app with OBS_TOKEN set', () => {
  const token = 'test-token-0123456789abcdef';
  const metricsToken = 'metrics-token-0123456789';
  let secured: ExampleApp;
  beforeAll(async () => {
    secured = await startExampleApp({ port: 0, token, metricsToken, log: () => undefined });
  });
  afterAll(async () => {
    await secured?.close();
  });

  it('refuses the page, the API and uploads without the token', async () => {
    for (const [path, init] of [
      ['/', {}],
      ['/api/dashboard', {}],
      ['/api/demo', {}],
      ['/api/analyze', { method: 'POST', body: Buffer.from(png) }],
      ['/metrics', {}],
    ] as const) {
      const res = await fetch(`${secured.url}${path}`, init);
      expect(res.status, path).toBe(401);
      expect(res.headers.get('www-authenticate')).toMatch(/^Bearer/);
    }
    const wrong = await fetch(`${secured.url}/api/analyze`, {
      method: 'POST',
      body: Buffer.from(png),
      headers: { Authorization: `Bearer ${token}x` },
    });
    expect(wrong.status).toBe(401);
    // Uploads must use the header: a token in the URL is accepted for GET only.
    expect(
      (await fetch(`${secured.url}/api/analyze?access_token=${token}`, { method: 'POST', body: Buffer.from(png) }))
        .status,
    ).toBe(401);
  });

  it('accepts the token as a header, or as ?access_token= for the page and its event stream', async () => {
    const auth = { Authorization: `Bearer ${token}` };
    expect(
      (await fetch(`${secured.url}/api/analyze`, { method: 'POST', body: Buffer.from(png), headers: auth })).status,
    ).toBe(200);
    expect((await fetch(`${secured.url}/?access_token=${token}`)).status).toBe(200);
    expect((await fetch(`${secured.url}/api/dashboard`, { headers: auth })).status).toBe(200);
    expect(
      (await fetch(`${secured.url}/metrics`, { headers: { Authorization: `Bearer ${metricsToken}` } })).status,
    ).toBe(200);
    // Static scripts and styles are public code, served without a token.
    expect((await fetch(`${secured.url}/dashboard.js`)).status).toBe(200);
  });

  it('hides health details from callers without the token', async () => {
    const anonymous = JSON.stringify(await (await fetch(`${secured.url}/health`)).json());
    const authorized = JSON.stringify(
      await (await fetch(`${secured.url}/health`, { headers: { Authorization: `Bearer ${token}` } })).json(),
    );
    expect(authorized).toContain('observedValue');
    expect(anonymous).toContain('vision-provider');
    expect(anonymous).not.toContain('observedValue');
  });
});

describe('image size limits of the app', () => {
  it('refuses an image over 4 megapixels from its header with a JSON 413', async () => {
    const { deflateSync } = await import('node:zlib');
    const { ihdr, rawPng } = await import('../../../packages/vision/src/testing/images');
    const liar = rawPng(ihdr(4000, 4000, 8, 6), deflateSync(Buffer.alloc(10)));
    const r = await analyze(liar);
    expect(r.status).toBe(413);
    expect(r.json.error).toBe('image_too_many_pixels');
  });
});

describe('runtime metrics', () => {
  it("are on: /metrics has prom-client's default metric names and /api/runtime serves the dashboard panel", async () => {
    const text = await (await fetch(`${base}/metrics`)).text();
    for (const name of [
      'process_cpu_seconds_total',
      'process_resident_memory_bytes',
      'nodejs_eventloop_lag_p99_seconds',
      'nodejs_heap_size_used_bytes',
      'nodejs_heap_space_size_used_bytes',
      'nodejs_version_info',
    ]) {
      expect(text, name).toContain(`# TYPE ${name} `);
    }
    const res = await fetch(`${base}/api/runtime`);
    expect(res.status).toBe(200);
    const snap = (await res.json()) as Record<string, number | boolean>;
    expect(snap.enabled).toBe(true);
    expect(snap.heapUsedBytes).toBeGreaterThan(0);
    expect(snap.heapTotalBytes).toBeGreaterThanOrEqual(snap.heapUsedBytes as number);
    expect(snap.eventLoopDelayP99Seconds).toBeGreaterThanOrEqual(snap.eventLoopDelayP50Seconds as number);
    expect((await fetch(`${base}/api/runtime`, { method: 'POST' })).status).toBe(405);
  });
});
