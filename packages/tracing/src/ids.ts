import { randomFillSync } from 'node:crypto';

/**
 * W3C trace and span ids from a cryptographically strong source, without a
 * crypto call per id: 64 KiB of random bytes come from one `randomFillSync`
 * call, and are hex-encoded natively (`Buffer#toString('hex')`) 16 KiB at a
 * time. Each id is a substring of that hex text, which V8 makes a "sliced
 * string" sharing the chunk's text, so taking an id costs a few nanoseconds.
 * The 32 KiB chunk text bounds what a long-lived id keeps alive (ids are
 * taken in order, so stored spans share few chunks).
 */
const POOL_BYTES = 65536;
const CHUNK_BYTES = 16384;
const pool = Buffer.allocUnsafe(POOL_BYTES);
let chunkStart = POOL_BYTES;
let chunkHex = '';
let offset = CHUNK_BYTES;

const ZERO_TRACE_ID = '0'.repeat(32);

function nextChunk(): void {
  if (chunkStart + CHUNK_BYTES >= POOL_BYTES) {
    randomFillSync(pool);
    chunkStart = 0;
  } else {
    chunkStart += CHUNK_BYTES;
  }
  chunkHex = pool.toString('hex', chunkStart, chunkStart + CHUNK_BYTES);
  offset = 0;
}

/** Reserves `bytes` random bytes; returns their offset in the current chunk. */
function take(bytes: number): number {
  if (offset + bytes > CHUNK_BYTES) nextChunk();
  const at = offset;
  offset += bytes;
  return at;
}

/** A new random 32-hex trace id, never all zeros. */
export function generateTraceId(): string {
  for (;;) {
    const at = take(16);
    // Check the bytes, not the string: the first byte is non-zero 255 times in 256.
    if (pool[chunkStart + at] !== 0 || !isZeroBytes(chunkStart + at, 16)) return chunkHex.slice(at * 2, at * 2 + 32);
  }
}

/** A new random 16-hex span id, never all zeros. */
export function generateSpanId(): string {
  for (;;) {
    const at = take(8);
    if (pool[chunkStart + at] !== 0 || !isZeroBytes(chunkStart + at, 8)) return chunkHex.slice(at * 2, at * 2 + 16);
  }
}

function isZeroBytes(from: number, length: number): boolean {
  for (let i = from; i < from + length; i++) if (pool[i] !== 0) return false;
  return true;
}

/**
 * The 56 random bits a root sampling decision needs, as two numbers (the high
 * 24 and the low 32 bits), taken before the rest of the trace id exists so an
 * unsampled root costs no string work. {@link traceIdFromLowBits} completes the id.
 */
export function takeLowBits(out: { hi24: number; lo32: number }): void {
  const at = chunkStart + take(7);
  out.hi24 = (pool[at]! << 16) | (pool[at + 1]! << 8) | pool[at + 2]!;
  out.lo32 = ((pool[at + 3]! << 24) | (pool[at + 4]! << 16) | (pool[at + 5]! << 8) | pool[at + 6]!) >>> 0;
}

/** A full trace id whose rightmost 7 bytes are the given 56 bits and the rest random. */
export function traceIdFromLowBits(hi24: number, lo32: number): string {
  const at = take(9);
  const high = chunkHex.slice(at * 2, at * 2 + 18);
  const id = high + hi24.toString(16).padStart(6, '0') + lo32.toString(16).padStart(8, '0');
  // All zeros is only possible when every random bit was zero; redraw the high part.
  return id === ZERO_TRACE_ID ? traceIdFromLowBits(hi24, lo32) : id;
}

const TRACE_ID = /^(?!0{32})[0-9a-f]{32}$/;
const SPAN_ID = /^(?!0{16})[0-9a-f]{16}$/;

/** Whether `id` is a valid W3C trace id: 32 lowercase hex digits, not all zero. */
export function isValidTraceId(id: unknown): id is string {
  return typeof id === 'string' && id.length === 32 && TRACE_ID.test(id);
}

/** Whether `id` is a valid W3C span (parent) id: 16 lowercase hex digits, not all zero. */
export function isValidSpanId(id: unknown): id is string {
  return typeof id === 'string' && id.length === 16 && SPAN_ID.test(id);
}
