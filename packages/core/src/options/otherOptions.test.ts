import { describe, expect, it } from 'vitest';
import { ObsValidationError } from '../ObsError';
import { requireOneOf } from './oneOfOption';
import { optionalBoolean, requireFunction, requireObject } from './typeOptions';

describe('requireOneOf', () => {
  it('returns an allowed value and names the choices otherwise', () => {
    expect(requireOneOf('max', 'policy', ['sum', 'max'])).toBe('max');
    expect(() => requireOneOf('avg', 'policy', ['sum', 'max'])).toThrow('policy must be one of sum, max, got "avg"');
    expect(() => requireOneOf(undefined, 'policy', ['sum'])).toThrow(ObsValidationError);
  });
});

describe('type checks', () => {
  it('optionalBoolean takes undefined as the fallback and refuses truthy non-booleans', () => {
    expect(optionalBoolean(undefined, 'on', true)).toBe(true);
    expect(optionalBoolean(false, 'on', true)).toBe(false);
    expect(() => optionalBoolean(1, 'on', true)).toThrow('on must be a boolean, got 1');
  });

  it('requireFunction and requireObject name what they got', () => {
    const fn = () => 1;
    expect(requireFunction(fn, 'handler')).toBe(fn);
    expect(() => requireFunction({}, 'handler')).toThrow('handler must be a function, got an object');
    expect(requireObject({ a: 1 }, 'config')).toEqual({ a: 1 });
    expect(() => requireObject([], 'config')).toThrow('config must be an object, got an array');
    expect(() => requireObject(null, 'config', (m) => new RangeError(m))).toThrow(RangeError);
  });
});
