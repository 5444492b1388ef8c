import type { ImageHeader } from './image/ImageHeader';
import type { DominantColor, PixelStats } from './image/pixelStats';

/** The structured facts LocalImageProvider reports in `details`. */
export type LocalImageDetails = {
  readonly format: 'png' | 'jpeg';
  readonly width: number;
  readonly height: number;
  readonly megapixels: number;
  readonly orientation: 'landscape' | 'portrait' | 'square';
  readonly bitDepth: number;
  readonly channels: number;
  readonly hasAlpha: boolean;
  readonly interlaced: boolean;
  readonly bytes: number;
  readonly brightness: number;
  readonly contrast: number;
  readonly transparentShare: number;
  readonly dominantColors: readonly DominantColor[];
};

export function orientationOf(width: number, height: number): LocalImageDetails['orientation'] {
  const ratio = width / height;
  if (ratio > 1.05) return 'landscape';
  if (ratio < 1 / 1.05) return 'portrait';
  return 'square';
}

export function brightnessWord(brightness: number): string {
  if (brightness < 0.2) return 'very dark';
  if (brightness < 0.4) return 'dark';
  if (brightness < 0.6) return 'moderately bright';
  if (brightness < 0.8) return 'bright';
  return 'very bright';
}

export function contrastWord(contrast: number): string {
  if (contrast < 0.08) return 'low';
  if (contrast < 0.2) return 'moderate';
  return 'high';
}

function listColors(colors: readonly DominantColor[]): string {
  const names = colors.slice(0, 3).map((c) => c.name);
  if (names.length <= 1) return names[0] ?? '';
  return names.slice(0, -1).join(', ') + ' and ' + names[names.length - 1];
}

/**
 * How far the summary can be trusted, 0–1: tiny images and images with no
 * clear colour structure (many small colour groups) get lower scores; mostly
 * transparent images describe little and are halved.
 */
export function confidenceOf(width: number, height: number, stats: PixelStats): number {
  const pixels = width * height;
  const sizeFactor = Math.min(1, Math.log2(1 + pixels) / 16); // full at 256×256
  const topShare = stats.dominantColors.slice(0, 3).reduce((sum, c) => sum + c.share, 0);
  let confidence = 0.35 + 0.4 * sizeFactor + 0.25 * Math.min(1, topShare);
  if (stats.transparentShare > 0.9) confidence *= 0.5;
  return Math.round(Math.min(1, Math.max(0, confidence)) * 1000) / 1000;
}

/** The plain-language sentence for an image, e.g. "A 640×480 landscape JPEG image, mostly sky blue and white; bright, with low contrast." */
export function summarize(header: ImageHeader, stats: PixelStats, includeDescription: boolean): string {
  const kind = `${header.width}×${header.height} ${orientationOf(header.width, header.height)} ${header.format.toUpperCase()} image`;
  if (!includeDescription) return `A ${kind}.`;
  if (stats.transparentShare >= 0.999) return `A ${kind} that is fully transparent.`;
  const colors = listColors(stats.dominantColors);
  const colorPart = colors ? `, mostly ${colors}` : ', with no dominant colour';
  const transparentPart =
    stats.transparentShare > 0.25 ? ` About ${Math.round(stats.transparentShare * 100)}% of it is transparent.` : '';
  return `A ${kind}${colorPart}; ${brightnessWord(stats.brightness)}, with ${contrastWord(stats.contrast)} contrast.${transparentPart}`;
}
