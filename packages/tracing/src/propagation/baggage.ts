import { describeValue } from '@obs/core';
import { TracingValidationError } from '../errors';

/** One baggage list member: `key=value;properties`. */
export interface BaggageEntry {
  readonly key: string;
  /** The percent-decoded value. */
  readonly value: string;
  /** The properties as sent (`k1=v1;k2`), opaque and already valid, or '' for none. */
  readonly metadata: string;
}

/** The result of parsing: kept entries and how many members were dropped. */
export interface ParsedBaggage {
  readonly entries: BaggageEntry[];
  /** Members skipped because they were malformed or beyond the limits. */
  readonly dropped: number;
}

/** The W3C grammar allows 180 members; the specification asks to propagate at least 64. */
export const MAX_BAGGAGE_MEMBERS = 180;
/** Outgoing and accepted size of a baggage string (the specification's minimum, 8192 bytes). */
export const MAX_BAGGAGE_BYTES = 8192;
/** Raw input longer than this is not parsed at all. */
export const MAX_BAGGAGE_INPUT = 64 * 1024;

// token = 1*tchar (RFC 7230 §3.2.6)
const TOKEN = /^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/;
// value = *baggage-octet; baggage-octet = %x21 / %x23-2B / %x2D-3A / %x3C-5B / %x5D-7E
const VALUE = /^[\x21\x23-\x2b\x2d-\x3a\x3c-\x5b\x5d-\x7e]*$/;

/** Whether `key` is a valid baggage key (an RFC 7230 token). */
export function isValidBaggageKey(key: unknown): key is string {
  return typeof key === 'string' && key.length <= MAX_BAGGAGE_BYTES && TOKEN.test(key);
}

function trimOws(s: string): string {
  let a = 0;
  let b = s.length;
  while (a < b && (s.charCodeAt(a) === 0x20 || s.charCodeAt(a) === 0x09)) a++;
  while (b > a && (s.charCodeAt(b - 1) === 0x20 || s.charCodeAt(b - 1) === 0x09)) b--;
  return a === 0 && b === s.length ? s : s.slice(a, b);
}

const utf8 = new TextDecoder('utf-8', { fatal: false });

/**
 * Decodes `%XX` escapes as UTF-8. Sequences that are not valid UTF-8 become
 * U+FFFD, as the specification requires; a `%` not followed by two hex digits
 * stays literal.
 */
export function percentDecode(value: string): string {
  if (typeof value !== 'string')
    throw new TracingValidationError('INVALID_STRING', `percentDecode needs a string, got ${describeValue(value)}`);
  if (value.indexOf('%') < 0) return value;
  const bytes = new Uint8Array(value.length);
  let n = 0;
  for (let i = 0; i < value.length; i++) {
    const c = value.charCodeAt(i);
    if (c === 0x25 && i + 2 < value.length && isHex(value.charCodeAt(i + 1)) && isHex(value.charCodeAt(i + 2))) {
      bytes[n++] = parseInt(value.slice(i + 1, i + 3), 16);
      i += 2;
    } else {
      bytes[n++] = c & 0xff; // the grammar only admits ASCII here
    }
  }
  return utf8.decode(bytes.subarray(0, n));
}

function isHex(c: number): boolean {
  return (c >= 48 && c <= 57) || (c >= 65 && c <= 70) || (c >= 97 && c <= 102);
}

const KEEP = (() => {
  const keep = new Uint8Array(128);
  for (let c = 0x21; c <= 0x7e; c++) keep[c] = 1;
  for (const c of [0x22, 0x2c, 0x3b, 0x5c, 0x25]) keep[c] = 0; // DQUOTE , ; \ and % itself
  return keep;
})();

/**
 * Percent-encodes a value as UTF-8 so that it consists only of baggage-octets:
 * everything outside that set, and `%`, is escaped. Lone surrogates become U+FFFD.
 */
export function percentEncode(value: string): string {
  if (typeof value !== 'string')
    throw new TracingValidationError('INVALID_STRING', `percentEncode needs a string, got ${describeValue(value)}`);
  let plain = true;
  for (let i = 0; i < value.length; i++) {
    const c = value.charCodeAt(i);
    if (c >= 128 || KEEP[c] === 0) {
      plain = false;
      break;
    }
  }
  if (plain) return value;
  let out = '';
  for (const byte of Buffer.from(value, 'utf8')) {
    out +=
      byte < 128 && KEEP[byte] === 1
        ? String.fromCharCode(byte)
        : '%' + (byte < 16 ? '0' : '') + byte.toString(16).toUpperCase();
  }
  return out;
}

/** Validates and normalizes a property list (`k1=v1;k2`), or returns undefined if any property is malformed. */
function normalizeProperties(parts: string[], from: number): string | undefined {
  let out = '';
  for (let i = from; i < parts.length; i++) {
    const raw = trimOws(parts[i]!);
    const eq = raw.indexOf('=');
    let prop: string;
    if (eq < 0) {
      if (!TOKEN.test(raw)) return undefined;
      prop = raw;
    } else {
      const k = trimOws(raw.slice(0, eq));
      const v = trimOws(raw.slice(eq + 1));
      if (!TOKEN.test(k) || !VALUE.test(v)) return undefined;
      prop = k + '=' + v;
    }
    out += (out ? ';' : '') + prop;
  }
  return out;
}

/**
 * Parses a (combined) `baggage` value per W3C Baggage. Malformed members are
 * dropped one by one (the specification allows removing them), as are members
 * past 180 or past 8192 bytes of the header. Values are percent-decoded.
 * Never throws.
 */
export function parseBaggage(value: unknown): ParsedBaggage {
  if (typeof value !== 'string') return { entries: [], dropped: 0 };
  if (value.length > MAX_BAGGAGE_INPUT) return { entries: [], dropped: 1 };
  const entries: BaggageEntry[] = [];
  let dropped = 0;
  let bytes = 0;
  for (const rawMember of value.split(',')) {
    const member = trimOws(rawMember);
    if (member === '') continue;
    const parts = member.split(';');
    const kv = parts[0]!;
    const eq = kv.indexOf('=');
    if (eq < 0) {
      dropped++;
      continue;
    }
    const key = trimOws(kv.slice(0, eq));
    const rawValue = trimOws(kv.slice(eq + 1));
    const metadata = parts.length > 1 ? normalizeProperties(parts, 1) : '';
    if (!TOKEN.test(key) || !VALUE.test(rawValue) || metadata === undefined) {
      dropped++;
      continue;
    }
    const size = key.length + 1 + rawValue.length + (metadata ? metadata.length + 1 : 0) + (entries.length > 0 ? 1 : 0);
    if (entries.length >= MAX_BAGGAGE_MEMBERS || bytes + size > MAX_BAGGAGE_BYTES) {
      dropped++;
      continue;
    }
    bytes += size;
    entries.push({ key, value: percentDecode(rawValue), metadata });
  }
  return { entries, dropped };
}

/**
 * Serializes entries into a `baggage` value: keys must be tokens (others are
 * skipped), values are percent-encoded, metadata that is not a valid property
 * list is left out, and members that would pass 180 or 8192 bytes are dropped.
 * The result never contains CR, LF or any byte outside the grammar. Returns
 * '' for no members.
 */
export function serializeBaggage(
  entries: Iterable<Pick<BaggageEntry, 'key' | 'value'> & { metadata?: string }>,
): string {
  let out = '';
  let count = 0;
  if (
    entries === null ||
    typeof entries !== 'object' ||
    typeof (entries as Iterable<unknown>)[Symbol.iterator] !== 'function'
  )
    return '';
  for (const entry of entries) {
    if (count === MAX_BAGGAGE_MEMBERS) break;
    if (entry === null || typeof entry !== 'object') continue;
    const { key, value, metadata } = entry as { key: unknown; value: unknown; metadata?: unknown };
    if (!isValidBaggageKey(key) || typeof value !== 'string') continue;
    let member = key + '=' + percentEncode(value);
    if (typeof metadata === 'string' && metadata !== '') {
      const props = normalizeProperties(metadata.split(';'), 0);
      if (props) member += ';' + props;
    }
    const next = count === 0 ? member : ',' + member;
    if (out.length + next.length > MAX_BAGGAGE_BYTES) continue;
    out += next;
    count++;
  }
  return out;
}

/** The grammar of a non-empty serialized baggage string (members, no OWS). */
export const BAGGAGE_PATTERN =
  /^[!#$%&'*+\-.^_`|~0-9A-Za-z]+=[\x21\x23-\x2b\x2d-\x3a\x3c-\x5b\x5d-\x7e]*(;[!#$%&'*+\-.^_`|~0-9A-Za-z]+(=[\x21\x23-\x2b\x2d-\x3a\x3c-\x5b\x5d-\x7e]*)?)*(,[!#$%&'*+\-.^_`|~0-9A-Za-z]+=[\x21\x23-\x2b\x2d-\x3a\x3c-\x5b\x5d-\x7e]*(;[!#$%&'*+\-.^_`|~0-9A-Za-z]+(=[\x21\x23-\x2b\x2d-\x3a\x3c-\x5b\x5d-\x7e]*)?)*)*$/;
