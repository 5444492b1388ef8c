import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { freePort } from '@obs/testing';
import { hasBuild, startAppProcess, type AppProcess } from './testing/appProcess';

const dir = mkdtempSync(join(tmpdir(), 'obs-example-'));
const started: AppProcess[] = [];
afterAll(async () => {
  await Promise.all(started.map((app) => app.kill('SIGKILL')));
  rmSync(dir, { recursive: true, force: true });
});

const png = readFileSync(new URL('../samples/logo.png', import.meta.url));
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function post(url: string, body: Uint8Array): Promise<number> {
  return (await fetch(`${url}/api/analyze`, { method: 'POST', body: Buffer.from(body) })).status;
}

async function counter(url: string, name: string, labels: string): Promise<number> {
  const text = await (await fetch(`${url}/metrics`)).text();
  const line = text.split('\n').find((l) => l.startsWith(`${name}{`) && l.includes(labels));
  return line ? Number(line.split(' ').at(-1)) : 0;
}

interface SloView {
  sloId: string;
  good: number;
  total: number;
}

async function slos(url: string): Promise<SloView[]> {
  return ((await (await fetch(`${url}/api/dashboard`)).json()) as { slos: SloView[] }).slos;
}

describe('the app as a process', () => {
  it('survives SIGKILL: counters and SLO state come back from the last snapshot', async () => {
    const stateFile = join(dir, 'state.json');
    const env = { OBS_STATE_FILE: stateFile, OBS_SNAPSHOT_INTERVAL_SECONDS: '1' };
    const first = await startAppProcess(await freePort(), env);
    started.push(first);
    // Phase A: settled well before the kill, so a snapshot must hold it.
    for (let i = 0; i < 30; i++) expect(await post(first.url, png)).toBe(200);
    for (let i = 0; i < 5; i++) expect(await post(first.url, png.subarray(0, 60))).toBe(400);
    await sleep(4000); // four snapshot intervals
    // Phase B: may or may not make it into a snapshot before the kill.
    for (let i = 0; i < 10; i++) await post(first.url, png);
    const killed = await first.kill('SIGKILL');
    expect(killed.signal).toBe('SIGKILL');

    const second = await startAppProcess(await freePort(), env);
    started.push(second);
    expect(second.output()).toContain(`state restored from ${stateFile}`);
    const total = await counter(second.url, 'vision_requests_total', 'provider="local"');
    expect(total).toBeGreaterThanOrEqual(35);
    expect(total).toBeLessThanOrEqual(45);
    const availability = (await slos(second.url)).find((s) => s.sloId === 'vision-availability-local');
    expect(availability?.total).toBeGreaterThanOrEqual(30);
    expect(availability?.good).toBe(availability?.total); // bad input never counts against the SLO
    // The restarted app keeps counting from the restored values.
    expect(await post(second.url, png)).toBe(200);
    expect(await counter(second.url, 'vision_requests_total', 'provider="local"')).toBe(total + 1);
    await second.kill('SIGTERM');
  });

  it('shuts down gracefully on SIGTERM and writes a final snapshot', async () => {
    const stateFile = join(dir, 'graceful.json');
    const app = await startAppProcess(await freePort(), {
      OBS_STATE_FILE: stateFile,
      OBS_SNAPSHOT_INTERVAL_SECONDS: '3600',
    });
    started.push(app);
    for (let i = 0; i < 3; i++) await post(app.url, png);
    // An open event stream must not keep the process alive.
    const events = await fetch(`${app.url}/api/events`);
    expect(events.status).toBe(200);
    const result = await app.kill('SIGTERM');
    expect(result.code).toBe(0);
    expect(app.output()).toContain('SIGTERM: shutting down');
    const again = await startAppProcess(await freePort(), { OBS_STATE_FILE: stateFile });
    started.push(again);
    expect(await counter(again.url, 'vision_requests_total', 'provider="local"')).toBe(3);
    await again.kill('SIGTERM');
  });

  it('starts with fresh state, and says so, when the state file is corrupt', async () => {
    const stateFile = join(dir, 'corrupt.json');
    writeFileSync(stateFile, '{"format":"obs-hub-snapshot","version":1,"trunc');
    const app = await startAppProcess(await freePort(), { OBS_STATE_FILE: stateFile });
    started.push(app);
    await expect
      .poll(() => app.output(), { timeout: 10_000 })
      .toMatch(/state file .*corrupt\.json was not fully usable/);
    expect(await post(app.url, png)).toBe(200);
    expect(await counter(app.url, 'vision_requests_total', 'provider="local"')).toBe(1);
    expect((await app.kill('SIGTERM')).code).toBe(0);
  });

  it('refuses bad configuration with exit code 2 and usage', async () => {
    const app = startAppProcess(await freePort(), { OBS_TRACE_SAMPLE_RATE: 'lots' }, { timeoutMs: 15_000 });
    await expect(app).rejects.toThrow(/OBS_TRACE_SAMPLE_RATE must be a fraction/);
  });

  // CI builds before testing, so there the built entry point must exist and run.
  it.skipIf(!process.env.CI && !hasBuild())(
    'runs from the build: node dist/main.js serves the dashboard with uPlot from this origin',
    async () => {
      const app = await startAppProcess(await freePort(), {}, { built: true });
      started.push(app);
      const page = await fetch(`${app.url}/`);
      expect(page.status).toBe(200);
      expect(await page.text()).toContain('/vendor/uPlot.min.css');
      expect((await fetch(`${app.url}/vendor/uPlot.esm.js`)).status).toBe(200);
      expect(await post(app.url, png)).toBe(200);
      expect((await app.kill('SIGTERM')).code).toBe(0);
    },
  );
});
