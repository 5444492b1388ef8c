import { fc, test } from '@fast-check/vitest';
import { describe, expect } from 'vitest';
import { VisionInputError } from './errors';
import { LocalImageProvider } from './local/LocalImageProvider';
import { checkerboard, fixPngCrcs, jpegBytes, pngBytes, type Fill } from './testing/images';

// Small limits keep every fuzz case fast: a mutated header may claim any size.
const provider = new LocalImageProvider({ maxPixels: 65_536, maxDimension: 1024 });

const gradient: Fill = (x, y) => [x * 16, y * 16, 128, 255];
const SEEDS = [
  pngBytes(16, 16, gradient),
  pngBytes(9, 7, checkerboard, { colorType: 0 }),
  jpegBytes(16, 16, gradient),
  jpegBytes(17, 9, checkerboard, 50),
];

/** Resolves to 'ok' or 'typed' and fails the property on anything else. */
async function outcome(bytes: Uint8Array): Promise<'ok' | 'typed'> {
  try {
    const result = await provider.analyzeImage(bytes);
    expect(result.confidence).toBeGreaterThanOrEqual(0);
    expect(result.confidence).toBeLessThanOrEqual(1);
    expect(result.details.brightness).toBeGreaterThanOrEqual(0);
    expect(result.details.brightness).toBeLessThanOrEqual(1);
    return 'ok';
  } catch (error) {
    if (!(error instanceof VisionInputError)) throw error;
    return 'typed';
  }
}

const mutation = fc.oneof(
  fc.record({ kind: fc.constant('flip' as const), at: fc.nat(), value: fc.integer({ min: 0, max: 255 }) }),
  fc.record({ kind: fc.constant('delete' as const), at: fc.nat(), count: fc.integer({ min: 1, max: 16 }) }),
  fc.record({
    kind: fc.constant('insert' as const),
    at: fc.nat(),
    bytes: fc.uint8Array({ minLength: 1, maxLength: 16 }),
  }),
);
type Mutation = typeof mutation extends fc.Arbitrary<infer M> ? M : never;

function mutate(seed: Uint8Array, mutations: readonly Mutation[]): Uint8Array {
  let bytes = Uint8Array.from(seed);
  for (const m of mutations) {
    const at = m.at % (bytes.length + 1);
    if (m.kind === 'flip') {
      if (bytes.length > 0) bytes[at % bytes.length] = m.value;
    } else if (m.kind === 'delete') {
      bytes = Uint8Array.from([...bytes.subarray(0, at), ...bytes.subarray(at + m.count)]);
    } else {
      bytes = Uint8Array.from([...bytes.subarray(0, at), ...m.bytes, ...bytes.subarray(at)]);
    }
  }
  return bytes;
}

describe('the decoder front door under fuzzing', () => {
  test.prop([fc.uint8Array({ maxLength: 2048 })])('arbitrary bytes: a description or a typed error', async (bytes) => {
    expect(await outcome(bytes)).toBeDefined();
  });

  test.prop([fc.constantFrom(...SEEDS.keys()), fc.array(mutation, { minLength: 1, maxLength: 6 })])(
    'mutated PNG and JPEG files: a description or a typed error',
    async (seedIndex, mutations) => {
      expect(await outcome(mutate(SEEDS[seedIndex]!, mutations))).toBeDefined();
    },
  );

  test.prop([fc.constantFrom(0, 1), fc.array(mutation, { minLength: 1, maxLength: 4 })])(
    'mutated PNGs with valid checksums reach the decoder and still fail cleanly',
    async (seedIndex, mutations) => {
      expect(await outcome(fixPngCrcs(mutate(SEEDS[seedIndex]!, mutations)))).toBeDefined();
    },
  );

  test.prop([fc.constantFrom(...SEEDS.keys()), fc.nat()])(
    'every proper prefix of a valid file is a typed error',
    async (seedIndex, cut) => {
      const seed = SEEDS[seedIndex]!;
      expect(await outcome(seed.subarray(0, cut % seed.length))).toBe('typed');
    },
  );
});
