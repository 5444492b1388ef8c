/**
 * Encoded bytes of each series' labels, kept between exports by an exporter: the labels of
 * a series never change, so they are encoded on its first export and copied afterwards.
 * Entries are kept per metric in the order of the last export's series and checked against
 * the series' label text, so a lookup is an array index and a string comparison (a
 * collector hands out the same label string every time; a series that moved, such as
 * after a removal, is simply encoded again). Only what the last export held is kept, so
 * the cache is bounded by the producer's own series limits and drops removed series with
 * the next export.
 */
export class SeriesBytesCache<T> {
  private last = new Map<string, Slot<T>[]>();
  private current = new Map<string, Slot<T>[]>();

  /** Starts an export. */
  begin(): void {
    this.current = new Map();
  }

  /** Ends an export: metrics it did not hold are dropped. */
  end(): void {
    this.last = this.current;
    this.current = new Map();
  }

  /** The slots of metric `key` (one per series, in export order) for this export. */
  slots(key: string, seriesCount: number): Slot<T>[] {
    let slots = this.current.get(key);
    if (slots === undefined) {
      slots = this.last.get(key) ?? [];
      this.current.set(key, slots);
    }
    if (slots.length > seriesCount) slots.length = seriesCount;
    return slots;
  }
}

/** What a series' labels encoded to, and the label text they were encoded from. */
export interface Slot<T> {
  readonly text: string;
  readonly value: T;
}
