import { fc, test } from '@fast-check/vitest';
import { describe, expect, it } from 'vitest';
import {
  BAGGAGE_PATTERN,
  MAX_BAGGAGE_BYTES,
  parseBaggage,
  percentDecode,
  percentEncode,
  serializeBaggage,
} from './baggage';

const token = fc.stringMatching(/^[!#$%&'*+\-.^_`|~0-9A-Za-z]{1,12}$/);

describe('parseBaggage', () => {
  it('parses the specification example with properties and optional whitespace', () => {
    const { entries, dropped } = parseBaggage(
      'key1=value1;property1;property2, key2 = value2, key3=value3; propertyKey=propertyValue',
    );
    expect(dropped).toBe(0);
    expect(entries).toEqual([
      { key: 'key1', value: 'value1', metadata: 'property1;property2' },
      { key: 'key2', value: 'value2', metadata: '' },
      { key: 'key3', value: 'value3', metadata: 'propertyKey=propertyValue' },
    ]);
  });

  it('percent-decodes values as UTF-8, replacing invalid sequences with U+FFFD', () => {
    expect(parseBaggage('serverNode=DF%2028,isProduction=false').entries.map((e) => e.value)).toEqual([
      'DF 28',
      'false',
    ]);
    expect(parseBaggage('k=%E2%82%AC%F0%9F%98%80').entries[0]?.value).toBe('€😀');
    expect(parseBaggage('k=%FF%FE').entries[0]?.value).toBe('\uFFFD\uFFFD');
    expect(parseBaggage('k=100%').entries[0]?.value).toBe('100%');
    expect(parseBaggage('k=a+b=c').entries[0]?.value).toBe('a+b=c');
  });

  it('drops malformed members one by one and counts them', () => {
    const { entries, dropped } = parseBaggage('good=1,no-equals,bad key=2,q="x",ok=2;bad prop,k2=v2;p=1;;');
    expect(entries.map((e) => e.key)).toEqual(['good']);
    expect(dropped).toBe(5);
  });

  it('keeps at least 64 members and 8192 bytes, dropping beyond 180 members or 8192 bytes', () => {
    const many = Array.from({ length: 200 }, (_, i) => `k${i}=v`).join(',');
    const parsed = parseBaggage(many);
    expect(parsed.entries).toHaveLength(180);
    expect(parsed.dropped).toBe(20);
    const big = Array.from({ length: 64 }, (_, i) => `k${String(i).padStart(2, '0')}=${'v'.repeat(120)}`).join(',');
    expect(big.length).toBeLessThanOrEqual(MAX_BAGGAGE_BYTES);
    expect(parseBaggage(big).entries).toHaveLength(64);
    const huge = parseBaggage(Array.from({ length: 10 }, (_, i) => `k${i}=${'v'.repeat(1000)}`).join(','));
    expect(huge.entries).toHaveLength(8);
    expect(huge.dropped).toBe(2);
  });

  it('treats __proto__ as an ordinary key and never throws on wrong types', () => {
    expect(parseBaggage('__proto__=x,constructor=y').entries.map((e) => e.key)).toEqual(['__proto__', 'constructor']);
    for (const bad of [undefined, null, 1, NaN, {}, []]) expect(parseBaggage(bad)).toEqual({ entries: [], dropped: 0 });
    expect(parseBaggage('k=v,'.repeat(20_000)).entries).toEqual([]);
  });

  test.prop([fc.string({ maxLength: 200 })])(
    'never throws on arbitrary strings; what it keeps re-serializes to the grammar',
    (s) => {
      const { entries } = parseBaggage(s);
      const header = serializeBaggage(entries);
      if (header !== '') expect(header).toMatch(BAGGAGE_PATTERN);
    },
  );

  test.prop([fc.string({ unit: 'binary', maxLength: 200 })])('never throws on arbitrary unicode', (s) => {
    expect(() => parseBaggage(s)).not.toThrow();
  });
});

// Near-valid inputs: a valid header with one character replaced or inserted.
test.prop([
  fc.uniqueArray(fc.record({ key: token, value: fc.string({ maxLength: 10 }) }), {
    selector: (e) => e.key,
    minLength: 1,
    maxLength: 5,
  }),
  fc.nat(300),
  fc.string({ minLength: 1, maxLength: 1, unit: 'binary' }),
  fc.boolean(),
])('a near-valid baggage header keeps only grammar-valid members', (entries, at, ch, insert) => {
  const valid = serializeBaggage(entries);
  const i = at % valid.length;
  const mutated = insert ? valid.slice(0, i) + ch + valid.slice(i) : valid.slice(0, i) + ch + valid.slice(i + 1);
  const { entries: kept, dropped } = parseBaggage(mutated);
  expect(kept.length + dropped).toBeLessThanOrEqual(entries.length + 1);
  const header = serializeBaggage(kept);
  if (header !== '') expect(header).toMatch(BAGGAGE_PATTERN);
});

describe('serializeBaggage', () => {
  test.prop([
    fc.uniqueArray(fc.record({ key: token, value: fc.string({ unit: 'binary', maxLength: 20 }) }), {
      selector: (e) => e.key,
      maxLength: 20,
    }),
  ])('round-trips any well-formed unicode value through percent-encoding', (entries) => {
    const wellFormed = entries.map((e) => ({ ...e, value: Buffer.from(e.value, 'utf8').toString('utf8') }));
    const header = serializeBaggage(wellFormed);
    if (wellFormed.length > 0) expect(header).toMatch(BAGGAGE_PATTERN);
    expect(header).not.toMatch(/[\r\n]/);
    expect(parseBaggage(header).entries.map(({ key, value }) => ({ key, value }))).toEqual(wellFormed);
  });

  it('never lets CR, LF or invalid keys through and caps the size', () => {
    const header = serializeBaggage([
      { key: 'a', value: 'x\r\ny' },
      { key: 'bad key', value: 'z' },
      { key: 'b\r\n', value: 'z' },
      { key: 'c', value: 'v', metadata: 'p=1;flag' },
      { key: 'd', value: 'v', metadata: 'bad prop\r\n' },
    ]);
    expect(header).toBe('a=x%0D%0Ay,c=v;p=1;flag,d=v');
    const big = serializeBaggage(Array.from({ length: 100 }, (_, i) => ({ key: `k${i}`, value: 'v'.repeat(200) })));
    expect(big.length).toBeLessThanOrEqual(MAX_BAGGAGE_BYTES);
    expect(serializeBaggage(null as unknown as [])).toBe('');
  });

  it('percent-encodes exactly the characters outside baggage-octet, and %', () => {
    expect(percentEncode('a b,c;d\\e"f%g')).toBe('a%20b%2Cc%3Bd%5Ce%22f%25g');
    expect(percentEncode('plain-value_1.2~')).toBe('plain-value_1.2~');
    expect(percentDecode(percentEncode('\uD800'))).toBe('\uFFFD');
  });
});
