/**
 * Snappy block compression (the raw format, not the framing format), as
 * Prometheus remote write requires (`Content-Encoding: snappy`).
 *
 * A small greedy LZ77 encoder of our own, following the format description in
 * google/snappy's format_description.txt: a varint of the uncompressed length,
 * then literals and copies. The input is cut into 64 KiB fragments compressed
 * independently (so every copy offset fits two bytes), with a hash table of
 * four-byte sequences to find matches. It compresses a little less than the C++
 * library on average but decodes with any Snappy decoder.
 */

const FRAGMENT = 1 << 16;
const HASH_BITS = 14;
/** Inputs shorter than this are stored as one literal. */
const MIN_COMPRESSIBLE = 16;

/** The largest output {@link snappyCompress} can produce for `length` input bytes. */
export function maxCompressedLength(length: number): number {
  return 32 + length + Math.floor(length / 6);
}

const table = new Uint16Array(1 << HASH_BITS);
/** Reused output space: the result is one exact-size copy out of it, not a zero-filled worst case per call. */
let scratch = new Uint8Array(64 * 1024);

/** Compresses `input` into a Snappy block. */
export function snappyCompress(input: Uint8Array): Uint8Array {
  const worst = maxCompressedLength(input.length);
  if (scratch.length < worst) scratch = new Uint8Array(Math.max(worst, scratch.length * 2));
  const out = scratch;
  const view = new DataView(input.buffer, input.byteOffset, input.length);
  let op = writeVarint(out, 0, input.length);
  for (let start = 0; start < input.length; start += FRAGMENT) {
    op = compressFragment(input, view, start, Math.min(input.length, start + FRAGMENT), out, op);
  }
  return out.slice(0, op);
}

function writeVarint(out: Uint8Array, op: number, value: number): number {
  let v = value;
  while (v >= 0x80) {
    out[op++] = (v & 0x7f) | 0x80;
    v = Math.floor(v / 128);
  }
  out[op++] = v;
  return op;
}

function hash(u32: number): number {
  return Math.imul(u32, 0x1e35a7bd) >>> (32 - HASH_BITS);
}

function emitLiteral(src: Uint8Array, from: number, to: number, out: Uint8Array, op: number): number {
  const n = to - from - 1;
  if (n < 60) out[op++] = n << 2;
  else if (n < 0x100) {
    out[op++] = 60 << 2;
    out[op++] = n;
  } else if (n < 0x10000) {
    out[op++] = 61 << 2;
    out[op++] = n & 0xff;
    out[op++] = n >>> 8;
  } else {
    // Fragments are at most 64 KiB, so three length bytes always suffice.
    out[op++] = 62 << 2;
    out[op++] = n & 0xff;
    out[op++] = (n >>> 8) & 0xff;
    out[op++] = n >>> 16;
  }
  out.set(src.subarray(from, to), op);
  return op + (to - from);
}

function emitCopy(offset: number, length: number, out: Uint8Array, op: number): number {
  let len = length;
  // Copies of 68+ bytes go out as 64-byte pieces; a remainder of 65..67 as 60 + (5..7) so no piece is below 4.
  while (len >= 68) {
    out[op++] = (63 << 2) | 2;
    out[op++] = offset & 0xff;
    out[op++] = offset >>> 8;
    len -= 64;
  }
  if (len > 64) {
    out[op++] = (59 << 2) | 2;
    out[op++] = offset & 0xff;
    out[op++] = offset >>> 8;
    len -= 60;
  }
  if (len < 12 && offset < 2048) {
    out[op++] = 1 | ((len - 4) << 2) | ((offset >>> 8) << 5);
    out[op++] = offset & 0xff;
  } else {
    out[op++] = 2 | ((len - 1) << 2);
    out[op++] = offset & 0xff;
    out[op++] = offset >>> 8;
  }
  return op;
}

function compressFragment(
  src: Uint8Array,
  view: DataView,
  base: number,
  end: number,
  out: Uint8Array,
  op: number,
): number {
  if (end - base < MIN_COMPRESSIBLE) return emitLiteral(src, base, end, out, op);
  table.fill(0);
  // Positions in the table are relative to the fragment; a stale or zero entry is
  // harmless because a match is always confirmed by comparing the bytes.
  const limit = end - 4;
  let ip = base + 1;
  let nextEmit = base;
  let misses = 32;
  while (ip <= limit) {
    const word = view.getUint32(ip, true);
    const h = hash(word);
    const candidate = base + table[h]!;
    table[h] = ip - base;
    if (candidate < ip && view.getUint32(candidate, true) === word) {
      if (nextEmit < ip) op = emitLiteral(src, nextEmit, ip, out, op);
      // Extend the match four bytes at a time, then byte by byte.
      let length = 4;
      while (ip + length <= limit && view.getUint32(candidate + length, true) === view.getUint32(ip + length, true))
        length += 4;
      while (ip + length < end && src[candidate + length] === src[ip + length]) length++;
      op = emitCopy(ip - candidate, length, out, op);
      ip += length;
      nextEmit = ip;
      misses = 32;
      // Index the position just before the new cursor so runs keep matching.
      if (ip - 1 <= limit) table[hash(view.getUint32(ip - 1, true))] = ip - 1 - base;
      continue;
    }
    // Skip faster through data that does not compress, as the reference encoder does.
    ip += misses++ >>> 5;
  }
  if (nextEmit < end) op = emitLiteral(src, nextEmit, end, out, op);
  return op;
}
