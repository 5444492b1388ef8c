/**
 * Test-only helpers for integration tests that run real servers and tools
 * (promtool, Prometheus, Alertmanager, Chromium) on 127.0.0.1.
 * Imported by tests as `@obs/testing`; never part of a published package.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { createServer } from 'node:net';
import { delimiter, join } from 'node:path';

/** Finds an executable on PATH (or an absolute path); undefined when missing. */
export function findBinary(name: string): string | undefined {
  if (name.startsWith('/')) return existsSync(name) ? name : undefined;
  for (const dir of (process.env.PATH ?? '').split(delimiter)) {
    const candidate = join(dir, name);
    if (existsSync(candidate)) return candidate;
  }
  return undefined;
}

/**
 * Whether an integration test that needs `name` should run. Locally a missing
 * tool skips the test; under CI=true it is a failure, so CI never passes by skipping.
 */
export function requireBinary(name: string): string | undefined {
  const found = findBinary(name);
  if (!found && process.env.CI) throw new Error(`${name} is required in CI but is not installed (see .ci/run)`);
  return found;
}

/** A free TCP port on 127.0.0.1. */
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

/** A server process a test (or the example fleet) started. */
export interface RunningServer {
  readonly name: string;
  /** Its base URL, e.g. `http://127.0.0.1:9090`. */
  readonly url: string;
  readonly process: ChildProcess;
  readonly pid: number;
  /** The last 20 kB of its stdout and stderr. */
  output(): string;
  /** SIGTERM, then SIGKILL after `graceMs` (default 2000); resolves once the process has exited. */
  stop(graceMs?: number): Promise<void>;
  /** Resolves when the process exits, however. */
  readonly exited: Promise<void>;
}

export interface StartServerOptions {
  /** The server's base URL. */
  readonly url: string;
  /** Polled until it answers 2xx (default `${url}/-/ready`, as Prometheus and Alertmanager serve). */
  readonly readyUrl?: string;
  readonly env?: NodeJS.ProcessEnv;
  readonly cwd?: string;
  /** Default 20 000. */
  readonly timeoutMs?: number;
}

/**
 * Starts `command args` and waits until its ready URL answers 2xx. On failure (it
 * exits, cannot be spawned, or is not ready in time) the process is stopped and the
 * error carries its output.
 */
export async function startServer(
  name: string,
  command: string,
  args: readonly string[],
  options: StartServerOptions,
): Promise<RunningServer> {
  const readyUrl = options.readyUrl ?? `${options.url}/-/ready`;
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
  let failure: Error | undefined;
  child.once('error', (error) => (failure = error));
  const stop = async (graceMs = 2000) => {
    if (child.exitCode !== null || child.signalCode !== null || child.pid === undefined) return;
    child.kill('SIGTERM');
    const timer = setTimeout(() => child.kill('SIGKILL'), graceMs);
    await exited;
    clearTimeout(timer);
  };
  const deadline = Date.now() + (options.timeoutMs ?? 20_000);
  while (Date.now() < deadline) {
    if (failure) break;
    if (child.exitCode !== null || child.signalCode !== null) {
      failure = new Error(`${name} exited early (${child.exitCode ?? child.signalCode})`);
      break;
    }
    try {
      const res = await fetch(readyUrl, { signal: AbortSignal.timeout(2000) });
      if (res.ok)
        return { name, url: options.url, process: child, pid: child.pid!, output: () => output, stop, exited };
    } catch {
      // not listening yet
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  await stop(1000);
  throw new Error(`${name} did not start: ${failure?.message ?? `not ready at ${readyUrl}`}\n${output}`);
}
