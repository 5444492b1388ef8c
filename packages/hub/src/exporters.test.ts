import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createOtlpMetricExporter } from '@obs/metrics/otlp';
import { createRemoteWriteExporter } from '@obs/metrics/remote-write';
import { createOtlpHttpExporter } from '@obs/tracing/otlp';
import { afterEach, describe, expect, it } from 'vitest';
import { HubValidationError } from './errors';
import { createObservabilityHub } from './index';

const closers: Array<() => Promise<void>> = [];
afterEach(async () => {
  for (const close of closers.splice(0)) await close();
});

async function receiver(): Promise<{
  url: string;
  paths: Array<{ path: string; type: string | undefined; bytes: number }>;
}> {
  const paths: Array<{ path: string; type: string | undefined; bytes: number }> = [];
  const server = createServer((req, res) => {
    let bytes = 0;
    req.on('data', (c: Buffer) => (bytes += c.length));
    req.on('end', () => {
      paths.push({ path: req.url ?? '', type: req.headers['content-type'], bytes });
      res.end();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  closers.push(() => new Promise<void>((resolve) => server.close(() => resolve())));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, paths };
}

describe('hub exporters option', () => {
  it('runs span and metric exporters: attaches the collector on start, pushes and shuts down on stop', async () => {
    const r = await receiver();
    const hub = createObservabilityHub({
      traceSampleRate: 1,
      exporters: [
        createOtlpHttpExporter({ url: `${r.url}/v1/traces`, protocol: 'http/protobuf', scheduledDelayMs: 3_600_000 }),
        createOtlpMetricExporter({ url: `${r.url}/v1/metrics`, intervalMs: 3_600_000 }),
        createRemoteWriteExporter({ url: `${r.url}/api/v1/write`, intervalMs: 3_600_000 }),
      ],
    });
    await hub.start();
    hub.metrics.increment('jobs_total');
    hub.traces.startSpan('work', 'svc').finish();
    await hub.stop();
    expect(r.paths.map((p) => [p.path, p.type]).sort()).toEqual([
      ['/api/v1/write', 'application/x-protobuf'],
      ['/v1/metrics', 'application/x-protobuf'],
      ['/v1/traces', 'application/x-protobuf'],
    ]);
  });

  it('rejects something that is not an exporter', () => {
    expect(() => createObservabilityHub({ exporters: [{} as never] })).toThrow(HubValidationError);
    expect(() => createObservabilityHub({ exporters: 'x' as never })).toThrow(HubValidationError);
  });
});
