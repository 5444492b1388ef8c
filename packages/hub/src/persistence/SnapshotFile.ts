import { createHash, randomBytes } from 'node:crypto';
import { promises as fs } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { SnapshotFileError } from '../errors';

/** The format tag written into every snapshot file. */
export const SNAPSHOT_FORMAT = 'obs-hub-snapshot';
export const SNAPSHOT_VERSION = 1;

/** The envelope stored on disk. `checksum` is the SHA-256 of `JSON.stringify(state)`. */
export interface SnapshotEnvelope<S> {
  readonly format: typeof SNAPSHOT_FORMAT;
  readonly version: number;
  readonly savedAt: number;
  readonly checksum: string;
  readonly state: S;
}

export interface LoadedSnapshot<S> {
  readonly state: S;
  /** When it was written (epoch ms); 0 when the file's value was not a valid time (see `savedAtValid`). */
  readonly savedAt: number;
  readonly savedAtValid: boolean;
  readonly file: string;
  readonly generation: 'current' | 'previous';
}

export interface SnapshotFileOptions {
  /** Largest file read, bytes (default 64 MiB); a larger one is refused and moved aside. */
  readonly maxFileBytes?: number;
}

export interface LoadResult<S> {
  /** The newest usable generation, if any. */
  readonly loaded: LoadedSnapshot<S> | undefined;
  /** The other usable generation, kept for per-component fallback. */
  readonly fallback: LoadedSnapshot<S> | undefined;
  /** Why a generation could not be used (a missing file is not a problem). */
  readonly problems: readonly SnapshotFileError[];
  /** Where an unusable current file was moved so the next write keeps the good previous one. */
  readonly quarantined: string | undefined;
  /** Temporary files of interrupted writes (a crash or kill mid-write) that were removed. */
  readonly removedTemps: readonly string[];
}

function checksumOf(json: string): string {
  return createHash('sha256').update(json).digest('hex');
}

function isErrno(error: unknown, code: string): boolean {
  return typeof error === 'object' && error !== null && (error as { code?: unknown }).code === code;
}

/**
 * A snapshot file with two generations: `path` (current) and `path.prev`
 * (the one before). A write goes to a temp file in the same directory, is
 * fsynced, then the current file becomes `.prev` and the temp file is renamed
 * over `path`, and the directory is fsynced: a crash at any point leaves at
 * least one complete generation. A current file found corrupt on load is moved
 * to `path.corrupt` (kept for inspection) so the next write cannot rotate it over
 * the good previous generation.
 */
export class SnapshotFile<S> {
  readonly previousPath: string;
  readonly corruptPath: string;
  /** Whether `path` is known to hold a complete generation we may rotate into `.prev`. */
  private currentIsGood = true;

  readonly maxFileBytes: number;

  constructor(
    readonly path: string,
    options: SnapshotFileOptions = {},
  ) {
    this.previousPath = path + '.prev';
    this.corruptPath = path + '.corrupt';
    this.maxFileBytes = options.maxFileBytes ?? 64 * 1024 * 1024;
  }

  /** Prefix of this file's temporary files: `.<name>.<pid>.<random>.tmp` in the same directory. */
  private get tempPrefix(): string {
    return `.${basename(this.path)}.`;
  }

  /**
   * Removes temporary files left by interrupted writes of this snapshot file:
   * those of processes that no longer run, and older ones of this process.
   * Never throws; returns the removed paths.
   */
  async removeStaleTemps(): Promise<string[]> {
    const dir = dirname(this.path);
    let names: string[];
    try {
      names = await fs.readdir(dir);
    } catch {
      return [];
    }
    const removed: string[] = [];
    for (const name of names) {
      if (!name.startsWith(this.tempPrefix) || !name.endsWith('.tmp')) continue;
      const pid = Number(name.slice(this.tempPrefix.length).split('.')[0]);
      // A write in progress in another live process keeps its file (two processes should not share a
      // state file, but removing a live writer's temp would make its rename fail).
      if (Number.isSafeInteger(pid) && pid !== process.pid && processIsAlive(pid)) continue;
      if (pid === process.pid && this.writing > 0) continue;
      const file = join(dir, name);
      try {
        await fs.rm(file, { force: true });
        removed.push(file);
      } catch {
        // not ours to remove (permissions): leave it
      }
    }
    return removed;
  }

  /** Writes in progress in this process (their temp files are not stale). */
  private writing = 0;

  /** Writes `state` atomically; returns the bytes written. */
  async write(state: S, savedAt: number): Promise<number> {
    this.writing++;
    try {
      return await this.writeNow(state, savedAt);
    } finally {
      this.writing--;
    }
  }

  private async writeNow(state: S, savedAt: number): Promise<number> {
    const stateJson = JSON.stringify(state);
    const envelope = `{"format":${JSON.stringify(SNAPSHOT_FORMAT)},"version":${SNAPSHOT_VERSION},"savedAt":${savedAt},"checksum":"${checksumOf(stateJson)}","state":${stateJson}}\n`;
    const dir = dirname(this.path);
    const temp = join(dir, `.${basename(this.path)}.${process.pid}.${randomBytes(6).toString('hex')}.tmp`);
    const handle = await fs.open(temp, 'wx', 0o600);
    try {
      await handle.writeFile(envelope, 'utf8');
      await handle.sync();
    } catch (error) {
      await handle.close().catch(() => undefined);
      await fs.rm(temp, { force: true });
      throw error;
    }
    await handle.close();
    try {
      if (this.currentIsGood) {
        try {
          await fs.rename(this.path, this.previousPath);
        } catch (error) {
          if (!isErrno(error, 'ENOENT')) throw error;
        }
      }
      await fs.rename(temp, this.path);
    } catch (error) {
      await fs.rm(temp, { force: true });
      throw error;
    }
    this.currentIsGood = true;
    await syncDirectory(dir);
    return Buffer.byteLength(envelope);
  }

  /** Reads the newest usable generation; never throws for a bad file (see `problems`). */
  async load(): Promise<LoadResult<S>> {
    const removedTemps = await this.removeStaleTemps();
    const problems: SnapshotFileError[] = [];
    let quarantined: string | undefined;
    const current = await this.readGeneration(this.path, 'current', problems);
    if (current === 'bad' || current === 'too-large') {
      this.currentIsGood = false;
      const aside = current === 'too-large' ? `${this.path}.too-large-${fileTime()}` : this.corruptPath;
      try {
        await fs.rename(this.path, aside);
        quarantined = aside;
      } catch {
        // Could not move it: the flag alone keeps the next write from rotating it over `.prev`.
      }
    }
    const previous = await this.readGeneration(this.previousPath, 'previous', problems);
    if (previous === 'too-large') {
      // Set aside too, so the next rotation does not keep an unreadable generation.
      await fs.rename(this.previousPath, `${this.previousPath}.too-large-${fileTime()}`).catch(() => undefined);
    }
    const usable = [current, previous].filter((g): g is LoadedSnapshot<S> => typeof g === 'object');
    return { loaded: usable[0], fallback: usable[1], problems, quarantined, removedTemps };
  }

  private async readGeneration(
    file: string,
    generation: 'current' | 'previous',
    problems: SnapshotFileError[],
  ): Promise<LoadedSnapshot<S> | 'missing' | 'bad' | 'too-large'> {
    let text: string;
    try {
      // The size is checked before reading: a huge file would take several times its size in memory to parse.
      const { size } = await fs.stat(file);
      if (size > this.maxFileBytes) {
        problems.push(
          new SnapshotFileError(
            'SNAPSHOT_TOO_LARGE',
            `${file} is ${size} bytes, over the ${this.maxFileBytes}-byte limit (persistence.maxFileBytes); it was moved aside and not read`,
            file,
          ),
        );
        return 'too-large';
      }
      text = await fs.readFile(file, 'utf8');
    } catch (error) {
      if (isErrno(error, 'ENOENT')) return 'missing';
      problems.push(
        new SnapshotFileError('SNAPSHOT_UNREADABLE', `cannot read ${file}: ${String(error)}`, file, { cause: error }),
      );
      return 'bad';
    }
    try {
      return { ...parseSnapshot<S>(text, file), file, generation };
    } catch (error) {
      problems.push(error as SnapshotFileError);
      return 'bad';
    }
  }
}

/** Parses and verifies a snapshot file's text; throws SnapshotFileError when it is not a complete, intact snapshot. */
export function parseSnapshot<S>(
  text: string,
  file = '<memory>',
): { state: S; savedAt: number; savedAtValid: boolean } {
  if (text.trim() === '')
    throw new SnapshotFileError('SNAPSHOT_EMPTY', `${file} is empty (an interrupted write?)`, file);
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (error) {
    throw new SnapshotFileError(
      'SNAPSHOT_NOT_JSON',
      `${file} is not valid JSON (truncated or corrupt): ${(error as Error).message}`,
      file,
      { cause: error },
    );
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) {
    throw new SnapshotFileError('SNAPSHOT_FORMAT', `${file} is not a snapshot object`, file);
  }
  const envelope = parsed as Partial<SnapshotEnvelope<S>>;
  if (envelope.format !== SNAPSHOT_FORMAT)
    throw new SnapshotFileError('SNAPSHOT_FORMAT', `${file} is not an ${SNAPSHOT_FORMAT} file`, file);
  if (envelope.version !== SNAPSHOT_VERSION) {
    throw new SnapshotFileError(
      'SNAPSHOT_VERSION',
      `${file} has version ${String(envelope.version)}; this build reads version ${SNAPSHOT_VERSION}`,
      file,
    );
  }
  if (typeof envelope.savedAt !== 'number' || !Number.isFinite(envelope.savedAt)) {
    throw new SnapshotFileError('SNAPSHOT_FORMAT', `${file} has no valid savedAt`, file);
  }
  if (typeof envelope.checksum !== 'string' || checksumOf(JSON.stringify(envelope.state)) !== envelope.checksum) {
    throw new SnapshotFileError('SNAPSHOT_CHECKSUM', `${file} fails its checksum (corrupt)`, file);
  }
  // savedAt is outside the checksum: a time no Date can hold (beyond ±8.64e15 ms, e.g. 1e300) is
  // refused on its own (reported as 0, savedAtValid false) rather than costing the whole state.
  const savedAtValid = envelope.savedAt >= 0 && envelope.savedAt <= 8.64e15;
  return { state: envelope.state as S, savedAt: savedAtValid ? envelope.savedAt : 0, savedAtValid };
}

function processIsAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    // EPERM: it exists but belongs to someone else.
    return isErrno(error, 'EPERM');
  }
}

/** A timestamp for file names: `20261202T143500123Z`. */
export function fileTime(date = new Date()): string {
  return date.toISOString().replace(/[-:.]/g, '');
}

async function syncDirectory(dir: string): Promise<void> {
  // Makes the renames durable; some platforms cannot open directories, which is fine.
  let handle: fs.FileHandle | undefined;
  try {
    handle = await fs.open(dir, 'r');
    await handle.sync();
  } catch {
    // best effort
  } finally {
    await handle?.close().catch(() => undefined);
  }
}
