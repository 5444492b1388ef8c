import { inflateSync } from 'node:zlib';
import jpeg from 'jpeg-js';
import { PNG } from 'pngjs';
import { ObsValidationError, POSITIVE_INTEGER, requireNumber, type InvalidOption } from '@obs/core';
import { ImageTooLargeError, VisionInputError } from '../../errors';
import type { ImageHeader } from './ImageHeader';
import { readJpegStructure, type JpegStructure } from './jpegHeader';
import { expectedInflatedSize, readPngStructure, type PngStructure } from './pngHeader';
import { describeUnknownBytes, sniffFormat } from './sniffFormat';

/** Size limits applied before any pixel is decoded. */
export interface ImageLimits {
  /** Largest accepted input, in bytes. */
  readonly maxBytes: number;
  /** Largest accepted canvas, width × height. */
  readonly maxPixels: number;
  /** Largest accepted width or height. */
  readonly maxDimension: number;
}

export const DEFAULT_IMAGE_LIMITS: ImageLimits = Object.freeze({
  maxBytes: 20 * 1024 * 1024,
  maxPixels: 16_777_216,
  maxDimension: 16_384,
});

/** A decoded image: 8-bit RGBA, row-major. */
export interface DecodedImage {
  readonly header: ImageHeader;
  readonly rgba: Uint8Array;
}

/** Throws a typed error unless every limit is a positive safe integer (a missing limit would disable the check). */
const invalidLimits: InvalidOption = (message) => new ObsValidationError('INVALID_LIMITS', message);

export function checkLimits(limits: unknown): ImageLimits {
  if (limits === DEFAULT_IMAGE_LIMITS) return DEFAULT_IMAGE_LIMITS;
  if (typeof limits !== 'object' || limits === null)
    throw new ObsValidationError('INVALID_LIMITS', 'limits must be an object');
  for (const key of ['maxBytes', 'maxPixels', 'maxDimension'] as const) {
    requireNumber((limits as Record<string, unknown>)[key], `limits.${key}`, POSITIVE_INTEGER, invalidLimits);
  }
  return limits as ImageLimits;
}

/** Validates the input and limits, sniffs the format and reads its structure; nothing is decompressed. */
function readStructure(bytes: Uint8Array, limits: ImageLimits): PngStructure | JpegStructure {
  checkLimits(limits);
  if (!(bytes instanceof Uint8Array)) {
    throw new VisionInputError('INVALID_INPUT_TYPE', 'image data must be a Uint8Array (or Buffer)');
  }
  if (bytes.length === 0) throw new VisionInputError('EMPTY_IMAGE', 'image data is empty');
  if (bytes.length > limits.maxBytes) {
    throw new ImageTooLargeError(
      'IMAGE_TOO_MANY_BYTES',
      `image is ${bytes.length} bytes; the limit is ${limits.maxBytes}`,
      limits.maxBytes,
      bytes.length,
    );
  }
  const format = sniffFormat(bytes);
  if (!format) {
    throw new VisionInputError('UNSUPPORTED_FORMAT', `not a PNG or JPEG image (${describeUnknownBytes(bytes)})`);
  }
  const structure = format === 'png' ? readPngStructure(bytes) : readJpegStructure(bytes);
  checkCanvas(structure, limits);
  return structure;
}

/**
 * Reads the header and enforces the limits. Every failure is a typed
 * {@link VisionInputError}; nothing is decompressed here.
 */
export function inspectImage(
  bytes: Uint8Array,
  limits: ImageLimits = DEFAULT_IMAGE_LIMITS,
): ImageHeader & { readonly decodable: boolean } {
  const structure = readStructure(bytes, limits);
  if (structure.format === 'png') return { ...stripInternals(structure), decodable: true };
  return structure;
}

function checkCanvas(header: ImageHeader, limits: ImageLimits): void {
  const longest = Math.max(header.width, header.height);
  if (longest > limits.maxDimension) {
    throw new ImageTooLargeError(
      'IMAGE_TOO_WIDE',
      `image is ${header.width}×${header.height}; no side may exceed ${limits.maxDimension} pixels`,
      limits.maxDimension,
      longest,
    );
  }
  const pixels = header.width * header.height;
  if (pixels > limits.maxPixels) {
    throw new ImageTooLargeError(
      'IMAGE_TOO_MANY_PIXELS',
      `image is ${header.width}×${header.height} = ${pixels} pixels; the limit is ${limits.maxPixels}`,
      limits.maxPixels,
      pixels,
    );
  }
}

/** Checks limits from the header, then decodes to RGBA. Only typed errors escape. */
export function decodeImage(bytes: Uint8Array, limits: ImageLimits = DEFAULT_IMAGE_LIMITS): DecodedImage {
  const structure = readStructure(bytes, limits);
  if (structure.format === 'png') return { header: stripInternals(structure), rgba: decodePng(bytes, structure) };
  if (!structure.decodable) {
    throw new VisionInputError(
      'UNSUPPORTED_FORMAT',
      `this JPEG variant (${structure.bitDepth}-bit or lossless/arithmetic coding) is not supported; use baseline or progressive 8-bit JPEG`,
    );
  }
  const { decodable: _decodable, ...header } = structure;
  return { header, rgba: decodeJpeg(bytes, header, limits) };
}

function stripInternals(structure: PngStructure): ImageHeader {
  const { idatBytes: _bytes, idatChunks: _chunks, samplesPerPixel: _spp, ...header } = structure;
  return header;
}

function decodePng(bytes: Uint8Array, structure: PngStructure): Uint8Array {
  const expected = expectedInflatedSize(structure);
  if (structure.interlaced) {
    // pngjs inflates interlaced images without an output cap; bound the stream first
    // so a decompression bomb fails here instead of exhausting memory.
    try {
      inflateSync(Buffer.concat(structure.idatChunks), { maxOutputLength: expected + 1 });
    } catch (cause) {
      throw new VisionInputError(
        'CORRUPT_IMAGE',
        `PNG image data does not inflate to the ${expected} bytes its header implies`,
        { cause },
      );
    }
  }
  try {
    const png = PNG.sync.read(Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength));
    const rgba = new Uint8Array(png.data.buffer, png.data.byteOffset, png.data.byteLength);
    if (rgba.length !== structure.width * structure.height * 4)
      throw new Error('decoded size does not match the header');
    return rgba;
  } catch (cause) {
    throw new VisionInputError('CORRUPT_IMAGE', `PNG could not be decoded: ${messageOf(cause)}`, { cause });
  }
}

function decodeJpeg(bytes: Uint8Array, header: ImageHeader, limits: ImageLimits): Uint8Array {
  try {
    const image = jpeg.decode(bytes, {
      useTArray: true,
      formatAsRGBA: true,
      tolerantDecoding: true,
      maxResolutionInMP: limits.maxPixels / 1_000_000,
      // RGBA output plus the decoder's per-component planes, with headroom.
      maxMemoryUsageInMB: Math.max(64, Math.ceil((limits.maxPixels * 12) / (1024 * 1024))),
    });
    if (
      image.width !== header.width ||
      image.height !== header.height ||
      image.data.length !== header.width * header.height * 4
    ) {
      throw new Error('decoded size does not match the header');
    }
    return image.data;
  } catch (cause) {
    throw new VisionInputError('CORRUPT_IMAGE', `JPEG could not be decoded: ${messageOf(cause)}`, { cause });
  }
}

function messageOf(error: unknown): string {
  const text = error instanceof Error ? error.message : String(error);
  return text.length > 200 ? text.slice(0, 200) + '…' : text;
}
