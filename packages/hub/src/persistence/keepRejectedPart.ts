import { promises as fs } from 'node:fs';
import { fileTime, type LoadedSnapshot } from './SnapshotFile';

/**
 * Writes a component's part that failed validation beside the snapshot file,
 * as `<file>.rejected-<time>-<component>.json` (mode 0600, like the snapshot),
 * with why it was rejected and which generation it came from. The next snapshot
 * overwrites both generations without it, so this copy is what keeps it.
 * Resolves with the path, or undefined when it could not be written (never throws).
 */
export async function keepRejectedPart(
  snapshotPath: string,
  component: string,
  generation: LoadedSnapshot<unknown>,
  part: unknown,
  error: unknown,
): Promise<string | undefined> {
  const target = `${snapshotPath}.rejected-${fileTime()}-${component}.json`;
  const record = {
    component,
    rejectedAt: new Date().toISOString(),
    reason:
      error instanceof Error ? `${(error as { code?: string }).code ?? error.name}: ${error.message}` : String(error),
    from: {
      file: generation.file,
      generation: generation.generation,
      savedAt: generation.savedAtValid ? new Date(generation.savedAt).toISOString() : null,
    },
    part,
  };
  try {
    await fs.writeFile(target, JSON.stringify(record, null, 2) + '\n', { mode: 0o600, flag: 'wx' });
    return target;
  } catch {
    return undefined;
  }
}
