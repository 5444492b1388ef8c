/**
 * Test-only decoder of Prometheus remote write 1.0 requests: the message
 * definitions of prompb (remote.proto, types.proto) read by protobufjs, plus
 * snappyjs, both independent of our encoders.
 */
import protobuf from 'protobufjs';
import SnappyJS from 'snappyjs';

const PROTO = `
syntax = "proto3";
package prometheus;
message WriteRequest { repeated TimeSeries timeseries = 1; reserved 2; repeated MetricMetadata metadata = 3; }
message MetricMetadata {
  enum MetricType { UNKNOWN = 0; COUNTER = 1; GAUGE = 2; HISTOGRAM = 3; GAUGEHISTOGRAM = 4; SUMMARY = 5; INFO = 6; STATESET = 7; }
  MetricType type = 1; string metric_family_name = 2; string help = 4; string unit = 5;
}
message Sample { double value = 1; int64 timestamp = 2; }
message Label { string name = 1; string value = 2; }
message TimeSeries { repeated Label labels = 1; repeated Sample samples = 2; }
`;

const root = protobuf.parse(PROTO, { keepCase: true }).root;
const WriteRequest = root.lookupType('prometheus.WriteRequest');

export interface DecodedSeries {
  labels: Record<string, string>;
  /** Label names in the order they were sent. */
  labelOrder: string[];
  samples: Array<{ value: number; timestamp: number }>;
}

export interface DecodedWriteRequest {
  timeseries: DecodedSeries[];
  metadata: Array<{ type: string; metric_family_name: string; help: string; unit: string }>;
}

export function decodeWriteRequest(body: Uint8Array, compressed = true): DecodedWriteRequest {
  const raw = compressed ? new Uint8Array(SnappyJS.uncompress(body)) : body;
  const msg = WriteRequest.toObject(WriteRequest.decode(raw), { longs: Number, enums: String, defaults: true }) as {
    timeseries: Array<{
      labels: Array<{ name: string; value: string }>;
      samples: Array<{ value: number; timestamp: number }>;
    }>;
    metadata: DecodedWriteRequest['metadata'];
  };
  return {
    timeseries: msg.timeseries.map((ts) => ({
      labels: Object.fromEntries(ts.labels.map((l) => [l.name, l.value])),
      labelOrder: ts.labels.map((l) => l.name),
      samples: ts.samples,
    })),
    metadata: msg.metadata,
  };
}

export function snappyUncompress(body: Uint8Array): Uint8Array {
  return new Uint8Array(SnappyJS.uncompress(body));
}
