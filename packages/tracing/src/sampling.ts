import { HEX_VALUE } from './internal/hex';
import { TracingValidationError } from './errors';
import { describeValue } from '@obs/core';

/**
 * Consistent probability sampling from the trace id, as the OpenTelemetry
 * specification defines TraceIdRatioBased: the randomness R is the rightmost
 * 56 bits of the trace id (the bytes W3C Trace Context Level 2 requires to be
 * random when the `random` flag is set), the rejection threshold is
 * T = round((1 - ratio) * 2^56), and a trace is sampled when R >= T. Every
 * service using the same ratio therefore makes the same decision for a trace,
 * and a trace sampled at some ratio is sampled at every higher ratio.
 *
 * (The OpenTelemetry JS SDK 2.x still XORs the four 32-bit words of the id;
 * Go, Java and the specification use the rightmost bits, which this follows.)
 */
export interface RatioThreshold {
  readonly ratio: number;
  /** High 24 bits of T; 2^24 when the ratio is 0 (nothing is sampled). */
  readonly hi24: number;
  /** Low 32 bits of T. */
  readonly lo32: number;
}

const TWO_56 = 2n ** 56n;

/** Precomputes the rejection threshold for `ratio` in [0, 1]. */
export function createRatioThreshold(ratio: number): RatioThreshold {
  if (typeof ratio !== 'number' || !Number.isFinite(ratio) || ratio < 0 || ratio > 1) {
    throw new TracingValidationError(
      'INVALID_SAMPLE_RATE',
      `traceSampleRate must be a number in [0, 1], got ${describeValue(ratio)}`,
    );
  }
  // (1 - ratio) * 2^56 is exact in binary floating point (a power-of-two scale);
  // rounding it gives the same 56-bit threshold other SDKs compute.
  const t = ratio === 0 ? TWO_56 : BigInt(Math.round((1 - ratio) * 2 ** 56));
  return { ratio, hi24: Number(t >> 32n), lo32: Number(t & 0xffffffffn) };
}

/** The decision for 56 random bits given as (high 24, low 32). */
export function isSampledLowBits(threshold: RatioThreshold, hi24: number, lo32: number): boolean {
  return hi24 > threshold.hi24 || (hi24 === threshold.hi24 && lo32 >= threshold.lo32);
}

/**
 * The TraceIdRatioBased decision for a 32-hex trace id at `ratio`. Returns
 * false for an id that is not 32 lowercase hex digits.
 */
export function isTraceIdSampled(traceId: string, threshold: RatioThreshold): boolean {
  if (
    threshold === null ||
    typeof threshold !== 'object' ||
    typeof threshold.hi24 !== 'number' ||
    typeof threshold.lo32 !== 'number'
  ) {
    throw new TracingValidationError(
      'INVALID_THRESHOLD',
      `threshold must come from createRatioThreshold, got ${describeValue(threshold)}`,
    );
  }
  if (typeof traceId !== 'string' || traceId.length !== 32) return false;
  let hi24 = 0;
  for (let i = 18; i < 24; i++) {
    const c = traceId.charCodeAt(i);
    const v = c < 128 ? HEX_VALUE[c]! : -1;
    if (v < 0) return false;
    hi24 = hi24 * 16 + v;
  }
  let lo32 = 0;
  for (let i = 24; i < 32; i++) {
    const c = traceId.charCodeAt(i);
    const v = c < 128 ? HEX_VALUE[c]! : -1;
    if (v < 0) return false;
    lo32 = lo32 * 16 + v;
  }
  return isSampledLowBits(threshold, hi24, lo32);
}
