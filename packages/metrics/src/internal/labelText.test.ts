import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { labelKey, parseLabelKey } from './labelText';

const labelName = fc.stringMatching(/^[a-zA-Z_][a-zA-Z0-9_]{0,8}$/);
// Values with the characters that need escaping (backslash, quote, line feed) and the separators.
const labelValue = fc.string({ unit: fc.constantFrom('a', 'b', '\\', '"', '\n', ',', '=', 'é', ' '), maxLength: 12 });

describe('labelKey / parseLabelKey', () => {
  it('round-trips any label set, escapes included', () => {
    fc.assert(
      fc.property(fc.dictionary(labelName, labelValue, { maxKeys: 6 }), (labels) => {
        const parsed = parseLabelKey(labelKey(labels));
        expect({ ...parsed }).toEqual({ ...labels });
        expect(Object.getPrototypeOf(parsed)).toBeNull();
        expect(Object.isFrozen(parsed)).toBe(true);
      }),
    );
  });

  it('parses escaped values before and after plain ones', () => {
    expect({ ...parseLabelKey('a="x\\"y",b="plain",c="l\\\\n\\n"') }).toEqual({ a: 'x"y', b: 'plain', c: 'l\\n\n' });
    expect({ ...parseLabelKey('a="plain",b="q\\"",c=""') }).toEqual({ a: 'plain', b: 'q"', c: '' });
    expect({ ...parseLabelKey('') }).toEqual({});
  });
});
