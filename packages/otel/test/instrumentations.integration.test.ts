import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

/**
 * The real OpenTelemetry instrumentations (instrumentation-http 0.301 and
 * instrumentation-undici 0.34) on a node:http server and a fetch client, in
 * a child process of their own (require-in-the-middle patches a real module
 * system, not vitest's), once as CommonJS and once as ESM. The fixtures use
 * the built packages (the test script builds first).
 */
const fixtures = fileURLToPath(new URL('./fixtures/', import.meta.url));
const built = existsSync(fileURLToPath(new URL('../dist/index.cjs', import.meta.url)));

interface FixtureSpan {
  name: string;
  traceId: string;
  spanId: string;
  parentSpanId: string | null;
  status: string;
  tags: Record<string, unknown>;
}

function runFixture(args: string[]): Promise<{ body: string; spans: FixtureSpan[]; scrape: string }> {
  return new Promise((resolve, reject) => {
    execFile(
      process.execPath,
      args,
      { cwd: fixtures, timeout: 50_000, env: { ...process.env, OTEL_SEMCONV_STABILITY_OPT_IN: '' } },
      (error, stdout, stderr) => {
        if (error) reject(new Error(`${error.message}\n${stderr}`));
        else resolve(JSON.parse(stdout) as { body: string; spans: FixtureSpan[]; scrape: string });
      },
    );
  });
}

function checkScenario({ body, spans, scrape }: { body: string; spans: FixtureSpan[]; scrape: string }): void {
  expect(body).toBe('outer(inner)');
  expect(spans).toHaveLength(5);
  const byId = new Map(spans.map((s) => [s.spanId, s]));
  const parentOf = (s: FixtureSpan) => (s.parentSpanId === null ? undefined : byId.get(s.parentSpanId));
  const client = spans.find((s) => s.parentSpanId === null)!;
  expect(client.tags).toMatchObject({
    'otel.scope.name': '@opentelemetry/instrumentation-undici',
    'span.kind': 'client',
    'http.request.method': 'GET',
    'url.path': '/outer',
    'url.scheme': 'http',
    'server.address': '127.0.0.1',
    'http.response.status_code': 200,
  });
  expect(String(client.tags['url.full'])).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/outer\?x=1$/);
  const server = spans.find((s) => s.tags['span.kind'] === 'server' && s.tags['url.path'] === '/outer')!;
  expect(parentOf(server)).toBe(client);
  expect(server.tags).toMatchObject({
    'otel.scope.name': '@opentelemetry/instrumentation-http',
    'http.request.method': 'GET',
    'url.scheme': 'http',
    'url.query': 'x=1',
    'network.protocol.version': '1.1',
    'http.response.status_code': 200,
  });
  const innerClient = spans.find((s) => s.tags['span.kind'] === 'client' && s.tags['url.path'] === '/inner')!;
  expect(parentOf(innerClient)).toBe(server);
  const innerServer = spans.find((s) => s.tags['span.kind'] === 'server' && s.tags['url.path'] === '/inner')!;
  expect(parentOf(innerServer)).toBe(innerClient);
  const work = spans.find((s) => s.name === 'handler.work')!;
  expect(parentOf(work)).toBe(server); // an @obs span in the handler is a child of the OTel server span
  expect(new Set(spans.map((s) => s.traceId)).size).toBe(1);
  expect(scrape).toMatch(/^# TYPE http_server_request_duration_seconds histogram$/m);
  expect(scrape).toMatch(
    /^http_server_request_duration_seconds_count\{http_request_method="GET",http_response_status_code="200",network_protocol_version="1\.1",url_scheme="http"\} 2$/m,
  );
  expect(scrape).toMatch(/^http_server_request_duration_seconds_bucket\{.*le="0\.005"\} \d+$/m);
  expect(scrape).toMatch(
    /^http_client_request_duration_seconds_count\{http_request_method="GET",http_response_status_code="200",.*server_address="127\.0\.0\.1".*\} [2-9]$/m,
  );
}

describe.skipIf(!built && process.env['CI'] !== 'true')('OpenTelemetry instrumentations through @obs/otel', () => {
  it('CommonJS: server and client spans with their parents, duration histograms on /metrics', async () => {
    checkScenario(await runFixture(['app.cjs']));
  });

  it('ESM with --import and no loader hook: the same', async () => {
    checkScenario(await runFixture(['--import', './otel-setup.mjs', 'app.mjs']));
  });
});
