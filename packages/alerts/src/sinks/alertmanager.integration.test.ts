import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freePort, requireBinary, startAlertmanager, type RunningServer } from '@obs/testing';
import { AlertSeverity, createAlertManager, createAlertmanagerHandler, type FetchLike } from '../index';

const binary = requireBinary('prometheus-alertmanager');

interface AmAlert {
  labels: Record<string, string>;
  annotations: Record<string, string>;
  startsAt: string;
  endsAt: string;
  generatorURL?: string;
}

async function until<T>(what: string, probe: () => Promise<T | undefined>, timeoutMs = 15_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe().catch(() => undefined);
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

describe.skipIf(!binary)('Alertmanager API v2 (real prometheus-alertmanager)', () => {
  const servers: RunningServer[] = [];

  function start(port: number): Promise<RunningServer> {
    return startAlertmanager({ binary: binary!, port }).then((s) => {
      servers.push(s);
      return s;
    });
  }

  async function alertsOf(port: number, query = ''): Promise<AmAlert[]> {
    const res = await fetch(`http://127.0.0.1:${port}/api/v2/alerts${query}`);
    if (!res.ok) throw new Error(`GET alerts: ${res.status}`);
    return (await res.json()) as AmAlert[];
  }

  let port = 0;
  beforeAll(async () => {
    port = await freePort();
    await start(port);
  }, 40_000);

  afterAll(async () => {
    await Promise.all(servers.map((s) => s.stop()));
  }, 20_000);

  it('a fired alert appears with its labels; a resolved one gets an endsAt in the past', async () => {
    const posted: { labels: Record<string, string>; endsAt?: string }[][] = [];
    const recordingFetch: FetchLike = (url, init) => {
      posted.push(JSON.parse(init.body));
      return fetch(url, init);
    };
    const sink = createAlertmanagerHandler({
      fetch: recordingFetch,
      url: `http://127.0.0.1:${port}`,
      generatorURL: 'http://127.0.0.1:3000/alerts',
      resendInterval: 60_000,
    });
    const alerts = createAlertManager();
    alerts.addNotificationHandler(sink);
    alerts.fireAlert({
      alertId: 'disk',
      name: 'DiskFull',
      severity: AlertSeverity.CRITICAL,
      message: 'disk 97% full',
      labels: { service: 'db', instance: 'db-1' },
      value: 97,
    });
    await alerts.drain();
    const found = await until('the alert in Alertmanager', async () =>
      (await alertsOf(port)).find((a) => a.labels['alertname'] === 'DiskFull'),
    );
    expect(found.labels).toEqual({ alertname: 'DiskFull', severity: 'critical', service: 'db', instance: 'db-1' });
    expect(found.annotations).toMatchObject({ summary: 'disk 97% full', message: 'disk 97% full', value: '97' });
    expect(found.generatorURL).toBe('http://127.0.0.1:3000/alerts');
    expect(Date.parse(found.endsAt)).toBeGreaterThan(Date.now());

    const resolvedAt = Date.now();
    alerts.resolveAlert('disk');
    await alerts.drain();
    expect(alerts.stats().handlerErrors).toBe(0);
    // Alertmanager accepted the resolution (2xx) with an endsAt in the past...
    const last = posted.at(-1)?.find((a) => a.labels['alertname'] === 'DiskFull');
    expect(last?.endsAt).toBeDefined();
    expect(Date.parse(last!.endsAt!)).toBeGreaterThanOrEqual(resolvedAt - 1);
    expect(Date.parse(last!.endsAt!)).toBeLessThanOrEqual(Date.now());
    // ...so it no longer lists the alert as active (GET /api/v2/alerts hides alerts whose endsAt passed).
    await until('the alert to be resolved in Alertmanager', async () =>
      (await alertsOf(port)).some((a) => a.labels['alertname'] === 'DiskFull') ? undefined : true,
    );
    expect(sink.stats()).toMatchObject({ sent: 2, queued: 0, failures: 0 });
    sink.stop();
  }, 40_000);

  it('alerts fired while Alertmanager is down arrive after it starts', async () => {
    const downPort = await freePort();
    const sink = createAlertmanagerHandler({
      url: `http://127.0.0.1:${downPort}`,
      retryInitialMs: 100,
      retryMaxMs: 300,
      timeoutMs: 2000,
    });
    const alerts = createAlertManager();
    alerts.addNotificationHandler(sink, { name: 'alertmanager' });
    const errors: string[] = [];
    alerts.events$.subscribe((e) => {
      if (e.type === 'alerts/handler-error') errors.push(e.handler);
    });
    alerts.fireAlert({ name: 'QueueBacklog', labels: { queue: 'emails' }, value: 1200 });
    alerts.fireAlert({ name: 'QueueBacklog', labels: { queue: 'sms' }, value: 300 });
    await alerts.drain();
    expect(errors.length).toBeGreaterThan(0); // the first attempt failed and was reported
    expect(sink.stats().queued).toBe(2);
    await start(downPort);
    const arrived = await until('queued alerts after start', async () => {
      const list = (await alertsOf(downPort)).filter((a) => a.labels['alertname'] === 'QueueBacklog');
      return list.length === 2 ? list : undefined;
    });
    expect(arrived.map((a) => a.labels['queue']).sort()).toEqual(['emails', 'sms']);
    expect(sink.stats()).toMatchObject({ queued: 0, dropped: 0 });
    sink.stop();
  }, 60_000);
});
