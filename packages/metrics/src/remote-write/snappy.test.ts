import { fc, test } from '@fast-check/vitest';
import SnappyJS from 'snappyjs';
import { describe, expect, it } from 'vitest';
import { maxCompressedLength, snappyCompress } from './snappy';

// snappyjs is an independent Snappy implementation: our blocks must decode with it.
const uncompress = (block: Uint8Array): Uint8Array => new Uint8Array(SnappyJS.uncompress(block));

/** Bytes with repetition: runs, repeated words and random noise mixed. */
const compressible = fc
  .array(
    fc.oneof(
      fc.uint8Array({ maxLength: 50 }),
      fc
        .tuple(fc.integer({ min: 0, max: 255 }), fc.integer({ min: 1, max: 300 }))
        .map(([b, n]) => new Uint8Array(n).fill(b)),
      fc
        .tuple(
          fc.constantFrom('cpu_seconds_total', 'le="0.5"', '__name__', 'http_requests'),
          fc.integer({ min: 1, max: 20 }),
        )
        .map(([s, n]) => new TextEncoder().encode(s.repeat(n))),
    ),
    { maxLength: 40 },
  )
  .map((parts) => {
    const out = new Uint8Array(parts.reduce((a, p) => a + p.length, 0));
    let o = 0;
    for (const p of parts) {
      out.set(p, o);
      o += p.length;
    }
    return out;
  });

describe('snappyCompress', () => {
  test.prop([compressible])('round-trips through an independent decoder', (input) => {
    const block = snappyCompress(input);
    expect(block.length).toBeLessThanOrEqual(maxCompressedLength(input.length));
    expect(uncompress(block)).toEqual(input);
  });

  test.prop([fc.uint8Array({ maxLength: 3000 })])('round-trips incompressible bytes', (input) => {
    expect(uncompress(snappyCompress(input))).toEqual(input);
  });

  it('handles inputs across several 64 KiB fragments, long literals and long copies', () => {
    const big = new Uint8Array(200_000);
    let x = 12345;
    for (let i = 0; i < big.length; i++) {
      // A noisy first third (long literals), then long repeats (long copies).
      x = (Math.imul(x, 1103515245) + 12345) >>> 0;
      big[i] = i < 70_000 ? x >>> 24 : i % 977;
    }
    const block = snappyCompress(big);
    expect(uncompress(block)).toEqual(big);
    expect(block.length).toBeLessThan(big.length * 0.5);
    // A view into a larger buffer (as the encoder passes its writer's bytes) reads from its own offset.
    const view = big.subarray(3, 150_003);
    expect(uncompress(snappyCompress(view))).toEqual(view.slice());
  });

  it('compresses repetitive remote-write-like text well', () => {
    const text = new TextEncoder().encode(
      Array.from(
        { length: 2000 },
        (_, i) => `__name__\u0012http_requests_total\u0006method\u0003GET\u0004code\u0003${200 + (i % 5)}`,
      ).join(''),
    );
    const block = snappyCompress(text);
    expect(uncompress(block)).toEqual(text);
    expect(block.length).toBeLessThan(text.length / 5);
  });

  it('encodes the empty input as a zero length', () => {
    expect([...snappyCompress(new Uint8Array(0))]).toEqual([0]);
  });
});
