import type { HubExporter } from '@obs/hub';
import { createOtlpMetricExporter } from '@obs/metrics/otlp';
import { createRemoteWriteExporter } from '@obs/metrics/remote-write';
import { createOtlpHttpExporter } from '@obs/tracing/otlp';

/** Push targets read from the environment (see the README's table). */
export interface ExportSettings {
  /** OTLP/HTTP base URL (env OTLP_ENDPOINT); `/v1/traces` and `/v1/metrics` are appended. */
  readonly otlpEndpoint: string | undefined;
  /** env OTEL_EXPORTER_OTLP_PROTOCOL: `http/protobuf` (default) or `http/json`. */
  readonly otlpProtocol: 'http/protobuf' | 'http/json';
  /** env OTEL_METRIC_EXPORT_INTERVAL, ms (default 60000, as OpenTelemetry). */
  readonly metricExportIntervalMs: number;
  /** Prometheus remote-write URL (env REMOTE_WRITE_URL), e.g. `http://127.0.0.1:9090/api/v1/write`. */
  readonly remoteWriteUrl: string | undefined;
  /** env REMOTE_WRITE_INTERVAL_MS (default 15000). */
  readonly remoteWriteIntervalMs: number;
}

/** `base` + `path`, without a doubled slash. */
function join(base: string, path: string): string {
  return base.replace(/\/+$/, '') + path;
}

/** The hub exporters the settings ask for (none when nothing is set). */
export function createExporters(settings: ExportSettings, serviceName = 'obs-example'): HubExporter[] {
  const exporters: HubExporter[] = [];
  if (settings.otlpEndpoint !== undefined) {
    exporters.push(
      createOtlpHttpExporter({ url: join(settings.otlpEndpoint, '/v1/traces'), protocol: settings.otlpProtocol }),
      createOtlpMetricExporter({
        url: join(settings.otlpEndpoint, '/v1/metrics'),
        protocol: settings.otlpProtocol,
        intervalMs: settings.metricExportIntervalMs,
        serviceName,
      }),
    );
  }
  if (settings.remoteWriteUrl !== undefined) {
    exporters.push(
      createRemoteWriteExporter({
        url: settings.remoteWriteUrl,
        intervalMs: settings.remoteWriteIntervalMs,
        externalLabels: { job: serviceName },
      }),
    );
  }
  return exporters;
}
