import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { TracingValidationError } from '../errors';
import type { TracingEvent } from '../events';
import { createTraceManager } from '../TraceManager';
import { createOtlpHttpExporter, parseRetryAfter, type OtlpHttpExporterConfig } from './OtlpHttpExporter';
import type { OtlpExportTraceServiceRequest } from './otlpJson';
import { validateOtlpTraceRequest } from './otlpValidator.test-helper';

/** A local OTLP/HTTP receiver: validates every body and answers from a script. */
interface Received {
  headers: IncomingHttpHeaders;
  body: OtlpExportTraceServiceRequest;
  problems: string[];
}
let server: Server;
let url: string;
const received: Received[] = [];
let script: Array<{ status: number; headers?: Record<string, string>; body?: string; hang?: boolean }> = [];

beforeAll(async () => {
  server = createServer((req, res) => {
    let text = '';
    req.setEncoding('utf8');
    req.on('data', (chunk: string) => (text += chunk));
    req.on('end', () => {
      let body: unknown;
      try {
        body = JSON.parse(text);
      } catch {
        body = undefined;
      }
      const problems =
        req.headers['content-type'] === 'application/json'
          ? validateOtlpTraceRequest(body)
          : ['content-type must be application/json'];
      if (req.url !== '/v1/traces' || req.method !== 'POST') problems.push(`unexpected ${req.method} ${req.url}`);
      received.push({ headers: req.headers, body: body as OtlpExportTraceServiceRequest, problems });
      const step = script.shift() ?? { status: 200, body: '{}' };
      if (step.hang) return; // never answer: the exporter must time out
      res.writeHead(step.status, { 'content-type': 'application/json', ...step.headers });
      res.end(step.body ?? '{}');
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/v1/traces`;
});

afterAll(async () => {
  server.closeAllConnections();
  await new Promise((resolve) => server.close(resolve));
});

beforeEach(() => {
  received.length = 0;
  script = [];
});

function setup(config: Partial<OtlpHttpExporterConfig> = {}) {
  const exporter = createOtlpHttpExporter({
    url,
    scheduledDelayMs: 10,
    initialBackoffMs: 5,
    maxBackoffMs: 20,
    random: () => 0.5,
    ...config,
  });
  const tm = createTraceManager({ traceSampleRate: 1, reaperIntervalMs: 0 });
  tm.addExporter(exporter);
  const events: TracingEvent[] = [];
  tm.events$.subscribe((e) => events.push(e));
  return { exporter, tm, events };
}

const spanCount = () =>
  received.reduce(
    (n, r) =>
      n +
      (r.body?.resourceSpans ?? []).reduce((m, rs) => m + rs.scopeSpans.reduce((k, ss) => k + ss.spans.length, 0), 0),
    0,
  );

describe('OtlpHttpExporter', () => {
  it('sends valid OTLP JSON in batches by size and by delay, with the configured headers', async () => {
    const { exporter, tm } = setup({ maxBatchSize: 3, headers: { authorization: 'Bearer t0k3n' } });
    const root = tm.startSpan('root', 'web', undefined, { 'span.kind': 'server' });
    for (let i = 0; i < 6; i++) tm.startSpan(`child${i}`, 'db', root, { i }).log('step', { n: i }).finish();
    root.finish();
    await tm.flush();
    expect(received.length).toBeGreaterThanOrEqual(3);
    for (const r of received) {
      expect(r.problems).toEqual([]);
      expect(r.headers.authorization).toBe('Bearer t0k3n');
      expect(r.body.resourceSpans.reduce((n, rs) => n + rs.scopeSpans[0]!.spans.length, 0)).toBeLessThanOrEqual(3);
    }
    expect(spanCount()).toBe(7);
    expect(exporter.stats()).toMatchObject({ exported: 7, dropped: 0, queued: 0 });
    await tm.shutdown();
  });

  it('sends a partial batch after scheduledDelayMs without a flush', async () => {
    const { exporter, tm } = setup({ maxBatchSize: 100, scheduledDelayMs: 20 });
    tm.startSpan('lonely', 'svc').finish();
    expect(received).toHaveLength(0);
    for (let i = 0; i < 100 && exporter.stats().exported === 0; i++) await new Promise((r) => setTimeout(r, 10));
    expect(spanCount()).toBe(1);
    await tm.shutdown();
  });

  it('retries 503 and 429 with backoff, honouring Retry-After, then succeeds', async () => {
    script = [
      { status: 503 },
      { status: 429, headers: { 'retry-after': '0' } },
      { status: 200, body: '{"partialSuccess":{"rejectedSpans":"1","errorMessage":"one bad"}}' },
    ];
    const { exporter, tm, events } = setup();
    tm.startSpan('op', 'svc').finish();
    await tm.flush();
    expect(received).toHaveLength(3);
    expect(received.every((r) => r.problems.length === 0)).toBe(true);
    expect(exporter.stats()).toMatchObject({ exported: 1, retries: 2, dropped: 0, rejected: 1 });
    const failures = events.filter((e) => e.type === 'traces/export-failed');
    expect(failures.map((e) => [e.statusCode, e.willRetry, e.attempt])).toEqual([
      [503, true, 1],
      [429, true, 2],
    ]);
    expect(events.find((e) => e.type === 'traces/export-succeeded')).toMatchObject({ spans: 1, attempt: 3 });
    await tm.shutdown();
  });

  it('drops a batch for good after maxRetries, and at once on a non-retryable status', async () => {
    script = [{ status: 503 }, { status: 503 }, { status: 400 }];
    const { exporter, tm, events } = setup({ maxRetries: 1 });
    tm.startSpan('a', 'svc').finish();
    await tm.flush();
    tm.startSpan('b', 'svc').finish();
    await tm.flush();
    expect(received).toHaveLength(3);
    expect(exporter.stats()).toMatchObject({ exported: 0, dropped: 2, failedBatches: 2, retries: 1 });
    expect(events.filter((e) => e.type === 'traces/spans-dropped')).toEqual([
      expect.objectContaining({ reason: 'export-failed', count: 1 }),
      expect.objectContaining({ reason: 'export-failed', count: 1 }),
    ]);
    await tm.shutdown();
  });

  it('drops and counts spans when the queue is full', async () => {
    const { exporter, tm, events } = setup({ maxQueueSize: 2, maxBatchSize: 100, scheduledDelayMs: 60_000 });
    for (let i = 0; i < 5; i++) tm.startSpan(`s${i}`, 'svc').finish();
    expect(exporter.stats()).toMatchObject({ queued: 2, dropped: 3 });
    expect(events.filter((e) => e.type === 'traces/spans-dropped' && e.reason === 'queue-full')).toHaveLength(3);
    await tm.flush();
    expect(spanCount()).toBe(2);
    await tm.shutdown();
  });

  it('retries network errors and timeouts', async () => {
    const closed = createOtlpHttpExporter({ url: 'http://127.0.0.1:1/v1/traces', maxRetries: 2, initialBackoffMs: 1 });
    const events: TracingEvent[] = [];
    closed.events$.subscribe((e) => events.push(e));
    const tm = createTraceManager({ traceSampleRate: 1, reaperIntervalMs: 0, exporters: [closed] });
    tm.startSpan('op', 'svc').finish();
    await tm.flush();
    expect(closed.stats()).toMatchObject({ retries: 2, dropped: 1, failedBatches: 1 });
    expect(events.filter((e) => e.type === 'traces/export-failed').map((e) => e.willRetry)).toEqual([
      true,
      true,
      false,
    ]);

    script = [{ status: 200, hang: true }];
    const { exporter, tm: tm2, events: events2 } = setup({ exportTimeoutMs: 50, maxRetries: 1 });
    tm2.startSpan('slow', 'svc').finish();
    await tm2.flush();
    expect(exporter.stats()).toMatchObject({ exported: 1, retries: 1 });
    expect(events2.find((e) => e.type === 'traces/export-failed')).toMatchObject({
      reason: expect.stringContaining('timed out'),
      willRetry: true,
    });
    await tm.shutdown();
    await tm2.shutdown();
  });

  it('flushes on shutdown and drops spans that arrive afterwards', async () => {
    const { exporter, tm } = setup({ scheduledDelayMs: 60_000 });
    const late = tm.startSpan('late', 'svc');
    tm.startSpan('early', 'svc').finish();
    await tm.shutdown();
    expect(spanCount()).toBe(1);
    late.finish();
    exporter.onEnd(late);
    expect(exporter.stats()).toMatchObject({ exported: 1, dropped: 1 });
    await exporter.shutdown();
  });

  it('rejects bad configuration with typed errors', () => {
    for (const bad of [
      { url: 'not a url' },
      { url: 'ftp://127.0.0.1/x' },
      { url: 42 },
      { url, headers: { 'x-evil': 'a\r\nb' } },
      { url, headers: { 'bad name': 'x' } },
      { url, maxQueueSize: 0 },
      { url, maxBatchSize: NaN },
      { url, exportTimeoutMs: -1 },
    ]) {
      expect(() => createOtlpHttpExporter(bad as OtlpHttpExporterConfig), JSON.stringify(bad)).toThrow(
        TracingValidationError,
      );
    }
    expect(() => createOtlpHttpExporter(null as unknown as OtlpHttpExporterConfig)).toThrow(TracingValidationError);
  });

  it('parses Retry-After as seconds or an HTTP date', () => {
    const now = Date.parse('2026-11-29T10:00:00Z');
    expect(parseRetryAfter('3', now)).toBe(3000);
    expect(parseRetryAfter('Sun, 29 Nov 2026 10:00:05 GMT', now)).toBe(5000);
    expect(parseRetryAfter('Sun, 29 Nov 2026 09:00:00 GMT', now)).toBe(0);
    for (const bad of [undefined, '', 'soon', '-1', 'x'.repeat(100), 5])
      expect(parseRetryAfter(bad, now)).toBeUndefined();
  });
});
