#!/usr/bin/env node
import cluster from 'node:cluster';
import { CliError, USAGE, parseCli, type CliConfig } from './cli';
import { startClusterPrimary } from './cluster/startClusterPrimary';
import { WORKER_MESSAGE_TAG } from './cluster/protocol';
import { startClusterWorker } from './cluster/startClusterWorker';
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
  if (config.workers > 0) {
    if (cluster.isPrimary) await runPrimary(config);
    else await runWorker(config);
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
    shutdown: config.shutdown,
    handleSignals: true,
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

  // SIGTERM/SIGINT start the graceful shutdown (a second one exits at once); see createExampleApp.
  const report = await app.lifecycle.whenStopped();
  process.exitCode = report.ok ? 0 : 1;
  // Normally nothing is left and the process exits now; if something still holds the event loop, do not wait for it.
  setTimeout(() => {
    process.stderr.write('something still holds the event loop after shutdown; exiting\n');
    process.exit();
  }, 1000).unref();
}

/** `--workers N` primary: SIGTERM/SIGINT close, then exit; a second signal or a close that takes over 10 s exits at once. */
function onSignals(close: () => Promise<void>, done: () => void = () => {}): void {
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
    close().then(
      () => {
        process.stderr.write('stopped\n');
        process.exitCode = 0;
        done();
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

/** `--workers N`, primary: the hub, the dashboard and the merged /metrics; the workers take the uploads. */
async function runPrimary(config: CliConfig): Promise<void> {
  if (config.stateFile || config.otel)
    process.stderr.write(
      'note: OBS_STATE_FILE and --otel apply to a single process; they are ignored with --workers\n',
    );
  const primary = await startClusterPrimary({
    host: config.host,
    port: config.port,
    workerPort: config.workerPort,
    workers: config.workers,
    demo: config.demo,
    token: config.token,
    metricsToken: config.metricsToken,
    traceSampleRate: config.traceSampleRate,
    exporters: createExporters(config.exporters),
  });
  process.stdout.write(
    `vision service (${config.workers} workers) listening on ${primary.url}${config.demo ? ' (demo traffic on)' : ''}\n`,
  );
  process.stdout.write(
    `  dashboard  ${primary.url}/\n  analyze    curl --data-binary @image.png ${primary.uploadsUrl}/api/analyze\n  metrics    ${primary.url}/metrics (all workers merged)\n`,
  );
  onSignals(() => primary.close());
}

/** `--workers N`, worker: serves uploads, reports to the primary; exits when the primary goes away. */
async function runWorker(config: CliConfig): Promise<void> {
  const worker = await startClusterWorker({
    host: config.host,
    port: config.workerPort,
    demo: config.demo,
    traceSampleRate: config.traceSampleRate,
    ...(config.visionWorkers !== undefined ? { visionWorkers: config.visionWorkers } : {}),
    ...(config.visionQueue !== undefined ? { visionQueue: config.visionQueue } : {}),
  });
  // Messages on the IPC channel arrive in order: once this one is written, so are the last state and spans.
  const leave = () => {
    const exit = setTimeout(() => process.exit(0), 2000);
    if (process.connected)
      process.send?.({ $obs: WORKER_MESSAGE_TAG, kind: 'bye' }, undefined, undefined, () => process.exit(0));
    else {
      clearTimeout(exit);
      process.exit(0);
    }
  };
  // Ctrl-C reaches the workers and the primary, which then asks them to stop too: one close for both.
  const stop = () => {
    worker.close().then(leave, (error: unknown) => {
      process.stderr.write(`worker shutdown failed: ${String(error)}\n`);
      process.exit(1);
    });
  };
  process.on('SIGTERM', stop);
  process.on('SIGINT', stop);
  // The primary died (or disconnected us): no orphans.
  process.once('disconnect', () => {
    worker.close().finally(() => process.exit(0));
  });
}

main().catch((error: unknown) => {
  process.stderr.write(`fatal: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
  process.exit(1);
});
