import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { requireBinary } from '@obs/testing';
import { createObservabilityHub, type ObservabilityHub } from '../index';
import { createHttpHandler, type HubHttpHandler } from './createHttpHandler';

const amtool = requireBinary('amtool');
const TOKEN = 'amtool-test-token';

function run(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(
      amtool as string,
      args,
      { timeout: 30_000, env: { ...process.env, HOME: tmpdir() } },
      (error, stdout, stderr) => {
        resolve({ code: error ? ((error as { code?: number }).code ?? 1) : 0, stdout, stderr });
      },
    );
  });
}

/** The hub's Alertmanager API v2 driven by the real amtool (prometheus-alertmanager package). */
describe.skipIf(!amtool)('Alertmanager API v2 on the hub, with the real amtool', () => {
  let hub: ObservabilityHub;
  let server: Server;
  let handler: HubHttpHandler;
  let base = '';
  const dir = mkdtempSync(join(tmpdir(), 'obs-amtool-'));
  const httpConfig = join(dir, 'http.yml');
  const am = (...args: string[]) => run([`--alertmanager.url=${base}/`, `--http.config.file=${httpConfig}`, ...args]);
  const api = (path: string, init: RequestInit = {}) =>
    fetch(`${base}${path}`, { ...init, headers: { authorization: `Bearer ${TOKEN}`, ...(init.headers ?? {}) } });

  beforeAll(async () => {
    writeFileSync(httpConfig, `authorization:\n  type: Bearer\n  credentials: ${TOKEN}\n`);
    hub = createObservabilityHub({ anomalyDetectionEnabled: false });
    handler = createHttpHandler(hub, { token: TOKEN, metricsToken: null });
    server = createServer(handler);
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });

  afterAll(async () => {
    handler.close();
    await hub.stop();
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
    rmSync(dir, { recursive: true, force: true });
  });

  it('amtool alert query lists our firing alerts; amtool silence add silences one; the API and dashboard show it; expire brings it back', async () => {
    hub.alerts.fireAlert({
      name: 'DiskFull',
      severity: 'critical',
      message: 'disk 97% full',
      labels: { instance: 'db-1' },
      value: 97,
    });
    hub.alerts.fireAlert({ name: 'HighLatency', severity: 'warning', labels: { service: 'api' } });

    const query = await am('alert', 'query', '-o', 'json');
    expect(query.code, query.stderr).toBe(0);
    const listed = JSON.parse(query.stdout) as { labels: Record<string, string>; status: { state: string } }[];
    expect(listed.map((a) => a.labels['alertname']).sort()).toEqual(['DiskFull', 'HighLatency']);
    expect(listed.find((a) => a.labels['alertname'] === 'DiskFull')?.labels).toEqual({
      alertname: 'DiskFull',
      severity: 'critical',
      instance: 'db-1',
    });
    const filtered = await am('alert', 'query', 'alertname=~"Disk.*"', '-o', 'json');
    expect((JSON.parse(filtered.stdout) as unknown[]).length).toBe(1);

    const added = await am(
      'silence',
      'add',
      'alertname=DiskFull',
      'instance=db-1',
      '--duration=1h',
      '--author=tester',
      '--comment=disk swap planned',
    );
    expect(added.code, added.stderr).toBe(0);
    const silenceId = added.stdout.trim();
    expect(silenceId).toMatch(/^[0-9a-f-]{36}$/);

    // Silenced in the manager, the API, the dashboard data; amtool's default query hides it.
    const disk = hub.alerts.getFiringAlerts().find((a) => a.name === 'DiskFull');
    expect(disk).toBeUndefined();
    expect(hub.alerts.getActiveAlerts().find((a) => a.name === 'DiskFull')).toMatchObject({
      state: 'suppressed',
      suppressedBy: [`silence:${silenceId}`],
    });
    const v2 = (await (await api('/api/v2/alerts')).json()) as {
      labels: Record<string, string>;
      status: { state: string; silencedBy: string[] };
    }[];
    expect(v2.find((a) => a.labels['alertname'] === 'DiskFull')?.status).toMatchObject({
      state: 'suppressed',
      silencedBy: [silenceId],
    });
    const dashboard = (await (await api('/api/dashboard')).json()) as { alerts: { firingCount: number } };
    expect(dashboard.alerts.firingCount).toBe(1);
    const hidden = JSON.parse((await am('alert', 'query', '-o', 'json')).stdout) as {
      labels: Record<string, string>;
    }[];
    expect(hidden.map((a) => a.labels['alertname'])).toEqual(['HighLatency']);
    const onlySilenced = JSON.parse((await am('alert', 'query', '--silenced', '-o', 'json')).stdout) as {
      labels: Record<string, string>;
    }[];
    expect(onlySilenced.map((a) => a.labels['alertname'])).toEqual(['DiskFull']);
    const both = JSON.parse((await am('alert', 'query', '--silenced', '--active', '-o', 'json')).stdout) as unknown[];
    expect(both).toHaveLength(2);

    const silences = await am('silence', 'query', '-o', 'json');
    expect(silences.code, silences.stderr).toBe(0);
    expect(JSON.parse(silences.stdout)).toMatchObject([
      { id: silenceId, createdBy: 'tester', comment: 'disk swap planned', status: { state: 'active' } },
    ]);

    const expired = await am('silence', 'expire', silenceId);
    expect(expired.code, expired.stderr).toBe(0);
    expect(
      hub.alerts
        .getFiringAlerts()
        .map((a) => a.name)
        .sort(),
    ).toEqual(['DiskFull', 'HighLatency']);
    const after = (await (await api(`/api/v2/silence/${silenceId}`)).json()) as { status: { state: string } };
    expect(after.status.state).toBe('expired');
  }, 60_000);

  it('the same token as /api guards it; bad input is a 400 with a message', async () => {
    expect((await fetch(`${base}/api/v2/alerts`)).status).toBe(401);
    expect((await fetch(`${base}/api/v2/silences`, { method: 'POST', body: '{}' })).status).toBe(401);
    const noToken = await run([`--alertmanager.url=${base}/`, 'alert', 'query']);
    expect(noToken.code).not.toBe(0);
    const post = (body: unknown) =>
      api('/api/v2/silences', {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify(body),
      });
    const now = Date.now();
    const ok = {
      matchers: [{ name: 'alertname', value: 'X', isRegex: false }],
      startsAt: new Date(now).toISOString(),
      endsAt: new Date(now + 60_000).toISOString(),
      createdBy: 'a',
      comment: 'c',
    };
    expect((await post({ ...ok, endsAt: 'tomorrow' })).status).toBe(400);
    expect((await post({ ...ok, matchers: [{ name: 'a', value: '.*', isRegex: true }] })).status).toBe(400); // would mute everything
    expect((await post({ ...ok, matchers: [{ name: 'a', value: '(', isRegex: true }] })).status).toBe(400);
    expect((await post({ ...ok, id: 'no-such-silence' })).status).toBe(404);
    expect((await api('/api/v2/alerts?filter=' + encodeURIComponent('alertname=~"("'))).status).toBe(400);
    // An update (POST with the id) replaces the silence.
    const { silenceID } = (await (await post(ok)).json()) as { silenceID: string };
    const updated = (await (await post({ ...ok, id: silenceID, comment: 'longer' })).json()) as { silenceID: string };
    const list = (await (await api('/api/v2/silences')).json()) as {
      id: string;
      status: { state: string };
      comment: string;
    }[];
    expect(list.find((s) => s.id === silenceID)?.status.state).toBe('expired');
    expect(list.find((s) => s.id === updated.silenceID)).toMatchObject({
      status: { state: 'active' },
      comment: 'longer',
    });
    expect((await api(`/api/v2/silence/${updated.silenceID}`, { method: 'DELETE' })).status).toBe(200);
    expect((await api('/api/v2/silence/unknown', { method: 'DELETE' })).status).toBe(404);
  }, 60_000);
});
