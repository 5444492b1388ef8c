import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort, startServer, type RunningServer } from './servers';

/** A Prometheus or Alertmanager started on 127.0.0.1 with its config written to `dir`. */
export interface RunningPromServer extends RunningServer {
  readonly port: number;
  /** Holds the config file and the data; removed by `stop()` when the helper created it. */
  readonly dir: string;
  readonly configFile: string;
}

interface PromServerOptions {
  /** The executable (from `requireBinary`). */
  readonly binary: string;
  /** The YAML config file's text. */
  readonly config: string;
  /** Default: a free port. Pass a stopped server's port and `dir` to restart it on the same storage. */
  readonly port?: number;
  /** Default: a new temporary directory, removed by `stop()`. */
  readonly dir?: string;
  /** Flags after the standard ones. */
  readonly args?: readonly string[];
  /** Default 45 000: a first start on a busy machine is slow. */
  readonly timeoutMs?: number;
  /** For logs and errors (default the server kind). */
  readonly name?: string;
}

export type PrometheusOptions = PromServerOptions;

/** A Prometheus config with a 1 h scrape interval and no targets (a remote-write receiver, a rule checker). */
export const IDLE_PROMETHEUS_CONFIG = 'global:\n  scrape_interval: 1h\n';

/** An Alertmanager config whose only receiver drops every notification. */
export const NULL_ALERTMANAGER_CONFIG = "route:\n  receiver: 'null'\nreceivers:\n  - name: 'null'\n";

async function startPromServer(
  kind: string,
  options: PromServerOptions,
  flags: (configFile: string, dir: string, port: number) => string[],
): Promise<RunningPromServer> {
  const ownDir = options.dir === undefined;
  const dir = options.dir ?? mkdtempSync(join(tmpdir(), `obs-${kind}-`));
  mkdirSync(dir, { recursive: true });
  const configFile = join(dir, `${kind}.yml`);
  writeFileSync(configFile, options.config);
  const port = options.port ?? (await freePort());
  const removeDir = () => {
    if (ownDir) rmSync(dir, { recursive: true, force: true });
  };
  let server: RunningServer;
  try {
    server = await startServer(
      options.name ?? kind,
      options.binary,
      [...flags(configFile, dir, port), ...(options.args ?? [])],
      { url: `http://127.0.0.1:${port}`, timeoutMs: options.timeoutMs ?? 45_000 },
    );
  } catch (error) {
    removeDir();
    throw error;
  }
  return {
    ...server,
    port,
    dir,
    configFile,
    stop: async (graceMs?: number) => {
      await server.stop(graceMs);
      removeDir();
    },
  };
}

/** Starts Prometheus on 127.0.0.1 with `config` (e.g. scrape targets) and waits for `/-/ready`. */
export function startPrometheus(options: PrometheusOptions): Promise<RunningPromServer> {
  return startPromServer('prometheus', options, (configFile, dir, port) => [
    `--config.file=${configFile}`,
    `--storage.tsdb.path=${join(dir, 'prometheus-data')}`,
    `--web.listen-address=127.0.0.1:${port}`,
  ]);
}

export interface AlertmanagerOptions extends Omit<PromServerOptions, 'config'> {
  /** Default {@link NULL_ALERTMANAGER_CONFIG}. */
  readonly config?: string;
  /** Gossip with other Alertmanagers (an HA cluster); without it clustering is off. */
  readonly cluster?: {
    readonly port: number;
    readonly peers: readonly number[];
    /** Extra `--cluster.*` flags, e.g. shorter gossip intervals for tests. */
    readonly args?: readonly string[];
  };
}

/** Starts Alertmanager on 127.0.0.1 (alone, or in a cluster) and waits for `/-/ready`. */
export function startAlertmanager(options: AlertmanagerOptions): Promise<RunningPromServer> {
  const { cluster } = options;
  return startPromServer(
    'alertmanager',
    { ...options, config: options.config ?? NULL_ALERTMANAGER_CONFIG },
    (configFile, dir, port) => [
      `--config.file=${configFile}`,
      `--storage.path=${join(dir, 'alertmanager-data')}`,
      `--web.listen-address=127.0.0.1:${port}`,
      ...(cluster
        ? [
            `--cluster.listen-address=127.0.0.1:${cluster.port}`,
            `--cluster.advertise-address=127.0.0.1:${cluster.port}`,
            ...cluster.peers.map((peer) => `--cluster.peer=127.0.0.1:${peer}`),
            ...(cluster.args ?? []),
          ]
        : ['--cluster.listen-address=']),
    ],
  );
}
