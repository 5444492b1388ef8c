import { ObsValidationError } from '@obs/core';

/** Named reference colours for describing images in plain words. */
const PALETTE: readonly (readonly [name: string, r: number, g: number, b: number])[] = [
  ['black', 0, 0, 0],
  ['dark grey', 64, 64, 64],
  ['grey', 128, 128, 128],
  ['light grey', 192, 192, 192],
  ['white', 255, 255, 255],
  ['red', 220, 30, 30],
  ['dark red', 128, 16, 16],
  ['pink', 255, 160, 190],
  ['orange', 250, 140, 20],
  ['brown', 130, 80, 40],
  ['beige', 225, 205, 165],
  ['yellow', 245, 225, 40],
  ['olive', 128, 128, 20],
  ['green', 40, 170, 50],
  ['dark green', 16, 90, 30],
  ['teal', 20, 140, 140],
  ['cyan', 40, 220, 230],
  ['sky blue', 120, 180, 240],
  ['blue', 30, 70, 220],
  ['navy', 16, 24, 100],
  ['purple', 120, 40, 160],
  ['magenta', 220, 40, 200],
];

interface Lab {
  readonly l: number;
  readonly a: number;
  readonly b: number;
}

function srgbToLinear(channel: number): number {
  const c = channel / 255;
  return c <= 0.04045 ? c / 12.92 : ((c + 0.055) / 1.055) ** 2.4;
}

/** sRGB (0–255) to CIE L*a*b* (D65), where Euclidean distance roughly matches perceived difference. */
export function rgbToLab(r: number, g: number, b: number): Lab {
  const rl = srgbToLinear(r);
  const gl = srgbToLinear(g);
  const bl = srgbToLinear(b);
  const x = (0.4124 * rl + 0.3576 * gl + 0.1805 * bl) / 0.95047;
  const y = 0.2126 * rl + 0.7152 * gl + 0.0722 * bl;
  const z = (0.0193 * rl + 0.1192 * gl + 0.9505 * bl) / 1.08883;
  const f = (t: number) => (t > 216 / 24389 ? Math.cbrt(t) : ((24389 / 27) * t + 16) / 116);
  const fx = f(x);
  const fy = f(y);
  const fz = f(z);
  return { l: 116 * fy - 16, a: 500 * (fx - fy), b: 200 * (fy - fz) };
}

const PALETTE_LAB = PALETTE.map(([name, r, g, b]) => ({ name, lab: rgbToLab(r, g, b) }));

/** The palette name nearest to an sRGB colour (channels 0–255; other values are a typed error). */
export function nameColor(r: number, g: number, b: number): string {
  for (const [what, v] of [
    ['r', r],
    ['g', g],
    ['b', b],
  ] as const) {
    if (typeof v !== 'number' || !(v >= 0 && v <= 255))
      throw new ObsValidationError('INVALID_COLOR', `${what} must be a number from 0 to 255`);
  }
  const lab = rgbToLab(r, g, b);
  let best = PALETTE_LAB[0]!;
  let bestDistance = Infinity;
  for (const entry of PALETTE_LAB) {
    const d = (entry.lab.l - lab.l) ** 2 + (entry.lab.a - lab.a) ** 2 + (entry.lab.b - lab.b) ** 2;
    if (d < bestDistance) {
      bestDistance = d;
      best = entry;
    }
  }
  return best.name;
}

/** `#rrggbb` for 0–255 channels. */
export function toHex(r: number, g: number, b: number): string {
  const hex = (v: number) =>
    Math.round(Math.min(255, Math.max(0, v)))
      .toString(16)
      .padStart(2, '0');
  return `#${hex(r)}${hex(g)}${hex(b)}`;
}

/** Every name `nameColor` can return. */
export const COLOR_NAMES: readonly string[] = PALETTE.map(([name]) => name);
