import { readFileSync } from 'node:fs';
import { request } from 'node:http';
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

async function analyze(body: Uint8Array | string, query = ''): Promise<{ status: number; json: { error?: string; message?: string; summary?: string; confidence?: number } }> {
  const res = await fetch(`${base}/api/analyze${query}`, { method: 'POST', body: typeof body === 'string' ? body : Buffer.from(body), headers: { 'Content-Type': 'application/octet-stream' } });
  expect(res.headers.get('content-type')).toMatch(/^application\/json/);
  return { status: res.status, json: (await res.json()) as never };
}

/** A raw request that streams `size` bytes in chunks without a Content-Length. */
function chunkedUpload(size: number): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const req = request(`${base}/api/analyze`, { method: 'POST', headers: { 'Transfer-Encoding': 'chunked' } }, (res) => {
      let body = '';
      res.on('data', (d: Buffer) => (body += d.toString()));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
    });
    req.on('error', (error: NodeJS.ErrnoException) => (error.code === 'EPIPE' || error.code === 'ECONNRESET' ? undefined : reject(error)));
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
  ] as const)('answers %s with a JSON %i', async (_label, body, status, code) => {
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
