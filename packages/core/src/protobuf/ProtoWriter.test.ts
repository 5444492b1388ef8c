import { fc, test } from '@fast-check/vitest';
import protobuf from 'protobufjs';
import { describe, expect, it } from 'vitest';
import { ProtoWriter, WireType } from './ProtoWriter';

// protobufjs's Reader is an independent decoder of the wire format.
const { Reader, util } = protobuf;

function reader(w: ProtoWriter): protobuf.Reader {
  return Reader.create(w.finish());
}

/** protobufjs returns a number, or a {low, high} pair when `long` is not installed and the value is large. */
function toNumber(v: unknown): number {
  if (typeof v === 'number') return v;
  const { low, high } = v as { low: number; high: number };
  return new util.LongBits(low >>> 0, high >>> 0).toNumber(false);
}

function readInt64(r: protobuf.Reader): number {
  return toNumber(r.int64());
}

describe('ProtoWriter', () => {
  test.prop([fc.integer({ min: 0, max: 0xffffffff })])('uint32 varints round-trip', (n) => {
    expect(reader(new ProtoWriter(16).uint32(n)).uint32()).toBe(n);
  });

  test.prop([fc.maxSafeInteger()])('int64 varints of safe integers round-trip (negatives in two’s complement)', (n) => {
    const w = new ProtoWriter(16).int64(n);
    if (n < 0) expect(w.pos).toBe(10);
    expect(readInt64(reader(w))).toBe(n);
  });

  test.prop([fc.integer({ min: -(2 ** 51), max: 2 ** 51 })])('sint64 zigzag round-trips', (n) => {
    expect(toNumber(reader(new ProtoWriter(16).sint64(n)).sint64())).toBe(n);
  });

  test.prop([fc.double()])('doubles round-trip bit for bit', (d) => {
    expect(Object.is(reader(new ProtoWriter(16).double(d)).double(), d)).toBe(true);
  });

  test.prop([fc.string({ unit: 'grapheme', maxLength: 300 }), fc.string({ unit: 'binary', maxLength: 200 })])(
    'strings round-trip as UTF-8 (ASCII fast path and the long/non-ASCII path)',
    (a, b) => {
      const w = new ProtoWriter(8).stringField(1, a).stringField(2, b);
      const r = reader(w);
      expect(r.uint32()).toBe((1 << 3) | WireType.LEN);
      expect(r.string()).toBe(a);
      expect(r.uint32()).toBe((2 << 3) | WireType.LEN);
      // Lone surrogates are not representable in UTF-8; both sides replace them with U+FFFD.
      expect(r.string()).toBe(new TextDecoder().decode(new TextEncoder().encode(b)));
      expect(r.pos).toBe(r.len);
    },
  );

  test.prop([fc.array(fc.string({ maxLength: 40 }), { maxLength: 60 }), fc.integer({ min: 0, max: 3 })])(
    'nested messages of any length (fork/join moves bodies past one length byte)',
    (items, depth) => {
      const w = new ProtoWriter(4);
      const forks: number[] = [];
      for (let d = 0; d < depth; d++) forks.push(w.forkField(1));
      for (const s of items) w.stringField(2, s);
      while (forks.length) w.join(forks.pop()!);
      let r = reader(w);
      for (let d = 0; d < depth; d++) {
        expect(r.uint32()).toBe((1 << 3) | WireType.LEN);
        r = Reader.create(r.bytes());
      }
      const out: string[] = [];
      while (r.pos < r.len) {
        expect(r.uint32()).toBe((2 << 3) | WireType.LEN);
        out.push(r.string());
      }
      expect(out).toEqual(items);
    },
  );

  test.prop([fc.integer({ min: 0, max: 2 ** 40 }), fc.integer({ min: 0, max: 999_999 })])(
    'fixed64 nanoseconds from epoch ms are exact',
    (ms, micro) => {
      const w = new ProtoWriter(16).fixed64NanosFromMs(ms + micro / 1e6);
      const bits = reader(w).fixed64() as unknown as { low: number; high: number };
      const nanos = (BigInt(bits.high >>> 0) << 32n) | BigInt(bits.low >>> 0);
      // The fraction is rounded to whole nanoseconds from a double: allow the one rounding step.
      const expected = BigInt(ms) * 1_000_000n + BigInt(Math.round((ms + micro / 1e6 - ms) * 1e6));
      expect(nanos).toBe(expected);
    },
  );

  test.prop([fc.uint8Array({ maxLength: 40 })])('hex ids are written as bytes', (bytes) => {
    const hex = Buffer.from(bytes).toString('hex');
    expect([...reader(new ProtoWriter(2).hexBytes(hex)).bytes()]).toEqual([...bytes]);
  });

  it('rejects non-hex ids', () => {
    expect(() => new ProtoWriter().hexBytes('zz')).toThrow(TypeError);
    expect(() => new ProtoWriter().hexBytes('abc')).toThrow(TypeError);
  });

  it('writes bools, fixed32 and raw bytes; reset reuses the buffer', () => {
    const w = new ProtoWriter(2)
      .boolField(1, true)
      .tag(2, WireType.I32)
      .fixed32(0xdeadbeef)
      .bytesField(3, new Uint8Array([1, 2, 3]));
    const r = reader(w);
    r.uint32();
    expect(r.bool()).toBe(true);
    r.uint32();
    expect(r.fixed32()).toBe(0xdeadbeef);
    r.uint32();
    expect([...r.bytes()]).toEqual([1, 2, 3]);
    expect(w.reset().pos).toBe(0);
    expect(w.finish().length).toBe(0);
  });

  test.prop([fc.maxSafeInteger().filter((n) => n >= 0)])(
    'fixed64Number round-trips every non-negative safe integer',
    (n) => {
      const r = reader(new ProtoWriter(4).fixed64Number(n));
      expect(toNumber(r.fixed64())).toBe(n);
    },
  );

  it('raw copies encoded bytes as they are; finish copies large and small messages alike', () => {
    const field = new ProtoWriter().stringField(1, 'x').finish();
    const w = new ProtoWriter(8);
    for (let i = 0; i < 3000; i++) w.raw(field);
    const big = w.finish();
    expect(big).toBeInstanceOf(Uint8Array);
    expect(big.length).toBe(9000);
    const r = Reader.create(big);
    for (let i = 0; i < 3000; i++) {
      expect(r.uint32()).toBe(10);
      expect(r.string()).toBe('x');
    }
    // The copy is independent of the writer's buffer.
    w.reset().raw(new Uint8Array(9000));
    expect(big[1]).toBe(1);
  });

  test.prop([
    fc.array(
      fc.oneof(
        fc.nat(300),
        fc.nat(),
        fc.maxSafeInteger().filter((n) => n >= 0),
      ),
      { maxLength: 300 },
    ),
  ])('packedUint64Field round-trips counts of any size', (values) => {
    const r = reader(new ProtoWriter(4).packedUint64Field(3, values));
    expect(r.uint32()).toBe((3 << 3) | WireType.LEN);
    const end = r.uint32() + r.pos;
    const read: number[] = [];
    while (r.pos < end) read.push(toNumber(r.uint64()));
    expect(read).toEqual(values);
  });

  it('packedUint64Field sizes its length for empty, short and long bodies', () => {
    for (const values of [[], [1, 2, 3], new Array<number>(5000).fill(2 ** 31), new Array<number>(70).fill(300)]) {
      const w = new ProtoWriter(4).packedUint64Field(1, values).uint32Field(2, 7);
      const r = reader(w);
      expect(r.uint32()).toBe((1 << 3) | WireType.LEN);
      const end = r.uint32() + r.pos;
      const read: number[] = [];
      while (r.pos < end) read.push(toNumber(r.uint64()));
      expect(read).toEqual(values);
      expect(r.uint32()).toBe((2 << 3) | WireType.VARINT);
      expect(r.uint32()).toBe(7);
    }
  });
});
