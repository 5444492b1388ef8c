/**
 * The hardening targets of the example app, measured from separate processes
 * (scripts/hostile-client.mjs) against the app running as a child process, as
 * an attacker or a load balancer would see it.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freePort } from '../../../testing/servers';
import { runHostileClient, startAppProcess, type AppProcess } from './testing/appProcess';

const IDLE_CONNECTIONS = 2000;
/** Enough descriptors for the idle connections plus the app's own files (raised in the child if the soft limit is lower). */
const OPEN_FILES = IDLE_CONNECTIONS + 1024;

let app: AppProcess;
beforeAll(async () => {
  app = await startAppProcess(await freePort(), { OBS_TOKEN: 'hostile-test-token-0123456789' }, { openFiles: OPEN_FILES });
}, 60_000);
afterAll(async () => {
  await app?.kill('SIGKILL');
});

interface IdleReport {
  opened: number;
  closedByServer: number;
  allClosedWithinMs: number | null;
  longestOpenMs: number | null;
  health?: { probes: number; failures: number; p99Ms: number; maxMs: number };
}

describe('the app under hostile clients', () => {
  it(`closes ${IDLE_CONNECTIONS} idle connections within 15 s while /health answers every probe`, async () => {
    // The attacker and the prober are separate processes, so the probe times are the server's, not the attacker's.
    const [report, { health }] = await Promise.all([
      runHostileClient<IdleReport>('idle', app.url, { connections: IDLE_CONNECTIONS, seconds: 20, probe: 'false' }, OPEN_FILES),
      runHostileClient<{ health: NonNullable<IdleReport['health']> }>('probe', app.url, { seconds: 15 }),
    ]);
    expect(report.opened).toBe(IDLE_CONNECTIONS);
    expect(report.closedByServer).toBe(IDLE_CONNECTIONS);
    expect(report.allClosedWithinMs).not.toBeNull();
    // Each connection is closed within 15 s of opening; opening 2000 takes the attacker a few seconds more.
    expect(report.longestOpenMs!).toBeLessThan(15_000);
    expect(report.allClosedWithinMs!).toBeLessThan(20_000);
    expect(health.probes).toBeGreaterThan(50);
    expect(health.failures).toBe(0);
    // Target: every probe under 500 ms. The shared CI machine can stall any process for
    // a moment, so the hard bound is on p99 and the maximum only guards against the old 23 s resets.
    expect(health.p99Ms).toBeLessThan(500);
    expect(health.maxMs).toBeLessThan(2_000);
  }, 60_000);

  it('closes a connection that sends half its headers within the header timeout (10 s) plus 2 s', async () => {
    const report = await runHostileClient<{ closedAfterMs: number | null; response: string }>('slow-headers', app.url, { seconds: 30 });
    expect(report.closedAfterMs).not.toBeNull();
    expect(report.closedAfterMs!).toBeGreaterThan(9_000);
    expect(report.closedAfterMs!).toBeLessThan(12_000);
    expect(report.response).toMatch(/^HTTP\/1.1 408/);
  }, 60_000);

  for (const [what, path, status] of [
    ['without a token (401)', '/api/analyze', 401],
    ['to an unknown path (404)', '/no/such/path', 404],
    ['to a GET-only route (405)', '/metrics', 405],
  ] as const) {
    it(`reads at most a few MB of a 500 MB body sent ${what}`, async () => {
      const report = await runHostileClient<{ status: number; sentBytes: number }>('big-body', app.url, { bytes: 500_000_000, path });
      expect(report.status).toBe(status);
      // The client could hand the kernel at most this much before the server closed.
      expect(report.sentBytes).toBeLessThan(16 * 1024 * 1024);
    }, 60_000);
  }
});
