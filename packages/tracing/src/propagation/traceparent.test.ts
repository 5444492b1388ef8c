import { fc, test } from '@fast-check/vitest';
import { describe, expect, it } from 'vitest';
import { TRACEPARENT_V00_PATTERN, TraceFlags, parseTraceparent, serializeTraceparent } from './traceparent';

const TRACE = '4bf92f3577b34da6a3ce929d0e0e4736';
const SPAN = '00f067aa0ba902b7';
const hex = (n: number) => fc.stringMatching(new RegExp(`^[0-9a-f]{${n}}$`));

describe('parseTraceparent', () => {
  it('parses the specification examples', () => {
    expect(parseTraceparent(`00-${TRACE}-${SPAN}-01`)).toEqual({
      version: '00',
      traceId: TRACE,
      parentId: SPAN,
      traceFlags: 1,
    });
    expect(parseTraceparent(`00-${TRACE}-${SPAN}-00`)?.traceFlags).toBe(0);
  });

  it('keeps every flag bit, including Level 2 random', () => {
    expect(parseTraceparent(`00-${TRACE}-${SPAN}-03`)?.traceFlags).toBe(TraceFlags.SAMPLED | TraceFlags.RANDOM);
    expect(parseTraceparent(`00-${TRACE}-${SPAN}-ff`)?.traceFlags).toBe(255);
    expect(parseTraceparent(`00-${TRACE}-${SPAN}-02`)?.traceFlags).toBe(TraceFlags.RANDOM);
  });

  it('ignores surrounding spaces and tabs', () => {
    expect(parseTraceparent(` \t00-${TRACE}-${SPAN}-01\t `)?.traceId).toBe(TRACE);
  });

  it('rejects uppercase hex, all-zero ids, version ff and bad lengths', () => {
    expect(parseTraceparent(`00-${TRACE.toUpperCase()}-${SPAN}-01`)).toBeUndefined();
    expect(parseTraceparent(`00-${TRACE}-${SPAN.toUpperCase()}-01`)).toBeUndefined();
    expect(parseTraceparent(`00-${TRACE}-${SPAN}-0A`)).toBeUndefined();
    expect(parseTraceparent(`00-${'0'.repeat(32)}-${SPAN}-01`)).toBeUndefined();
    expect(parseTraceparent(`00-${TRACE}-${'0'.repeat(16)}-01`)).toBeUndefined();
    expect(parseTraceparent(`ff-${TRACE}-${SPAN}-01`)).toBeUndefined();
    expect(parseTraceparent(`0-${TRACE}-${SPAN}-01`)).toBeUndefined();
    expect(parseTraceparent(`00-${TRACE}-${SPAN}-1`)).toBeUndefined();
    expect(parseTraceparent(`00-${TRACE}0-${SPAN}-01`)).toBeUndefined();
    expect(parseTraceparent(`00_${TRACE}-${SPAN}-01`)).toBeUndefined();
    expect(parseTraceparent('')).toBeUndefined();
  });

  it('rejects anything after the flags in version 00', () => {
    expect(parseTraceparent(`00-${TRACE}-${SPAN}-01-`)).toBeUndefined();
    expect(parseTraceparent(`00-${TRACE}-${SPAN}-01-what`)).toBeUndefined();
    expect(parseTraceparent(`00-${TRACE}-${SPAN}-01x`)).toBeUndefined();
  });

  it('parses a future version by the 00 layout, requiring "-" or the end after the flags', () => {
    expect(parseTraceparent(`cc-${TRACE}-${SPAN}-01`)).toEqual({
      version: 'cc',
      traceId: TRACE,
      parentId: SPAN,
      traceFlags: 1,
    });
    expect(parseTraceparent(`cc-${TRACE}-${SPAN}-01-what-the-future-holds`)?.traceId).toBe(TRACE);
    expect(parseTraceparent(`cc-${TRACE}-${SPAN}-01.what`)).toBeUndefined();
    expect(parseTraceparent(`cc-${TRACE}-${SPAN}-0`)).toBeUndefined();
  });

  it('treats combined duplicate headers as invalid', () => {
    expect(parseTraceparent(`00-${TRACE}-${SPAN}-01, 00-${TRACE}-${SPAN}-01`)).toBeUndefined();
    expect(parseTraceparent(`cc-${TRACE}-${SPAN}-01,cc-${TRACE}-${SPAN}-01`)).toBeUndefined();
  });

  it('never throws and rejects wrong types and oversized input', () => {
    for (const bad of [undefined, null, 42, NaN, {}, [], Symbol('x'), `00-${TRACE}-${SPAN}-01`.padEnd(10_000, ' ')]) {
      expect(parseTraceparent(bad)).toBeUndefined();
    }
  });

  test.prop([fc.string({ maxLength: 120 })])('never throws on arbitrary strings', (s) => {
    const parsed = parseTraceparent(s);
    if (parsed)
      expect(serializeTraceparent(parsed.traceId, parsed.parentId, parsed.traceFlags)).toMatch(TRACEPARENT_V00_PATTERN);
  });

  test.prop([fc.string({ unit: 'binary', maxLength: 80 })])('never throws on arbitrary unicode', (s) => {
    expect(() => parseTraceparent(s)).not.toThrow();
  });

  // Near-valid inputs: a valid header with one character replaced or inserted.
  test.prop([
    hex(32),
    hex(16),
    fc.integer({ min: 0, max: 255 }),
    fc.nat(54),
    fc.string({ minLength: 1, maxLength: 1, unit: 'binary' }),
    fc.boolean(),
  ])('a near-valid header parses only if still valid', (traceId, spanId, flags, at, ch, insert) => {
    const valid = `00-${traceId}-${spanId}-${flags.toString(16).padStart(2, '0')}`;
    const mutated = insert ? valid.slice(0, at) + ch + valid.slice(at) : valid.slice(0, at) + ch + valid.slice(at + 1);
    const parsed = parseTraceparent(mutated);
    const shouldParse = /^00-(?!0{32})[0-9a-f]{32}-(?!0{16})[0-9a-f]{16}-[0-9a-f]{2}$/.test(
      mutated.replace(/^[ \t]+|[ \t]+$/g, ''),
    );
    expect(parsed !== undefined).toBe(shouldParse);
  });
});

describe('serializeTraceparent', () => {
  it('writes version 00 with only the known flags', () => {
    expect(serializeTraceparent(TRACE, SPAN, 1)).toBe(`00-${TRACE}-${SPAN}-01`);
    expect(serializeTraceparent(TRACE, SPAN, 0xff)).toBe(`00-${TRACE}-${SPAN}-03`);
    expect(serializeTraceparent(TRACE, SPAN, 0)).toBe(`00-${TRACE}-${SPAN}-00`);
  });

  it('refuses invalid ids', () => {
    expect(serializeTraceparent('0'.repeat(32), SPAN, 1)).toBeUndefined();
    expect(serializeTraceparent(TRACE, 'xyz', 1)).toBeUndefined();
    expect(serializeTraceparent(TRACE.toUpperCase(), SPAN, 1)).toBeUndefined();
    expect(serializeTraceparent(42 as unknown as string, SPAN, NaN)).toBeUndefined();
  });

  test.prop([hex(32), hex(16), fc.integer({ min: -1000, max: 1000 })])(
    'round-trips and matches the grammar',
    (traceId, spanId, flags) => {
      fc.pre(!/^0+$/.test(traceId) && !/^0+$/.test(spanId));
      const header = serializeTraceparent(traceId, spanId, flags)!;
      expect(header).toMatch(TRACEPARENT_V00_PATTERN);
      expect(parseTraceparent(header)).toEqual({ version: '00', traceId, parentId: spanId, traceFlags: flags & 3 });
    },
  );
});
