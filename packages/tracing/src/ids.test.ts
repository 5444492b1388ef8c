import { fc, test } from '@fast-check/vitest';
import { describe, expect, it } from 'vitest';
import { generateSpanId, generateTraceId, isValidSpanId, isValidTraceId, takeLowBits, traceIdFromLowBits } from './ids';

describe('ids', () => {
  it('are W3C-shaped, never all zero, and unique over many draws (crossing pool refills)', () => {
    const traces = new Set<string>();
    const spans = new Set<string>();
    let invalid = 0;
    for (let i = 0; i < 20_000; i++) {
      const t = generateTraceId();
      const s = generateSpanId();
      if (!isValidTraceId(t) || !isValidSpanId(s)) invalid++;
      traces.add(t);
      spans.add(s);
    }
    expect(invalid).toBe(0);
    expect(traces.size).toBe(20_000);
    expect(spans.size).toBe(20_000);
  });

  it('look uniformly random: every hex digit appears at every position', () => {
    const seen = Array.from({ length: 32 }, () => new Set<string>());
    for (let i = 0; i < 2000; i++) [...generateTraceId()].forEach((c, j) => seen[j]!.add(c));
    for (const digits of seen) expect(digits.size).toBe(16);
  });

  test.prop([fc.integer({ min: 0, max: 0xffffff }), fc.integer({ min: 0, max: 0xffffffff })])(
    'a trace id built from 56 low bits ends with exactly those bits',
    (hi24, lo32) => {
      const id = traceIdFromLowBits(hi24, lo32);
      expect(isValidTraceId(id)).toBe(true);
      expect(id.slice(18)).toBe(hi24.toString(16).padStart(6, '0') + lo32.toString(16).padStart(8, '0'));
    },
  );

  it('takeLowBits yields 24 and 32 bit values', () => {
    const bits = { hi24: -1, lo32: -1 };
    for (let i = 0; i < 1000; i++) {
      takeLowBits(bits);
      expect(bits.hi24).toBeGreaterThanOrEqual(0);
      expect(bits.hi24).toBeLessThan(2 ** 24);
      expect(bits.lo32).toBeGreaterThanOrEqual(0);
      expect(bits.lo32).toBeLessThan(2 ** 32);
    }
  });

  it('validators reject wrong types, case and zero ids', () => {
    for (const bad of [undefined, null, 1, NaN, {}, '', '0'.repeat(32), 'A'.repeat(32), 'g'.repeat(32), 'a'.repeat(31)])
      expect(isValidTraceId(bad)).toBe(false);
    for (const bad of [undefined, 1, '0'.repeat(16), 'A'.repeat(16), 'a'.repeat(17)])
      expect(isValidSpanId(bad)).toBe(false);
  });
});
