import { ObsValidationError, POSITIVE_INTEGER, optionalNumber, type InvalidOption } from '@obs/core';

const invalidOptions: InvalidOption = (message) => new ObsValidationError('INVALID_OPTIONS', message);
import { VisionInputError } from '../../errors';
import { nameColor, toHex } from './colorNames';

/** A colour that covers a noticeable share of the image. */
export interface DominantColor {
  /** Plain name from a fixed palette, e.g. `'sky blue'`. */
  readonly name: string;
  /** Mean colour of the pixels given this name, `#rrggbb`. */
  readonly hex: string;
  /** Share of the (opaque) sampled pixels, 0–1. */
  readonly share: number;
}

export interface PixelStats {
  /** Mean Rec. 709 luma of opaque pixels, 0 (black) – 1 (white). */
  readonly brightness: number;
  /** RMS contrast: standard deviation of luma, 0 – 0.5. */
  readonly contrast: number;
  /** Share of pixels that are (nearly) fully transparent. */
  readonly transparentShare: number;
  /** Up to `maxColors` named colours, largest share first, each at least `minShare`. */
  readonly dominantColors: readonly DominantColor[];
  /** How many pixels were sampled. */
  readonly sampledPixels: number;
}

export interface PixelStatsOptions {
  /** At most this many pixels are read, evenly spaced (default 262,144). */
  readonly maxSamples?: number;
  readonly maxColors?: number;
  readonly minShare?: number;
}

/** Pixels with alpha below this are treated as transparent and left out. */
const ALPHA_CUTOFF = 16;
/** 3 bits per channel: 512 colour bins. */
const BIN_SHIFT = 5;

/**
 * Brightness, contrast and dominant colours of an 8-bit RGBA buffer. Large
 * images are sampled on an even stride, so the cost is bounded whatever the size.
 * Luma variance is accumulated with Welford's method for numerical stability.
 */
export function computePixelStats(rgba: Uint8Array, options: PixelStatsOptions = {}): PixelStats {
  if (!(rgba instanceof Uint8Array))
    throw new VisionInputError('INVALID_INPUT_TYPE', 'pixels must be a Uint8Array of RGBA bytes');
  if (options === null || typeof options !== 'object')
    throw new ObsValidationError('INVALID_OPTIONS', 'options must be an object');
  const maxSamples = optionalNumber(options.maxSamples, 'maxSamples', 262_144, POSITIVE_INTEGER, invalidOptions);
  const maxColors = optionalNumber(options.maxColors, 'maxColors', 5, POSITIVE_INTEGER, invalidOptions);
  const minShare = options.minShare ?? 0.05;
  if (typeof minShare !== 'number' || !(minShare >= 0 && minShare <= 1))
    throw new ObsValidationError('INVALID_OPTIONS', 'minShare must be a number from 0 to 1');
  const pixelCount = Math.floor(rgba.length / 4);
  const stride = Math.max(1, Math.ceil(pixelCount / maxSamples));

  const binCount = new Float64Array(512);
  const binR = new Float64Array(512);
  const binG = new Float64Array(512);
  const binB = new Float64Array(512);
  let sampled = 0;
  let opaque = 0;
  let mean = 0;
  let m2 = 0;
  for (let p = 0; p < pixelCount; p += stride) {
    sampled++;
    const i = p * 4;
    const a = rgba[i + 3]!;
    if (a < ALPHA_CUTOFF) continue;
    const r = rgba[i]!;
    const g = rgba[i + 1]!;
    const b = rgba[i + 2]!;
    const luma = (0.2126 * r + 0.7152 * g + 0.0722 * b) / 255;
    opaque++;
    const delta = luma - mean;
    mean += delta / opaque;
    m2 += delta * (luma - mean);
    const bin = ((r >> BIN_SHIFT) << 6) | ((g >> BIN_SHIFT) << 3) | (b >> BIN_SHIFT);
    binCount[bin]! += 1;
    binR[bin]! += r;
    binG[bin]! += g;
    binB[bin]! += b;
  }

  const named = new Map<string, { count: number; r: number; g: number; b: number }>();
  for (let bin = 0; bin < 512; bin++) {
    const count = binCount[bin]!;
    if (count === 0) continue;
    const name = nameColor(binR[bin]! / count, binG[bin]! / count, binB[bin]! / count);
    const entry = named.get(name) ?? { count: 0, r: 0, g: 0, b: 0 };
    entry.count += count;
    entry.r += binR[bin]!;
    entry.g += binG[bin]!;
    entry.b += binB[bin]!;
    named.set(name, entry);
  }
  const dominantColors = [...named.entries()]
    .map(([name, e]) => ({ name, hex: toHex(e.r / e.count, e.g / e.count, e.b / e.count), share: e.count / opaque }))
    .filter((c) => c.share >= minShare)
    .sort((x, y) => y.share - x.share || (x.name < y.name ? -1 : 1))
    .slice(0, maxColors)
    .map((c) => ({ ...c, share: round(c.share, 4) }));

  const variance = opaque > 0 ? Math.max(0, m2 / opaque) : 0;
  return {
    brightness: round(opaque > 0 ? clamp01(mean) : 0, 4),
    contrast: round(Math.sqrt(variance), 4),
    transparentShare: round(sampled > 0 ? (sampled - opaque) / sampled : 0, 4),
    dominantColors,
    sampledPixels: sampled,
  };
}

function clamp01(v: number): number {
  return Math.min(1, Math.max(0, v));
}

function round(v: number, digits: number): number {
  const f = 10 ** digits;
  return Math.round(v * f) / f;
}
