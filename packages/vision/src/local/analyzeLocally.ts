import { confidenceOf, orientationOf, summarize, type LocalImageDetails } from './describeImage';
import { VisionInputError } from '../errors';
import { decodeImage, type ImageLimits } from './image/decodeImage';
import { computePixelStats } from './image/pixelStats';
import type { VisionDescription } from '../VisionProvider';

/** What LocalImageProvider resolves to: a VisionDescription with typed details. */
export interface LocalImageDescription extends VisionDescription {
  readonly details: LocalImageDetails;
}

/**
 * Decodes an image and describes it: the whole of LocalImageProvider's work,
 * as a plain function so it runs the same on the caller's thread or in a worker.
 */
export function analyzeLocally(
  imageData: Uint8Array,
  includeDescription: boolean,
  limits: ImageLimits,
  maxSamples: number,
): LocalImageDescription {
  if (typeof includeDescription !== 'boolean') {
    throw new VisionInputError('INVALID_INPUT_TYPE', 'includeDescription must be a boolean');
  }
  const { header, rgba } = decodeImage(imageData, limits);
  const stats = computePixelStats(rgba, { maxSamples });
  const details: LocalImageDetails = {
    format: header.format,
    width: header.width,
    height: header.height,
    megapixels: Math.round((header.width * header.height) / 10_000) / 100,
    orientation: orientationOf(header.width, header.height),
    bitDepth: header.bitDepth,
    channels: header.channels,
    hasAlpha: header.hasAlpha,
    interlaced: header.interlaced,
    bytes: imageData.length,
    brightness: stats.brightness,
    contrast: stats.contrast,
    transparentShare: stats.transparentShare,
    dominantColors: stats.dominantColors,
  };
  return {
    summary: summarize(header, stats, includeDescription),
    details,
    confidence: confidenceOf(header.width, header.height, stats),
  };
}
