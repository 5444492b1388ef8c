import { readFileSync, readdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

export interface SampleImage {
  readonly name: string;
  readonly bytes: Uint8Array;
}

/** The directory of sample images shipped with the app (`apps/example/samples`), from `src/` or `dist/`. */
export function samplesDir(): string {
  const here = dirname(fileURLToPath(import.meta.url));
  // src/demo/samples.ts -> ../../samples; dist/main.js -> ../samples
  for (const candidate of [join(here, '..', 'samples'), join(here, '..', '..', 'samples')]) {
    try {
      if (readdirSync(candidate).some((f) => /\.(png|jpe?g)$/i.test(f))) return candidate;
    } catch {
      // not this one
    }
  }
  throw new Error(`sample images not found near ${here}`);
}

export function loadSampleImages(dir: string = samplesDir()): SampleImage[] {
  return readdirSync(dir)
    .filter((f) => /\.(png|jpe?g)$/i.test(f))
    .sort()
    .map((name) => ({ name, bytes: readFileSync(join(dir, name)) }));
}
