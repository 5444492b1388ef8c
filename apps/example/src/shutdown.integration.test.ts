/**
 * Graceful shutdown of the app as a real process: SIGTERM while uploads are in
 * flight. Readiness fails at once while the app still serves for the shutdown
 * delay, then it stops accepting connections, the uploads finish with 200, the
 * final state snapshot is written, and the process exits 0 within its bound.
 */
import { request } from 'node:http';
import { connect } from 'node:net';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { freePort } from '@obs/testing';
import { startAppProcess, type AppProcess } from './testing/appProcess';

const dir = mkdtempSync(join(tmpdir(), 'obs-shutdown-'));
const started: AppProcess[] = [];
afterAll(async () => {
  await Promise.all(started.map((app) => app.kill('SIGKILL')));
  rmSync(dir, { recursive: true, force: true });
});

const png = readFileSync(new URL('../samples/logo.png', import.meta.url));
const SHUTDOWN_DELAY_MS = 2000;
const SHUTDOWN_TIMEOUT_MS = 20_000;

interface Answer {
  status: number;
  body: string;
}

/** One request on its own connection (no keep-alive pool, so "new connection" means a new connection). */
function send(url: string, path: string, method = 'GET', body?: Buffer): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const req = request(`${url}${path}`, { method, agent: false }, (res) => {
      let text = '';
      res.setEncoding('utf8');
      res.on('data', (d: string) => (text += d));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body: text }));
    });
    req.on('error', reject);
    req.end(body);
  });
}

/** An upload whose body is sent in two parts: in flight until `finish()`. */
function slowUpload(url: string): { sent: Promise<void>; finish(): void; answer: Promise<Answer> } {
  const split = png.length - 64;
  let answered!: (a: Answer) => void;
  let failed!: (e: unknown) => void;
  const answer = new Promise<Answer>((resolve, reject) => ((answered = resolve), (failed = reject)));
  const req = request(
    `${url}/api/analyze`,
    { method: 'POST', agent: false, headers: { 'content-length': String(png.length) } },
    (res) => {
      let text = '';
      res.setEncoding('utf8');
      res.on('data', (d: string) => (text += d));
      res.on('end', () => answered({ status: res.statusCode ?? 0, body: text }));
    },
  );
  req.on('error', failed);
  const sent = new Promise<void>((resolve) => req.write(png.subarray(0, split), () => resolve()));
  return { sent, finish: () => req.end(png.subarray(split)), answer };
}

/** 'refused' when nothing listens on the port any more, 'accepted' when a connection opens. */
function tryConnect(port: number): Promise<'accepted' | 'refused' | string> {
  return new Promise((resolve) => {
    const socket = connect(port, '127.0.0.1');
    socket.once('connect', () => {
      socket.destroy();
      resolve('accepted');
    });
    socket.once('error', (error: NodeJS.ErrnoException) =>
      resolve(error.code === 'ECONNREFUSED' ? 'refused' : String(error.code)),
    );
  });
}

async function counter(url: string, name: string, labels: string): Promise<number> {
  const text = (await send(url, '/metrics')).body;
  const line = text.split('\n').find((l) => l.startsWith(`${name}{`) && l.includes(labels));
  return line ? Number(line.split(' ').at(-1)) : 0;
}

describe('graceful shutdown of the app process', () => {
  it('drains uploads in flight on SIGTERM, fails readiness during the delay, refuses new connections, saves state and exits 0', async () => {
    const stateFile = join(dir, 'state.json');
    const port = await freePort();
    const app = await startAppProcess(port, {
      OBS_STATE_FILE: stateFile,
      OBS_SNAPSHOT_INTERVAL_SECONDS: '3600', // only the final snapshot can hold the uploads below
      SHUTDOWN_DELAY_MS: String(SHUTDOWN_DELAY_MS),
      SHUTDOWN_DRAIN_TIMEOUT_MS: '15000',
      SHUTDOWN_TIMEOUT_MS: String(SHUTDOWN_TIMEOUT_MS),
      OBS_VISION_WORKERS: '1',
    });
    started.push(app);
    // Started and ready (the startup probe waits for the provider check), so the delay applies.
    await expect.poll(async () => (await send(app.url, '/health/startup')).status, { timeout: 20_000 }).toBe(200);
    await expect.poll(async () => (await send(app.url, '/health/ready')).status, { timeout: 20_000 }).toBe(200);
    expect((await send(app.url, '/api/analyze', 'POST', png)).status).toBe(200);

    const uploads = [slowUpload(app.url), slowUpload(app.url), slowUpload(app.url)];
    await Promise.all(uploads.map((u) => u.sent));
    await new Promise((r) => setTimeout(r, 300)); // the app has read their headers

    const signalledAt = Date.now();
    app.child.kill('SIGTERM');
    // During the delay: readiness fails on new connections (so they are still accepted), liveness passes.
    await expect
      .poll(async () => (await send(app.url, '/health/ready')).status, { timeout: SHUTDOWN_DELAY_MS, interval: 50 })
      .toBe(503);
    const ready = await send(app.url, '/health/ready');
    expect(ready.status).toBe(503);
    expect(JSON.parse(ready.body)).toMatchObject({ status: 'fail', output: 'shutting down (draining)' });
    expect((await send(app.url, '/health/live')).status).toBe(200);

    // After the delay: no new connections, while the uploads keep the process alive.
    await expect.poll(() => app.output(), { timeout: 15_000 }).toContain('no longer accepting connections');
    expect(Date.now() - signalledAt).toBeGreaterThanOrEqual(SHUTDOWN_DELAY_MS);
    expect(app.output()).toContain('3 uploads in flight');
    await expect.poll(() => tryConnect(port), { timeout: 5000 }).toBe('refused');
    expect(app.child.exitCode).toBeNull();

    for (const upload of uploads) upload.finish();
    const answers = await Promise.all(uploads.map((u) => u.answer));
    for (const answer of answers) {
      expect(answer.status).toBe(200);
      expect(JSON.parse(answer.body)).toHaveProperty('summary');
    }

    const exit = await app.exited;
    const tookMs = Date.now() - signalledAt;
    expect(exit).toEqual({ code: 0, signal: null });
    expect(tookMs).toBeLessThan(SHUTDOWN_TIMEOUT_MS);
    expect(app.output()).toContain('SIGTERM: shutting down');
    expect(app.output()).toMatch(/stopped in \d+ ms\n/);
    expect(app.output()).not.toContain('not cleanly');

    // The final snapshot holds every upload, the three drained ones included.
    expect(existsSync(stateFile)).toBe(true);
    const again = await startAppProcess(await freePort(), { OBS_STATE_FILE: stateFile });
    started.push(again);
    expect(await counter(again.url, 'vision_requests_total', 'provider="local"')).toBe(4);
    expect((await again.kill('SIGTERM')).code).toBe(0);
  });

  it('exits at once, with 1, on a second signal during the shutdown delay', async () => {
    const app = await startAppProcess(await freePort(), { SHUTDOWN_DELAY_MS: '30000' });
    started.push(app);
    await expect.poll(async () => (await send(app.url, '/health/ready')).status, { timeout: 20_000 }).toBe(200);
    const signalledAt = Date.now();
    app.child.kill('SIGTERM');
    await expect.poll(() => app.output(), { timeout: 10_000 }).toContain('SIGTERM: shutting down');
    app.child.kill('SIGINT');
    const exit = await app.exited;
    expect(exit).toEqual({ code: 1, signal: null });
    // Well before the 30 s delay would have ended.
    expect(Date.now() - signalledAt).toBeLessThan(15_000);
    expect(app.output()).toContain('SIGINT again: exiting now');
    expect(app.output()).not.toContain('no longer accepting connections');
  });
});
