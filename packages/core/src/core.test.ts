import { test, fc } from '@fast-check/vitest';
import { describe, expect, it } from 'vitest';
import {
  errorMessage,
  isThenable,
  BoundedMap,
  EventBus,
  ManualClock,
  ObsValidationError,
  labelsKey,
  normalizeLabels,
  requireFiniteNumber,
} from './index';

describe('labels', () => {
  it('treats __proto__ and constructor as ordinary labels', () => {
    const labels = normalizeLabels(JSON.parse('{"__proto__":"x","constructor":"y"}'));
    expect(Object.keys(labels)).toEqual(['__proto__', 'constructor']);
    expect(labels['__proto__']).toBe('x');
    expect(Object.getPrototypeOf(labels)).toBeNull();
    expect(({} as Record<string, unknown>).x).toBeUndefined();
  });

  it('rejects bad names and values with a typed error', () => {
    expect(() => normalizeLabels({ 'bad-name': 'x' })).toThrow(ObsValidationError);
    expect(() => normalizeLabels({ ok: 1 as unknown as string })).toThrow(ObsValidationError);
    expect(() => normalizeLabels('x')).toThrow(ObsValidationError);
  });

  test.prop([fc.dictionary(fc.stringMatching(/^[a-z][a-z0-9_]{0,8}$/), fc.string())])(
    'key is independent of label order',
    (dict) => {
      const reversed = Object.fromEntries(Object.entries(dict).reverse());
      expect(labelsKey(normalizeLabels(dict))).toBe(labelsKey(normalizeLabels(reversed)));
    },
  );

  test.prop([
    fc.dictionary(fc.stringMatching(/^[a-z]{1,3}$/), fc.string(), { maxKeys: 3 }),
    fc.dictionary(fc.stringMatching(/^[a-z]{1,3}$/), fc.string(), { maxKeys: 3 }),
  ])('different label sets never share a key', (a, b) => {
    const same = JSON.stringify(Object.entries(a).sort()) === JSON.stringify(Object.entries(b).sort());
    expect(labelsKey(normalizeLabels(a)) === labelsKey(normalizeLabels(b))).toBe(same);
  });
});

describe('BoundedMap', () => {
  it('evicts the least recently used entry', () => {
    const evicted: string[] = [];
    const map = new BoundedMap<string, number>(2, (k) => evicted.push(k));
    map.set('a', 1).set('b', 2);
    map.get('a');
    map.set('c', 3);
    expect([...map.keys()]).toEqual(['a', 'c']);
    expect(evicted).toEqual(['b']);
    expect(map.evictions).toBe(1);
  });

  test.prop([fc.array(fc.integer({ min: 0, max: 20 })), fc.integer({ min: 1, max: 5 })])(
    'never exceeds its limit',
    (keys, limit) => {
      const map = new BoundedMap<number, number>(limit);
      for (const k of keys) map.set(k, k);
      expect(map.size).toBeLessThanOrEqual(limit);
    },
  );
});

describe('EventBus', () => {
  it('emits only while observed and completes', () => {
    const bus = new EventBus<number>();
    expect(bus.observed).toBe(false);
    const seen: number[] = [];
    let done = false;
    const sub = bus.events$.subscribe({ next: (v) => seen.push(v), complete: () => (done = true) });
    bus.emit(1);
    expect(bus.observed).toBe(true);
    bus.complete();
    bus.emit(2);
    expect(seen).toEqual([1]);
    expect(done).toBe(true);
    sub.unsubscribe();
  });
});

describe('validation and clock', () => {
  it('rejects non-finite numbers', () => {
    for (const bad of [NaN, Infinity, -Infinity, '1', undefined]) {
      expect(() => requireFiniteNumber(bad, 'value')).toThrow(ObsValidationError);
    }
    expect(requireFiniteNumber(-2.5, 'value')).toBe(-2.5);
  });

  it('manual clock advances', () => {
    const clock = new ManualClock(10);
    clock.advance(5);
    expect(clock.now()).toBe(15);
  });
});

describe('errorMessage and isThenable', () => {
  it('describes anything thrown, bounded, and never throws', () => {
    expect(errorMessage(new TypeError('x is undefined'))).toBe('TypeError: x is undefined');
    expect(errorMessage(new Error('boom'), { withName: false })).toBe('boom');
    expect(errorMessage('plain')).toBe('plain');
    expect(errorMessage({ a: 1 })).toBe('an object');
    expect(errorMessage(42)).toBe('42');
    expect(errorMessage('x'.repeat(2000), { maxLength: 10 })).toBe('x'.repeat(10) + '…');
    const hostile = new Error('hidden');
    Object.defineProperty(hostile, 'message', {
      get() {
        throw new Error('getter');
      },
    });
    expect(errorMessage(hostile)).toBe('an error that cannot be described');
  });

  it('recognises thenables as Promise.resolve does, a throwing then getter included', () => {
    expect(isThenable(Promise.resolve(1))).toBe(true);
    expect(isThenable({ then: () => undefined })).toBe(true);
    const fn = Object.assign(() => undefined, { then: () => undefined });
    expect(isThenable(fn)).toBe(true);
    expect(isThenable({ then: 1 })).toBe(false);
    expect(isThenable(null)).toBe(false);
    expect(isThenable('then')).toBe(false);
    const hostile = Object.defineProperty({}, 'then', {
      get() {
        throw new Error('getter');
      },
    });
    expect(isThenable(hostile)).toBe(true);
  });
});
