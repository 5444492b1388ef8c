/**
 * Test helper: runs the example app as a child process (`node --import tsx
 * src/main.ts`, always the current source; the workspace packages it imports
 * are built by turbo's ^build), waits until it answers, and kills it on request.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const APP_DIR = join(dirname(fileURLToPath(import.meta.url)), '..', '..');

export interface AppProcess {
  readonly child: ChildProcess;
  readonly url: string;
  output(): string;
  /** Resolves with the exit code or signal once the process has exited. */
  readonly exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  kill(signal?: NodeJS.Signals): Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

/** `['node', '--import', 'tsx', 'src/main.ts']`, or the built `dist/main.js` when `built` is set. */
export function appCommand(built = false): string[] {
  if (built) return [process.execPath, join(APP_DIR, 'dist', 'main.js')];
  return [process.execPath, '--import', 'tsx', join(APP_DIR, 'src', 'main.ts')];
}

export function hasBuild(): boolean {
  return (
    existsSync(join(APP_DIR, 'dist', 'main.js')) &&
    existsSync(join(APP_DIR, 'dist', 'public', 'vendor', 'uPlot.esm.js'))
  );
}

/** The soft limit on open files of this process (Linux), or undefined when unknown. */
export function openFileLimit(): number | undefined {
  try {
    const match = /^Max open files\s+(\d+)/m.exec(readFileSync('/proc/self/limits', 'utf8'));
    return match ? Number(match[1]) : undefined;
  } catch {
    return undefined;
  }
}

/**
 * `[command, args]` that run `command args` with a soft open-file limit of at
 * least `openFiles`: unchanged when the current limit suffices, else through
 * `sh -c 'ulimit -n N'` (raising the soft limit up to the hard one).
 */
export function withOpenFiles(
  command: string,
  args: readonly string[],
  openFiles: number | undefined,
): [string, string[]] {
  const current = openFileLimit();
  if (openFiles === undefined || (current !== undefined && current >= openFiles)) return [command, [...args]];
  return [
    '/bin/sh',
    ['-c', `ulimit -Sn ${openFiles} 2>/dev/null || ulimit -Sn "$(ulimit -Hn)"; exec "$0" "$@"`, command, ...args],
  ];
}

export async function startAppProcess(
  port: number,
  env: Record<string, string> = {},
  options: { args?: string[]; built?: boolean; timeoutMs?: number; openFiles?: number } = {},
): Promise<AppProcess> {
  const [node, ...nodeArgs] = appCommand(options.built);
  const [command, args] = withOpenFiles(node!, nodeArgs, options.openFiles);
  const child = spawn(command, [...args, ...(options.args ?? [])], {
    cwd: APP_DIR,
    // No shutdown delay unless a test asks for one: most tests only stop the app.
    env: {
      ...process.env,
      OBS_TOKEN: '',
      OBS_METRICS_TOKEN: '',
      SHUTDOWN_DELAY_MS: '0',
      ...env,
      PORT: String(port),
      HOST: '127.0.0.1',
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  const collect = (d: Buffer) => (output = (output + d.toString()).slice(-50_000));
  child.stdout?.on('data', collect);
  child.stderr?.on('data', collect);
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
    child.once('exit', (code, signal) => resolve({ code, signal })),
  );
  const url = `http://127.0.0.1:${port}`;
  const kill = async (signal: NodeJS.Signals = 'SIGTERM') => {
    if (child.exitCode === null && child.signalCode === null) child.kill(signal);
    return exited;
  };
  const deadline = Date.now() + (options.timeoutMs ?? 30_000);
  while (Date.now() < deadline) {
    if (child.exitCode !== null || child.signalCode !== null) throw new Error(`the app exited early:\n${output}`);
    try {
      const res = await fetch(`${url}/health/live`);
      if (res.status < 500) return { child, url, output: () => output, exited, kill };
    } catch {
      // not listening yet
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  await kill('SIGKILL');
  throw new Error(`the app did not start within the timeout:\n${output}`);
}

/** Runs `scripts/hostile-client.mjs <mode> --url <url> …` as its own process and returns its JSON report. */
export function runHostileClient<T = Record<string, unknown>>(
  mode: string,
  url: string,
  flags: Record<string, string | number> = {},
  openFiles?: number,
): Promise<T> {
  const script = join(APP_DIR, 'scripts', 'hostile-client.mjs');
  const [command, args] = withOpenFiles(
    process.execPath,
    [script, mode, '--url', url, ...Object.entries(flags).flatMap(([k, v]) => [`--${k}`, String(v)])],
    openFiles,
  );
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    child.stdout?.on('data', (d: Buffer) => (out += d.toString()));
    child.stderr?.on('data', (d: Buffer) => (err += d.toString()));
    child.once('error', reject);
    child.once('exit', (code) => {
      if (code !== 0) return reject(new Error(`hostile-client ${mode} exited ${String(code)}: ${err}`));
      try {
        resolve(JSON.parse(out.trim().split('\n').at(-1) ?? '') as T);
      } catch (error) {
        reject(new Error(`hostile-client ${mode} printed no report: ${out}${err}`, { cause: error }));
      }
    });
  });
}
