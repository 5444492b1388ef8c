import { fc, test } from '@fast-check/vitest';
import { describe, expect } from 'vitest';
import { checkerboard, jpegBytes, pngBytes } from '../../testing/images';
import { inspectImage } from './decodeImage';

const side = fc.integer({ min: 1, max: 48 });

describe('header readers', () => {
  test.prop([side, side, fc.constantFrom(0 as const, 2 as const, 4 as const, 6 as const)])(
    'read PNG dimensions and channels without decoding',
    (w, h, colorType) => {
      const header = inspectImage(pngBytes(w, h, checkerboard, { colorType }));
      expect(header).toMatchObject({
        format: 'png',
        width: w,
        height: h,
        bitDepth: 8,
        interlaced: false,
        channels: { 0: 1, 2: 3, 4: 2, 6: 4 }[colorType],
      });
    },
  );

  // jpeg-js builds its tables per encode (slow), so fewer runs here.
  test.prop([side, side, fc.integer({ min: 1, max: 100 })], { numRuns: 15 })(
    'read JPEG dimensions',
    (w, h, quality) => {
      const header = inspectImage(jpegBytes(w, h, checkerboard, quality));
      expect(header).toMatchObject({ format: 'jpeg', width: w, height: h, bitDepth: 8, channels: 3, decodable: true });
    },
  );
});
