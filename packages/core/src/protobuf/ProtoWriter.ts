/**
 * A small protocol-buffers writer for hand-written encoders (OTLP, Prometheus
 * remote write). It writes fields straight into one growing byte buffer, with no
 * schema and no intermediate objects, which is what makes it several times faster
 * than building message objects for a generic serializer.
 *
 * Nested messages: `const at = w.fork()` reserves one length byte, the body is
 * written, then `w.join(at)` stores the length, moving the body up when the
 * length needs more than one byte (rare for the small leaf messages that
 * dominate; once per big outer message).
 */

/** Protobuf wire types. */
export const WireType = { VARINT: 0, I64: 1, LEN: 2, I32: 5 } as const;
export type WireType = (typeof WireType)[keyof typeof WireType];

const TWO_32 = 4294967296;
const encoder = new TextEncoder();
/** Node's Buffer when present: its uninitialised allocation spares `finish()` zero-filling what it overwrites at once. */
const NodeBuffer = (globalThis as { Buffer?: { allocUnsafeSlow(size: number): Uint8Array } }).Buffer;
/** Below this a copy is cheap either way (and Buffer pools small allocations). */
const UNSAFE_COPY_MIN = 4096;

export class ProtoWriter {
  private buf: Uint8Array;
  private view: DataView;
  /** Bytes written so far. */
  pos = 0;

  constructor(initialCapacity = 1024) {
    this.buf = new Uint8Array(Math.max(16, initialCapacity | 0));
    this.view = new DataView(this.buf.buffer);
  }

  /** Empties the writer, keeping its buffer for the next message. */
  reset(): this {
    this.pos = 0;
    return this;
  }

  /** A copy of the bytes written (a plain Uint8Array with its own buffer). */
  finish(): Uint8Array {
    const n = this.pos;
    if (n < UNSAFE_COPY_MIN || NodeBuffer === undefined) return this.buf.slice(0, n);
    const b = NodeBuffer.allocUnsafeSlow(n);
    const out = new Uint8Array(b.buffer, b.byteOffset, n);
    out.set(this.buf.subarray(0, n));
    return out;
  }

  /** The bytes written, without copying (valid until the next write or reset). */
  subarray(): Uint8Array {
    return this.buf.subarray(0, this.pos);
  }

  private ensure(extra: number): void {
    const need = this.pos + extra;
    if (need <= this.buf.length) return;
    let size = this.buf.length * 2;
    while (size < need) size *= 2;
    const next = new Uint8Array(size);
    next.set(this.buf.subarray(0, this.pos));
    this.buf = next;
    this.view = new DataView(next.buffer);
  }

  /**
   * Makes room for `n` more bytes and returns the buffer, for an encoder's innermost loop to
   * write them at {@link pos} itself (then advance `pos`). Valid until the next write.
   */
  claim(n: number): Uint8Array {
    this.ensure(n);
    return this.buf;
  }

  /** A DataView over the buffer {@link claim} returned (for doubles written in place). */
  get dataView(): DataView {
    return this.view;
  }

  /** A field key: `(field << 3) | wireType`. */
  tag(field: number, wireType: WireType): this {
    return this.uint32((field << 3) | wireType);
  }

  /** An unsigned 32-bit varint. */
  uint32(value: number): this {
    this.ensure(5);
    const buf = this.buf;
    let v = value >>> 0;
    while (v > 0x7f) {
      buf[this.pos++] = (v & 0x7f) | 0x80;
      v >>>= 7;
    }
    buf[this.pos++] = v;
    return this;
  }

  /**
   * A 64-bit varint (int64/uint64) of a safe integer; negative values are
   * written in two's complement (ten bytes), as protobuf's int64 does.
   */
  int64(value: number): this {
    if (value >= 0 && value < TWO_32) return this.uint32(value);
    let lo: number;
    let hi: number;
    if (value >= 0) {
      lo = (value % TWO_32) >>> 0;
      hi = Math.floor(value / TWO_32) >>> 0;
    } else {
      const abs = -value;
      lo = (abs % TWO_32) >>> 0;
      hi = Math.floor(abs / TWO_32) >>> 0;
      // Two's complement of (hi, lo).
      hi = ~hi >>> 0;
      lo = ~lo >>> 0;
      if (lo === 0xffffffff) {
        lo = 0;
        hi = (hi + 1) >>> 0;
      } else lo += 1;
    }
    return this.varint64(lo, hi);
  }

  /** A 64-bit varint given as two unsigned 32-bit halves. */
  varint64(lo: number, hi: number): this {
    this.ensure(10);
    const buf = this.buf;
    while (hi !== 0 || lo > 0x7f) {
      buf[this.pos++] = (lo & 0x7f) | 0x80;
      lo = ((lo >>> 7) | (hi << 25)) >>> 0;
      hi >>>= 7;
    }
    buf[this.pos++] = lo;
    return this;
  }

  /** A zigzag varint (sint32/sint64) of a safe integer. */
  sint64(value: number): this {
    // zigzag: 2n for n ≥ 0, -2n - 1 for n < 0; exact for |n| < 2^52.
    return this.int64(value >= 0 ? value * 2 : -value * 2 - 1);
  }

  bool(value: boolean): this {
    this.ensure(1);
    this.buf[this.pos++] = value ? 1 : 0;
    return this;
  }

  double(value: number): this {
    this.ensure(8);
    this.view.setFloat64(this.pos, value, true);
    this.pos += 8;
    return this;
  }

  fixed32(value: number): this {
    this.ensure(4);
    this.view.setUint32(this.pos, value >>> 0, true);
    this.pos += 4;
    return this;
  }

  /** A fixed64 given as two unsigned 32-bit halves. */
  fixed64(lo: number, hi: number): this {
    this.ensure(8);
    this.view.setUint32(this.pos, lo >>> 0, true);
    this.view.setUint32(this.pos + 4, hi >>> 0, true);
    this.pos += 8;
    return this;
  }

  /** A fixed64 of a non-negative safe integer. */
  fixed64Number(value: number): this {
    if (value >= 0 && value < TWO_32) {
      this.ensure(8);
      this.view.setUint32(this.pos, value, true);
      this.view.setUint32(this.pos + 4, 0, true);
      this.pos += 8;
      return this;
    }
    return this.fixed64(value % TWO_32, Math.floor(value / TWO_32));
  }

  /**
   * Epoch milliseconds (may be fractional) as fixed64 nanoseconds, exact for any
   * ms below 2^53 / 1e6 without BigInt. Non-finite or negative input writes 0.
   */
  fixed64NanosFromMs(ms: number): this {
    if (!(ms > 0) || ms === Infinity) return this.fixed64(0, 0);
    const whole = Math.floor(ms);
    const frac = Math.round((ms - whole) * 1e6);
    const mh = Math.floor(whole / TWO_32);
    const ml = whole - mh * TWO_32;
    const low = ml * 1e6 + frac; // < 2^52: exact
    const carry = Math.floor(low / TWO_32);
    return this.fixed64(low - carry * TWO_32, mh * 1e6 + carry);
  }

  /** Bytes `start` to `end` of `value` copied as they are (already encoded fields), without a length. */
  raw(value: Uint8Array, start = 0, end = value.length): this {
    const n = end - start;
    this.ensure(n);
    const buf = this.buf;
    let p = this.pos;
    // Measured on Node 20: a whole-array set costs ~12 ns whatever the size, a subarray + set ~40,
    // a byte loop ~1.2 ns a byte.
    if (n === value.length && n >= 8) {
      buf.set(value, p);
      p += n;
    } else if (n < 32) for (let i = start; i < end; i++) buf[p++] = value[i]!;
    else {
      buf.set(value.subarray(start, end), p);
      p += n;
    }
    this.pos = p;
    return this;
  }

  /** Length-delimited raw bytes. */
  bytes(value: Uint8Array): this {
    this.uint32(value.length);
    this.ensure(value.length);
    this.buf.set(value, this.pos);
    this.pos += value.length;
    return this;
  }

  /** Length-delimited bytes given as a hex string (trace and span ids); throws on non-hex input. */
  hexBytes(hex: string): this {
    const n = hex.length >>> 1;
    if (hex.length % 2 !== 0) throw new TypeError('hex string of odd length');
    this.uint32(n);
    this.ensure(n);
    const buf = this.buf;
    for (let i = 0; i < n; i++) {
      const hi = hexDigit(hex.charCodeAt(2 * i));
      const lo = hexDigit(hex.charCodeAt(2 * i + 1));
      buf[this.pos++] = (hi << 4) | lo;
    }
    return this;
  }

  /** A length-delimited UTF-8 string (lone surrogates become U+FFFD, as TextEncoder does). */
  string(value: string): this {
    const n = value.length;
    // ASCII fast path for short strings: write bytes directly after a one-byte length.
    if (n < 128) {
      this.ensure(n + 1);
      const buf = this.buf;
      const start = this.pos;
      let p = start + 1;
      let i = 0;
      for (; i < n; i++) {
        const c = value.charCodeAt(i);
        if (c >= 0x80) break;
        buf[p++] = c;
      }
      if (i === n) {
        buf[start] = n;
        this.pos = p;
        return this;
      }
    }
    const at = this.fork();
    this.ensure(n * 3);
    const { written } = encoder.encodeInto(value, this.buf.subarray(this.pos));
    this.pos += written;
    return this.join(at);
  }

  /** Starts a length-delimited body (after its tag): reserves one length byte; returns where. */
  fork(): number {
    this.ensure(1);
    return this.pos++;
  }

  /** Ends the body started by {@link fork}, writing its length (and moving the body if the length needs more bytes). */
  join(at: number): this {
    const length = this.pos - at - 1;
    if (length < 0x80) {
      this.buf[at] = length;
      return this;
    }
    const lengthBytes = varintSize(length);
    this.ensure(lengthBytes - 1);
    this.buf.copyWithin(at + lengthBytes, at + 1, this.pos);
    this.pos += lengthBytes - 1;
    let v = length;
    let p = at;
    while (v > 0x7f) {
      this.buf[p++] = (v & 0x7f) | 0x80;
      v >>>= 7;
    }
    this.buf[p] = v;
    return this;
  }

  // Field helpers: tag + value. Zero/empty values are still written; callers skip defaults where proto3 allows.

  stringField(field: number, value: string): this {
    return this.tag(field, WireType.LEN).string(value);
  }

  doubleField(field: number, value: number): this {
    return this.tag(field, WireType.I64).double(value);
  }

  int64Field(field: number, value: number): this {
    return this.tag(field, WireType.VARINT).int64(value);
  }

  uint32Field(field: number, value: number): this {
    return this.tag(field, WireType.VARINT).uint32(value);
  }

  sint64Field(field: number, value: number): this {
    return this.tag(field, WireType.VARINT).sint64(value);
  }

  boolField(field: number, value: boolean): this {
    return this.tag(field, WireType.VARINT).bool(value);
  }

  fixed64NanosField(field: number, ms: number): this {
    return this.tag(field, WireType.I64).fixed64NanosFromMs(ms);
  }

  hexBytesField(field: number, hex: string): this {
    return this.tag(field, WireType.LEN).hexBytes(hex);
  }

  bytesField(field: number, value: Uint8Array): this {
    return this.tag(field, WireType.LEN).bytes(value);
  }

  /**
   * A packed `repeated uint64` field of non-negative safe integers (e.g. histogram bucket
   * counts): sized first, so the length goes in front without moving the body.
   */
  packedUint64Field(field: number, values: ArrayLike<number>): this {
    const n = values.length;
    const tagAt = this.pos;
    this.tag(field, WireType.LEN);
    // One pass: the body goes after two length bytes (right for 128 B to 16 KiB: a few
    // hundred bucket counts) and is moved only when its length needs another size.
    this.ensure(5 + n * 5);
    const buf = this.buf;
    const start = this.pos;
    let p = start + 2;
    for (let i = 0; i < n; i++) {
      let v = values[i]!;
      if (v < 0x80) {
        buf[p++] = v;
        continue;
      }
      if (!(v < TWO_32)) {
        // A count of 2^32 or more (or not a count): the general writer.
        this.pos = tagAt;
        const at = this.forkField(field);
        for (let k = 0; k < n; k++) this.int64(values[k]!);
        return this.join(at);
      }
      while (v > 0x7f) {
        buf[p++] = (v & 0x7f) | 0x80;
        v >>>= 7;
      }
      buf[p++] = v;
    }
    const size = p - start - 2;
    const lengthBytes = varintSize(size);
    if (lengthBytes !== 2) {
      buf.copyWithin(start + lengthBytes, start + 2, p);
      p += lengthBytes - 2;
    }
    let v = size;
    let q = start;
    while (v > 0x7f) {
      buf[q++] = (v & 0x7f) | 0x80;
      v >>>= 7;
    }
    buf[q] = v;
    this.pos = p;
    return this;
  }

  /** Starts a nested message field; end it with {@link join}. */
  forkField(field: number): number {
    this.tag(field, WireType.LEN);
    return this.fork();
  }
}

/** Bytes a varint of a non-negative 32-bit value takes. */
export function varintSize(value: number): number {
  return value < 0x80 ? 1 : value < 0x4000 ? 2 : value < 0x200000 ? 3 : value < 0x10000000 ? 4 : 5;
}

function hexDigit(c: number): number {
  if (c >= 48 && c <= 57) return c - 48;
  if (c >= 97 && c <= 102) return c - 87;
  if (c >= 65 && c <= 70) return c - 55;
  throw new TypeError(`not a hex digit: ${String.fromCharCode(c)}`);
}
