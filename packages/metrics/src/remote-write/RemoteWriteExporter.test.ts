import { afterEach, describe, expect, it } from 'vitest';
import { InvalidConfigError } from '../errors';
import { startCaptureServer, type CaptureServer } from '../testing/captureServer';
import { collected, counterFamily, producerOf } from '../testing/collectedFixtures';
import { decodeWriteRequest } from '../testing/remoteWriteProto';
import type { MetricsExportEvent } from '../export/events';
import { RemoteWriteExporter, createRemoteWriteExporter } from './RemoteWriteExporter';

let server: CaptureServer | undefined;
const exporters: RemoteWriteExporter[] = [];
afterEach(async () => {
  for (const e of exporters.splice(0)) await e.shutdown(100);
  await server?.close();
  server = undefined;
});

/** A producer whose counter `c` grows by one per collection, at timestamp 1000 × n. */
function countingProducer(series = 1) {
  let n = 0;
  return producerOf(() => {
    n++;
    return collected(
      [
        counterFamily(
          'c',
          Array.from({ length: series }, (_, i) => [{ s: String(i) }, n] as [Record<string, string>, number]),
        ),
      ],
      1_700_000_000_000 + 1000 * n,
    );
  });
}

function make(config: Partial<ConstructorParameters<typeof RemoteWriteExporter>[0]>): RemoteWriteExporter {
  const e = createRemoteWriteExporter({
    url: server!.url,
    intervalMs: 3_600_000,
    initialBackoffMs: 1,
    maxBackoffMs: 5,
    sendMetadata: false,
    random: () => 0.5,
    ...config,
  });
  exporters.push(e);
  return e;
}

describe('RemoteWriteExporter', () => {
  it('POSTs a snappy-compressed WriteRequest with the remote-write 1.0 headers', async () => {
    server = await startCaptureServer('/api/v1/write');
    const e = make({ producer: countingProducer(3), headers: { authorization: 'Bearer x' } });
    expect(await e.forceFlush()).toBe(true);
    const [req] = server.requests;
    expect(req!.url).toBe('/api/v1/write');
    expect(req!.headers['content-type']).toBe('application/x-protobuf');
    expect(req!.headers['content-encoding']).toBe('snappy');
    expect(req!.headers['x-prometheus-remote-write-version']).toBe('0.1.0');
    expect(req!.headers['user-agent']).toMatch(/^obs-metrics/);
    expect(req!.headers.authorization).toBe('Bearer x');
    const d = decodeWriteRequest(req!.body);
    expect(d.timeseries.map((t) => [t.labels.s, t.samples])).toEqual(
      [0, 1, 2].map((i) => [String(i), [{ value: 1, timestamp: 1_700_000_001_000 }]]),
    );
    expect(e.stats()).toMatchObject({ exported: 3, dropped: 0, queued: 0 });
  });

  it('retries 5xx and 429 (honouring Retry-After) and sends the same bytes again', async () => {
    server = await startCaptureServer();
    server.respond(503, { status: 429, headers: { 'retry-after': '0' } }, 500);
    const events: MetricsExportEvent[] = [];
    const e = make({ producer: countingProducer() });
    e.events$.subscribe((ev) => events.push(ev));
    expect(await e.forceFlush()).toBe(true);
    expect(server.requests).toHaveLength(4);
    expect(new Set(server.requests.map((r) => r.body.toString('hex'))).size).toBe(1);
    expect(
      events.map((ev) => (ev.type === 'metrics/export-failed' ? `${ev.statusCode}:${ev.willRetry}` : ev.type)),
    ).toEqual(['503:true', '429:true', '500:true', 'metrics/export-succeeded']);
    expect(e.stats()).toMatchObject({ exported: 1, retries: 3, dropped: 0 });
  });

  it('does not retry other 4xx: the request is dropped and counted', async () => {
    server = await startCaptureServer();
    server.respond({ status: 400, body: 'out of bounds' });
    const events: MetricsExportEvent[] = [];
    const e = make({ producer: countingProducer(2) });
    e.events$.subscribe((ev) => events.push(ev));
    await e.forceFlush();
    expect(server.requests).toHaveLength(1);
    expect(e.stats()).toMatchObject({ exported: 0, dropped: 2, failedRequests: 1, retries: 0 });
    expect(events.find((ev) => ev.type === 'metrics/export-failed')).toMatchObject({
      statusCode: 400,
      willRetry: false,
    });
    expect(events.find((ev) => ev.type === 'metrics/export-dropped')).toMatchObject({
      reason: 'export-failed',
      points: 2,
    });
  });

  it('keeps a bounded queue while the receiver is down, dropping the oldest and counting them', async () => {
    server = await startCaptureServer();
    const url = server.url;
    await server.close();
    server = undefined;
    // Nothing listens: every attempt fails. Each collection is one request of 2 samples; the bound holds 3 of them.
    const e = createRemoteWriteExporter({
      url,
      producer: countingProducer(2),
      intervalMs: 3_600_000,
      initialBackoffMs: 1,
      maxBackoffMs: 2,
      maxQueueSize: 6,
      sendMetadata: false,
    });
    exporters.push(e);
    for (let i = 0; i < 5; i++) expect(await e.forceFlush(30)).toBe(false);
    // Three requests held, the rest dropped and counted (a request on the wire is never dropped,
    // so which ones survive depends on where the retry loop was; the newest always do).
    expect(e.stats()).toMatchObject({ queued: 6, queuedRequests: 3, dropped: 4, exported: 0 });
    // The receiver comes back on the same port: the three newest collections arrive, in order.
    const port = Number(new URL(url).port);
    const { createServer } = await import('node:http');
    const bodies: Buffer[] = [];
    const back = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        bodies.push(Buffer.concat(chunks));
        res.end();
      });
    });
    await new Promise<void>((resolve) => back.listen(port, '127.0.0.1', resolve));
    try {
      expect(await e.forceFlush(10_000)).toBe(true);
      const values = bodies.map((b) => decodeWriteRequest(b).timeseries[0]!.samples[0]!.value);
      // The last flush's collection 6 pushed one more out: three requests arrive, in time order,
      // ending with the two newest; every collection is either delivered or counted as dropped.
      expect(values).toHaveLength(3);
      expect(values.slice(1)).toEqual([5, 6]);
      expect(values[0]).toBeLessThan(5);
      expect(e.stats()).toMatchObject({ dropped: 6, exported: 6, queued: 0 });
    } finally {
      await e.shutdown(100);
      await new Promise<void>((resolve) => back.close(() => resolve()));
    }
  });

  it('rejects bad configuration with typed errors', () => {
    expect(() => createRemoteWriteExporter({ url: 'ftp://x' })).toThrow(InvalidConfigError);
    expect(() => createRemoteWriteExporter({ url: 'http://127.0.0.1:1', externalLabels: { 'bad-name': 'x' } })).toThrow(
      InvalidConfigError,
    );
    expect(() => createRemoteWriteExporter({ url: 'http://127.0.0.1:1', maxQueueSize: 0 })).toThrow(InvalidConfigError);
    expect(() => createRemoteWriteExporter({ url: 'http://127.0.0.1:1', headers: { a: 'x\ny' } })).toThrow(
      InvalidConfigError,
    );
    expect(() => createRemoteWriteExporter({ url: 'http://127.0.0.1:1', producer: {} as never })).toThrow(
      InvalidConfigError,
    );
  });

  it('a producer that throws is reported, and the exporter keeps working', async () => {
    server = await startCaptureServer();
    let fail = true;
    const inner = countingProducer();
    const events: MetricsExportEvent[] = [];
    const e = make({
      producer: {
        collect: () =>
          fail
            ? (() => {
                throw new Error('boom');
              })()
            : inner.collect(),
      },
    });
    e.events$.subscribe((ev) => events.push(ev));
    expect(await e.forceFlush()).toBe(true);
    expect(events[0]).toMatchObject({ type: 'metrics/export-failed', reason: expect.stringContaining('boom') });
    fail = false;
    expect(await e.forceFlush()).toBe(true);
    expect(server.requests).toHaveLength(1);
  });
});
