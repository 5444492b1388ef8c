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
  readonly savedAt: number;
  readonly file: string;
  readonly generation: 'current' | 'previous';
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

  constructor(readonly path: string) {
    this.previousPath = path + '.prev';
    this.corruptPath = path + '.corrupt';
  }

  /** Writes `state` atomically; returns the bytes written. */
  async write(state: S, savedAt: number): Promise<number> {
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
    const problems: SnapshotFileError[] = [];
    let quarantined: string | undefined;
    const current = await this.readGeneration(this.path, 'current', problems);
    if (current === 'bad') {
      this.currentIsGood = false;
      try {
        await fs.rename(this.path, this.corruptPath);
        quarantined = this.corruptPath;
      } catch {
        // Could not move it: the flag alone keeps the next write from rotating it over `.prev`.
      }
    }
    const previous = await this.readGeneration(this.previousPath, 'previous', problems);
    const usable = [current, previous].filter((g): g is LoadedSnapshot<S> => typeof g === 'object');
    return { loaded: usable[0], fallback: usable[1], problems, quarantined };
  }

  private async readGeneration(
    file: string,
    generation: 'current' | 'previous',
    problems: SnapshotFileError[],
  ): Promise<LoadedSnapshot<S> | 'missing' | 'bad'> {
    let text: string;
    try {
      text = await fs.readFile(file, 'utf8');
    } catch (error) {
      if (isErrno(error, 'ENOENT')) return 'missing';
      problems.push(new SnapshotFileError('SNAPSHOT_UNREADABLE', `cannot read ${file}: ${String(error)}`, file, { cause: error }));
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
export function parseSnapshot<S>(text: string, file = '<memory>'): { state: S; savedAt: number } {
  if (text.trim() === '') throw new SnapshotFileError('SNAPSHOT_EMPTY', `${file} is empty (an interrupted write?)`, file);
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (error) {
    throw new SnapshotFileError('SNAPSHOT_NOT_JSON', `${file} is not valid JSON (truncated or corrupt): ${(error as Error).message}`, file, { cause: error });
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) {
    throw new SnapshotFileError('SNAPSHOT_FORMAT', `${file} is not a snapshot object`, file);
  }
  const envelope = parsed as Partial<SnapshotEnvelope<S>>;
  if (envelope.format !== SNAPSHOT_FORMAT) throw new SnapshotFileError('SNAPSHOT_FORMAT', `${file} is not an ${SNAPSHOT_FORMAT} file`, file);
  if (envelope.version !== SNAPSHOT_VERSION) {
    throw new SnapshotFileError('SNAPSHOT_VERSION', `${file} has version ${String(envelope.version)}; this build reads version ${SNAPSHOT_VERSION}`, file);
  }
  if (typeof envelope.savedAt !== 'number' || !Number.isFinite(envelope.savedAt)) {
    throw new SnapshotFileError('SNAPSHOT_FORMAT', `${file} has no valid savedAt`, file);
  }
  if (typeof envelope.checksum !== 'string' || checksumOf(JSON.stringify(envelope.state)) !== envelope.checksum) {
    throw new SnapshotFileError('SNAPSHOT_CHECKSUM', `${file} fails its checksum (corrupt)`, file);
  }
  return { state: envelope.state as S, savedAt: envelope.savedAt };
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
