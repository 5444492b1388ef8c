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

export interface RunningServer {
  readonly process: ChildProcess;
  readonly output: () => string;
  stop(): Promise<void>;
}

/**
 * Starts a server process and waits until `readyUrl` answers 2xx (or `timeoutMs` passes).
 * `stop()` sends SIGTERM, then SIGKILL after two seconds.
 */
export async function startServer(
  command: string,
  args: string[],
  readyUrl: string,
  timeoutMs = 20_000,
): Promise<RunningServer> {
  const child = spawn(command, args, { stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  child.stdout?.on('data', (d: Buffer) => (output = (output + d.toString()).slice(-20_000)));
  child.stderr?.on('data', (d: Buffer) => (output = (output + d.toString()).slice(-20_000)));
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const stop = async () => {
    if (child.exitCode !== null || child.signalCode !== null) return;
    child.kill('SIGTERM');
    const timer = setTimeout(() => child.kill('SIGKILL'), 2000);
    await exited;
    clearTimeout(timer);
  };
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw new Error(`${command} exited early (${child.exitCode}):\n${output}`);
    try {
      const res = await fetch(readyUrl);
      if (res.ok) return { process: child, output: () => output, stop };
    } catch {
      // not up yet
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  await stop();
  throw new Error(`${command} did not become ready at ${readyUrl} within ${timeoutMs} ms:\n${output}`);
}
