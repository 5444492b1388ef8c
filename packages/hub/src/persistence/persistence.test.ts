import { promises as fs } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createSLODefinition } from '@obs/slo';
import { createObservabilityHub, type HubOptions, type ObsEvent } from '../index';
import { settle, virtualTime } from '@obs/testing';

let dir: string;
beforeEach(async () => {
  dir = await fs.mkdtemp(join(tmpdir(), 'obs-hub-persist-'));
});
afterEach(async () => {
  await fs.rm(dir, { recursive: true, force: true });
});

function hubAt(path: string, extra: HubOptions = {}) {
  const time = virtualTime();
  const hub = createObservabilityHub({
    clock: time.clock,
    scheduler: time.scheduler,
    persistence: { path, intervalSeconds: 5 },
    ...extra,
  });
  const events: ObsEvent[] = [];
  hub.events$.subscribe((e) => events.push(e));
  return { hub, events, ...time };
}

async function populate(hub: ReturnType<typeof hubAt>['hub']) {
  hub.metrics.increment('vision_requests_total', 7, { provider: 'local' });
  const slo = hub.sloTracker.defineSLO(createSLODefinition('availability', 99, 30));
  for (let i = 0; i < 20; i++) hub.sloTracker.recordEvent(slo.sloId, i !== 0);
  hub.alerts.fireAlert({ name: 'DiskFull', severity: 'critical', labels: { host: 'a' } });
  hub.alerts.addSilence({
    matchers: [{ name: 'alertname', value: 'Noise', isRegex: false, isEqual: true }],
    startsAt: hub.config.clock.now(),
    endsAt: hub.config.clock.now() + 3_600_000,
    createdBy: 't',
    comment: 'c',
  } as never);
  return slo;
}

describe('hub persistence', () => {
  it('writes on stop() and restores counters, SLO windows and alerts on start()', async () => {
    const path = join(dir, 'state.json');
    const first = hubAt(path);
    await first.hub.start();
    const slo = await populate(first.hub);
    await first.hub.stop();
    expect(first.events.some((e) => e.type === 'hub/persisted')).toBe(true);

    const second = hubAt(path);
    await second.hub.start();
    second.advance(0);
    expect(second.hub.metrics.getCounter('vision_requests_total', { provider: 'local' })).toBe(7);
    expect(second.hub.sloTracker.getSLOStatus(slo.sloId)).toMatchObject({ good: 19, total: 20 });
    expect(second.hub.alerts.getFiringAlerts().map((a) => a.name)).toEqual(['DiskFull']);
    const restored = second.events.find((e) => e.type === 'hub/restored');
    expect(restored).toMatchObject({
      generation: 'current',
      components: expect.arrayContaining(['metrics', 'alerts', 'slo', 'anomaly']),
    });
    expect(second.events.find((e) => e.type === 'hub/started')).toMatchObject({ restored: true });
    await second.hub.stop();
  });

  it('persists periodically on the snapshot interval', async () => {
    const path = join(dir, 'state.json');
    const { hub, events, advance } = hubAt(path);
    await hub.start();
    hub.metrics.increment('jobs_total', 3);
    advance(5_000);
    await hub.persistNow(); // waits for the periodic write queued before it
    advance(0);
    expect(events.filter((e) => e.type === 'hub/persisted').length).toBeGreaterThanOrEqual(2);
    const text = await fs.readFile(path, 'utf8');
    expect(text).toContain('jobs_total');
    await hub.stop();
  });

  it('falls back to the previous generation when the current file is corrupt, and says so', async () => {
    const path = join(dir, 'state.json');
    const first = hubAt(path);
    first.hub.metrics.increment('jobs_total', 1);
    await first.hub.persistNow();
    first.hub.metrics.increment('jobs_total', 1);
    await first.hub.persistNow();
    await first.hub.stop(); // never started: writes nothing more
    const text = await fs.readFile(path, 'utf8');
    await fs.writeFile(path, text.slice(0, 40)); // a torn write

    const second = hubAt(path);
    await second.hub.start();
    second.advance(0);
    const problem = second.events.find((e) => e.type === 'hub/restore-error');
    expect(problem).toMatchObject({
      code: 'SNAPSHOT_NOT_JSON',
      fallback: 'previous',
      quarantinedTo: path + '.corrupt',
      component: undefined,
    });
    expect(second.events.find((e) => e.type === 'hub/restored')).toMatchObject({ generation: 'previous' });
    // `.prev` holds the first write: the last good state, never a torn one.
    expect(second.hub.metrics.getCounter('jobs_total')).toBe(1);
    await second.hub.stop();
    // The good previous generation survived the new write; the torn file is kept for inspection.
    expect((await fs.readdir(dir)).sort()).toEqual(['state.json', 'state.json.corrupt', 'state.json.prev']);
  });

  it('uses the previous generation for a component whose part the current file fails to restore', async () => {
    const path = join(dir, 'state.json');
    const first = hubAt(path);
    first.hub.metrics.increment('jobs_total', 5);
    await first.hub.persistNow();
    await first.hub.stop();
    // Write a current generation that is intact but whose metrics part is invalid.
    const { SnapshotFile } = await import('./SnapshotFile');
    const file = new SnapshotFile<Record<string, unknown>>(path);
    const previous = JSON.parse(await fs.readFile(path, 'utf8')) as { state: Record<string, unknown> };
    await file.write({ ...previous.state, metrics: { version: 999, nonsense: true } }, 1);

    const second = hubAt(path);
    await second.hub.start();
    second.advance(0);
    expect(second.events.find((e) => e.type === 'hub/restore-error')).toMatchObject({
      component: 'metrics',
      fallback: 'previous',
    });
    expect(second.hub.metrics.getCounter('jobs_total')).toBe(5);
    await second.hub.stop();
  });

  it('stop() of a hub that never started does not overwrite the saved state', async () => {
    const path = join(dir, 'state.json');
    const first = hubAt(path);
    await first.hub.start();
    first.hub.metrics.increment('jobs_total', 9);
    await first.hub.stop();
    const saved = await fs.readFile(path, 'utf8');
    const careless = hubAt(path);
    await careless.hub.stop();
    expect(await fs.readFile(path, 'utf8')).toBe(saved);
    expect(careless.events.some((e) => e.type === 'hub/persisted')).toBe(false);
  });

  it('starts fresh without a file, and reports a write failure as hub/persist-error', async () => {
    const path = join(dir, 'missing-dir', 'state.json');
    const { hub, events, advance } = hubAt(path);
    await hub.start();
    advance(0);
    expect(events.find((e) => e.type === 'hub/started')).toMatchObject({ restored: false });
    expect(events.some((e) => e.type === 'hub/restore-error')).toBe(false);
    await expect(hub.persistNow()).rejects.toThrow();
    await settle();
    advance(0);
    expect(events.find((e) => e.type === 'hub/persist-error')).toMatchObject({ file: path });
    await hub.stop();
    expect(hub.stats().persistErrors).toBe(2);
  });
});
