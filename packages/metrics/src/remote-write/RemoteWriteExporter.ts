import { POSITIVE_INTEGER, describeValue, isValidLabelName, optionalNumber } from '@obs/core';
import { invalidConfig } from '../internal/validate';
import { InvalidConfigError } from '../errors';
import type { CollectedMetrics } from '../MetricsProducer';
import { PushExporter, type PushExporterConfig, type QueuedRequest } from '../export/PushExporter';
import { WriteRequestEncoder } from './writeRequest';

/** Options of {@link createRemoteWriteExporter}. */
export interface RemoteWriteExporterConfig extends PushExporterConfig {
  /** Labels added to every series that lacks them, e.g. `{ cluster: 'eu-1', replica: 'a' }`. */
  externalLabels?: Readonly<Record<string, string>>;
  /** Samples per request. Default 2000. */
  maxSamplesPerRequest?: number;
  /** Send metric metadata (type, help, unit) with each push. Default true. */
  sendMetadata?: boolean;
}

/** The remote-write protocol version header value of Prometheus remote write 1.0. */
export const REMOTE_WRITE_VERSION = '0.1.0';

/**
 * A Prometheus remote-write 1.0 client: every `intervalMs` (default 15 s) it collects,
 * encodes a protobuf `WriteRequest` (cut at `maxSamplesPerRequest`), compresses it with
 * Snappy and POSTs it with the documented headers. 5xx and 429 (and network errors) are
 * retried with exponential backoff until the request is sent or pushed out of the bounded
 * queue (drop oldest, counted); other 4xx drop the request at once, as the specification
 * says. Requests go out one at a time, oldest first, so each series' samples arrive in
 * time order; a retried request is byte-identical, so a duplicate never changes a value.
 */
export class RemoteWriteExporter extends PushExporter {
  readonly name = 'remote-write';
  private readonly encoder: WriteRequestEncoder;

  constructor(config: RemoteWriteExporterConfig) {
    super(config, {
      intervalMs: 15_000,
      maxQueueSize: 50_000,
      maxRetries: Infinity,
      initialBackoffMs: 100,
      maxBackoffMs: 5_000,
    });
    const externalLabels = config.externalLabels ?? {};
    if (externalLabels === null || typeof externalLabels !== 'object')
      throw new InvalidConfigError('externalLabels must be an object of strings');
    for (const [name, value] of Object.entries(externalLabels)) {
      if (!isValidLabelName(name) || name === '__name__' || typeof value !== 'string') {
        throw new InvalidConfigError(
          `external label ${describeValue(name)} must be a valid label name with a string value`,
        );
      }
    }
    if (config.sendMetadata !== undefined && typeof config.sendMetadata !== 'boolean')
      throw new InvalidConfigError('sendMetadata must be a boolean');
    this.encoder = new WriteRequestEncoder({
      externalLabels,
      maxSamplesPerRequest: optionalNumber(
        config.maxSamplesPerRequest,
        'maxSamplesPerRequest',
        2000,
        POSITIVE_INTEGER,
        invalidConfig,
      ),
      sendMetadata: config.sendMetadata ?? true,
    });
    if (config.producer !== undefined) this.attach(config.producer);
  }

  protected encode(collected: CollectedMetrics): QueuedRequest[] {
    return this.encoder.encodeCompressed(collected).map((r) => ({ body: r.body, points: r.samples }));
  }

  protected contentHeaders(): Record<string, string> {
    return {
      'content-type': 'application/x-protobuf',
      'content-encoding': 'snappy',
      'x-prometheus-remote-write-version': REMOTE_WRITE_VERSION,
      'user-agent': 'obs-metrics-remote-write/0.0.0',
    };
  }

  protected isRetryable(status: number): boolean {
    return status >= 500 || status === 429;
  }
}

/** Creates a {@link RemoteWriteExporter}; without `producer` it starts when the hub (or `attach()`) gives it one. */
export function createRemoteWriteExporter(config: RemoteWriteExporterConfig): RemoteWriteExporter {
  return new RemoteWriteExporter(config);
}
