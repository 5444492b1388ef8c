import { spawn } from 'node:child_process';
import { promises as fs } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createObservabilityHub } from './index';

const fixture = fileURLToPath(new URL('./fixtures/sigkill.fixture.ts', import.meta.url));
const tsconfig = fileURLToPath(new URL('./fixtures/tsconfig.json', import.meta.url));

let dir: string;
beforeAll(async () => {
  dir = await fs.mkdtemp(join(tmpdir(), 'obs-hub-sigkill-'));
});
afterAll(async () => {
  await fs.rm(dir, { recursive: true, force: true });
});

/** Runs the counting child until it has made `snapshots` durable writes plus a random delay, then SIGKILLs it. */
function runAndKill(
  path: string,
  snapshots: number,
  extraDelayMs: number,
): Promise<{ restored: number; lastPersisted: number }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', fixture, path], {
      cwd: fileURLToPath(new URL('..', import.meta.url)),
      env: { ...process.env, TSX_TSCONFIG_PATH: tsconfig },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let restored = -1;
    let lastPersisted = -1;
    let seen = 0;
    let buffer = '';
    let stderr = '';
    const guard = setTimeout(() => child.kill('SIGKILL'), 30_000);
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.stdout.on('data', (d: Buffer) => {
      buffer += d.toString();
      let nl: number;
      while ((nl = buffer.indexOf('\n')) >= 0) {
        const line = JSON.parse(buffer.slice(0, nl)) as { restored?: number; persisted?: number };
        buffer = buffer.slice(nl + 1);
        if (line.restored !== undefined) restored = line.restored;
        if (line.persisted !== undefined) {
          lastPersisted = line.persisted;
          if (++seen === snapshots) setTimeout(() => child.kill('SIGKILL'), extraDelayMs);
        }
      }
    });
    child.on('exit', (_code, signal) => {
      clearTimeout(guard);
      if (signal !== 'SIGKILL' || restored < 0)
        reject(new Error(`child ended unexpectedly (${String(signal)}): ${stderr}`));
      else resolve({ restored, lastPersisted });
    });
  });
}

describe('durability under SIGKILL', () => {
  it('after a kill at any moment, start() restores at least the last durable snapshot', async () => {
    const path = join(dir, 'state.json');
    let previousPersisted = 0;
    for (const delay of [0, 37, 83]) {
      const { restored, lastPersisted } = await runAndKill(path, 3, delay);
      // What the previous run reported durable survived its SIGKILL.
      expect(restored).toBeGreaterThanOrEqual(previousPersisted);
      expect(lastPersisted).toBeGreaterThanOrEqual(restored);
      previousPersisted = lastPersisted;
    }
    const hub = createObservabilityHub({ persistence: { path } });
    const problems: string[] = [];
    hub.eventsOf('hub/restore-error').subscribe((e) => problems.push(e.type));
    await hub.start();
    expect(hub.metrics.getCounter('work_total')).toBeGreaterThanOrEqual(previousPersisted);
    expect(problems).toEqual([]);
    await hub.stop();
  }, 60_000);
});
