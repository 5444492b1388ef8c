/**
 * Bucket index of a positive double in a base-2 exponential layout with 2^6 = 64
 * buckets per power of two (OTLP ExponentialHistogram scale 6): bucket `i` covers
 * `[2^(i/64), 2^((i+1)/64))`, lower bound inclusive. The representative value of a
 * bucket is within (γ-1)/(γ+1) ≈ 0.54% of every value in it (γ = 2^(1/64)).
 *
 * The index is computed without Math.log2: the exponent comes from the IEEE-754
 * bits, the sub-bucket from a 4096-entry table on the top 12 mantissa bits plus one
 * comparison (a table cell is narrower than any sub-bucket, so it straddles at most one edge).
 */
export const SCALE = 6;
export const SUB_BUCKETS = 1 << SCALE;

/** Worst relative error of {@link bucketRepresentative} for any value of its bucket. */
export const RELATIVE_ACCURACY = (Math.pow(2, 1 / SUB_BUCKETS) - 1) / (Math.pow(2, 1 / SUB_BUCKETS) + 1);

const MIN_NORMAL = 2.2250738585072014e-308;
/** Index used for positive subnormals (they share the lowest normal bucket; documented loss). */
export const MIN_INDEX = -1022 * SUB_BUCKETS;
export const MAX_INDEX = 1024 * SUB_BUCKETS - 1;

const TABLE_BITS = 12;
const float = new Float64Array(1);
const words = new Uint32Array(float.buffer);
// Which 32-bit word holds the sign/exponent depends on the platform's byte order.
const HI = new Uint8Array(new Float64Array([1]).buffer)[7] === 0x3f ? 1 : 0;

/** Sub-bucket edges within one octave, in mantissa space [1, 2]: EDGE[k] = 2^(k/64). */
const EDGE = new Float64Array(SUB_BUCKETS + 1);
for (let k = 0; k <= SUB_BUCKETS; k++) EDGE[k] = k === SUB_BUCKETS ? 2 : Math.pow(2, k / SUB_BUCKETS);

/** For each of the 4096 mantissa cells, the sub-bucket containing the cell's lower end. */
const CELL_SUB = new Uint8Array(1 << TABLE_BITS);
for (let cell = 0; cell < CELL_SUB.length; cell++) {
  const low = 1 + cell / CELL_SUB.length;
  let sub = 0;
  while (EDGE[sub + 1]! <= low) sub++;
  CELL_SUB[cell] = sub;
}

/**
 * 2^-e for every normal exponent e, at [e + 1023]. Scaling by an exact power of two is
 * exact, so `v * INV_POW2[e + 1023]` is the mantissa in [1, 2). (Writing the exponent
 * bits back into the shared buffer instead costs a store-forwarding stall per call.)
 */
const INV_POW2 = new Float64Array(2047);
for (let e = -1022; e <= 1023; e++) INV_POW2[e + 1023] = Math.pow(2, -e);

/** The bucket index of `v`; `v` must be positive and finite (callers check). */
export function bucketIndex(v: number): number {
  if (v < MIN_NORMAL) return MIN_INDEX;
  float[0] = v;
  const hi = words[HI]!;
  const biased = hi >>> 20;
  let sub = CELL_SUB[(hi >>> 8) & 0xfff]!;
  if (v * INV_POW2[biased]! >= EDGE[sub + 1]!) sub++;
  return (biased - 1023) * SUB_BUCKETS + sub;
}

/** The inclusive lower edge of bucket `index`. */
export function bucketLowerBound(index: number): number {
  const exponent = Math.floor(index / SUB_BUCKETS);
  return Math.pow(2, exponent) * EDGE[index - exponent * SUB_BUCKETS]!;
}

/**
 * The value minimising the worst relative error over the bucket: the harmonic mean
 * 2·lo·hi/(lo+hi) of its edges, computed as lo·2r/(1+r) so the top bucket does not overflow.
 */
export function bucketRepresentative(index: number): number {
  const exponent = Math.floor(index / SUB_BUCKETS);
  const sub = index - exponent * SUB_BUCKETS;
  const lo = EDGE[sub]!;
  const ratio = EDGE[sub + 1]! / lo;
  return Math.pow(2, exponent) * lo * ((2 * ratio) / (1 + ratio));
}
