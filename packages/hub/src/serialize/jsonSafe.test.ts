import { test, fc } from '@fast-check/vitest';
import { describe, expect, it } from 'vitest';
import { errorMessage } from '@obs/core';
import { jsonSafe } from './jsonSafe';

describe('jsonSafe', () => {
  test.prop([
    fc.anything({
      withNullPrototype: true,
      withMap: true,
      withSet: true,
      withDate: true,
      withBigInt: true,
      maxDepth: 4,
    }),
  ])('always yields something that round-trips through JSON unchanged', (value) => {
    const safe = jsonSafe(value);
    const text = JSON.stringify(safe);
    if (text === undefined) {
      expect(safe).toBeUndefined();
      return;
    }
    expect(JSON.parse(text)).toEqual(safe);
  });

  it('handles cycles, depth, huge strings, non-finite numbers and __proto__ keys', () => {
    const cyclic: Record<string, unknown> = { a: 1 };
    cyclic['self'] = cyclic;
    expect(jsonSafe(cyclic)).toEqual({ a: 1, self: '[circular]' });
    expect(jsonSafe({ n: NaN, i: -Infinity, z: -0 })).toEqual({ n: null, i: null, z: 0 });
    expect((jsonSafe('x'.repeat(10_000)) as string).length).toBe(4097);
    const proto = jsonSafe(JSON.parse('{"__proto__":{"polluted":true}}')) as Record<string, unknown>;
    expect(Object.keys(proto)).toEqual(['__proto__']);
    expect(({} as Record<string, unknown>)['polluted']).toBeUndefined();
    let deep: unknown = 1;
    for (let i = 0; i < 20; i++) deep = [deep];
    expect(JSON.stringify(jsonSafe(deep))).toContain('[too deep]');
    expect(jsonSafe(new Error('boom'))).toEqual({ name: 'Error', message: 'boom' });
    expect(jsonSafe(() => 1)).toBeUndefined();
  });

  it('describes anything thrown briefly', () => {
    expect(errorMessage(new TypeError('x'))).toBe('TypeError: x');
    expect(errorMessage('plain')).toBe('plain');
    expect(
      errorMessage({
        toString: () => {
          throw new Error('no');
        },
      }),
    ).toBe('an object'); // described by type: its toString is never called
    expect(errorMessage('y'.repeat(5000)).length).toBe(1025);
  });
});
