import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import {
  findBinary,
  freePort,
  startAlertmanager,
  startPrometheus,
  startServer,
  type RunningServer,
} from '@obs/testing';
import { alertmanagerConfig, fleetRules, prometheusConfig, type FleetSLO } from './fleetFiles';

const run = promisify(execFile);

export interface FleetOptions {
  /** App instances (default 3). */
  readonly instances?: number;
  /** How the app is run: `[command, ...args]` (default: this build's `main.js` with the current Node). */
  readonly appCommand?: readonly string[];
  /** Prometheus scrape interval (default `5s`). */
  readonly scrapeInterval?: string;
  /** Prometheus rule evaluation interval (default `5s`). */
  readonly evaluationInterval?: string;
  /**
   * Divides the SLO rules' windows, so burn-rate alerts follow the two-minute demo cycle
   * (default 60: the page alert's 1h/5m windows become 1m/5s). 1 is real time.
   */
  readonly timeScale?: number;
  /** How long an instance must be down before `TargetDown` fires (default `10s`). */
  readonly targetDownFor?: string;
  /** Where the config, rules and data go (default a fresh temporary folder, removed on stop). */
  readonly dir?: string;
  /** Progress lines (default: none). */
  readonly log?: (line: string) => void;
  /** Time allowed for each server to become ready, ms (default 90 000). */
  readonly startTimeoutMs?: number;
}

export interface Fleet {
  readonly apps: readonly RunningServer[];
  readonly prometheus: RunningServer;
  readonly alertmanagers: readonly RunningServer[];
  /** The rule file Prometheus loads (checked by `promtool check rules`). */
  readonly rulesFile: string;
  /** SLOs of the app without Prometheus rules (no metric behind them). */
  readonly skippedSLOs: readonly string[];
  readonly dir: string;
  /** Stops every process (apps first, then Prometheus, then the Alertmanagers) and removes the temporary folder. */
  stop(): Promise<void>;
}

/** `node dist/main.js` next to this module's build (`dist/fleet.js`). */
function defaultAppCommand(): string[] {
  return [process.execPath, join(dirname(fileURLToPath(import.meta.url)), 'main.js')];
}

function binary(name: string): string {
  const found = findBinary(name);
  if (!found) throw new Error(`${name} is not installed (Debian: apt-get install prometheus prometheus-alertmanager)`);
  return found;
}

/**
 * Starts a fleet on 127.0.0.1: `instances` example apps with demo traffic, two
 * Alertmanagers in one gossip cluster, and a Prometheus that scrapes the apps, evaluates
 * the rules @obs/slo generates for the apps' SLOs plus `TargetDown`, and sends its alerts
 * to both Alertmanagers. Every binary comes from the Debian packages `prometheus` and
 * `prometheus-alertmanager`; data lives in a private temporary folder. If anything fails
 * to start, what did start is stopped before the error is thrown.
 */
export async function startFleet(options: FleetOptions = {}): Promise<Fleet> {
  const log = options.log ?? (() => undefined);
  const prometheusBin = binary('prometheus');
  const alertmanagerBin = binary('prometheus-alertmanager');
  const promtoolBin = binary('promtool');
  const instances = options.instances ?? 3;
  const scrapeInterval = options.scrapeInterval ?? '5s';
  const evaluationInterval = options.evaluationInterval ?? '5s';
  const timeout = options.startTimeoutMs ?? 90_000;
  const ownDir = options.dir === undefined;
  const dir = options.dir ?? mkdtempSync(join(tmpdir(), 'obs-fleet-'));
  const [appCommand, ...appArgs] = options.appCommand ?? defaultAppCommand();
  const started: RunningServer[] = [];
  const stopAll = async () => {
    // Apps first (their last scrape no longer matters), then Prometheus, then the Alertmanagers it sends to.
    const byRole = (role: string) => started.filter((p) => p.name.startsWith(role));
    await Promise.all(byRole('app').map((p) => p.stop(5000)));
    await Promise.all(byRole('prometheus').map((p) => p.stop(5000)));
    await Promise.all(byRole('alertmanager').map((p) => p.stop(5000)));
    if (ownDir) rmSync(dir, { recursive: true, force: true });
  };

  try {
    log(`fleet files in ${dir}`);
    const appPorts = await Promise.all(Array.from({ length: instances }, () => freePort()));
    const apps = await Promise.all(
      appPorts.map(async (port, i) => {
        const app = await startServer(`app-${i + 1}`, appCommand!, [...appArgs, '--demo'], {
          url: `http://127.0.0.1:${port}`,
          readyUrl: `http://127.0.0.1:${port}/health/live`,
          env: {
            ...process.env,
            PORT: String(port),
            HOST: '127.0.0.1',
            OBS_TOKEN: '',
            OBS_METRICS_TOKEN: '',
            // Decoding on the event loop: the demo's failures are its planned outages, never a full thread pool.
            OBS_VISION_WORKERS: '0',
          },
          timeoutMs: timeout,
        });
        started.push(app);
        log(`app-${i + 1}       ${app.url}/ (pid ${app.pid})`);
        return app;
      }),
    );

    // The SLOs the apps define (their vision provider's, on its first request), compiled to rules.
    const slos = await appSLOs(apps[0]!.url, timeout);
    const { yaml, skipped } = fleetRules({
      slos,
      timeScale: options.timeScale ?? 60,
      targetDownFor: options.targetDownFor ?? '10s',
    });
    const rulesFile = join(dir, 'rules.yml');
    writeFileSync(rulesFile, yaml);
    const check = await run(promtoolBin, ['check', 'rules', rulesFile]).catch(
      (error: { stdout?: string; stderr?: string }) => {
        throw new Error(`promtool check rules failed:\n${error.stdout ?? ''}${error.stderr ?? ''}`);
      },
    );
    log(`rules      ${rulesFile} (${check.stdout.trim().split('\n').at(-1) ?? 'checked'})`);

    const amPorts = await Promise.all([freePort(), freePort(), freePort(), freePort()]);
    const alertmanagers = await Promise.all(
      [0, 1].map(async (i) => {
        const gossip = amPorts[2 + i]!;
        const am = await startAlertmanager({
          name: `alertmanager-${i + 1}`,
          binary: alertmanagerBin,
          config: alertmanagerConfig(),
          dir: join(dir, `alertmanager-${i + 1}`),
          port: amPorts[i]!,
          cluster: {
            port: gossip,
            peers: [amPorts[2 + (1 - i)]!],
            args: ['--cluster.gossip-interval=100ms', '--cluster.pushpull-interval=2s', '--cluster.settle-timeout=2s'],
          },
          timeoutMs: timeout,
        });
        started.push(am);
        log(`alertmanager-${i + 1} ${am.url}/ (gossip 127.0.0.1:${gossip})`);
        return am;
      }),
    );

    const prometheus = await startPrometheus({
      binary: prometheusBin,
      config: prometheusConfig({
        scrapeInterval,
        evaluationInterval,
        targets: appPorts.map((p) => `127.0.0.1:${p}`),
        alertmanagers: alertmanagers.map((am) => am.url.replace('http://', '')),
        ruleFile: rulesFile,
      }),
      dir: join(dir, 'prometheus'),
      args: ['--storage.tsdb.retention.time=2h'],
      timeoutMs: timeout,
    });
    started.push(prometheus);
    log(`prometheus ${prometheus.url}/`);

    let stopping: Promise<void> | undefined;
    return {
      apps,
      prometheus,
      alertmanagers,
      rulesFile,
      skippedSLOs: skipped,
      dir,
      stop: () => (stopping ??= stopAll()),
    };
  } catch (error) {
    await stopAll();
    throw error;
  }
}

/** The SLOs an app lists on its dashboard, once its vision provider has defined them (on the first demo request). */
async function appSLOs(url: string, timeoutMs: number): Promise<FleetSLO[]> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      const res = await fetch(`${url}/api/dashboard`, { signal: AbortSignal.timeout(5000) });
      if (res.ok) {
        const data = (await res.json()) as { slos?: FleetSLO[] };
        const slos = (data.slos ?? []).map(({ sloId, name, target, windowDays }) => ({
          sloId,
          name,
          target,
          windowDays,
        }));
        if (slos.some((s) => s.sloId.startsWith('vision-availability-'))) return slos;
      }
    } catch {
      // starting
    }
    if (Date.now() > deadline) throw new Error(`the app at ${url} listed no vision SLOs within ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, 250));
  }
}
