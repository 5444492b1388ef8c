#!/usr/bin/env node
import { CliError, USAGE, parseCli } from './cli';
import { startExampleApp } from './createExampleApp';
import { createExporters } from './exporters';

async function main(): Promise<void> {
  let config;
  try {
    config = parseCli(process.argv.slice(2), process.env);
  } catch (error) {
    if (error instanceof CliError) {
      process.stderr.write(`error: ${error.message}\n\n${USAGE}`);
      process.exit(2);
    }
    throw error;
  }
  if (config.help) {
    process.stdout.write(USAGE);
    return;
  }
  const app = await startExampleApp({
    host: config.host,
    port: config.port,
    demo: config.demo,
    token: config.token,
    metricsToken: config.metricsToken,
    stateFile: config.stateFile,
    snapshotIntervalSeconds: config.snapshotIntervalSeconds,
    traceSampleRate: config.traceSampleRate,
    otel: config.otel,
    exporters: createExporters(config.exporters),
    ...(config.visionWorkers !== undefined ? { visionWorkers: config.visionWorkers } : {}),
    ...(config.visionQueue !== undefined ? { visionQueue: config.visionQueue } : {}),
    server: {
      ...(config.maxConnections !== undefined ? { maxConnections: config.maxConnections } : {}),
      // The request timeout must not be shorter than the header timeout.
      ...(config.headersTimeoutMs !== undefined
        ? { headersTimeoutMs: config.headersTimeoutMs, requestTimeoutMs: Math.max(30_000, config.headersTimeoutMs) }
        : {}),
    },
  });
  process.stdout.write(`vision service listening on ${app.url}${config.demo ? ' (demo traffic on)' : ''}\n`);
  process.stdout.write(
    `  dashboard  ${app.url}/\n  analyze    curl --data-binary @image.png ${app.url}/api/analyze\n  metrics    ${app.url}/metrics\n`,
  );

  let stopping = false;
  const shutdown = (signal: string) => {
    if (stopping) {
      process.stderr.write(`${signal} again: exiting now\n`);
      process.exit(1);
    }
    stopping = true;
    process.stderr.write(`${signal}: shutting down\n`);
    const deadline = setTimeout(() => {
      process.stderr.write('shutdown took too long; exiting\n');
      process.exit(1);
    }, 10_000);
    deadline.unref();
    app.close().then(
      () => {
        process.stderr.write('stopped\n');
        process.exitCode = 0;
      },
      (error: unknown) => {
        process.stderr.write(`shutdown failed: ${String(error)}\n`);
        process.exitCode = 1;
      },
    );
  };
  process.on('SIGTERM', () => shutdown('SIGTERM'));
  process.on('SIGINT', () => shutdown('SIGINT'));
}

main().catch((error: unknown) => {
  process.stderr.write(`fatal: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
  process.exit(1);
});
