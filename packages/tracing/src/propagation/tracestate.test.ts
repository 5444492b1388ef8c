import { fc, test } from '@fast-check/vitest';
import { describe, expect, it } from 'vitest';
import {
  MAX_TRACESTATE_LENGTH,
  MAX_TRACESTATE_MEMBERS,
  TRACESTATE_PATTERN,
  parseTracestate,
  serializeTracestate,
} from './tracestate';

const key = fc.stringMatching(/^[a-z0-9][a-z0-9_\-*/@]{0,20}$/);
const value = fc.stringMatching(/^[\x20-\x2b\x2d-\x3c\x3e-\x7e]{0,20}[\x21-\x2b\x2d-\x3c\x3e-\x7e]$/);

describe('parseTracestate', () => {
  it('parses members in order, ignoring whitespace around them and empty members', () => {
    expect(parseTracestate('rojo=00f067aa0ba902b7,congo=t61rcWkgMzE')).toEqual([
      { key: 'rojo', value: '00f067aa0ba902b7' },
      { key: 'congo', value: 't61rcWkgMzE' },
    ]);
    expect(parseTracestate(' a=1 ,\t, ,b=2\t')).toEqual([
      { key: 'a', value: '1' },
      { key: 'b', value: '2' },
    ]);
    expect(parseTracestate('')).toEqual([]);
    expect(parseTracestate(' , ')).toEqual([]);
  });

  it('accepts the Level 2 key grammar (digits first, @ anywhere) and values with inner spaces', () => {
    expect(parseTracestate('1tenant@sys=x,a/b*c_d-e=y')?.map((e) => e.key)).toEqual(['1tenant@sys', 'a/b*c_d-e']);
    expect(parseTracestate('a= leading space kept')?.[0]?.value).toBe(' leading space kept');
  });

  it('drops the whole header when any member is invalid', () => {
    for (const bad of [
      'A=1',
      'a=1,B=2',
      'a=',
      'a',
      '=1',
      'a=1=2',
      'a=x\ty',
      'a=x,y',
      'a =1',
      'a=\u00e9',
      '_a=1',
      `${'k'.repeat(257)}=1`,
      `a=${'v'.repeat(257)}`,
    ]) {
      expect(parseTracestate(bad), bad).toBeUndefined();
    }
  });

  it('keeps a header with a repeated key, with the left-most member of each key (W3C test_tracestate_duplicated_keys)', () => {
    expect(parseTracestate('foo=1,foo=1')).toEqual([{ key: 'foo', value: '1' }]);
    expect(parseTracestate('foo=1,foo=2')).toEqual([{ key: 'foo', value: '1' }]);
    expect(parseTracestate('a=1,b=2,a=3')).toEqual([
      { key: 'a', value: '1' },
      { key: 'b', value: '2' },
    ]);
    expect(parseTracestate('a=1,a=2,B=3')).toBeUndefined(); // an invalid member still drops the header
  });

  it('allows 32 members and rejects 33', () => {
    const members = (n: number) => Array.from({ length: n }, (_, i) => `k${i}=v${i}`).join(',');
    expect(parseTracestate(members(MAX_TRACESTATE_MEMBERS))).toHaveLength(32);
    expect(parseTracestate(members(33))).toBeUndefined();
  });

  it('rejects CR/LF, wrong types and oversized input without throwing', () => {
    expect(parseTracestate('a=1\r\nb=2')).toBeUndefined();
    for (const bad of [undefined, null, 1, NaN, {}, ['a=1'], 'a=1,'.repeat(20_000)])
      expect(parseTracestate(bad)).toBeUndefined();
  });

  test.prop([fc.string({ maxLength: 200 })])('never throws on arbitrary strings', (s) => {
    const parsed = parseTracestate(s);
    if (parsed && parsed.length > 0) expect(serializeTracestate(parsed)).toMatch(TRACESTATE_PATTERN);
  });

  test.prop([fc.string({ unit: 'binary', maxLength: 200 })])('never throws on arbitrary unicode', (s) => {
    expect(() => parseTracestate(s)).not.toThrow();
  });

  test.prop([fc.uniqueArray(fc.record({ key, value }), { selector: (e) => e.key, minLength: 1, maxLength: 32 })])(
    'serialize then parse is the identity for valid lists, and matches the grammar',
    (entries) => {
      const header = serializeTracestate(entries);
      expect(header).toMatch(TRACESTATE_PATTERN);
      expect(parseTracestate(header)).toEqual(entries);
    },
  );
});

// Near-valid inputs: a valid list with one character replaced or inserted.
test.prop([
  fc.uniqueArray(fc.record({ key, value }), { selector: (e) => e.key, minLength: 1, maxLength: 5 }),
  fc.nat(200),
  fc.string({ minLength: 1, maxLength: 1, unit: 'binary' }),
  fc.boolean(),
])('a near-valid tracestate is either rejected whole or parses to grammar-valid members', (entries, at, ch, insert) => {
  const valid = serializeTracestate(entries);
  const i = at % valid.length;
  const mutated = insert ? valid.slice(0, i) + ch + valid.slice(i) : valid.slice(0, i) + ch + valid.slice(i + 1);
  const parsed = parseTracestate(mutated);
  if (parsed !== undefined && parsed.length > 0) expect(serializeTracestate(parsed)).toMatch(TRACESTATE_PATTERN);
  if (/[^\x20-\x7e\t]/.test(ch)) expect(parsed).toBeUndefined();
});

describe('serializeTracestate', () => {
  it('skips invalid or repeated members and keeps at most 32', () => {
    expect(
      serializeTracestate([
        { key: 'a', value: '1' },
        { key: 'A', value: '2' },
        { key: 'b', value: 'x\r\ny' },
        { key: 'a', value: '3' },
        null as unknown as { key: string; value: string },
        { key: 'c', value: '4' },
      ]),
    ).toBe('a=1,c=4');
    const many = Array.from({ length: 40 }, (_, i) => ({ key: `k${i}`, value: 'v' }));
    expect(serializeTracestate(many).split(',')).toHaveLength(32);
    expect(serializeTracestate('nope' as unknown as [])).toBe('');
  });

  it('truncates an oversized list by whole members: long ones first, then from the right', () => {
    const entries = [
      { key: 'a', value: 'x'.repeat(100) },
      { key: 'long', value: 'y'.repeat(200) },
      { key: 'b', value: 'z'.repeat(100) },
      { key: 'c', value: 'w'.repeat(100) },
    ];
    expect(serializeTracestate(entries, 400)).toBe(`a=${'x'.repeat(100)},b=${'z'.repeat(100)},c=${'w'.repeat(100)}`);
    expect(serializeTracestate(entries, 250)).toBe(`a=${'x'.repeat(100)},b=${'z'.repeat(100)}`);
    expect(serializeTracestate(entries, 10)).toBe('');
    const maximal = Array.from({ length: 32 }, (_, i) => ({ key: `k${i}`.padEnd(256, 'k'), value: 'v'.repeat(256) }));
    const header = serializeTracestate(maximal);
    expect(header.length).toBeLessThanOrEqual(MAX_TRACESTATE_LENGTH);
    expect(header).toMatch(TRACESTATE_PATTERN);
  });
});
