/**
 * Test helper: runs the example app as a child process (`node --import tsx
 * src/main.ts`, always the current source; the workspace packages it imports
 * are built by turbo's ^build), waits until it answers, and kills it on request.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
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
  return existsSync(join(APP_DIR, 'dist', 'main.js')) && existsSync(join(APP_DIR, 'dist', 'public', 'vendor', 'uPlot.esm.js'));
}

export async function startAppProcess(port: number, env: Record<string, string> = {}, options: { args?: string[]; built?: boolean; timeoutMs?: number } = {}): Promise<AppProcess> {
  const [command, ...args] = appCommand(options.built);
  const child = spawn(command!, [...args, ...(options.args ?? [])], {
    cwd: APP_DIR,
    env: { ...process.env, OBS_TOKEN: '', OBS_METRICS_TOKEN: '', ...env, PORT: String(port), HOST: '127.0.0.1' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  const collect = (d: Buffer) => (output = (output + d.toString()).slice(-50_000));
  child.stdout?.on('data', collect);
  child.stderr?.on('data', collect);
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => child.once('exit', (code, signal) => resolve({ code, signal })));
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
