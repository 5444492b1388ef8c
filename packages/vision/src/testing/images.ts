/**
 * Test fixtures: small PNG and JPEG files built in memory with the same
 * libraries the provider decodes with, plus a raw PNG chunk writer for
 * hand-made edge cases (bombs, lying headers). Not exported from the package.
 */
import { deflateSync } from 'node:zlib';
import jpeg from 'jpeg-js';
import { PNG } from 'pngjs';

export type Rgba = readonly [number, number, number, number];
export type Fill = (x: number, y: number) => Rgba;

export function rgbaPixels(width: number, height: number, fill: Fill): Buffer {
  const data = Buffer.alloc(width * height * 4);
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      const [r, g, b, a] = fill(x, y);
      const i = (y * width + x) * 4;
      data[i] = r;
      data[i + 1] = g;
      data[i + 2] = b;
      data[i + 3] = a;
    }
  }
  return data;
}

export function pngBytes(
  width: number,
  height: number,
  fill: Fill,
  options: { colorType?: 0 | 2 | 4 | 6; bitDepth?: 8 | 16 } = {},
): Buffer {
  const png = new PNG({
    width,
    height,
    colorType: options.colorType ?? 6,
    bitDepth: options.bitDepth ?? 8,
    inputHasAlpha: true,
  });
  png.data = rgbaPixels(width, height, fill);
  return PNG.sync.write(png, {
    colorType: options.colorType ?? 6,
    bitDepth: options.bitDepth ?? 8,
    inputHasAlpha: true,
  });
}

export function jpegBytes(width: number, height: number, fill: Fill, quality = 90): Buffer {
  return jpeg.encode({ width, height, data: rgbaPixels(width, height, fill) }, quality).data;
}

export const solid =
  (r: number, g: number, b: number, a = 255): Fill =>
  () => [r, g, b, a];

export const checkerboard: Fill = (x, y) => ((x + y) % 2 === 0 ? [0, 0, 0, 255] : [255, 255, 255, 255]);

const CRC_TABLE = (() => {
  const table = new Uint32Array(256);
  for (let n = 0; n < 256; n++) {
    let c = n;
    for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
    table[n] = c >>> 0;
  }
  return table;
})();

export function crc32(bytes: Uint8Array): number {
  let c = 0xffffffff;
  for (const byte of bytes) c = CRC_TABLE[(c ^ byte) & 0xff]! ^ (c >>> 8);
  return (c ^ 0xffffffff) >>> 0;
}

export function pngChunk(type: string, data: Uint8Array): Buffer {
  const head = Buffer.alloc(8);
  head.writeUInt32BE(data.length, 0);
  head.write(type, 4, 'latin1');
  const body = Buffer.concat([head.subarray(4), Buffer.from(data)]);
  const crc = Buffer.alloc(4);
  crc.writeUInt32BE(crc32(body), 0);
  return Buffer.concat([head.subarray(0, 4), body, crc]);
}

export const PNG_SIGNATURE = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);

export function ihdr(width: number, height: number, bitDepth: number, colorType: number, interlace = 0): Buffer {
  const data = Buffer.alloc(13);
  data.writeUInt32BE(width, 0);
  data.writeUInt32BE(height, 4);
  data[8] = bitDepth;
  data[9] = colorType;
  data[12] = interlace;
  return pngChunk('IHDR', data);
}

/** A PNG whose IHDR, IDAT payload (already deflated) and extra chunks are given by hand. */
export function rawPng(header: Buffer, idat: Uint8Array, extra: Buffer[] = []): Buffer {
  return Buffer.concat([PNG_SIGNATURE, header, ...extra, pngChunk('IDAT', idat), pngChunk('IEND', new Uint8Array())]);
}

/** An indexed-colour (palette) PNG, which pngjs cannot write. */
export function palettePng(
  width: number,
  height: number,
  palette: readonly (readonly [number, number, number])[],
  index: (x: number, y: number) => number,
): Buffer {
  const rows: number[] = [];
  for (let y = 0; y < height; y++) {
    rows.push(0); // filter: none
    for (let x = 0; x < width; x++) rows.push(index(x, y));
  }
  const plte = pngChunk('PLTE', Buffer.from(palette.flat()));
  return rawPng(ihdr(width, height, 8, 3), deflateSync(Buffer.from(rows)), [plte]);
}

/** Recomputes every chunk CRC so mutated data reaches the decoder instead of failing the checksum. */
export function fixPngCrcs(bytes: Uint8Array): Buffer {
  const out = Buffer.from(bytes);
  let offset = 8;
  while (offset + 12 <= out.length) {
    const length = out.readUInt32BE(offset);
    const end = offset + 8 + length;
    if (end + 4 > out.length) break;
    out.writeUInt32BE(crc32(out.subarray(offset + 4, end)), end);
    offset = end + 4;
  }
  return out;
}
