import { readFileSync } from 'node:fs';
import { afterAll, describe, expect, it } from 'vitest';
import { freePort } from '@obs/testing';
import { startAppProcess, type AppProcess } from './testing/appProcess';

const started: AppProcess[] = [];
afterAll(async () => {
  await Promise.all(started.map((app) => app.kill('SIGKILL')));
});

interface SpanView {
  spanId: string;
  parentSpanId: string | null;
  operationName: string;
  serviceName: string;
  tags: Record<string, unknown>;
}

describe('the app with OBS_OTEL=1', () => {
  it("OpenTelemetry's http and undici instrumentations trace its traffic into the dashboard's recent traces", async () => {
    const app = await startAppProcess(await freePort(), { OBS_OTEL: '1', OBS_TRACE_SAMPLE_RATE: '1' });
    started.push(app);
    const png = readFileSync(new URL('../samples/logo.png', import.meta.url));
    // fetch in this test process is not instrumented: the app's server span is a root.
    const status = (await fetch(`${app.url}/api/analyze`, { method: 'POST', body: png })).status;
    expect(status).toBe(200);
    let spans: SpanView[] = [];
    const deadline = Date.now() + 30_000;
    while (Date.now() < deadline) {
      const dashboard = (await (await fetch(`${app.url}/api/dashboard`)).json()) as {
        traces: { recent: Array<{ traceId: string; rootOperation: string }> };
      };
      for (const recent of dashboard.traces.recent) {
        const trace = (await (await fetch(`${app.url}/api/traces/${recent.traceId}`)).json()) as { spans: SpanView[] };
        if (
          trace.spans.some(
            (s) =>
              s.tags['otel.scope.name'] === '@opentelemetry/instrumentation-http' &&
              s.tags['url.path'] === '/api/analyze',
          )
        )
          spans = trace.spans;
      }
      if (spans.length > 0) break;
      await new Promise((r) => setTimeout(r, 250));
    }
    const server = spans.find(
      (s) =>
        s.tags['otel.scope.name'] === '@opentelemetry/instrumentation-http' && s.tags['url.path'] === '/api/analyze',
    );
    expect(server).toMatchObject({
      operationName: 'POST',
      serviceName: 'example-http',
      parentSpanId: null,
      tags: {
        'span.kind': 'server',
        'http.request.method': 'POST',
        'url.path': '/api/analyze',
        'http.response.status_code': 200,
      },
    });
    // The dashboard's own polling is not traced.
    const dashboard = (await (await fetch(`${app.url}/api/dashboard`)).json()) as {
      traces: { recent: Array<{ traceId: string }> };
    };
    for (const recent of dashboard.traces.recent) {
      const trace = (await (await fetch(`${app.url}/api/traces/${recent.traceId}`)).json()) as { spans: SpanView[] };
      expect(trace.spans.filter((s) => s.tags['url.path'] === '/api/dashboard')).toEqual([]);
    }
    const metrics = await (await fetch(`${app.url}/metrics`)).text();
    expect(metrics).toMatch(
      /^http_server_request_duration_seconds_count\{http_request_method="POST",http_response_status_code="200".*\} 1$/m,
    );
  });
});
