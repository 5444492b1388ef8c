/**
 * A series' labels pre-encoded by the exporters. Labels of a series never change, so
 * the first export encodes them once and every later export copies these bytes
 * (`Uint8Array.set`) instead of walking the label text. Held weakly by the live
 * series object (never by a map keyed by labels), so it is bounded by the series
 * limits and goes away with the series when it is removed or expires.
 */
export class EncodedLabels {
  /** OTLP `KeyValue` attribute fields (tag included), per field number: 1, 7 and 9 are the ones in use. */
  otlp1: Uint8Array | undefined = undefined;
  otlp7: Uint8Array | undefined = undefined;
  otlp9: Uint8Array | undefined = undefined;
  /**
   * Remote write: the `Label` fields of the series' samples, merged with an encoder's external
   * labels and `__name__`, in name order. A counter or gauge has them all in `rwLabels`; a
   * histogram has its `_bucket` labels up to `le` in `rwLabels` and those after `le` in
   * `rwTail`, and its `_sum` and `_count` labels in `rwSum` and `rwCount`. `rwKey` says which
   * external labels they were built with; `rwLabels` is undefined when the series takes the
   * general path.
   */
  rwKey: string | undefined = undefined;
  rwLabels: Uint8Array | undefined = undefined;
  rwTail: Uint8Array | undefined = undefined;
  rwSum: Uint8Array | undefined = undefined;
  rwCount: Uint8Array | undefined = undefined;
}

/**
 * Each live series' cache, kept beside the series rather than on it, so that a series that is
 * never exported costs nothing (a field on every series would add 8 bytes to each).
 */
const caches = new WeakMap<object, EncodedLabels>();

/** The cache of `series` (a collector's live series), created on first use. */
export function encodedLabelsFor(series: object): EncodedLabels {
  let cache = caches.get(series);
  if (cache === undefined) {
    cache = new EncodedLabels();
    caches.set(series, cache);
  }
  return cache;
}
