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

class ManualReader extends MetricReader {
  constructor() {
    // The SDK keeps 2000 series per instrument by default and folds the rest into one overflow
    // series: lifted so that it exports the same 10k series as ours.
    super({
      aggregationTemporalitySelector: () => AggregationTemporality.CUMULATIVE,
      cardinalitySelector: () => 100_000,
    });
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
  // Both sides must export the same points, or the per-series figures compare different work.
  const otelPoints = resourceMetrics.scopeMetrics.reduce(
    (n, sm) => n + sm.metrics.reduce((m, metric) => m + metric.dataPoints.length, 0),
    0,
  );
  const ourPoints = collected.families.reduce((n, fam) => n + fam.series.length, 0);
  if (otelPoints !== SERIES || ourPoints !== SERIES)
    throw new Error(`expected ${SERIES} points on both sides, got OpenTelemetry ${otelPoints}, ours ${ourPoints}`);
  const enc = {
    resource: { 'service.name': 'bench' },
    temporality: 'cumulative' as const,
    histogram: 'exponential' as const,
  };
  const explicit = { ...enc, histogram: 'explicit' as const };
  const rw = new WriteRequestEncoder({ sendMetadata: false });
  const encodeOnly: Case[] = [
    {
      name: 'OpenTelemetry ProtobufMetricsSerializer (explicit buckets)',
      run: () => ProtobufMetricsSerializer.serializeRequest(resourceMetrics),
    },
    { name: 'ours encodeMetricsProto, explicit buckets', run: () => encodeMetricsProto(collected, explicit) },
    { name: 'ours encodeMetricsProto, exponential histograms', run: () => encodeMetricsProto(collected, enc) },
    {
      // What RemoteWriteExporter sends: each request compressed straight from the writer.
      name: 'ours remote write (WriteRequest + Snappy)',
      run: () => rw.encodeCompressed(collected),
    },
  ];
  const perExport: Case[] = [
    {
      name: 'OpenTelemetry reader.collect() + ProtobufMetricsSerializer (explicit buckets)',
      run: async () =>
        ProtobufMetricsSerializer.serializeRequest(
          ((await reader.collect()) as { resourceMetrics: ResourceMetrics }).resourceMetrics,
        ),
    },
    {
      name: 'ours collect() + encodeMetricsProto, explicit buckets',
      run: () => encodeMetricsProto(ours.collect(), explicit),
    },
    {
      name: 'ours collect() + encodeMetricsProto, exponential histograms',
      run: () => encodeMetricsProto(ours.collect(), enc),
    },
    {
      name: 'ours collect() + remote write (WriteRequest + Snappy)',
      run: () => rw.encodeCompressed(ours.collect()),
    },
  ];
  const lines: string[] = [];
  for (const [title, cases] of [
    [`encode only: ${SERIES} series already collected (ops = whole requests, CPU time)`, encodeOnly],
    [`per export: collect + encode ${SERIES} series (ops = whole requests, CPU time)`, perExport],
  ] as const) {
    const rows = await cpuRounds(cases, 11);
    lines.push(`### ${title}`, '', '| case | µs per series | vs OpenTelemetry |', '| --- | ---: | ---: |');
    for (const r of rows)
      lines.push(`| ${r.name} | ${(r.us / SERIES).toFixed(3)} | ${(rows[0]!.us / r.us).toFixed(2)}x |`);
    lines.push('');
  }
  // Sizes, so a faster encoding is not bought with bigger requests.
  const plain = rw.encode(collected);
  const sent = rw.encodeCompressed(collected);
  const bytes = (rs: readonly { body: Uint8Array }[]) => rs.reduce((n, r) => n + r.body.length, 0);
  const otlpBytes = (b: Uint8Array) => `${(b.length / 1024).toFixed(0)} KiB`;
  lines.push(
    `Request sizes: OpenTelemetry ${otlpBytes(ProtobufMetricsSerializer.serializeRequest(resourceMetrics)!)}, ` +
      `ours explicit ${otlpBytes(encodeMetricsProto(collected, explicit))}, exponential ${otlpBytes(encodeMetricsProto(collected, enc))}; ` +
      `remote write ${sent.length} requests of ${plain.reduce((n, r) => n + r.samples, 0)} samples, ` +
      `${(bytes(plain) / 1024).toFixed(0)} KiB before Snappy, ${(bytes(sent) / 1024).toFixed(0)} KiB after.`,
    '',
  );
  return lines.join('\n');
}

interface Case {
  name: string;
  run(): unknown;
}

/**
 * Median CPU µs per call of each case over rotated rounds. Process CPU time, not wall time:
 * on the shared machine wall time also counts other jobs' slices. Cases may be async
 * (OpenTelemetry's reader.collect() returns a promise).
 */
async function cpuRounds(cases: readonly Case[], rounds: number): Promise<Array<{ name: string; us: number }>> {
  const perRound = 8;
  for (const c of cases) for (let i = 0; i < 3; i++) await c.run(); // warm-up
  const samples = cases.map(() => [] as number[]);
  for (let round = 0; round < rounds; round++) {
    for (let k = 0; k < cases.length; k++) {
      const i = (k + round) % cases.length;
      const start = process.cpuUsage();
      for (let j = 0; j < perRound; j++) await cases[i]!.run();
      const used = process.cpuUsage(start);
      samples[i]!.push((used.user + used.system) / perRound);
    }
  }
  return cases.map((c, i) => {
    const sorted = samples[i]!.sort((a, b) => a - b);
    return { name: c.name, us: sorted[sorted.length >> 1]! };
  });
}
