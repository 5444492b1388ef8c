import { deflateSync } from 'node:zlib';
import { ObsError } from '@obs/core';
import { describe, expect, it } from 'vitest';
import { ImageTooLargeError, VisionInputError } from '../errors';
import { LocalImageProvider } from './LocalImageProvider';
import { checkerboard, ihdr, jpegBytes, palettePng, pngBytes, rawPng, solid } from '../testing/images';

const provider = new LocalImageProvider();

async function rejection(promise: Promise<unknown>): Promise<VisionInputError> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(VisionInputError);
  expect(error).toBeInstanceOf(ObsError);
  return error as VisionInputError;
}

describe('LocalImageProvider: describing images', () => {
  it('describes a solid red PNG', async () => {
    const result = await provider.analyzeImage(pngBytes(40, 20, solid(220, 30, 30)));
    expect(result.details).toMatchObject({
      format: 'png',
      width: 40,
      height: 20,
      orientation: 'landscape',
      hasAlpha: true,
      bytes: expect.any(Number),
    });
    expect(result.details.brightness).toBeCloseTo((0.2126 * 220 + 0.7152 * 30 + 0.0722 * 30) / 255, 3);
    expect(result.details.contrast).toBe(0);
    expect(result.details.dominantColors).toEqual([{ name: 'red', hex: '#dc1e1e', share: 1 }]);
    expect(result.summary).toBe('A 40×20 landscape PNG image, mostly red; dark, with low contrast.');
    expect(result.confidence).toBeGreaterThan(0.5);
    expect(result.confidence).toBeLessThanOrEqual(1);
  });

  it('describes a black-and-white checkerboard as high contrast, half bright', async () => {
    const result = await provider.analyzeImage(pngBytes(32, 32, checkerboard));
    expect(result.details.brightness).toBeCloseTo(0.5, 3);
    expect(result.details.contrast).toBeCloseTo(0.5, 3);
    expect(result.details.dominantColors.map((c) => c.name).sort()).toEqual(['black', 'white']);
    expect(result.summary).toContain('high contrast');
    expect(result.summary).toContain('square');
  });

  it('describes a JPEG within the tolerance of lossy coding', async () => {
    const result = await provider.analyzeImage(jpegBytes(24, 48, solid(30, 70, 220)));
    expect(result.details).toMatchObject({
      format: 'jpeg',
      width: 24,
      height: 48,
      orientation: 'portrait',
      channels: 3,
      hasAlpha: false,
      bitDepth: 8,
    });
    expect(result.details.dominantColors[0]?.name).toBe('blue');
    expect(result.details.contrast).toBeLessThan(0.02);
    expect(result.summary).toMatch(/^A 24×48 portrait JPEG image, mostly blue/);
  });

  it('reads greyscale, 16-bit and palette PNGs', async () => {
    const grey = await provider.analyzeImage(pngBytes(8, 8, solid(200, 200, 200), { colorType: 0 }));
    expect(grey.details).toMatchObject({ channels: 1, hasAlpha: false });
    expect(grey.details.dominantColors[0]?.name).toBe('light grey');
    // 16-bit truecolour, 4×2 white pixels, written by hand (filter byte 0 + 6 bytes a pixel).
    const rows = Buffer.concat([0, 1].map(() => Buffer.concat([Buffer.from([0]), Buffer.alloc(4 * 6, 0xff)])));
    const deep = await provider.analyzeImage(rawPng(ihdr(4, 2, 16, 2), deflateSync(rows)));
    expect(deep.details).toMatchObject({ bitDepth: 16, channels: 3, brightness: 1 });
    const indexed = await provider.analyzeImage(
      palettePng(
        10,
        10,
        [
          [245, 225, 40],
          [16, 90, 30],
        ],
        (x) => (x < 7 ? 0 : 1),
      ),
    );
    expect(indexed.details.dominantColors).toEqual([
      { name: 'yellow', hex: '#f5e128', share: 0.7 },
      { name: 'dark green', hex: '#105a1e', share: 0.3 },
    ]);
  });

  it('leaves transparent pixels out and says so', async () => {
    const half = await provider.analyzeImage(pngBytes(20, 20, (x) => (x < 10 ? [0, 0, 0, 0] : [255, 255, 255, 255])));
    expect(half.details.transparentShare).toBe(0.5);
    expect(half.details.dominantColors).toEqual([{ name: 'white', hex: '#ffffff', share: 1 }]);
    expect(half.summary).toContain('About 50% of it is transparent.');
    const clear = await provider.analyzeImage(pngBytes(20, 20, solid(0, 0, 0, 0)));
    expect(clear.summary).toBe('A 20×20 square PNG image that is fully transparent.');
    expect(clear.confidence).toBeLessThan(half.confidence);
  });

  it('gives a short summary when no description is asked for', async () => {
    const result = await provider.analyzeImage(pngBytes(4, 3, solid(0, 0, 0)), false);
    expect(result.summary).toBe('A 4×3 landscape PNG image.');
    expect(result.details.width).toBe(4);
  });

  it('is less confident about tiny images', async () => {
    const tiny = await provider.analyzeImage(pngBytes(2, 2, solid(0, 128, 0)));
    const large = await provider.analyzeImage(pngBytes(256, 256, solid(0, 128, 0)));
    expect(tiny.confidence).toBeLessThan(large.confidence);
  });

  it('accepts a Uint8Array view into a larger buffer', async () => {
    const png = pngBytes(5, 5, solid(255, 255, 255));
    const backing = new Uint8Array(png.length + 10);
    backing.set(png, 7);
    const result = await provider.analyzeImage(backing.subarray(7, 7 + png.length));
    expect(result.details.width).toBe(5);
  });
});

describe('LocalImageProvider: bad input', () => {
  it.each([
    ['a string', 'not bytes'],
    ['null', null],
    ['an array', [137, 80, 78, 71]],
    ['a number', 42],
    ['an ArrayBuffer', new ArrayBuffer(8)],
  ])('rejects %s with INVALID_INPUT_TYPE', async (_label, value) => {
    const error = await rejection(provider.analyzeImage(value as unknown as Uint8Array));
    expect(error.code).toBe('INVALID_INPUT_TYPE');
  });

  it('rejects a non-boolean includeDescription', async () => {
    const error = await rejection(provider.analyzeImage(pngBytes(1, 1, solid(0, 0, 0)), 'yes' as unknown as boolean));
    expect(error.code).toBe('INVALID_INPUT_TYPE');
  });

  it('rejects empty input', async () => {
    expect((await rejection(provider.analyzeImage(new Uint8Array()))).code).toBe('EMPTY_IMAGE');
  });

  it.each([
    ['GIF', Buffer.from('GIF89a\x01\x00\x01\x00', 'latin1'), /GIF/],
    ['text', Buffer.from('hello world'), /68656c6c6f/],
    ['PDF', Buffer.from('%PDF-1.7'), /PDF/],
  ])('rejects %s as UNSUPPORTED_FORMAT', async (_label, bytes, hint) => {
    const error = await rejection(provider.analyzeImage(bytes));
    expect(error.code).toBe('UNSUPPORTED_FORMAT');
    expect(error.message).toMatch(hint);
  });

  it('rejects input over the byte limit before looking at it', async () => {
    const small = new LocalImageProvider({ maxBytes: 100 });
    const error = await rejection(small.analyzeImage(new Uint8Array(101)));
    expect(error).toBeInstanceOf(ImageTooLargeError);
    expect(error).toMatchObject({ code: 'IMAGE_TOO_MANY_BYTES', limit: 100, actual: 101 });
  });

  it('refuses a tiny PNG that claims a huge canvas without decoding it', async () => {
    const liar = rawPng(ihdr(60_000, 60_000, 8, 6), deflateSync(Buffer.alloc(10)));
    expect(liar.length).toBeLessThan(100);
    const wide = await rejection(provider.analyzeImage(liar));
    expect(wide).toMatchObject({ code: 'IMAGE_TOO_WIDE' });
    const many = await rejection(
      new LocalImageProvider({ maxPixels: 1000 }).analyzeImage(pngBytes(40, 40, solid(1, 2, 3))),
    );
    expect(many).toMatchObject({ code: 'IMAGE_TOO_MANY_PIXELS', limit: 1000, actual: 1600 });
    const jpegMany = await rejection(
      new LocalImageProvider({ maxPixels: 1000 }).analyzeImage(jpegBytes(40, 40, solid(1, 2, 3))),
    );
    expect(jpegMany).toMatchObject({ code: 'IMAGE_TOO_MANY_PIXELS' });
  });

  it('stops a deflate bomb in a non-interlaced PNG', async () => {
    // 100 MB of zeros compresses to ~100 KB; the header says 10×10.
    const bomb = rawPng(ihdr(10, 10, 8, 6), deflateSync(Buffer.alloc(100 * 1024 * 1024)));
    expect((await rejection(provider.analyzeImage(bomb))).code).toBe('CORRUPT_IMAGE');
  });

  it('stops a deflate bomb in an interlaced PNG', async () => {
    const bomb = rawPng(ihdr(10, 10, 8, 6, 1), deflateSync(Buffer.alloc(100 * 1024 * 1024)));
    expect((await rejection(provider.analyzeImage(bomb))).code).toBe('CORRUPT_IMAGE');
  });

  it('rejects an invalid IHDR', async () => {
    for (const header of [ihdr(0, 10, 8, 6), ihdr(10, 10, 3, 6), ihdr(10, 10, 8, 5), ihdr(10, 10, 8, 6, 2)]) {
      expect((await rejection(provider.analyzeImage(rawPng(header, deflateSync(Buffer.alloc(10)))))).code).toBe(
        'CORRUPT_IMAGE',
      );
    }
  });

  it('rejects a PNG with a bad checksum', async () => {
    const png = pngBytes(4, 4, solid(9, 9, 9));
    png.writeUInt8(png.readUInt8(png.length - 20) ^ 0xff, png.length - 20); // inside the IDAT payload or its CRC
    expect((await rejection(provider.analyzeImage(png))).code).toBe('CORRUPT_IMAGE');
  });

  it('rejects a 12-bit or lossless JPEG as unsupported', async () => {
    const jpg = jpegBytes(8, 8, solid(1, 2, 3));
    const sof = jpg.indexOf(Buffer.from([0xff, 0xc0]));
    const lossless = Buffer.from(jpg);
    lossless[sof + 1] = 0xc3;
    expect((await rejection(provider.analyzeImage(lossless))).code).toBe('UNSUPPORTED_FORMAT');
  });

  it('rejects a JPEG without an end-of-image marker as truncated', async () => {
    const jpg = jpegBytes(16, 16, checkerboard);
    expect((await rejection(provider.analyzeImage(jpg.subarray(0, jpg.length - 2)))).code).toBe('TRUNCATED_IMAGE');
  });

  it('rejects bad configuration with a typed error', () => {
    expect(() => new LocalImageProvider({ maxBytes: -1 })).toThrow(ObsError);
    expect(() => new LocalImageProvider({ maxPixels: 1.5 })).toThrow(ObsError);
    expect(() => new LocalImageProvider({ providerName: 'bad name\n' })).toThrow(ObsError);
    expect(() => new LocalImageProvider(null as never)).toThrow(ObsError);
  });
});
