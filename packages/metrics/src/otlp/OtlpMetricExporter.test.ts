import { afterEach, describe, expect, it } from 'vitest';
import { InvalidConfigError } from '../errors';
import { createMetricsCollector } from '../MetricsCollector';
import { LogHistogram } from '../sketch/LogHistogram';
import { startCaptureServer, type CaptureServer } from '../testing/captureServer';
import { ExportMetricsServiceResponse, decodeOtlpMetrics } from '../testing/otlpProto';
import {
  createOtlpMetricExporter,
  readPartialSuccessRejected,
  type OtlpMetricExporter,
  type OtlpMetricExporterConfig,
} from './OtlpMetricExporter';

let server: CaptureServer | undefined;
const exporters: OtlpMetricExporter[] = [];
afterEach(async () => {
  for (const e of exporters.splice(0)) await e.shutdown(100);
  await server?.close();
  server = undefined;
});

function make(config: Partial<OtlpMetricExporterConfig>): OtlpMetricExporter {
  const e = createOtlpMetricExporter({
    url: server!.url,
    intervalMs: 3_600_000,
    initialBackoffMs: 1,
    maxBackoffMs: 5,
    random: () => 0.5,
    ...config,
  });
  exporters.push(e);
  return e;
}

type Metric = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any
const metricsIn = (body: Buffer): Metric[] => decodeOtlpMetrics(body).resourceMetrics[0].scopeMetrics[0].metrics;
const byName = (metrics: Metric[], name: string) => metrics.find((m) => m.name === name)!;

describe('OtlpMetricExporter with a real collector', () => {
  it('exports counters, gauges, histograms and timers read through collect(), as protobuf', async () => {
    server = await startCaptureServer('/v1/metrics');
    const metrics = createMetricsCollector();
    metrics.increment('jobs_total', 3, { queue: 'a' });
    metrics.gauge('queue_depth', 17);
    const values = Array.from({ length: 1000 }, (_, i) => 0.5 + ((i * 7919) % 1000) / 10);
    for (const v of values) metrics.histogram('payload_kb', v, { kind: 'img' });
    metrics.timer('db_query', 12.5);
    const e = make({
      producer: metrics,
      serviceName: 'checkout',
      resourceAttributes: { 'deployment.environment': 'test' },
    });
    expect(await e.forceFlush()).toBe(true);
    const [req] = server.requests;
    expect(req!.headers['content-type']).toBe('application/x-protobuf');
    const decoded = decodeOtlpMetrics(req!.body);
    const attrs = Object.fromEntries(
      decoded.resourceMetrics[0].resource.attributes.map((a: Metric) => [a.key, a.value.stringValue]),
    );
    expect(attrs).toMatchObject({ 'service.name': 'checkout', 'deployment.environment': 'test' });
    const all = metricsIn(req!.body);
    expect(byName(all, 'jobs_total').sum).toMatchObject({
      isMonotonic: true,
      aggregationTemporality: 2,
      dataPoints: [{ asDouble: 3 }],
    });
    expect(byName(all, 'queue_depth').gauge.dataPoints[0].asDouble).toBe(17);
    expect(byName(all, 'db_query').unit).toBe('ms');
    const point = byName(all, 'payload_kb').exponentialHistogram.dataPoints[0];
    const stats = metrics.getHistogramStats('payload_kb', { kind: 'img' });
    expect(Number(point.count)).toBe(1000);
    expect(point.sum).toBeCloseTo(stats.sum, 9);
    expect([point.min, point.max]).toEqual([stats.min, stats.max]);
    const rebuilt = LogHistogram.fromSnapshot({
      scale: point.scale,
      count: Number(point.count),
      sum: point.sum,
      min: point.min,
      max: point.max,
      zeroCount: Number(point.zeroCount ?? 0),
      positive: { offset: point.positive.offset ?? 0, counts: point.positive.bucketCounts.map(Number) },
      negative: { offset: 0, counts: [] },
    });
    // The quantiles the collector reports are the ones the exported sketch gives.
    expect([rebuilt.quantile(0.5), rebuilt.quantile(0.9), rebuilt.quantile(0.99)]).toEqual([
      stats.p50,
      stats.p90,
      stats.p99,
    ]);
  });

  it('speaks OTLP/JSON when asked', async () => {
    server = await startCaptureServer('/v1/metrics');
    const metrics = createMetricsCollector();
    metrics.increment('c', 2);
    const e = make({ producer: metrics, protocol: 'http/json' });
    await e.forceFlush();
    const req = server.requests[0]!;
    expect(req.headers['content-type']).toBe('application/json');
    const json = JSON.parse(req.body.toString('utf8'));
    expect(json.resourceMetrics[0].scopeMetrics[0].metrics[0]).toMatchObject({
      name: 'c',
      sum: { isMonotonic: true, aggregationTemporality: 2, dataPoints: [{ asDouble: 2 }] },
    });
  });

  it('delta temporality sends what changed since the last export', async () => {
    server = await startCaptureServer('/v1/metrics');
    const metrics = createMetricsCollector();
    const e = make({ producer: metrics, temporality: 'delta' });
    metrics.increment('c', 5);
    metrics.histogram('h', 1);
    await e.forceFlush();
    metrics.increment('c', 2);
    metrics.histogram('h', 100);
    metrics.histogram('h', 100);
    await e.forceFlush();
    const [first, second] = server.requests.map((r) => metricsIn(r.body));
    expect(byName(first!, 'c').sum).toMatchObject({ aggregationTemporality: 1, dataPoints: [{ asDouble: 5 }] });
    expect(byName(second!, 'c').sum.dataPoints[0].asDouble).toBe(2);
    const h2 = byName(second!, 'h').exponentialHistogram;
    expect(h2.aggregationTemporality).toBe(1);
    expect(h2.dataPoints[0]).toMatchObject({ count: '2', sum: 200 });
    expect(h2.dataPoints[0].positive.bucketCounts.map(Number).reduce((a: number, b: number) => a + b, 0)).toBe(2);
    // The second interval starts where the first export ended.
    expect(BigInt(h2.dataPoints[0].startTimeUnixNano)).toBe(
      BigInt(byName(first!, 'h').exponentialHistogram.dataPoints[0].timeUnixNano),
    );
  });

  it('retries 503 and counts rejected points of a partial success', async () => {
    server = await startCaptureServer('/v1/metrics');
    const response = ExportMetricsServiceResponse as unknown as {
      encode(m: unknown): { finish(): Uint8Array };
      fromObject(o: unknown): unknown;
    };
    const partial = response
      .encode(response.fromObject({ partialSuccess: { rejectedDataPoints: 1, errorMessage: 'too old' } }))
      .finish();
    expect(readPartialSuccessRejected(partial)).toBe(1);
    server.respond(503, { status: 200, body: partial });
    const metrics = createMetricsCollector();
    metrics.increment('a');
    metrics.increment('b');
    const e = make({ producer: metrics });
    expect(await e.forceFlush()).toBe(true);
    expect(server.requests).toHaveLength(2);
    expect(e.stats()).toMatchObject({ exported: 1, dropped: 1, retries: 1 });
  });

  it('attaches to a producer later (as the hub does) and validates its options', async () => {
    server = await startCaptureServer('/v1/metrics');
    const e = make({});
    expect(e.attached).toBe(false);
    expect(await e.forceFlush()).toBe(true);
    expect(server.requests).toHaveLength(0);
    const metrics = createMetricsCollector();
    metrics.increment('x');
    e.attach(metrics);
    await e.forceFlush();
    expect(server.requests).toHaveLength(1);
    expect(() => createOtlpMetricExporter({ url: server!.url, protocol: 'grpc' as never })).toThrow(InvalidConfigError);
    expect(() => createOtlpMetricExporter({ url: server!.url, temporality: 'sometimes' as never })).toThrow(
      InvalidConfigError,
    );
    expect(() => createOtlpMetricExporter({ url: server!.url, resourceAttributes: { a: {} as never } })).toThrow(
      InvalidConfigError,
    );
    expect(() => e.attach({} as never)).toThrow(InvalidConfigError);
  });
});
