import { readFileSync } from 'node:fs';
import { afterAll, describe, expect, it } from 'vitest';
import { requireBinary } from '@obs/testing';
import { startFleet, type Fleet } from './fleet/startFleet';
import { appCommand } from './testing/appProcess';

const needed = ['prometheus', 'prometheus-alertmanager', 'promtool'].map((name) => requireBinary(name));
let fleet: Fleet | undefined;
afterAll(async () => {
  await fleet?.stop();
}, 60_000);

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function until<T>(what: string, fn: () => Promise<T | undefined>, timeoutMs: number): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await fn().catch(() => undefined);
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await sleep(500);
  }
}

interface PromAlert {
  labels: Record<string, string>;
  state: string;
  activeAt: string;
}
interface AmAlert {
  labels: Record<string, string>;
  fingerprint: string;
  status: { state: string };
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

describe.skipIf(needed.some((b) => b === undefined))('the fleet (pnpm fleet)', () => {
  it('scrapes three apps, fires the SLO burn-rate alert in the demo outage into the Alertmanager cluster once, and TargetDown for a killed app', async () => {
    const startedAt = Date.now();
    fleet = await startFleet({
      appCommand: appCommand(false),
      scrapeInterval: '1s',
      evaluationInterval: '1s',
      timeScale: 60,
      targetDownFor: '2s',
    });
    const f = fleet;
    const prom = async <T>(path: string): Promise<T> =>
      ((await (await fetch(`${f.prometheus.url}${path}`)).json()) as { data: T }).data;

    // The rule file Prometheus runs is @obs/slo's, for the apps' own SLOs, plus TargetDown.
    const rules = readFileSync(f.rulesFile, 'utf8');
    expect(rules).toContain('alert: VisionAvailabilityLocalErrorBudgetBurn');
    expect(rules).toContain('record: slo:sli_error:ratio_rate5m');
    expect(rules).toContain('up{job="obs-example"} == 0');

    // Three targets up.
    await until(
      'three healthy targets',
      async () => {
        const { activeTargets } = await prom<{ activeTargets: { health: string }[] }>('/api/v1/targets');
        return activeTargets.length === 3 && activeTargets.every((t) => t.health === 'up') ? true : undefined;
      },
      30_000,
    );

    // The demo's outage (30-50 s into the plan) burns the availability budget: the page alert fires.
    const alertname = 'VisionAvailabilityLocalErrorBudgetBurn';
    const page = await until(
      `${alertname} (page) firing in Prometheus`,
      async () => {
        const { alerts } = await prom<{ alerts: PromAlert[] }>('/api/v1/alerts');
        return alerts.find(
          (a) => a.labels['alertname'] === alertname && a.labels['severity'] === 'page' && a.state === 'firing',
        );
      },
      90_000,
    );
    // Not before the outage: each app's plan starts after `startedAt`, and the outage 30 s into it.
    expect(Date.parse(page.activeAt) - startedAt).toBeGreaterThanOrEqual(30_000);
    // The outage is what it measures: Prometheus saw the demo's upstream failures.
    const upstream = await prom<{ result: { value: [number, string] }[] }>(
      `/api/v1/query?query=${encodeURIComponent('sum(increase(vision_requests_error_total{error_type="upstream_unavailable"}[2m]))')}`,
    );
    expect(Number(upstream.result[0]?.value[1] ?? 0)).toBeGreaterThan(10);

    // Prometheus sends to both Alertmanagers; each lists the alert once, under one fingerprint.
    const perAm = await until(
      'the page alert on both Alertmanagers',
      async () => {
        const lists = await Promise.all(
          f.alertmanagers.map(async (am) => {
            const filter = encodeURIComponent(`alertname="${alertname}"`);
            const res = await fetch(
              `${am.url}/api/v2/alerts?filter=${filter}&filter=${encodeURIComponent('severity="page"')}`,
            );
            return (await res.json()) as AmAlert[];
          }),
        );
        return lists.every((l) => l.length > 0) ? lists : undefined;
      },
      30_000,
    );
    for (const list of perAm) {
      expect(list).toHaveLength(1);
      expect(list[0]!.status.state).toBe('active');
    }
    expect(perAm[0]![0]!.fingerprint).toBe(perAm[1]![0]!.fingerprint);
    // One gossip cluster of two.
    for (const am of f.alertmanagers) {
      const status = (await (await fetch(`${am.url}/api/v2/status`)).json()) as {
        cluster: { status: string; peers: unknown[] };
      };
      expect(status.cluster.status).toBe('ready');
      expect(status.cluster.peers).toHaveLength(2);
    }

    // Killing one app fires TargetDown for that instance.
    const victim = f.apps[1]!;
    const instance = victim.url.replace('http://', '');
    victim.process.kill('SIGKILL');
    await victim.exited;
    await until(
      `TargetDown for ${instance}`,
      async () => {
        const { alerts } = await prom<{ alerts: PromAlert[] }>('/api/v1/alerts');
        return alerts.some(
          (a) => a.labels['alertname'] === 'TargetDown' && a.labels['instance'] === instance && a.state === 'firing',
        )
          ? true
          : undefined;
      },
      30_000,
    );

    // Stopping leaves nothing behind.
    const pids = [...f.apps, f.prometheus, ...f.alertmanagers].map((p) => p.pid);
    await f.stop();
    expect(pids.filter(alive)).toEqual([]);
  }, 180_000);
});
