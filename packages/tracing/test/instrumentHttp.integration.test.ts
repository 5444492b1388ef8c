import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { createServer } from 'node:http';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { createTraceManager } from '../src';
import { instrumentHttp } from '../src/http';

/**
 * instrumentHttp on a real node:http server with fetch and http.get
 * clients, as CommonJS and as ESM (each in a child process on the built
 * package, with no loader hook), plus in-process checks of the details.
 */
const fixtures = fileURLToPath(new URL('./fixtures/', import.meta.url));
const built = existsSync(fileURLToPath(new URL('../dist/http.cjs', import.meta.url)));

interface Result {
  body: string;
  after: string;
  failStatus: number;
  activeInHandler: string | undefined;
  spans: Array<{
    name: string;
    spanId: string;
    parentSpanId: string | null;
    traceState: string | null;
    status: string;
    tags: Record<string, unknown>;
  }>;
  recorded: Array<{ name: string; value: number; labels: Record<string, string> }>;
  failSpans: Array<{ kind: string; status: string; code: number }>;
}

function runFixture(file: string): Promise<Result> {
  return new Promise((resolve, reject) => {
    execFile(process.execPath, [file], { cwd: fixtures, timeout: 50_000 }, (error, stdout, stderr) => {
      if (error) reject(new Error(`${error.message}\n${stderr}`));
      else resolve(JSON.parse(stdout) as Result);
    });
  });
}

function check(result: Result): void {
  // fetch from the handler carried the server span's context; node:http's client on Node 20 cannot (see README).
  expect(result.body).toMatch(/^outer\(inner:traced,legacy:(plain|traced)\)$/);
  expect(result.after).toBe('inner:plain'); // uninstalled: nothing injected any more
  const server = result.spans.find((s) => s.tags['span.kind'] === 'server' && s.tags['url.path'] === '/outer')!;
  expect(server).toMatchObject({ name: 'GET', parentSpanId: 'b7ad6b7169203331', traceState: 'foo=1', status: 'unset' });
  expect(server.tags).toMatchObject({
    'http.request.method': 'GET',
    'url.scheme': 'http',
    'url.query': 'x=1',
    'server.address': '127.0.0.1',
    'network.protocol.version': '1.1',
    'network.peer.address': '127.0.0.1',
    'http.response.status_code': 200,
  });
  expect(result.activeInHandler).toBe(server.spanId); // the server span is active in the handler
  const fetchClient = result.spans.find((s) => s.tags['span.kind'] === 'client' && s.tags['url.path'] === '/inner')!;
  expect(fetchClient.parentSpanId).toBe(server.spanId);
  expect(String(fetchClient.tags['url.full'])).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/inner$/);
  const innerServer = result.spans.find((s) => s.tags['span.kind'] === 'server' && s.tags['url.path'] === '/inner')!;
  expect(innerServer.parentSpanId).toBe(fetchClient.spanId);
  const httpClient = result.spans.find((s) => s.tags['span.kind'] === 'client' && s.tags['url.path'] === '/legacy')!;
  expect(httpClient).toMatchObject({
    parentSpanId: server.spanId,
    tags: { 'http.response.status_code': 200, 'server.address': '127.0.0.1' },
  });
  expect(result.failSpans).toEqual(
    expect.arrayContaining([
      { kind: 'server', status: 'error', code: 503 },
      { kind: 'client', status: 'error', code: 503 },
    ]),
  );
  const serverDurations = result.recorded.filter((r) => r.name === 'http_server_request_duration_seconds');
  const clientDurations = result.recorded.filter((r) => r.name === 'http_client_request_duration_seconds');
  expect(serverDurations.length).toBeGreaterThanOrEqual(4);
  expect(clientDurations.length).toBeGreaterThanOrEqual(4);
  for (const r of [...serverDurations, ...clientDurations]) expect(r.value).toBeGreaterThan(0);
  expect(serverDurations).toContainEqual(
    expect.objectContaining({
      labels: {
        http_request_method: 'GET',
        url_scheme: 'http',
        network_protocol_version: '1.1',
        http_response_status_code: '503',
        error_type: '503',
      },
    }),
  );
  expect(clientDurations[0]!.labels).toMatchObject({
    http_request_method: 'GET',
    url_scheme: 'http',
    server_address: '127.0.0.1',
    http_response_status_code: '200',
  });
}

describe.skipIf(!built && process.env['CI'] !== 'true')('instrumentHttp in both module systems', () => {
  it('CommonJS', async () => check(await runFixture('app.cjs')));
  it('ESM (no --import, no loader hook)', async () => check(await runFixture('app.mjs')));
});

describe('instrumentHttp details', () => {
  it('ignored requests get no span, a failed fetch ends its span as an error, uninstall stops everything', async () => {
    const traces = createTraceManager({ traceSampleRate: 1, reaperIntervalMs: 0 });
    const recorded: string[] = [];
    const uninstall = instrumentHttp({
      traces,
      metrics: { histogram: (name) => recorded.push(name) },
      ignoreIncomingRequest: (req) => req.url === '/health',
    });
    const server = createServer((req, res) => res.end(traces.getActiveSpan() ? 'span' : 'none'));
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const { port } = server.address() as { port: number };
    try {
      expect(await (await fetch(`http://127.0.0.1:${port}/health`)).text()).toBe('none');
      const closed = createServer();
      await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', resolve));
      const closedPort = (closed.address() as { port: number }).port;
      await new Promise((resolve) => closed.close(resolve));
      await expect(fetch(`http://127.0.0.1:${closedPort}/refused`)).rejects.toThrow();
      await new Promise((r) => setTimeout(r, 50));
      const spans = traces.getRecentTraces(10).flatMap((t) => traces.getTrace(t.traceId));
      expect(spans.filter((s) => s.tags['span.kind'] === 'server')).toEqual([]);
      const failed = spans.find((s) => s.tags['url.path'] === '/refused')!;
      expect(failed.status).toBe('error');
      expect(failed.tags['error.type']).toBeTypeOf('string');
      expect(failed.logs[0]?.message).toBe('exception');
      expect(recorded).not.toContain('http_server_request_duration_seconds');
    } finally {
      uninstall();
    }
    const before = traces.stats().storedSpans;
    await (await fetch(`http://127.0.0.1:${port}/x`)).text();
    expect(traces.stats().storedSpans).toBe(before);
    server.close();
    expect(() => instrumentHttp({} as never)).toThrow(TypeError);
  });
});
