import type { Labels } from '@obs/core';
import type { Series } from './Series';

/**
 * One trie level. Nearly always every label object of a metric has the same keys in
 * the same order, so a node holds the values map of its one expected next label name
 * inline (`name`, `values`) and only allocates `others` if another name shows up.
 */
class CacheNode {
  name: string | undefined = undefined;
  values: Map<string, CacheNode> | undefined = undefined;
  others: Map<string, Map<string, CacheNode>> | undefined = undefined;
  series: Series | undefined = undefined;

  valuesFor(name: string): Map<string, CacheNode> | undefined {
    return this.name === name ? this.values : this.others?.get(name);
  }
}

/**
 * A per-metric lookup cache from a caller's label object to its series that avoids
 * building a key string: it walks a trie by the object's own keys in their own order
 * (one Map lookup per label on interned strings). Only label sets that were
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
      const values = node.name === name ? node.values : node.others?.get(name);
      if (values === undefined) return undefined;
      const child = values.get(labels[name]!);
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
      let values = node.valuesFor(name);
      if (values === undefined) {
        values = new Map();
        if (node.name === undefined) {
          node.name = name;
          node.values = values;
        } else (node.others ??= new Map()).set(name, values);
      }
      let child = values.get(value);
      if (child === undefined) values.set(value, (child = new CacheNode()));
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
