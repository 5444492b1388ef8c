import { createHash } from 'node:crypto';
import { promises as fs } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createObservabilityHub, type HubOptions, type HubRestoreErrorEvent, type ObsEvent } from '../index';
import { virtualTime } from '@obs/testing';
import { sanitizeState } from './sanitizeState';

let dir: string;
beforeEach(async () => {
  dir = await fs.mkdtemp(join(tmpdir(), 'obs-hub-neverlose-'));
});
afterEach(async () => {
  await fs.rm(dir, { recursive: true, force: true });
});

function hubAt(path: string, persistence: Partial<NonNullable<HubOptions['persistence']>> = {}) {
  const time = virtualTime();
  const hub = createObservabilityHub({
    clock: time.clock,
    scheduler: time.scheduler,
    persistence: { path, intervalSeconds: 5, ...persistence },
  });
  const events: ObsEvent[] = [];
  hub.events$.subscribe((e) => events.push(e));
  return { hub, events, ...time };
}

/** Saves a populated hub's state to `path`. */
async function saved(path: string): Promise<void> {
  const { hub } = hubAt(path);
  await hub.start();
  hub.metrics.increment('jobs_total', 7);
  hub.alerts.fireAlert({ name: 'DiskFull', severity: 'critical', labels: { host: 'a' } });
  await hub.stop();
}

/** Edits the saved envelope (and re-signs its state, as an operator's edit or a bug would leave it). */
async function edit(
  path: string,
  change: (envelope: { savedAt: number; state: Record<string, unknown> }) => void,
): Promise<void> {
  const envelope = JSON.parse(await fs.readFile(path, 'utf8')) as {
    savedAt: number;
    checksum: string;
    state: Record<string, unknown>;
  };
  change(envelope);
  envelope.checksum = createHash('sha256').update(JSON.stringify(envelope.state)).digest('hex');
  await fs.writeFile(path, JSON.stringify(envelope));
  await fs.rm(path + '.prev', { force: true });
}

const restoreErrors = (events: ObsEvent[]) =>
  events.filter((e): e is HubRestoreErrorEvent => e.type === 'hub/restore-error');

describe('state you never lose', () => {
  it('keeps a rejected part beside the file, reports it, and restores the rest', async () => {
    const path = join(dir, 'state.json');
    await saved(path);
    const original = JSON.parse(await fs.readFile(path, 'utf8')) as { state: { alerts: unknown } };
    await edit(path, (e) => {
      // A part in a shape this version cannot read (an older or newer writer, a bug, an edit).
      e.state['alerts'] = { format: 'something-else', was: original.state.alerts };
    });
    const { hub, events, advance } = hubAt(path);
    await hub.start();
    advance(0);
    expect(hub.metrics.getCounter('jobs_total')).toBe(7);
    const problem = restoreErrors(events).find((e) => e.component === 'alerts');
    expect(problem?.keptAt).toMatch(/state\.json\.rejected-\d{8}T\d{9}Z-alerts\.json$/);
    expect(problem?.error).toContain(problem!.keptAt!);
    const kept = JSON.parse(await fs.readFile(problem!.keptAt!, 'utf8')) as {
      component: string;
      reason: string;
      part: unknown;
    };
    expect(kept).toMatchObject({ component: 'alerts', part: { format: 'something-else', was: original.state.alerts } });
    expect(JSON.stringify(kept.part)).toContain('DiskFull');
    expect(kept.reason.length).toBeGreaterThan(0);
    expect((await fs.stat(problem!.keptAt!)).mode & 0o777).toBe(0o600);
    expect(events.find((e) => e.type === 'hub/restored')).toMatchObject({
      components: expect.arrayContaining(['metrics', 'slo', 'anomaly']),
    });
    // Two snapshots later the part is still on disk, beside the file.
    await hub.persistNow();
    await hub.persistNow();
    await hub.stop();
    expect(JSON.parse(await fs.readFile(problem!.keptAt!, 'utf8'))).toMatchObject({
      part: { format: 'something-else' },
    });
  });

  it('refuses out-of-range values field by field and never restores them', async () => {
    const path = join(dir, 'state.json');
    await saved(path);
    let replaced = 0;
    await edit(path, (e) => {
      const text = JSON.stringify(e.state.metrics).replace(/(:)7(\b)/g, (_m, a: string, b: string) => {
        replaced++;
        return `${a}1e308${b}`;
      });
      e.state.metrics = JSON.parse(text) as unknown;
    });
    expect(replaced).toBeGreaterThan(0);
    const { hub, events, advance } = hubAt(path);
    await hub.start();
    advance(0);
    expect(hub.metrics.getCounter('jobs_total')).not.toBe(1e308);
    const problem = restoreErrors(events).find((e) => e.code === 'VALUE_OUT_OF_RANGE');
    expect(problem).toMatchObject({ component: 'metrics' });
    expect(problem?.error).toMatch(/metrics\..*= 1e\+308/);
    // Alerts, untouched, came back.
    expect(hub.alerts.getFiringAlerts().map((a) => a.name)).toEqual(['DiskFull']);
    await hub.stop();
  });

  it('restores a file whose savedAt is absurd, reporting the field (and nothing throws formatting it)', async () => {
    const path = join(dir, 'state.json');
    await saved(path);
    await edit(path, (e) => {
      e.savedAt = 1e300;
    });
    const { hub, events, advance } = hubAt(path);
    await hub.start();
    advance(0);
    expect(hub.metrics.getCounter('jobs_total')).toBe(7);
    const restored = events.find((e) => e.type === 'hub/restored');
    expect(restored).toMatchObject({ savedAt: 0 });
    expect(() => new Date((restored as { savedAt: number }).savedAt).toISOString()).not.toThrow();
    expect(restoreErrors(events).find((e) => e.code === 'VALUE_OUT_OF_RANGE')?.error).toMatch(/savedAt/);
    await hub.stop();
  });

  it('removes temporary files of interrupted writes on start, but not those of a live process', async () => {
    const path = join(dir, 'state.json');
    await saved(path);
    const dead = join(dir, '.state.json.999999999.abcdef.tmp');
    const live = join(dir, `.state.json.${process.ppid}.abcdef.tmp`);
    const other = join(dir, '.other.json.999999999.abcdef.tmp');
    for (const f of [dead, live, other]) await fs.writeFile(f, '{"partial":');
    const { hub } = hubAt(path);
    await hub.start();
    await expect(fs.stat(dead)).rejects.toMatchObject({ code: 'ENOENT' });
    await expect(fs.stat(live)).resolves.toBeDefined();
    await expect(fs.stat(other)).resolves.toBeDefined();
    await hub.stop();
  });

  it('refuses a file over the size cap with a clear error, sets it aside, and uses the previous generation', async () => {
    const path = join(dir, 'state.json');
    await saved(path);
    await saved(path); // a .prev generation
    const size = (await fs.stat(path)).size;
    // Make the current file larger than the cap with valid padding (a big label value).
    await edit(path, (e) => {
      (e.state as Record<string, unknown>)['padding'] = 'x'.repeat(size * 2);
    });
    await fs.copyFile(path, path + '.big');
    const { hub, events, advance } = hubAt(path, { maxFileBytes: size + 1024 });
    await saved(path + '.unused');
    await fs.rename(path + '.big', path);
    // Recreate .prev (edit() removed it).
    const small = join(dir, 'small.json');
    await saved(small);
    await fs.copyFile(small, path + '.prev');
    await hub.start();
    advance(0);
    const problem = restoreErrors(events).find((e) => e.code === 'SNAPSHOT_TOO_LARGE');
    expect(problem?.error).toMatch(/over the \d+-byte limit \(persistence\.maxFileBytes\)/);
    expect(problem?.quarantinedTo).toMatch(/state\.json\.too-large-\d{8}T\d{9}Z$/);
    await expect(fs.stat(problem!.quarantinedTo!)).resolves.toBeDefined();
    expect(events.find((e) => e.type === 'hub/restored')).toMatchObject({ generation: 'previous' });
    expect(hub.metrics.getCounter('jobs_total')).toBe(7);
    await hub.stop();
  });
});

describe('sanitizeState', () => {
  it('drops only the out-of-range numbers and keeps __proto__ keys as plain data', () => {
    const input = JSON.parse('{"a":1,"b":1e308,"c":[1,-1e300,2],"d":{"__proto__":{"x":1},"e":5}}') as unknown;
    const { value, refused, refusedCount } = sanitizeState(input, 1e15);
    expect(refusedCount).toBe(2);
    expect(refused.map((r) => r.path)).toEqual(['b', 'c[1]']);
    expect(JSON.stringify(value)).toBe('{"a":1,"c":[1,2],"d":{"__proto__":{"x":1},"e":5}}');
    expect(Object.getPrototypeOf((value as { d: object }).d)).toBe(Object.prototype);
    expect(({} as { x?: number }).x).toBeUndefined();
  });
});
