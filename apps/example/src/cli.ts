import type { ExportSettings } from './exporters';

/** What `node dist/main.js` was asked to do, from argv and the environment. */
export interface CliConfig {
  readonly host: string;
  readonly port: number;
  readonly demo: boolean;
  readonly help: boolean;
  /** Bearer token for the dashboard and /api/* (env OBS_TOKEN). */
  readonly token: string | undefined;
  /** Separate bearer token for /metrics (env OBS_METRICS_TOKEN). */
  readonly metricsToken: string | undefined;
  /** Snapshot file for the hub's state (env OBS_STATE_FILE); off when unset. */
  readonly stateFile: string | undefined;
  /** Seconds between snapshots (env OBS_SNAPSHOT_INTERVAL_SECONDS, default 15). */
  readonly snapshotIntervalSeconds: number;
  /** Fraction of traces recorded (env OBS_TRACE_SAMPLE_RATE, default 0.25). */
  readonly traceSampleRate: number;
  /** Connections served before idle ones are closed to make room (env OBS_MAX_CONNECTIONS, default 1000). */
  readonly maxConnections: number | undefined;
  /** Time allowed for a request's headers, ms (env OBS_HEADERS_TIMEOUT_MS, default 10000). */
  readonly headersTimeoutMs: number | undefined;
  /** Trace HTTP traffic with OpenTelemetry's instrumentations through @obs/otel (env OBS_OTEL=1, or --otel). */
  readonly otel: boolean;
  /** Push exporters: OTLP_ENDPOINT, OTEL_EXPORTER_OTLP_PROTOCOL, OTEL_METRIC_EXPORT_INTERVAL, REMOTE_WRITE_URL, REMOTE_WRITE_INTERVAL_MS. */
  readonly exporters: ExportSettings;
  /** Image decoding worker threads (env OBS_VISION_WORKERS; default CPUs - 1, 1 to 4; 0 = on the event loop). */
  readonly visionWorkers: number | undefined;
  /** Uploads waiting for a worker before 503 (env OBS_VISION_QUEUE, default 4). */
  readonly visionQueue: number | undefined;
  /** node:cluster workers serving uploads, the primary running the hub (`--workers N` or env OBS_WORKERS; 0: one process). */
  readonly workers: number;
  /** The workers' shared uploads port (env OBS_WORKER_PORT; default PORT + 1, or 0 when PORT is 0). */
  readonly workerPort: number;
  /** Graceful shutdown: SHUTDOWN_DELAY_MS, SHUTDOWN_DRAIN_TIMEOUT_MS, SHUTDOWN_TIMEOUT_MS. */
  readonly shutdown: ShutdownSettings;
}

/** How the app shuts down on SIGTERM/SIGINT (see @obs/health's createLifecycle). */
export interface ShutdownSettings {
  /** Readiness answers 503 while the app still serves, so load balancers stop sending (default 3000). */
  readonly delayMs: number;
  /** Time the requests in flight get once the app stops accepting connections (default 10000). */
  readonly drainTimeoutMs: number;
  /** The whole shutdown's bound; past it the process exits 1 (default delay + drain + 10000). */
  readonly timeoutMs: number;
}

export class CliError extends Error {
  override readonly name = 'CliError';
}

export const USAGE = `Usage: node apps/example/dist/main.js [--demo]

Starts the example vision service: POST /api/analyze, the live dashboard at /,
Prometheus metrics at /metrics and health at /health.

Options:
  --demo     also run the built-in traffic generator (latency spikes, outages)
  --workers N  run N node:cluster workers that serve uploads on OBS_WORKER_PORT; the primary
             serves the dashboard, /metrics (merged) and the API on PORT (as OBS_WORKERS=N)
  --otel     trace HTTP traffic with OpenTelemetry's instrumentations via @obs/otel (as OBS_OTEL=1)
  --help     show this text

Environment:
  PORT (3000), HOST (127.0.0.1)
  OBS_TOKEN                        bearer token for the dashboard and /api/*
  OBS_METRICS_TOKEN                bearer token for /metrics
  OBS_STATE_FILE                   persist SLOs, alerts, anomaly models and counters here
  OBS_SNAPSHOT_INTERVAL_SECONDS    snapshot period (15)
  OBS_TRACE_SAMPLE_RATE            fraction of traces recorded (0.25)
  OBS_MAX_CONNECTIONS              connections served; at the cap idle ones are closed first (1000)
  OBS_HEADERS_TIMEOUT_MS           time allowed for a request's headers (10000)
  OBS_OTEL                         1: trace HTTP traffic with OpenTelemetry's instrumentations via @obs/otel
  OTLP_ENDPOINT                    OTLP/HTTP base URL: spans to /v1/traces, metrics to /v1/metrics
  OTEL_EXPORTER_OTLP_PROTOCOL      http/protobuf (default) or http/json
  OTEL_METRIC_EXPORT_INTERVAL      OTLP metrics push period, ms (60000)
  REMOTE_WRITE_URL                 Prometheus remote-write URL (e.g. http://127.0.0.1:9090/api/v1/write)
  REMOTE_WRITE_INTERVAL_MS         remote-write push period, ms (15000)
  OBS_VISION_WORKERS               image decoding threads (CPUs - 1, 1 to 4; 0: on the event loop)
  OBS_WORKERS                      node:cluster workers (0: one process; as --workers)
  OBS_WORKER_PORT                  the workers' uploads port (PORT + 1; 0: a random port)
  OBS_VISION_QUEUE                 uploads waiting for a thread before 503 + Retry-After (4)
  SHUTDOWN_DELAY_MS                on SIGTERM, answer /health/ready with 503 but keep serving this long
                                   so load balancers stop sending (3000; Kubernetes: 5000-15000)
  SHUTDOWN_DRAIN_TIMEOUT_MS        then stop accepting; time the requests in flight get to finish (10000)
  SHUTDOWN_TIMEOUT_MS              bound on the whole shutdown, then exit 1 (delay + drain + 10000)
`;

function numberFrom(
  env: NodeJS.ProcessEnv,
  name: string,
  fallback: number,
  check: (n: number) => boolean,
  expected: string,
): number {
  const raw = env[name];
  if (raw === undefined || raw === '') return fallback;
  const value = Number(raw);
  if (!/^\s*[0-9.eE+-]+\s*$/.test(raw) || !Number.isFinite(value) || !check(value))
    throw new CliError(`${name} must be ${expected}, got ${JSON.stringify(raw)}`);
  return value;
}

function optionalInteger(env: NodeJS.ProcessEnv, name: string, min: number, max: number): number | undefined {
  if (env[name] === undefined || env[name] === '') return undefined;
  return numberFrom(env, name, 0, (n) => Number.isInteger(n) && n >= min && n <= max, `an integer in [${min}, ${max}]`);
}

function secret(env: NodeJS.ProcessEnv, name: string): string | undefined {
  const value = env[name];
  if (value === undefined || value === '') return undefined;
  if (value.length < 16) throw new CliError(`${name} must be at least 16 characters`);
  if (/[\s\x00-\x1f\x7f]/.test(value)) throw new CliError(`${name} must not contain whitespace or control characters`);
  return value;
}

function httpUrl(env: NodeJS.ProcessEnv, name: string): string | undefined {
  const raw = env[name];
  if (raw === undefined || raw === '') return undefined;
  let url: URL | undefined;
  try {
    url = new URL(raw);
  } catch {
    url = undefined;
  }
  if (url === undefined || (url.protocol !== 'http:' && url.protocol !== 'https:'))
    throw new CliError(`${name} must be an http(s) URL, got ${JSON.stringify(raw)}`);
  return raw;
}

/** The push exporters' settings from the environment. */
export function exportSettingsFrom(env: NodeJS.ProcessEnv): ExportSettings {
  const protocol = env['OTEL_EXPORTER_OTLP_PROTOCOL'] || 'http/protobuf';
  if (protocol !== 'http/protobuf' && protocol !== 'http/json')
    throw new CliError(
      `OTEL_EXPORTER_OTLP_PROTOCOL must be http/protobuf or http/json, got ${JSON.stringify(protocol)}`,
    );
  const interval = (name: string, fallback: number) =>
    numberFrom(
      env,
      name,
      fallback,
      (n) => Number.isInteger(n) && n >= 100 && n <= 86_400_000,
      'an integer number of ms in [100, 86400000]',
    );
  return {
    otlpEndpoint: httpUrl(env, 'OTLP_ENDPOINT'),
    otlpProtocol: protocol,
    metricExportIntervalMs: interval('OTEL_METRIC_EXPORT_INTERVAL', 60_000),
    remoteWriteUrl: httpUrl(env, 'REMOTE_WRITE_URL'),
    remoteWriteIntervalMs: interval('REMOTE_WRITE_INTERVAL_MS', 15_000),
  };
}

/** The graceful shutdown's settings from the environment. */
export function shutdownSettingsFrom(env: NodeJS.ProcessEnv): ShutdownSettings {
  const ms = (name: string, fallback: number, min: number) =>
    numberFrom(
      env,
      name,
      fallback,
      (n) => Number.isInteger(n) && n >= min && n <= 3_600_000,
      `an integer number of ms in [${min}, 3600000]`,
    );
  const delayMs = ms('SHUTDOWN_DELAY_MS', 3000, 0);
  const drainTimeoutMs = ms('SHUTDOWN_DRAIN_TIMEOUT_MS', 10_000, 0);
  const timeoutMs = ms('SHUTDOWN_TIMEOUT_MS', delayMs + drainTimeoutMs + 10_000, 1000);
  if (timeoutMs <= delayMs)
    throw new CliError(`SHUTDOWN_TIMEOUT_MS (${timeoutMs}) must be longer than SHUTDOWN_DELAY_MS (${delayMs})`);
  return { delayMs, drainTimeoutMs, timeoutMs };
}

export function parseCli(argv: readonly string[], env: NodeJS.ProcessEnv): CliConfig {
  let demo = false;
  let help = false;
  let otel = env['OBS_OTEL'] === '1' || env['OBS_OTEL'] === 'true';
  let workersArg: string | undefined;
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    if (arg === '--workers') {
      workersArg = argv[++i];
      if (workersArg === undefined) throw new CliError('--workers needs a number');
    } else if (arg.startsWith('--workers=')) workersArg = arg.slice('--workers='.length);
    else if (arg === '--demo') demo = true;
    else if (arg === '--otel') otel = true;
    else if (arg === '--help' || arg === '-h') help = true;
    else throw new CliError(`unknown argument ${JSON.stringify(arg)}`);
  }
  const host = env['HOST'] && env['HOST'] !== '' ? env['HOST'] : '127.0.0.1';
  if (!/^[A-Za-z0-9.:[\]-]{1,255}$/.test(host))
    throw new CliError(`HOST is not a host name or address: ${JSON.stringify(host)}`);
  const port = numberFrom(
    env,
    'PORT',
    3000,
    (n) => Number.isInteger(n) && n >= 0 && n <= 65535,
    'a port number (0-65535)',
  );
  const workers =
    workersArg !== undefined
      ? numberFrom(
          { '--workers': workersArg },
          '--workers',
          0,
          (n) => Number.isInteger(n) && n >= 0 && n <= 64,
          'an integer in [0, 64]',
        )
      : (optionalInteger(env, 'OBS_WORKERS', 0, 64) ?? 0);
  const workerPort = numberFrom(
    env,
    'OBS_WORKER_PORT',
    port === 0 ? 0 : port + 1,
    (n) => Number.isInteger(n) && n >= 0 && n <= 65535,
    'a port number (0-65535)',
  );
  if (workers > 0 && workerPort !== 0 && workerPort === port)
    throw new CliError('OBS_WORKER_PORT must differ from PORT (the primary serves the dashboard there)');
  return {
    host,
    port,
    workers,
    workerPort,
    demo,
    help,
    token: secret(env, 'OBS_TOKEN'),
    metricsToken: secret(env, 'OBS_METRICS_TOKEN'),
    stateFile: env['OBS_STATE_FILE'] || undefined,
    snapshotIntervalSeconds: numberFrom(
      env,
      'OBS_SNAPSHOT_INTERVAL_SECONDS',
      15,
      (n) => n > 0 && n <= 86_400,
      'a number of seconds in (0, 86400]',
    ),
    traceSampleRate: numberFrom(env, 'OBS_TRACE_SAMPLE_RATE', 0.25, (n) => n >= 0 && n <= 1, 'a fraction in [0, 1]'),
    maxConnections: optionalInteger(env, 'OBS_MAX_CONNECTIONS', 1, 1_000_000),
    headersTimeoutMs: optionalInteger(env, 'OBS_HEADERS_TIMEOUT_MS', 1, 300_000),
    otel,
    exporters: exportSettingsFrom(env),
    visionWorkers: optionalInteger(env, 'OBS_VISION_WORKERS', 0, 64),
    visionQueue: optionalInteger(env, 'OBS_VISION_QUEUE', 0, 10_000),
    shutdown: shutdownSettingsFrom(env),
  };
}
