import { fc, test } from '@fast-check/vitest';
import { describe, expect, it } from 'vitest';
import { TracingValidationError } from './errors';
import { generateTraceId } from './ids';
import { createRatioThreshold, isSampledLowBits, isTraceIdSampled } from './sampling';

const hex32 = fc.stringMatching(/^[0-9a-f]{32}$/);

describe('TraceIdRatioBased sampling (56-bit threshold)', () => {
  it('computes the OpenTelemetry rejection threshold T = (1 - p) * 2^56', () => {
    expect(createRatioThreshold(1)).toMatchObject({ hi24: 0, lo32: 0 });
    expect(createRatioThreshold(0)).toMatchObject({ hi24: 2 ** 24, lo32: 0 });
    expect(createRatioThreshold(0.5)).toMatchObject({ hi24: 0x800000, lo32: 0 });
    expect(createRatioThreshold(0.25)).toMatchObject({ hi24: 0xc00000, lo32: 0 });
  });

  it('decides from the rightmost 56 bits only (R >= T)', () => {
    const half = createRatioThreshold(0.5);
    expect(isTraceIdSampled('ffffffffffffffffff' + '800000' + '00000000', half)).toBe(true);
    expect(isTraceIdSampled('ffffffffffffffffff' + '7fffff' + 'ffffffff', half)).toBe(false);
    expect(isTraceIdSampled('000000000000000000' + '800000' + '00000000', half)).toBe(true);
    expect(isTraceIdSampled('00000000000000000' + 'f' + '7fffff' + 'ffffffff', half)).toBe(false);
  });

  it('samples everything at 1, nothing at 0, and rejects bad ratios with a typed error', () => {
    expect(isTraceIdSampled('0'.repeat(31) + '1', createRatioThreshold(1))).toBe(true);
    expect(isTraceIdSampled('f'.repeat(32), createRatioThreshold(0))).toBe(false);
    for (const bad of [-0.1, 1.1, NaN, Infinity, '0.5', null])
      expect(() => createRatioThreshold(bad as number)).toThrow(TracingValidationError);
    expect(isTraceIdSampled('nope', createRatioThreshold(1))).toBe(false);
    expect(isTraceIdSampled('G'.repeat(32), createRatioThreshold(1))).toBe(false);
  });

  test.prop([hex32, fc.double({ min: 0, max: 1, noNaN: true }), fc.double({ min: 0, max: 1, noNaN: true })])(
    'is monotone: sampled at a ratio means sampled at every higher ratio',
    (traceId, a, b) => {
      const [lo, hi] = a <= b ? [a, b] : [b, a];
      if (isTraceIdSampled(traceId, createRatioThreshold(lo)))
        expect(isTraceIdSampled(traceId, createRatioThreshold(hi))).toBe(true);
    },
  );

  test.prop([
    fc.integer({ min: 0, max: 0xffffff }),
    fc.integer({ min: 0, max: 0xffffffff }),
    fc.double({ min: 0, max: 1, noNaN: true }),
  ])('the bit form and the hex form agree', (hi24, lo32, ratio) => {
    const t = createRatioThreshold(ratio);
    const id = 'a'.repeat(18) + hi24.toString(16).padStart(6, '0') + lo32.toString(16).padStart(8, '0');
    expect(isSampledLowBits(t, hi24, lo32)).toBe(isTraceIdSampled(id, t));
  });

  it('samples close to the ratio over random ids', () => {
    const t = createRatioThreshold(0.1);
    let sampled = 0;
    for (let i = 0; i < 20_000; i++) if (isTraceIdSampled(generateTraceId(), t)) sampled++;
    expect(sampled / 20_000).toBeGreaterThan(0.085);
    expect(sampled / 20_000).toBeLessThan(0.115);
  });
});
