import { spawn, type ChildProcess as NodeChild } from 'node:child_process';
import { existsSync } from 'node:fs';
import { createServer } from 'node:net';
import { delimiter, join } from 'node:path';

/** A server the fleet started: its process, its output (last 20 kB) and a stop that waits for the exit. */
export interface FleetProcess {
  readonly name: string;
  readonly url: string;
  readonly child: NodeChild;
  readonly pid: number;
  output(): string;
  /** SIGTERM, then SIGKILL after `graceMs` (default 5000); resolves once the process has exited. */
  stop(graceMs?: number): Promise<void>;
  /** Resolves when the process exits, however. */
  readonly exited: Promise<void>;
}

/** An executable on PATH (or an absolute path), or undefined. */
export function findExecutable(name: string): string | undefined {
  if (name.startsWith('/')) return existsSync(name) ? name : undefined;
  for (const dir of (process.env.PATH ?? '').split(delimiter)) {
    const candidate = join(dir, name);
    if (existsSync(candidate)) return candidate;
  }
  return undefined;
}

/** A free TCP port on 127.0.0.1 (the OS picks it; another process could take it before use, which start reports). */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.unref();
    server.on('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}

/**
 * Starts `command args` and waits until `readyUrl` answers 2xx. On failure (it exits,
 * or is not ready within `timeoutMs`) the process is stopped and the error carries its output.
 */
export async function startProcess(
  name: string,
  command: string,
  args: readonly string[],
  options: { url: string; readyUrl: string; env?: NodeJS.ProcessEnv; cwd?: string; timeoutMs?: number },
): Promise<FleetProcess> {
  const child = spawn(command, [...args], {
    cwd: options.cwd,
    env: options.env ?? process.env,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  const collect = (d: Buffer) => (output = (output + d.toString()).slice(-20_000));
  child.stdout?.on('data', collect);
  child.stderr?.on('data', collect);
  const exited = new Promise<void>((resolve) => {
    if (child.exitCode !== null || child.signalCode !== null) resolve();
    else child.once('exit', () => resolve());
  });
  const spawnError = new Promise<Error>((resolve) => child.once('error', resolve));
  const stop = async (graceMs = 5000) => {
    if (child.exitCode === null && child.signalCode === null) {
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), graceMs);
      await exited;
      clearTimeout(timer);
    }
  };
  const deadline = Date.now() + (options.timeoutMs ?? 60_000);
  let failure: Error | undefined;
  void spawnError.then((error) => (failure = error));
  while (Date.now() < deadline) {
    if (failure) break;
    if (child.exitCode !== null || child.signalCode !== null) {
      failure = new Error(`${name} exited early (${child.exitCode ?? child.signalCode})`);
      break;
    }
    try {
      const res = await fetch(options.readyUrl, { signal: AbortSignal.timeout(2000) });
      if (res.ok) return { name, url: options.url, child, pid: child.pid!, output: () => output, stop, exited };
    } catch {
      // not listening yet
    }
    await new Promise((r) => setTimeout(r, 200));
  }
  await stop(1000);
  throw new Error(`${name} did not start: ${failure?.message ?? `not ready at ${options.readyUrl}`}\n${output}`);
}
