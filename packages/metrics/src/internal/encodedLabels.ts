/**
 * A series' labels pre-encoded by the exporters. Labels of a series never change, so
 * the first export encodes them once and every later export copies these bytes
 * (`Uint8Array.set`) instead of walking the label text. Held by the live series
 * (never by a map keyed by labels), so it is bounded by the series limits and goes
 * away with the series when it is removed or expires.
 */
export class EncodedLabels {
  /** OTLP `KeyValue` attribute fields (tag included), per field number: 1, 7 and 9 are the ones in use. */
  otlp1: Uint8Array | undefined = undefined;
  otlp7: Uint8Array | undefined = undefined;
  otlp9: Uint8Array | undefined = undefined;
  /**
   * Remote write: the series' `Label` fields merged with an encoder's external labels, in
   * name order, without `__name__` and `le`: the labels before `__name__`, those between it
   * and `le`, and those after `le`. `rwKey` says which external labels they were built with;
   * `rwHead` is undefined when this series takes the general path.
   */
  rwKey: string | undefined = undefined;
  rwHead: Uint8Array | undefined = undefined;
  rwMiddle: Uint8Array | undefined = undefined;
  rwTail: Uint8Array | undefined = undefined;
}

/** What carries the cache: a live series (or a cluster-merged one). */
export interface EncodedLabelsHolder {
  exportLabels: EncodedLabels | undefined;
}
