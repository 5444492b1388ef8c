import { BYTE_HEX, HEX_VALUE } from '../internal/hex';
import { isValidSpanId, isValidTraceId } from '../ids';

/** W3C trace-flags bits. Other bits are reserved and are sent as zero. */
export const TraceFlags = {
  NONE: 0x00,
  /** The caller may have recorded the trace. */
  SAMPLED: 0x01,
  /** Level 2: the rightmost 7 bytes of the trace id are random. */
  RANDOM: 0x02,
} as const;

/** The bits this implementation understands and propagates. */
export const KNOWN_TRACE_FLAGS = TraceFlags.SAMPLED | TraceFlags.RANDOM;

/** A parsed `traceparent` header. */
export interface Traceparent {
  /** The version the sender used (two lowercase hex digits, never `ff`). */
  readonly version: string;
  readonly traceId: string;
  /** The caller's span id (`parent-id` in the specification). */
  readonly parentId: string;
  /** All 8 flag bits as received; interpret them by masking. */
  readonly traceFlags: number;
}

/** Longest `traceparent` value accepted; future versions may append fields, but not megabytes. */
export const MAX_TRACEPARENT_LENGTH = 512;

// One regex validates everything (V8 runs it as native code on the flattened
// string, far faster than a charCodeAt loop over a concatenated string); the
// fields are then cut out by position. Version 00 must end after the flags; a
// higher version (never ff) may append "-anything".
const TRACEPARENT =
  /^[ \t]*(?:00-(?!0{32})[0-9a-f]{32}-(?!0{16})[0-9a-f]{16}-[0-9a-f]{2}|(?!ff|00)[0-9a-f]{2}-(?!0{32})[0-9a-f]{32}-(?!0{16})[0-9a-f]{16}-[0-9a-f]{2}(?:-[^]*?)?)[ \t]*$/;

/**
 * Parses a `traceparent` value per W3C Trace Context (Level 1 and 2). Returns
 * undefined for anything invalid; never throws. Rules: optional whitespace
 * around the value is ignored; version is two lowercase hex digits other than
 * `ff`; version `00` has nothing after the flags; a higher version is parsed by
 * the `00` layout and must have `-` or the end after the flags; ids are
 * lowercase hex and not all zero.
 */
export function parseTraceparent(value: unknown): Traceparent | undefined {
  if (typeof value !== 'string' || value.length < 55 || value.length > MAX_TRACEPARENT_LENGTH) return undefined;
  if (!TRACEPARENT.test(value)) return undefined;
  let o = 0;
  let c = value.charCodeAt(0);
  while (c === 0x20 || c === 0x09) c = value.charCodeAt(++o);
  return {
    version: value.slice(o, o + 2),
    traceId: value.slice(o + 3, o + 35),
    parentId: value.slice(o + 36, o + 52),
    traceFlags: HEX_VALUE[value.charCodeAt(o + 53)]! * 16 + HEX_VALUE[value.charCodeAt(o + 54)]!,
  };
}

/**
 * Serializes a version `00` `traceparent`. Only the known flag bits are sent
 * (the specification asks to zero the others). Returns undefined for invalid ids.
 */
export function serializeTraceparent(traceId: string, spanId: string, traceFlags: number): string | undefined {
  if (!isValidTraceId(traceId) || !isValidSpanId(spanId)) return undefined;
  return '00-' + traceId + '-' + spanId + '-' + BYTE_HEX[(traceFlags | 0) & KNOWN_TRACE_FLAGS]!;
}

/** The grammar of what {@link serializeTraceparent} emits (version 00). */
export const TRACEPARENT_V00_PATTERN = /^00-(?!0{32})[0-9a-f]{32}-(?!0{16})[0-9a-f]{16}-[0-9a-f]{2}$/;
