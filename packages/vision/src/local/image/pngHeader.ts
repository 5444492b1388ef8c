import { VisionInputError } from '../../errors';
import type { ImageHeader } from './ImageHeader';

/** Bit depths PNG allows for each colour type (PNG spec, table 11.1). */
const ALLOWED_DEPTHS: Readonly<Record<number, readonly number[]>> = {
  0: [1, 2, 4, 8, 16], // greyscale
  2: [8, 16], // truecolour
  3: [1, 2, 4, 8], // indexed
  4: [8, 16], // greyscale + alpha
  6: [8, 16], // truecolour + alpha
};
const CHANNELS: Readonly<Record<number, number>> = { 0: 1, 2: 3, 3: 3, 4: 2, 6: 4 };
const MAX_CHUNK_LENGTH = 0x7fffffff;

/** The parsed header plus the chunk facts that decoding safely needs. */
export interface PngStructure extends ImageHeader {
  readonly format: 'png';
  /** Total compressed IDAT bytes. */
  readonly idatBytes: number;
  /** The IDAT chunks' data, in order (views, not copies). */
  readonly idatChunks: readonly Uint8Array[];
  /** Samples stored per pixel (1 for indexed colour). */
  readonly samplesPerPixel: number;
}

function truncated(what: string): VisionInputError {
  return new VisionInputError('TRUNCATED_IMAGE', `PNG is truncated: ${what}`);
}

function corrupt(what: string): VisionInputError {
  return new VisionInputError('CORRUPT_IMAGE', `PNG is corrupt: ${what}`);
}

/**
 * Reads IHDR and walks every chunk to IEND without decompressing anything, so
 * truncation and absurd sizes are found before the decoder allocates. The
 * caller has already checked the 8-byte signature.
 */
export function readPngStructure(bytes: Uint8Array): PngStructure {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  if (bytes.length < 8 + 8 + 13 + 4) throw truncated('no complete IHDR chunk');
  const ihdrLength = view.getUint32(8);
  const ihdrType = String.fromCharCode(bytes[12]!, bytes[13]!, bytes[14]!, bytes[15]!);
  if (ihdrType !== 'IHDR' || ihdrLength !== 13) throw corrupt('the first chunk is not a 13-byte IHDR');
  const width = view.getUint32(16);
  const height = view.getUint32(20);
  const bitDepth = bytes[24]!;
  const colorType = bytes[25]!;
  const compression = bytes[26]!;
  const filter = bytes[27]!;
  const interlace = bytes[28]!;
  if (width === 0 || height === 0 || width > MAX_CHUNK_LENGTH || height > MAX_CHUNK_LENGTH) {
    throw corrupt(`invalid dimensions ${width}×${height}`);
  }
  const depths = ALLOWED_DEPTHS[colorType];
  if (!depths) throw corrupt(`unknown colour type ${colorType}`);
  if (!depths.includes(bitDepth)) throw corrupt(`bit depth ${bitDepth} is not allowed for colour type ${colorType}`);
  if (compression !== 0 || filter !== 0 || interlace > 1)
    throw corrupt('unknown compression, filter or interlace method');

  let offset = 8;
  let sawIend = false;
  let hasTrns = false;
  let idatBytes = 0;
  const idatChunks: Uint8Array[] = [];
  // Each step moves past one whole chunk (at least 12 bytes), so the walk ends.
  while (offset < bytes.length) {
    if (offset + 8 > bytes.length) throw truncated(`chunk header cut off at byte ${offset}`);
    const length = view.getUint32(offset);
    if (length > MAX_CHUNK_LENGTH) throw corrupt(`chunk length ${length} is out of range`);
    const type = String.fromCharCode(bytes[offset + 4]!, bytes[offset + 5]!, bytes[offset + 6]!, bytes[offset + 7]!);
    const end = offset + 8 + length + 4;
    if (end > bytes.length)
      throw truncated(`chunk ${JSON.stringify(type)} needs ${length} bytes but the input ends first`);
    if (type === 'IDAT') {
      idatBytes += length;
      idatChunks.push(bytes.subarray(offset + 8, offset + 8 + length));
    } else if (type === 'tRNS') {
      hasTrns = true;
    } else if (type === 'IEND') {
      sawIend = true;
      break;
    }
    offset = end;
  }
  if (!sawIend) throw truncated('no IEND chunk');
  if (idatBytes === 0) throw corrupt('no image data (IDAT)');

  return {
    format: 'png',
    width,
    height,
    bitDepth,
    channels: CHANNELS[colorType]!,
    hasAlpha: colorType === 4 || colorType === 6 || hasTrns,
    interlaced: interlace === 1,
    idatBytes,
    idatChunks,
    samplesPerPixel: colorType === 3 ? 1 : CHANNELS[colorType]!,
  };
}

/** Bytes of filtered scanlines that the zlib stream of this PNG must inflate to. */
export function expectedInflatedSize(
  header: Pick<PngStructure, 'width' | 'height' | 'bitDepth' | 'samplesPerPixel' | 'interlaced'>,
): number {
  const rowBytes = (w: number) => Math.ceil((w * header.samplesPerPixel * header.bitDepth) / 8) + 1;
  if (!header.interlaced) return rowBytes(header.width) * header.height;
  // Adam7 passes: [xStart, yStart, xStep, yStep].
  const passes = [
    [0, 0, 8, 8],
    [4, 0, 8, 8],
    [0, 4, 4, 8],
    [2, 0, 4, 4],
    [0, 2, 2, 4],
    [1, 0, 2, 2],
    [0, 1, 1, 2],
  ] as const;
  let total = 0;
  for (const [x0, y0, dx, dy] of passes) {
    const w = Math.max(0, Math.ceil((header.width - x0) / dx));
    const h = Math.max(0, Math.ceil((header.height - y0) / dy));
    if (w > 0 && h > 0) total += rowBytes(w) * h;
  }
  return total;
}
