import { describeValue, type OtlpAttributeValue } from '@obs/core';
import { InvalidConfigError } from '../errors';
import type { CollectedMetrics } from '../MetricsProducer';
import type { PostResult } from '../export/httpPost';
import { PushExporter, type PushExporterConfig, type QueuedRequest } from '../export/PushExporter';
import { DeltaTracker } from './DeltaTracker';
import { encodeMetricsJson } from './metricsJson';
import { SeriesBytesCache } from '../export/SeriesBytesCache';
import { countPoints, encodeMetricsProtoCached } from './metricsProto';
import type { OtlpHistogramMode, OtlpMetricsEncoding, OtlpTemporality } from './options';

/** OTLP/HTTP encodings, named as `OTEL_EXPORTER_OTLP_PROTOCOL` names them. */
export type OtlpProtocol = 'http/protobuf' | 'http/json';

/** Options of {@link createOtlpMetricExporter}. */
export interface OtlpMetricExporterConfig extends PushExporterConfig {
  /** The OTLP/HTTP metrics endpoint, e.g. `http://127.0.0.1:4318/v1/metrics`. */
  url: string;
  /** `http/protobuf` (default, the Collector's default) or `http/json`. */
  protocol?: OtlpProtocol;
  /** `service.name` of the resource. Default `unknown_service:node`. */
  serviceName?: string;
  /** More resource attributes (`service.version`, `deployment.environment`, …). */
  resourceAttributes?: Readonly<Record<string, OtlpAttributeValue>>;
  /** `cumulative` (default) or `delta` for Sums and histograms. */
  temporality?: OtlpTemporality;
  /** `exponential` (default: the sketch itself) or `explicit` (the classic bucket bounds). */
  histogram?: OtlpHistogramMode;
}

/** OTLP/HTTP says to retry these (plus network errors and timeouts). */
const RETRYABLE = new Set([429, 502, 503, 504]);

function validAttribute(v: unknown): v is OtlpAttributeValue {
  const scalar = (x: unknown) =>
    typeof x === 'string' || typeof x === 'boolean' || (typeof x === 'number' && Number.isFinite(x));
  return scalar(v) || (Array.isArray(v) && v.every(scalar));
}

/**
 * Pushes metrics to an OTLP/HTTP receiver (an OpenTelemetry Collector, or any backend
 * that speaks OTLP) every `intervalMs` (default 60 s, as OpenTelemetry's periodic reader)
 * and on `forceFlush()`. Counters are monotonic Sums, gauges Gauges, histograms and
 * timers ExponentialHistograms taken straight from the sketch (same scale, bucket counts,
 * sum, count, min, max, zero count), or explicit-bucket Histograms with
 * `histogram: 'explicit'`. Retries 429/502/503/504 and network errors with backoff
 * (5 times by default); the queue is bounded in data points, dropping the oldest.
 */
export class OtlpMetricExporter extends PushExporter {
  readonly name = 'otlp-metrics';
  readonly protocol: OtlpProtocol;
  private readonly encoding: OtlpMetricsEncoding;
  private readonly delta: DeltaTracker | undefined;

  constructor(config: OtlpMetricExporterConfig) {
    super(config, {
      intervalMs: 60_000,
      maxQueueSize: 100_000,
      maxRetries: 5,
      initialBackoffMs: 1000,
      maxBackoffMs: 30_000,
    });
    const protocol = config.protocol ?? 'http/protobuf';
    if (protocol !== 'http/protobuf' && protocol !== 'http/json')
      throw new InvalidConfigError(`protocol must be 'http/protobuf' or 'http/json', got ${describeValue(protocol)}`);
    const temporality = config.temporality ?? 'cumulative';
    if (temporality !== 'cumulative' && temporality !== 'delta')
      throw new InvalidConfigError(`temporality must be 'cumulative' or 'delta', got ${describeValue(temporality)}`);
    const histogram = config.histogram ?? 'exponential';
    if (histogram !== 'exponential' && histogram !== 'explicit')
      throw new InvalidConfigError(`histogram must be 'exponential' or 'explicit', got ${describeValue(histogram)}`);
    const resource: Record<string, OtlpAttributeValue> = Object.create(null) as Record<string, OtlpAttributeValue>;
    const serviceName = config.serviceName ?? 'unknown_service:node';
    if (typeof serviceName !== 'string' || serviceName === '')
      throw new InvalidConfigError('serviceName must be a non-empty string');
    resource['service.name'] = serviceName;
    for (const [key, value] of Object.entries(config.resourceAttributes ?? {})) {
      if (!validAttribute(value))
        throw new InvalidConfigError(
          `resource attribute ${describeValue(key)} must be a string, finite number, boolean or an array of them`,
        );
      if (key === 'service.name' && config.serviceName !== undefined) continue;
      resource[key] = value;
    }
    resource['telemetry.sdk.name'] ??= '@obs/metrics';
    resource['telemetry.sdk.language'] ??= 'nodejs';
    this.protocol = protocol;
    this.encoding = { resource, temporality, histogram };
    this.delta = temporality === 'delta' ? new DeltaTracker() : undefined;
    if (config.producer !== undefined) this.attach(config.producer);
  }

  /** This exporter's encoded series attributes, kept from one export to the next. */
  private readonly attributes = new SeriesBytesCache<Uint8Array>();

  protected encode(collected: CollectedMetrics): QueuedRequest[] {
    const data = this.delta ? this.delta.apply(collected) : collected;
    const points = countPoints(data);
    if (points === 0) return [];
    const body =
      this.protocol === 'http/protobuf'
        ? encodeMetricsProtoCached(data, this.encoding, this.attributes)
        : encodeMetricsJson(data, this.encoding);
    return [{ body, points }];
  }

  protected contentHeaders(): Record<string, string> {
    return {
      'content-type': this.protocol === 'http/protobuf' ? 'application/x-protobuf' : 'application/json',
      'user-agent': 'obs-metrics-otlp/0.0.0',
    };
  }

  protected isRetryable(status: number): boolean {
    return RETRYABLE.has(status);
  }

  /** OTLP partial success: `rejected_data_points` in the response. */
  protected override rejectedIn(result: PostResult): number {
    if (result.body.length === 0) return 0;
    if (this.protocol === 'http/json') {
      try {
        const parsed = JSON.parse(result.body.toString('utf8')) as {
          partialSuccess?: { rejectedDataPoints?: unknown };
        };
        const n = Number(parsed?.partialSuccess?.rejectedDataPoints ?? 0);
        return Number.isSafeInteger(n) && n > 0 ? n : 0;
      } catch {
        return 0;
      }
    }
    return readPartialSuccessRejected(result.body);
  }
}

/**
 * `ExportMetricsServiceResponse { ExportMetricsPartialSuccess partial_success = 1 { int64 rejected_data_points = 1; string error_message = 2; } }`:
 * the rejected count, or 0 when absent or unreadable.
 */
export function readPartialSuccessRejected(body: Uint8Array): number {
  let pos = 0;
  const varint = (): number => {
    let result = 0;
    let scale = 1;
    for (let i = 0; i < 10 && pos < body.length; i++) {
      const b = body[pos++]!;
      result += (b & 0x7f) * scale;
      if (b < 0x80) return result;
      scale *= 128;
    }
    return NaN;
  };
  while (pos < body.length) {
    const key = varint();
    if (key !== ((1 << 3) | 2)) return 0;
    const length = varint();
    const end = pos + length;
    if (!(end <= body.length)) return 0;
    while (pos < end) {
      const inner = varint();
      if (inner === ((1 << 3) | 0)) {
        const n = varint();
        return Number.isSafeInteger(n) && n > 0 ? n : 0;
      }
      if ((inner & 7) === 2) pos += varint();
      else if ((inner & 7) === 0) varint();
      else return 0;
    }
  }
  return 0;
}

/** Creates an {@link OtlpMetricExporter}; without `producer` it starts when the hub (or `attach()`) gives it one. */
export function createOtlpMetricExporter(config: OtlpMetricExporterConfig): OtlpMetricExporter {
  return new OtlpMetricExporter(config);
}
