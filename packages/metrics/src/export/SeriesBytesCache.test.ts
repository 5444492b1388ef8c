import { describe, expect, it } from 'vitest';
import { SeriesBytesCache } from './SeriesBytesCache';

describe('SeriesBytesCache', () => {
  it('keeps a metric’s slots from one export to the next, trimmed to its series', () => {
    const cache = new SeriesBytesCache<number>();
    cache.begin();
    const slots = cache.slots('a', 3);
    slots.push({ text: 'x', value: 1 }, { text: 'y', value: 2 }, { text: 'z', value: 3 });
    cache.end();
    cache.begin();
    const again = cache.slots('a', 2);
    expect(again).toBe(slots);
    expect(again.map((s) => s.value)).toEqual([1, 2]);
    // Asked twice in one export (a metric in parts): the same slots.
    expect(cache.slots('a', 2)).toBe(again);
    cache.end();
  });

  it('drops the metrics an export did not hold', () => {
    const cache = new SeriesBytesCache<number>();
    cache.begin();
    cache.slots('gone', 1).push({ text: 'x', value: 1 });
    cache.slots('kept', 1).push({ text: 'x', value: 2 });
    cache.end();
    cache.begin();
    cache.slots('kept', 1);
    cache.end();
    cache.begin();
    expect(cache.slots('gone', 1)).toEqual([]);
    expect(cache.slots('kept', 1)).toEqual([{ text: 'x', value: 2 }]);
    cache.end();
  });
});
