import { fc, test } from '@fast-check/vitest';
import { describe, expect } from 'vitest';
import { LabelCache } from './LabelCache';
import type { Series } from './Series';

const fakeSeries = (id: number) => ({ id }) as unknown as Series;
const labelSet = fc.dictionary(fc.constantFrom('a', 'b', 'c', 'd'), fc.constantFrom('1', '2', ''), { minKeys: 1 });

describe('LabelCache', () => {
  test.prop([fc.array(fc.tuple(labelSet, fc.nat()), { minLength: 1, maxLength: 60 }), fc.integer({ min: 1, max: 20 })])(
    'a hit always returns the series last inserted for exactly that label object shape and values',
    (inserts, limit) => {
      const cache = new LabelCache(limit);
      const model = new Map<string, number>();
      inserts.forEach(([labels, id]) => {
        cache.insert(labels, labels, fakeSeries(id));
        model.set(JSON.stringify(Object.entries(labels)), id);
      });
      for (const [labels] of inserts) {
        const hit = cache.lookup(labels) as unknown as { id: number } | undefined;
        // A miss is always allowed (the cache may have started over); a hit must be right.
        if (hit) expect(hit.id).toBe(model.get(JSON.stringify(Object.entries(labels))));
      }
      const [lastLabels, lastId] = inserts.at(-1)!;
      expect((cache.lookup(lastLabels) as unknown as { id: number }).id).toBe(lastId);
      expect(cache.lookup({ a: 1 as unknown as string })).toBeUndefined();
      expect(cache.lookup({ zz: '1' })).toBeUndefined();
    },
  );
});
