import { describe, expect, it } from 'vitest';
import { CliError, parseCli } from './cli';
import { createExporters } from './exporters';

describe('parseCli', () => {
  it('has the documented defaults', () => {
    expect(parseCli([], {})).toEqual({
      host: '127.0.0.1',
      port: 3000,
      demo: false,
      help: false,
      token: undefined,
      metricsToken: undefined,
      stateFile: undefined,
      snapshotIntervalSeconds: 15,
      traceSampleRate: 0.25,
      maxConnections: undefined,
      headersTimeoutMs: undefined,
      otel: false,
      visionWorkers: undefined,
      visionQueue: undefined,
      workers: 0,
      workerPort: 3001,
      shutdown: { delayMs: 3000, drainTimeoutMs: 10_000, timeoutMs: 23_000 },
      exporters: {
        otlpEndpoint: undefined,
        otlpProtocol: 'http/protobuf',
        metricExportIntervalMs: 60_000,
        remoteWriteUrl: undefined,
        remoteWriteIntervalMs: 15_000,
      },
    });
  });

  it('reads --demo, PORT, HOST and the OBS_ variables', () => {
    const config = parseCli(['--demo'], {
      PORT: '8080',
      HOST: '0.0.0.0',
      OBS_TOKEN: 'x'.repeat(20),
      OBS_STATE_FILE: '/tmp/s.json',
      OBS_SNAPSHOT_INTERVAL_SECONDS: '0.5',
    });
    expect(config).toMatchObject({
      demo: true,
      port: 8080,
      host: '0.0.0.0',
      token: 'x'.repeat(20),
      stateFile: '/tmp/s.json',
      snapshotIntervalSeconds: 0.5,
    });
  });

  it('reads --workers N (or OBS_WORKERS) and OBS_WORKER_PORT', () => {
    expect(parseCli(['--workers', '2', '--demo'], { PORT: '8080' })).toMatchObject({
      workers: 2,
      workerPort: 8081,
      demo: true,
    });
    expect(parseCli(['--workers=3'], {}).workers).toBe(3);
    expect(parseCli([], { OBS_WORKERS: '4', OBS_WORKER_PORT: '9000' })).toMatchObject({ workers: 4, workerPort: 9000 });
    expect(parseCli(['--workers', '2'], { PORT: '0' }).workerPort).toBe(0);
    for (const argv of [['--workers'], ['--workers', 'two'], ['--workers=-1'], ['--workers', '65']])
      expect(() => parseCli(argv, {})).toThrow(CliError);
    expect(() => parseCli(['--workers', '2'], { PORT: '8080', OBS_WORKER_PORT: '8080' })).toThrow(/differ/);
  });

  it('reads the graceful shutdown settings', () => {
    expect(parseCli([], { SHUTDOWN_DELAY_MS: '10000' }).shutdown).toEqual({
      delayMs: 10_000,
      drainTimeoutMs: 10_000,
      timeoutMs: 30_000,
    });
    expect(
      parseCli([], { SHUTDOWN_DELAY_MS: '0', SHUTDOWN_DRAIN_TIMEOUT_MS: '500', SHUTDOWN_TIMEOUT_MS: '2000' }).shutdown,
    ).toEqual({ delayMs: 0, drainTimeoutMs: 500, timeoutMs: 2000 });
    expect(() => parseCli([], { SHUTDOWN_DELAY_MS: '-1' })).toThrow(/SHUTDOWN_DELAY_MS must be/);
    expect(() => parseCli([], { SHUTDOWN_DELAY_MS: '1.5' })).toThrow(CliError);
    expect(() => parseCli([], { SHUTDOWN_DELAY_MS: '5000', SHUTDOWN_TIMEOUT_MS: '4000' })).toThrow(
      /must be longer than SHUTDOWN_DELAY_MS/,
    );
  });

  it('reads OBS_OTEL=1 and --otel', () => {
    expect(parseCli([], { OBS_OTEL: '1' }).otel).toBe(true);
    expect(parseCli(['--otel'], {}).otel).toBe(true);
    expect(parseCli([], { OBS_OTEL: '0' }).otel).toBe(false);
  });

  it.each([
    [['--nope'], {}],
    [[], { PORT: 'abc' }],
    [[], { PORT: '70000' }],
    [[], { PORT: '1.5' }],
    [[], { HOST: 'a b' }],
    [[], { OBS_TOKEN: 'short' }],
    [[], { OBS_TOKEN: 'a'.repeat(20) + '\r\nX: y' }],
    [[], { OBS_SNAPSHOT_INTERVAL_SECONDS: '-1' }],
    [[], { OBS_TRACE_SAMPLE_RATE: 'NaN' }],
  ])('rejects %j %j with a CliError', (argv, env) => {
    expect(() => parseCli(argv, env)).toThrow(CliError);
  });
});

describe('push exporter settings from the environment', () => {
  it('defaults: nothing pushed, OTLP protobuf every 60 s, remote write every 15 s', () => {
    expect(parseCli([], {}).exporters).toEqual({
      otlpEndpoint: undefined,
      otlpProtocol: 'http/protobuf',
      metricExportIntervalMs: 60_000,
      remoteWriteUrl: undefined,
      remoteWriteIntervalMs: 15_000,
    });
  });

  it('reads OTLP_ENDPOINT, OTEL_EXPORTER_OTLP_PROTOCOL, OTEL_METRIC_EXPORT_INTERVAL, REMOTE_WRITE_URL, REMOTE_WRITE_INTERVAL_MS', () => {
    const settings = parseCli([], {
      OTLP_ENDPOINT: 'http://127.0.0.1:4318/',
      OTEL_EXPORTER_OTLP_PROTOCOL: 'http/json',
      OTEL_METRIC_EXPORT_INTERVAL: '5000',
      REMOTE_WRITE_URL: 'http://127.0.0.1:9090/api/v1/write',
      REMOTE_WRITE_INTERVAL_MS: '2000',
    }).exporters;
    expect(settings).toEqual({
      otlpEndpoint: 'http://127.0.0.1:4318/',
      otlpProtocol: 'http/json',
      metricExportIntervalMs: 5000,
      remoteWriteUrl: 'http://127.0.0.1:9090/api/v1/write',
      remoteWriteIntervalMs: 2000,
    });
    const exporters = createExporters(settings);
    expect(exporters.map((e) => e.name)).toEqual(['otlp-http', 'otlp-metrics', 'remote-write']);
  });

  it('rejects bad values', () => {
    expect(() => parseCli([], { OTEL_EXPORTER_OTLP_PROTOCOL: 'grpc' })).toThrow(CliError);
    expect(() => parseCli([], { OTLP_ENDPOINT: 'localhost:4318' })).toThrow(CliError);
    expect(() => parseCli([], { REMOTE_WRITE_INTERVAL_MS: '0' })).toThrow(CliError);
  });
});
