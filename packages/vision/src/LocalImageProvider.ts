import { ObsValidationError } from '@obs/core';
import { confidenceOf, orientationOf, summarize, type LocalImageDetails } from './describeImage';
import { VisionInputError } from './errors';
import { DEFAULT_IMAGE_LIMITS, decodeImage, type ImageLimits } from './image/decodeImage';
import { computePixelStats } from './image/pixelStats';
import type { VisionDescription, VisionProvider } from './VisionProvider';

export interface LocalImageProviderConfig extends Partial<ImageLimits> {
  /** Reported as `providerName` (default `'local'`). */
  readonly providerName?: string;
  /** Pixels sampled for the statistics (default 262,144). */
  readonly maxSamples?: number;
}

/** What LocalImageProvider resolves to: a VisionDescription with typed details. */
export interface LocalImageDescription extends VisionDescription {
  readonly details: LocalImageDetails;
}

function positiveInteger(value: unknown, what: string, fallback: number): number {
  if (value === undefined) return fallback;
  if (typeof value !== 'number' || !Number.isSafeInteger(value) || value < 1) {
    throw new ObsValidationError('INVALID_CONFIG', `${what} must be a positive integer`);
  }
  return value;
}

/**
 * A vision provider that runs in-process with no network: it decodes PNG
 * (pngjs) and JPEG (jpeg-js) and describes format, size, brightness, contrast
 * and dominant colours in plain words. Bad input rejects with a
 * {@link VisionInputError} (or its subclass {@link ImageTooLargeError}); size
 * limits are checked from the header before any pixel is decoded.
 */
export class LocalImageProvider implements VisionProvider {
  readonly providerName: string;
  readonly limits: ImageLimits;
  private readonly maxSamples: number;

  constructor(config: LocalImageProviderConfig = {}) {
    if (config === null || typeof config !== 'object') throw new ObsValidationError('INVALID_CONFIG', 'config must be an object');
    const name = config.providerName ?? 'local';
    if (typeof name !== 'string' || !/^[a-zA-Z0-9_.-]{1,64}$/.test(name)) {
      throw new ObsValidationError('INVALID_CONFIG', 'providerName must be 1–64 characters of [a-zA-Z0-9_.-]');
    }
    this.providerName = name;
    this.limits = Object.freeze({
      maxBytes: positiveInteger(config.maxBytes, 'maxBytes', DEFAULT_IMAGE_LIMITS.maxBytes),
      maxPixels: positiveInteger(config.maxPixels, 'maxPixels', DEFAULT_IMAGE_LIMITS.maxPixels),
      maxDimension: positiveInteger(config.maxDimension, 'maxDimension', DEFAULT_IMAGE_LIMITS.maxDimension),
    });
    this.maxSamples = positiveInteger(config.maxSamples, 'maxSamples', 262_144);
  }

  async analyzeImage(imageData: Uint8Array, includeDescription = true): Promise<LocalImageDescription> {
    return this.analyzeImageSync(imageData, includeDescription);
  }

  /** The same analysis, synchronously (for batch jobs and benchmarks). */
  analyzeImageSync(imageData: Uint8Array, includeDescription = true): LocalImageDescription {
    if (typeof includeDescription !== 'boolean') {
      throw new VisionInputError('INVALID_INPUT_TYPE', 'includeDescription must be a boolean');
    }
    const { header, rgba } = decodeImage(imageData, this.limits);
    const stats = computePixelStats(rgba, { maxSamples: this.maxSamples });
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
    return { summary: summarize(header, stats, includeDescription), details, confidence: confidenceOf(header.width, header.height, stats) };
  }
}
