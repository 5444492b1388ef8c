import { test, fc } from '@fast-check/vitest';
import { createHash } from 'node:crypto';
import { promises as fs } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { SnapshotFileError } from '../errors';
import { SnapshotFile, parseSnapshot } from './SnapshotFile';

let dir: string;
beforeEach(async () => {
  dir = await fs.mkdtemp(join(tmpdir(), 'obs-hub-snap-'));
});
afterEach(async () => {
  await fs.rm(dir, { recursive: true, force: true });
});

describe('SnapshotFile', () => {
  it('writes atomically, keeps the previous generation and leaves no temp files', async () => {
    const file = new SnapshotFile<{ n: number }>(join(dir, 'state.json'));
    await file.write({ n: 1 }, 1000);
    await file.write({ n: 2 }, 2000);
    const names = (await fs.readdir(dir)).sort();
    expect(names).toEqual(['state.json', 'state.json.prev']);
    const loaded = await file.load();
    expect(loaded.loaded).toMatchObject({ state: { n: 2 }, savedAt: 2000, generation: 'current' });
    expect(loaded.fallback).toMatchObject({ state: { n: 1 }, generation: 'previous' });
    expect(loaded.problems).toEqual([]);
  });

  it('reports nothing for a first start without files', async () => {
    const loaded = await new SnapshotFile(join(dir, 'none.json')).load();
    expect(loaded).toEqual({
      loaded: undefined,
      fallback: undefined,
      problems: [],
      quarantined: undefined,
      removedTemps: [],
    });
  });

  it('falls back to the previous generation when the current file is truncated, and keeps it safe', async () => {
    const path = join(dir, 'state.json');
    const file = new SnapshotFile<{ n: number }>(path);
    await file.write({ n: 1 }, 1000);
    await file.write({ n: 2 }, 2000);
    const text = await fs.readFile(path, 'utf8');
    await fs.writeFile(path, text.slice(0, text.length / 2));
    const reopened = new SnapshotFile<{ n: number }>(path);
    const loaded = await reopened.load();
    expect(loaded.loaded).toMatchObject({ state: { n: 1 }, generation: 'previous' });
    expect(loaded.problems).toHaveLength(1);
    expect(loaded.problems[0]).toBeInstanceOf(SnapshotFileError);
    expect(loaded.problems[0]?.code).toBe('SNAPSHOT_NOT_JSON');
    expect(loaded.quarantined).toBe(path + '.corrupt');
    // The next write must not rotate anything over the good previous generation.
    await reopened.write({ n: 3 }, 3000);
    const again = await reopened.load();
    expect(again.loaded?.state).toEqual({ n: 3 });
    expect(again.fallback?.state).toEqual({ n: 1 });
  });

  it('detects a changed byte through the checksum', async () => {
    const path = join(dir, 'state.json');
    const file = new SnapshotFile<{ word: string }>(path);
    await file.write({ word: 'alpha' }, 1);
    const text = await fs.readFile(path, 'utf8');
    await fs.writeFile(path, text.replace('alpha', 'alphb'));
    const loaded = await new SnapshotFile(path).load();
    expect(loaded.loaded).toBeUndefined();
    expect(loaded.problems[0]?.code).toBe('SNAPSHOT_CHECKSUM');
  });

  test.prop([fc.jsonValue()])('accepts any JSON state with its checksum and refuses it without', (state) => {
    const json = JSON.stringify(state) ?? 'null';
    const normalized = JSON.parse(json) as unknown;
    const checksum = createHash('sha256').update(JSON.stringify(normalized)).digest('hex');
    const good = JSON.stringify({ format: 'obs-hub-snapshot', version: 1, savedAt: 5, checksum, state: normalized });
    expect(parseSnapshot(good)).toEqual({ state: normalized, savedAt: 5, savedAtValid: true });
    const bad = JSON.stringify({
      format: 'obs-hub-snapshot',
      version: 1,
      savedAt: 5,
      checksum: checksum.replace(/^./, (c) => (c === '0' ? '1' : '0')),
      state: normalized,
    });
    expect(() => parseSnapshot(bad)).toThrow(SnapshotFileError);
  });

  test.prop([fc.string({ maxLength: 200 })])('parsing arbitrary text throws only SnapshotFileError', (text) => {
    try {
      parseSnapshot(text);
    } catch (error) {
      expect(error).toBeInstanceOf(SnapshotFileError);
    }
  });

  it('refuses other formats and versions clearly', () => {
    expect(() => parseSnapshot('{"format":"x"}')).toThrow(/not an obs-hub-snapshot/);
    expect(() => parseSnapshot('{"format":"obs-hub-snapshot","version":9}')).toThrow(/version 9/);
    expect(() => parseSnapshot('')).toThrow(/empty/);
    expect(() => parseSnapshot('[]')).toThrow(SnapshotFileError);
  });
});
