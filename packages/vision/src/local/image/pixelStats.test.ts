import { fc, test } from '@fast-check/vitest';
import { describe, expect, it } from 'vitest';
import { COLOR_NAMES, nameColor } from './colorNames';
import { computePixelStats } from './pixelStats';

const channel = fc.integer({ min: 0, max: 255 });
const pixel = fc.tuple(channel, channel, channel, channel);
const image = fc.array(pixel, { minLength: 1, maxLength: 300 });
const toRgba = (pixels: readonly (readonly number[])[]) => Uint8Array.from(pixels.flat());
const luma = (r: number, g: number, b: number) => (0.2126 * r + 0.7152 * g + 0.0722 * b) / 255;

describe('computePixelStats', () => {
  test.prop([image])(
    'stays in range: brightness 0–1, contrast 0–0.5, shares sorted and summing to at most 1',
    (pixels) => {
      const stats = computePixelStats(toRgba(pixels));
      expect(stats.brightness).toBeGreaterThanOrEqual(0);
      expect(stats.brightness).toBeLessThanOrEqual(1);
      expect(stats.contrast).toBeGreaterThanOrEqual(0);
      expect(stats.contrast).toBeLessThanOrEqual(0.5 + 1e-9);
      expect(stats.transparentShare).toBeGreaterThanOrEqual(0);
      expect(stats.transparentShare).toBeLessThanOrEqual(1);
      const shares = stats.dominantColors.map((c) => c.share);
      expect(shares).toEqual([...shares].sort((a, b) => b - a));
      expect(shares.reduce((a, b) => a + b, 0)).toBeLessThanOrEqual(1 + 1e-3);
      for (const c of stats.dominantColors) {
        expect(COLOR_NAMES).toContain(c.name);
        expect(c.hex).toMatch(/^#[0-9a-f]{6}$/);
        expect(c.share).toBeGreaterThanOrEqual(0.05);
      }
      expect(stats.dominantColors.length).toBeLessThanOrEqual(5);
    },
  );

  test.prop([image])('matches a direct two-pass computation of mean and standard deviation of luma', (pixels) => {
    const opaque = pixels.filter((p) => p[3] >= 16).map(([r, g, b]) => luma(r, g, b));
    const stats = computePixelStats(toRgba(pixels));
    if (opaque.length === 0) {
      expect(stats).toMatchObject({ brightness: 0, contrast: 0, transparentShare: 1, dominantColors: [] });
      return;
    }
    const mean = opaque.reduce((a, b) => a + b, 0) / opaque.length;
    const sd = Math.sqrt(opaque.reduce((a, v) => a + (v - mean) ** 2, 0) / opaque.length);
    expect(stats.brightness).toBeCloseTo(mean, 3);
    expect(stats.contrast).toBeCloseTo(sd, 3);
    expect(stats.transparentShare).toBeCloseTo(1 - opaque.length / pixels.length, 3);
  });

  test.prop([image, fc.nat()])('does not depend on pixel order', (pixels, rotation) => {
    const k = rotation % pixels.length;
    const rotated = [...pixels.slice(k), ...pixels.slice(0, k)];
    const a = computePixelStats(toRgba(pixels));
    const b = computePixelStats(toRgba(rotated));
    expect(b.brightness).toBeCloseTo(a.brightness, 3);
    expect(b.contrast).toBeCloseTo(a.contrast, 3);
    expect(b.dominantColors).toEqual(a.dominantColors);
  });

  test.prop([channel, channel, channel, fc.integer({ min: 1, max: 500 })])(
    'a uniform image has no contrast and one colour',
    (r, g, b, n) => {
      const stats = computePixelStats(toRgba(Array.from({ length: n }, () => [r, g, b, 255])));
      expect(stats.contrast).toBe(0);
      expect(stats.brightness).toBeCloseTo(luma(r, g, b), 3);
      expect(stats.dominantColors).toEqual([expect.objectContaining({ name: nameColor(r, g, b), share: 1 })]);
    },
  );

  it('samples at most maxSamples pixels of a large image', () => {
    const stats = computePixelStats(new Uint8Array(1000 * 1000 * 4).fill(255), { maxSamples: 1000 });
    expect(stats.sampledPixels).toBe(1000);
    expect(stats.brightness).toBe(1);
  });

  it('handles an empty buffer', () => {
    expect(computePixelStats(new Uint8Array())).toMatchObject({
      brightness: 0,
      contrast: 0,
      transparentShare: 0,
      sampledPixels: 0,
      dominantColors: [],
    });
  });
});

describe('nameColor', () => {
  it.each([
    [[0, 0, 0], 'black'],
    [[255, 255, 255], 'white'],
    [[255, 0, 0], 'red'],
    [[0, 0, 255], 'blue'],
    [[0, 128, 0], 'green'],
    [[255, 255, 0], 'yellow'],
    [[135, 206, 235], 'sky blue'],
    [[255, 165, 0], 'orange'],
  ] as const)('names %j %s', ([r, g, b], name) => {
    expect(nameColor(r, g, b)).toBe(name);
  });
});

describe('bad input to the public helpers', () => {
  it('throws typed errors, never TypeErrors', async () => {
    const { ObsError } = await import('@obs/core');
    const { inspectImage } = await import('./decodeImage');
    expect(() => computePixelStats('abc' as never)).toThrow(ObsError);
    expect(() => computePixelStats(new Uint8Array(4), null as never)).toThrow(ObsError);
    expect(() => computePixelStats(new Uint8Array(4), { maxSamples: 0 })).toThrow(ObsError);
    expect(() => computePixelStats(new Uint8Array(4), { minShare: Number.NaN })).toThrow(ObsError);
    expect(() => nameColor(Number.NaN, 0, 0)).toThrow(ObsError);
    expect(() => nameColor(0, 300, 0)).toThrow(ObsError);
    expect(() => nameColor('1' as never, 0, 0)).toThrow(ObsError);
    expect(() => inspectImage(new Uint8Array([1]), {} as never)).toThrow(ObsError);
    expect(() =>
      inspectImage(new Uint8Array([1]), { maxBytes: 1, maxPixels: 1, maxDimension: Number.POSITIVE_INFINITY }),
    ).toThrow(ObsError);
    expect(() => inspectImage(new Uint8Array([1]), null as never)).toThrow(ObsError);
  });
});
