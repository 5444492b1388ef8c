import { escapeLabelValue } from '../../internal/labelText';

/** What every series of a prom-client metric keeps beside its numbers in the collector. */
export interface SeriesEntry {
  /** The label object as the user first gave it (copied), with its own value types and key order. */
  readonly labels: Readonly<Record<string, unknown>>;
  /** Canonical identity of the label set (independent of key order and of `200` vs `'200'`). */
  readonly key: string;
  /** Escaped `name="value"` pairs in the order of `labels`, for exposition. */
  readonly text: string;
  removed: boolean;
  /** Written at least once (prom-client shows a label set only after its first recording). */
  touched: boolean;
}

type Trie = Map<unknown, unknown>;

/**
 * The label sets of one metric. Lookups walk a trie keyed by the raw label values in
 * `labelNames` order (one Map lookup per label, no key string built, `200` and `'200'`
 * both accepted); a miss falls back to the canonical key and caches the path. Entries
 * keep creation order. At most `maxSeries` label sets exist; past that, new ones are
 * dropped and counted (`dropped`), so user data can never grow the table without bound.
 */
export class SeriesTable<E extends SeriesEntry> {
  private readonly byKey = new Map<string, E>();
  private trie: Trie = new Map();
  private unlabeled: E | undefined;
  /** Recordings for new label sets refused because the table was full. */
  dropped = 0;

  constructor(
    private readonly labelNames: readonly string[],
    private readonly maxSeries: number,
    private readonly create: (labels: Record<string, unknown>, key: string, text: string) => E,
  ) {}

  get size(): number {
    return this.byKey.size;
  }

  entries(): IterableIterator<E> {
    return this.byKey.values();
  }

  /** The entry for a validated label object, created if needed; undefined when the table is full. */
  get(labels: Readonly<Record<string, unknown>>): E | undefined {
    const names = this.labelNames;
    if (names.length === 0) return this.unlabeled ?? this.miss(labels);
    let node: unknown = this.trie;
    for (let i = 0; i < names.length && node !== undefined; i++) node = (node as Trie).get(labels[names[i]!]);
    const hit = node as E | undefined;
    if (hit !== undefined && !hit.removed) return hit;
    return this.miss(labels);
  }

  /**
   * {@link get} for an unchecked label object: `validate` runs (and may throw) only when the
   * object has a key besides the defined label values the walk found, so a valid object
   * costs one pass over its keys and no name lookups.
   */
  getChecked(labels: Readonly<Record<string, unknown>>, validate: (labels: object) => void): E | undefined {
    const names = this.labelNames;
    let found = 0;
    let node: unknown = this.trie;
    for (let i = 0; i < names.length; i++) {
      const value = labels[names[i]!];
      if (value !== undefined) found++;
      if (node !== undefined) node = (node as Trie).get(value);
    }
    let keys = 0;
    for (const _ in labels) keys++;
    if (keys !== found) validate(labels);
    if (names.length === 0) return this.unlabeled ?? this.miss(labels);
    const hit = node as E | undefined;
    if (hit !== undefined && !hit.removed) return hit;
    return this.miss(labels);
  }

  /** The entry for values given in `labelNames` order (the caller checked their count). */
  getPositional(values: readonly unknown[]): E | undefined {
    let node: unknown = this.trie;
    for (let i = 0; i < values.length && node !== undefined; i++) node = (node as Trie).get(values[i]);
    const hit = node as E | undefined;
    if (hit !== undefined && !hit.removed && values.length > 0) return hit;
    const labels: Record<string, unknown> = {};
    for (let i = 0; i < this.labelNames.length; i++) labels[this.labelNames[i]!] = values[i];
    return this.get(labels);
  }

  /** The existing entry for a label object, without creating one. */
  find(labels: Readonly<Record<string, unknown>>): E | undefined {
    return this.byKey.get(this.keyOf(labels));
  }

  remove(labels: Readonly<Record<string, unknown>>): E | undefined {
    const key = this.keyOf(labels);
    const entry = this.byKey.get(key);
    if (entry === undefined) return undefined;
    this.byKey.delete(key);
    entry.removed = true;
    if (entry === this.unlabeled) this.unlabeled = undefined;
    // Dead paths would keep removed entries reachable: rebuild the cache lazily.
    this.trie = new Map();
    return entry;
  }

  clear(): void {
    for (const entry of this.byKey.values()) entry.removed = true;
    this.byKey.clear();
    this.trie = new Map();
    this.unlabeled = undefined;
    this.dropped = 0;
  }

  private miss(labels: Readonly<Record<string, unknown>>): E | undefined {
    const key = this.keyOf(labels);
    let entry = this.byKey.get(key);
    if (entry === undefined) {
      if (this.byKey.size >= this.maxSeries) {
        this.dropped++;
        return undefined;
      }
      const copy: Record<string, unknown> = {};
      const parts: string[] = [];
      for (const name in labels) {
        const value = labels[name];
        if (value === undefined) continue;
        copy[name] = value;
        parts.push(`${name}="${escapeLabelValue(String(value))}"`);
      }
      entry = this.create(copy, key, parts.join(','));
      this.byKey.set(key, entry);
    }
    this.cache(labels, entry);
    return entry;
  }

  private cache(labels: Readonly<Record<string, unknown>>, entry: E): void {
    const names = this.labelNames;
    if (names.length === 0) {
      this.unlabeled = entry;
      return;
    }
    // Bounded: a path per distinct raw spelling of a label set, and the trie restarts when it doubles the table.
    if (this.trieLeaves >= 2 * this.maxSeries) {
      this.trie = new Map();
      this.trieLeaves = 0;
    }
    let node = this.trie;
    for (let i = 0; i < names.length - 1; i++) {
      const value = labels[names[i]!];
      let next = node.get(value) as Trie | undefined;
      if (next === undefined) node.set(value, (next = new Map()));
      node = next;
    }
    const last = labels[names[names.length - 1]!];
    if (!node.has(last)) this.trieLeaves++;
    node.set(last, entry);
  }

  private trieLeaves = 0;

  /** Values in `labelNames` order, as strings, undefined ones left out: `200` and `'200'` are one series. */
  private keyOf(labels: Readonly<Record<string, unknown>>): string {
    const names = this.labelNames;
    if (names.length === 0) return '';
    const values: (string | null)[] = new Array<string | null>(names.length);
    for (let i = 0; i < names.length; i++) {
      const v = labels[names[i]!];
      values[i] = v === undefined ? null : String(v);
    }
    return JSON.stringify(values);
  }
}
