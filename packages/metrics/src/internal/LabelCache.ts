import type { Labels } from '@obs/core';
import type { Series } from './Series';

class CacheNode {
  byName: Map<string, Map<string, CacheNode>> | undefined = undefined;
  series: Series | undefined = undefined;
}

/**
 * A per-metric lookup cache from a caller's label object to its series that avoids
 * building a key string: it walks a trie by the object's own keys in their own order
 * (two Map lookups per label on interned strings). Only label sets that were
 * validated by the slow path are inserted, so a hit needs no validation; a label
 * value that is not a string can never match. Different key orders of the same set
 * are separate paths to the same series. The number of cached label objects is
 * bounded: when `limit` is reached the cache starts over (hot sets re-enter at once).
 */
export class LabelCache {
  private root = new CacheNode();
  private size = 0;

  constructor(private readonly limit: number) {}

  lookup(labels: Labels): Series | undefined {
    let node = this.root;
    const names = Object.keys(labels);
    for (let i = 0; i < names.length; i++) {
      const name = names[i]!;
      const byValue = node.byName?.get(name);
      if (byValue === undefined) return undefined;
      const child = byValue.get(labels[name]!);
      if (child === undefined) return undefined;
      node = child;
    }
    return node.series;
  }

  /** Caches `series` under the caller's key order; `normalized` supplies the validated values. */
  insert(labels: Labels, normalized: Labels, series: Series): void {
    if (this.limit === 0) return;
    const names = Object.keys(labels);
    if (names.length === 0) return;
    if (this.size >= this.limit) this.clear();
    let node = this.root;
    for (const name of names) {
      const value = normalized[name]!;
      const byName = (node.byName ??= new Map());
      let byValue = byName.get(name);
      if (byValue === undefined) byName.set(name, (byValue = new Map()));
      let child = byValue.get(value);
      if (child === undefined) byValue.set(value, (child = new CacheNode()));
      node = child;
    }
    if (node.series === undefined) this.size++;
    node.series = series;
  }

  clear(): void {
    this.root = new CacheNode();
    this.size = 0;
  }
}
