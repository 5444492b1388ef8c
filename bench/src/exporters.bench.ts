/**
 * Encoding cost per exported series: 10k series (counters, gauges, histograms)
 * encoded as OTLP protobuf by our hand-written encoder, side by side with the
 * serializer that @opentelemetry/exporter-metrics-otlp-proto uses
 * (`ProtobufMetricsSerializer` of @opentelemetry/otlp-transformer) on the same
 * series recorded into the OpenTelemetry SDK; plus our remote-write encoding.
 */
import { createMetricsCollector } from '@obs/metrics';
import { encodeMetricsProto } from '@obs/metrics/otlp';
import { WriteRequestEncoder, snappyCompress } from '@obs/metrics/remote-write';
import { AggregationTemporality, MeterProvider, MetricReader, type ResourceMetrics } from '@opentelemetry/sdk-metrics';
import { ProtobufMetricsSerializer } from '@opentelemetry/otlp-transformer';
import { benchGroup, type GroupResult } from './harness';

class ManualReader extends MetricReader {
  constructor() {
    super({ aggregationTemporalitySelector: () => AggregationTemporality.CUMULATIVE });
  }
  protected async onForceFlush(): Promise<void> {}
  protected async onShutdown(): Promise<void> {}
}

const SERIES = 10_000;

export async function run(): Promise<string> {
  // Same data on both sides: 4000 counter series, 4000 gauges, 2000 histograms of 20 values.
  const ours = createMetricsCollector({ maxSeriesPerMetric: 100_000 });
  const reader = new ManualReader();
  const provider = new MeterProvider({ readers: [reader] });
  const meter = provider.getMeter('bench');
  const counter = meter.createCounter('requests');
  const gauge = meter.createGauge('depth');
  const histogram = meter.createHistogram('latency', {
    advice: { explicitBucketBoundaries: [1, 2.5, 5, 10, 25, 50, 100, 250, 500, 1000, 2500, 5000, 10000] },
  });
  for (let i = 0; i < 4000; i++) {
    const labels = { route: `/r/${i % 50}`, code: String(200 + (i % 7)), shard: String(i) };
    ours.increment('requests', i + 1, labels);
    counter.add(i + 1, labels);
    ours.gauge('depth', i * 0.5, labels);
    gauge.record(i * 0.5, labels);
  }
  for (let i = 0; i < 2000; i++) {
    const labels = { route: `/r/${i % 50}`, shard: String(i) };
    for (let k = 0; k < 20; k++) {
      const v = ((i * 31 + k * 17) % 900) + 0.5;
      ours.histogram('latency', v, labels);
      histogram.record(v, labels);
    }
  }
  const { resourceMetrics } = (await reader.collect()) as { resourceMetrics: ResourceMetrics };
  const collected = ours.collect();
  const enc = {
    resource: { 'service.name': 'bench' },
    temporality: 'cumulative' as const,
    histogram: 'exponential' as const,
  };
  const rw = new WriteRequestEncoder({ sendMetadata: false });
  const groups: GroupResult[] = [
    benchGroup(
      `encode ${SERIES} series as OTLP protobuf (ops = whole requests)`,
      'OpenTelemetry ProtobufMetricsSerializer',
      [
        {
          name: 'OpenTelemetry ProtobufMetricsSerializer',
          run: (n) => {
            let x;
            for (let i = 0; i < n; i++) x = ProtobufMetricsSerializer.serializeRequest(resourceMetrics);
            return x;
          },
        },
        {
          name: 'ours encodeMetricsProto (exponential histograms)',
          run: (n) => {
            let x;
            for (let i = 0; i < n; i++) x = encodeMetricsProto(collected, enc);
            return x;
          },
        },
        {
          name: 'ours collect() + encodeMetricsProto',
          run: (n) => {
            let x;
            for (let i = 0; i < n; i++) x = encodeMetricsProto(ours.collect(), enc);
            return x;
          },
        },
        {
          name: 'ours remote write (WriteRequest + snappy)',
          run: (n) => {
            let x;
            for (let i = 0; i < n; i++) x = rw.encode(collected).map((r) => snappyCompress(r.body));
            return x;
          },
        },
      ],
      { rounds: 7, roundMs: 300 },
    ),
  ];
  const lines: string[] = [];
  for (const g of groups) {
    lines.push(
      `### ${g.group}`,
      '',
      '| case | requests/s | µs per series | vs baseline |',
      '| --- | --- | --- | --- |',
    );
    for (const r of g.rows)
      lines.push(
        `| ${r.name} | ${r.opsPerSec.toFixed(2)} | ${(1e6 / r.opsPerSec / SERIES).toFixed(3)} | ${r.ratio.toFixed(2)}x |`,
      );
    lines.push('');
  }
  return lines.join('\n');
}
