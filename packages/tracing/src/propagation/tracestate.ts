/** One `tracestate` list member. */
export interface TraceStateEntry {
  readonly key: string;
  readonly value: string;
}

/** At most 32 list members (W3C Trace Context). */
export const MAX_TRACESTATE_MEMBERS = 32;
/** Raw input longer than this is rejected without parsing (32 maximal members are ~16.5k). */
export const MAX_TRACESTATE_INPUT = 32 * 1024;

// key = ( lcalpha / DIGIT ) 0*255 ( keychar ); keychar = lcalpha / DIGIT / "_" / "-" / "*" / "/" / "@"
const KEY = /^[a-z0-9][a-z0-9_\-*/@]{0,255}$/;
// value = 0*255(chr) nblk-chr; nblk-chr = %x21-2B / %x2D-3C / %x3E-7E; chr = %x20 / nblk-chr
const VALUE = /^[\x20-\x2b\x2d-\x3c\x3e-\x7e]{0,255}[\x21-\x2b\x2d-\x3c\x3e-\x7e]$/;

/** Whether `key` is a valid tracestate key (W3C Trace Context Level 2 grammar). */
export function isValidTraceStateKey(key: unknown): key is string {
  return typeof key === 'string' && KEY.test(key);
}

/** Whether `value` is a valid tracestate value. */
export function isValidTraceStateValue(value: unknown): value is string {
  return typeof value === 'string' && VALUE.test(value);
}

function isOws(c: number): boolean {
  return c === 0x20 || c === 0x09;
}

/**
 * Parses a (combined) `tracestate` value. Empty and whitespace-only members
 * are allowed and skipped. If any member is invalid or there are more than 32
 * members, the whole header is invalid and undefined is returned, as the
 * specification requires. A repeated key keeps its left-most member and the
 * later ones are dropped (the header is still inherited). An empty header is
 * an empty list. Never throws.
 */
export function parseTracestate(value: unknown): TraceStateEntry[] | undefined {
  if (typeof value !== 'string' || value.length > MAX_TRACESTATE_INPUT) return undefined;
  const entries: TraceStateEntry[] = [];
  let seen: Set<string> | undefined;
  let members = 0;
  let pos = 0;
  const length = value.length;
  while (pos <= length) {
    let next = value.indexOf(',', pos);
    if (next < 0) next = length;
    let s = pos;
    let e = next;
    while (s < e && isOws(value.charCodeAt(s))) s++;
    while (e > s && isOws(value.charCodeAt(e - 1))) e--;
    if (e > s) {
      const eq = value.indexOf('=', s);
      if (eq < 0 || eq >= e) return undefined;
      const key = value.slice(s, eq);
      const val = value.slice(eq + 1, e);
      if (!KEY.test(key) || !VALUE.test(val)) return undefined;
      if (++members > MAX_TRACESTATE_MEMBERS) return undefined;
      seen ??= new Set();
      // A repeated key keeps its left-most (most recent) member: the header is
      // still inherited, as the W3C test suite's duplicated-keys case asks.
      if (!seen.has(key)) {
        seen.add(key);
        entries.push({ key, value: val });
      }
    }
    pos = next + 1;
  }
  return entries;
}

/**
 * Longest tracestate we send. The specification asks to propagate at least
 * 512 characters; a list of 32 maximal members is about 16.4k, so longer
 * lists are truncated as the specification says: members over 128
 * characters go first, then members from the right end.
 */
export const MAX_TRACESTATE_LENGTH = 8192;

/**
 * Serializes entries (left-most first). Invalid or repeated keys and invalid
 * values are skipped, at most 32 members are written, and a result longer
 * than `maxLength` is truncated by whole members (see
 * {@link MAX_TRACESTATE_LENGTH}), so the result always matches the grammar
 * and never contains CR or LF. Returns '' for none.
 */
export function serializeTracestate(entries: readonly TraceStateEntry[], maxLength = MAX_TRACESTATE_LENGTH): string {
  if (!Array.isArray(entries)) return '';
  const members: string[] = [];
  const seen = new Set<string>();
  for (const entry of entries) {
    if (members.length === MAX_TRACESTATE_MEMBERS) break;
    if (entry === null || typeof entry !== 'object') continue;
    const { key, value } = entry as { key: unknown; value: unknown };
    if (!isValidTraceStateKey(key) || !isValidTraceStateValue(value) || seen.has(key)) continue;
    seen.add(key);
    members.push(key + '=' + value);
  }
  let length = members.reduce((n, m) => n + m.length, 0) + Math.max(0, members.length - 1);
  const limit = typeof maxLength === 'number' && maxLength >= 0 ? maxLength : MAX_TRACESTATE_LENGTH;
  if (length <= limit) return members.join(',');
  // Truncate whole members: long ones (over 128 characters) first, then from the right.
  for (let i = members.length - 1; i >= 0 && length > limit; i--) {
    if (members[i]!.length > 128) {
      length -= members[i]!.length + (members.length > 1 ? 1 : 0);
      members.splice(i, 1);
    }
  }
  while (length > limit && members.length > 0) {
    length -= members.pop()!.length + (members.length > 0 ? 1 : 0);
  }
  return members.join(',');
}

/** The grammar of a non-empty serialized tracestate. */
export const TRACESTATE_PATTERN =
  /^[a-z0-9][a-z0-9_\-*/@]{0,255}=[\x20-\x2b\x2d-\x3c\x3e-\x7e]{0,255}[\x21-\x2b\x2d-\x3c\x3e-\x7e](,[a-z0-9][a-z0-9_\-*/@]{0,255}=[\x20-\x2b\x2d-\x3c\x3e-\x7e]{0,255}[\x21-\x2b\x2d-\x3c\x3e-\x7e]){0,31}$/;
