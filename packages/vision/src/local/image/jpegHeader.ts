import { VisionInputError } from '../../errors';
import type { ImageHeader } from './ImageHeader';

/** Start-of-frame markers and whether jpeg-js can decode them (baseline, extended, progressive Huffman). */
const SOF_MARKERS: ReadonlyMap<number, { decodable: boolean; progressive: boolean }> = new Map([
  [0xc0, { decodable: true, progressive: false }],
  [0xc1, { decodable: true, progressive: false }],
  [0xc2, { decodable: true, progressive: true }],
  [0xc3, { decodable: false, progressive: false }], // lossless
  [0xc5, { decodable: false, progressive: false }],
  [0xc6, { decodable: false, progressive: true }],
  [0xc7, { decodable: false, progressive: false }],
  [0xc9, { decodable: false, progressive: false }], // arithmetic coding
  [0xca, { decodable: false, progressive: true }],
  [0xcb, { decodable: false, progressive: false }],
  [0xcd, { decodable: false, progressive: false }],
  [0xce, { decodable: false, progressive: true }],
  [0xcf, { decodable: false, progressive: false }],
]);

export interface JpegStructure extends ImageHeader {
  readonly format: 'jpeg';
  /** Whether the frame type is one the decoder supports. */
  readonly decodable: boolean;
}

function truncated(what: string): VisionInputError {
  return new VisionInputError('TRUNCATED_IMAGE', `JPEG is truncated: ${what}`);
}

function corrupt(what: string): VisionInputError {
  return new VisionInputError('CORRUPT_IMAGE', `JPEG is corrupt: ${what}`);
}

/**
 * Walks the marker segments from SOI to the first start-of-frame and reads the
 * dimensions, then checks that an EOI marker follows the scan data. Nothing is
 * decoded. The caller has already checked the SOI marker.
 */
export function readJpegStructure(bytes: Uint8Array): JpegStructure {
  let offset = 2;
  let frame: Omit<JpegStructure, 'format'> | undefined;
  let sawScan = false;
  // Every step advances `offset` by at least one byte, so the walk ends.
  while (offset < bytes.length) {
    if (bytes[offset] !== 0xff) throw corrupt(`expected a marker at byte ${offset}`);
    // Fill bytes: any number of 0xFF may precede a marker.
    while (offset < bytes.length && bytes[offset] === 0xff) offset++;
    if (offset >= bytes.length) break;
    const marker = bytes[offset]!;
    offset++;
    if (marker === 0xd8 || marker === 0x01 || (marker >= 0xd0 && marker <= 0xd7)) continue; // no length
    if (marker === 0xd9) throw corrupt('end of image before any scan');
    if (marker === 0x00) throw corrupt(`stray 0xFF00 at byte ${offset - 2}`);
    if (offset + 2 > bytes.length) throw truncated(`segment length cut off at byte ${offset}`);
    const length = (bytes[offset]! << 8) | bytes[offset + 1]!;
    if (length < 2) throw corrupt(`segment length ${length} at byte ${offset}`);
    const segmentEnd = offset + length;
    if (segmentEnd > bytes.length)
      throw truncated(
        `segment 0xFF${marker.toString(16).toUpperCase()} needs ${length} bytes but the input ends first`,
      );
    const sof = SOF_MARKERS.get(marker);
    if (sof) {
      if (frame) throw corrupt('more than one frame header');
      if (length < 8) throw corrupt('frame header too short');
      const precision = bytes[offset + 2]!;
      const height = (bytes[offset + 3]! << 8) | bytes[offset + 4]!;
      const width = (bytes[offset + 5]! << 8) | bytes[offset + 6]!;
      const components = bytes[offset + 7]!;
      if (width === 0 || height === 0) throw corrupt(`invalid dimensions ${width}×${height}`);
      if (components !== 1 && components !== 3 && components !== 4)
        throw corrupt(`unsupported component count ${components}`);
      if (length !== 8 + components * 3) throw corrupt('frame header length does not match its components');
      if (precision !== 8 && precision !== 12 && precision !== 16) throw corrupt(`sample precision ${precision}`);
      frame = {
        width,
        height,
        bitDepth: precision,
        channels: components,
        hasAlpha: false,
        interlaced: sof.progressive,
        decodable: sof.decodable && precision === 8,
      };
    }
    offset = segmentEnd;
    if (marker === 0xda) {
      sawScan = true;
      break;
    }
  }
  if (!frame) throw sawScan ? corrupt('scan before frame header') : truncated('no frame header');
  if (!sawScan) throw truncated('no image data (SOS)');
  if (!hasEndOfImage(bytes, offset)) throw truncated('no end-of-image marker after the scan data');
  return { format: 'jpeg', ...frame };
}

/**
 * Entropy-coded data never contains 0xFF 0xD9 (0xFF is stuffed as 0xFF00), so
 * any EOI after the first scan is the real end; trailing bytes after it are allowed.
 */
function hasEndOfImage(bytes: Uint8Array, from: number): boolean {
  for (let i = bytes.length - 2; i >= from; i--) {
    if (bytes[i] === 0xff && bytes[i + 1] === 0xd9) return true;
  }
  return false;
}
