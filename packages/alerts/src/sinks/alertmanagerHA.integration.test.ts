import { mkdtempSync, rmSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freePort, requireBinary, startAlertmanager, type RunningServer } from '@obs/testing';
import { createAlertManager, createAlertmanagerHandler, type AlertmanagerHandler } from '../index';

const binary = requireBinary('prometheus-alertmanager');

interface AmAlert {
  labels: Record<string, string>;
  status: { state: string };
}

async function until<T>(what: string, probe: () => Promise<T | undefined>, timeoutMs = 30_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe().catch(() => undefined);
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 200));
  }
}

/**
 * Two real Alertmanagers gossiping in one cluster (as in production HA), two app instances
 * each sending to both. The cluster must notify each alert group once, and delivery must go
 * on through one member while the other is down, then catch up when it returns.
 */
describe.skipIf(!binary)('Alertmanager HA cluster (two real prometheus-alertmanager peers)', () => {
  const dir = mkdtempSync(join(tmpdir(), 'obs-alerts-ha-'));
  const web: number[] = [];
  const gossip: number[] = [];
  const running: (RunningServer | undefined)[] = [undefined, undefined];
  const notifications: {
    receiver: string;
    groupLabels: Record<string, string>;
    alerts: { labels: Record<string, string> }[];
  }[] = [];
  let hook: Server;
  const sinks: AlertmanagerHandler[] = [];

  let config = '';
  function startPeer(i: number): Promise<RunningServer> {
    return startAlertmanager({
      binary: binary!,
      config,
      dir: join(dir, `peer-${i}`),
      port: web[i],
      cluster: {
        port: gossip[i]!,
        peers: [gossip[1 - i]!],
        args: [
          '--cluster.gossip-interval=50ms',
          '--cluster.pushpull-interval=1s',
          '--cluster.peer-timeout=3s',
          '--cluster.settle-timeout=2s',
        ],
      },
      timeoutMs: 40_000,
    }).then((s) => (running[i] = s));
  }

  async function alertsOf(i: number): Promise<AmAlert[]> {
    const res = await fetch(`http://127.0.0.1:${web[i]}/api/v2/alerts`);
    if (!res.ok) throw new Error(`GET alerts: ${res.status}`);
    return (await res.json()) as AmAlert[];
  }

  beforeAll(async () => {
    for (let i = 0; i < 2; i++) {
      web.push(await freePort());
      gossip.push(await freePort());
    }
    hook = createServer((req, res) => {
      let body = '';
      req.on('data', (c: Buffer) => (body += c.toString()));
      req.on('end', () => {
        notifications.push(JSON.parse(body));
        res.end('ok');
      });
    });
    await new Promise<void>((resolve) => hook.listen(0, '127.0.0.1', resolve));
    const hookPort = (hook.address() as { port: number }).port;
    config = [
      'route:',
      "  receiver: 'hook'",
      "  group_by: ['alertname']",
      '  group_wait: 1s',
      '  group_interval: 1s',
      '  repeat_interval: 1h',
      'receivers:',
      "  - name: 'hook'",
      '    webhook_configs:',
      `      - url: 'http://127.0.0.1:${hookPort}/'`,
      '        send_resolved: false',
      '',
    ].join('\n');
    await Promise.all([startPeer(0), startPeer(1)]);
    // Both peers see each other before the test starts.
    for (let i = 0; i < 2; i++) {
      await until(`peer ${i} to see the cluster`, async () => {
        const status = (await (await fetch(`http://127.0.0.1:${web[i]}/api/v2/status`)).json()) as {
          cluster: { peers: unknown[]; status: string };
        };
        return status.cluster.peers.length === 2 ? true : undefined;
      });
    }
  }, 90_000);

  afterAll(async () => {
    for (const s of sinks) s.stop();
    await Promise.all(running.map((s) => s?.stop()));
    await new Promise<void>((resolve) => hook.close(() => resolve()));
    rmSync(dir, { recursive: true, force: true });
  }, 30_000);

  it('alerts from two app instances reach both peers; the cluster notifies each group once; one down, the other goes on; back, it catches up', async () => {
    const urls = web.map((p) => `http://127.0.0.1:${p}`);
    const apps = [0, 1].map((n) => {
      const sink = createAlertmanagerHandler({
        urls,
        retryInitialMs: 200,
        retryMaxMs: 1000,
        timeoutMs: 3000,
        externalLabels: { app: `app-${n}` },
      });
      sinks.push(sink);
      const alerts = createAlertManager();
      alerts.addHandler(sink);
      return { alerts, sink };
    });
    apps[0]!.alerts.fireAlert({ name: 'HighLatency', severity: 'warning', labels: { service: 'api' } });
    apps[1]!.alerts.fireAlert({ name: 'HighLatency', severity: 'warning', labels: { service: 'api' } });
    apps[1]!.alerts.fireAlert({ name: 'QueueBacklog', severity: 'critical', labels: { queue: 'uploads' } });
    await Promise.all(apps.map((a) => a.alerts.drain()));

    // Every peer holds every alert (one per label set: app-0's and app-1's HighLatency differ by `app`).
    for (let i = 0; i < 2; i++) {
      const list = await until(`peer ${i} to hold 3 alerts`, async () => {
        const l = await alertsOf(i);
        return l.length === 3 ? l : undefined;
      });
      expect(list.map((a) => `${a.labels['alertname']}/${a.labels['app']}`).sort()).toEqual([
        'HighLatency/app-0',
        'HighLatency/app-1',
        'QueueBacklog/app-1',
      ]);
    }
    // Both peers got every alert, but the cluster (gossiped notification log) notifies each group once.
    await until('notifications for both groups', async () =>
      new Set(notifications.map((n) => n.groupLabels['alertname'])).size === 2 ? true : undefined,
    );
    await new Promise((r) => setTimeout(r, 6000)); // longer than peer-timeout: a duplicate would have arrived by now
    const perGroup = (name: string) => notifications.filter((n) => n.groupLabels['alertname'] === name).length;
    expect(perGroup('HighLatency')).toBe(1);
    expect(perGroup('QueueBacklog')).toBe(1);
    expect(notifications.find((n) => n.groupLabels['alertname'] === 'HighLatency')?.alerts).toHaveLength(2);

    // Peer 0 dies: delivery goes on through peer 1.
    await running[0]!.stop();
    apps[0]!.alerts.fireAlert({ name: 'DiskFull', severity: 'critical', labels: { host: 'db-1' } });
    await apps[0]!.alerts.drain();
    await until('DiskFull at the surviving peer', async () =>
      (await alertsOf(1)).some((a) => a.labels['alertname'] === 'DiskFull') ? true : undefined,
    );
    const stats = apps[0]!.sink.stats();
    expect(stats.targets[1]).toMatchObject({ url: `${urls[1]}/api/v2/alerts`, queued: 0 });
    expect(stats.targets[0]!.failures).toBeGreaterThan(0);
    expect(stats.targets[0]!.queued).toBeGreaterThan(0);

    // Peer 0 restarts: the queued alert reaches it too (retries), so it catches up.
    await startPeer(0);
    await until(
      'DiskFull at the restarted peer',
      async () => ((await alertsOf(0)).some((a) => a.labels['alertname'] === 'DiskFull') ? true : undefined),
      30_000,
    );
    await until('the queue of peer 0 to drain', async () =>
      apps[0]!.sink.stats().targets[0]!.queued === 0 ? true : undefined,
    );
    await new Promise((r) => setTimeout(r, 5000));
    expect(notifications.filter((n) => n.groupLabels['alertname'] === 'DiskFull')).toHaveLength(1);
  }, 120_000);
});
