/** Seeded generators of synthetic series for tests (deterministic per seed). */

export function mulberry32(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Standard normal draws (Box-Muller) from a seeded uniform source. */
export function gaussian(seed: number): () => number {
  const u = mulberry32(seed);
  return () => Math.sqrt(-2 * Math.log(1 - u())) * Math.cos(2 * Math.PI * u());
}

/** `n` points of `level + sigma * N(0, 1)`. */
export function noisySeries(seed: number, n: number, level: number, sigma: number): number[] {
  const g = gaussian(seed);
  return Array.from({ length: n }, () => level + sigma * g());
}

export const MINUTE = 60_000;
/** A fixed, ordinary start time (2024-01-01T00:00:00Z). */
export const T0 = Date.UTC(2024, 0, 1);
