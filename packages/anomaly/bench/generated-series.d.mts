export declare const SERIES_KINDS: readonly ['bursty-counts', 'cloud-metric', 'request-rate'];
export type SeriesKind = (typeof SERIES_KINDS)[number];
export interface GeneratedSeries {
  readonly name: string;
  readonly kind: SeriesKind;
  readonly ts: Float64Array;
  readonly values: Float64Array;
  readonly anomalies: ReadonlyArray<{ readonly index: number; readonly length: number; readonly kind: string }>;
  readonly windows: ReadonlyArray<{ readonly left: number; readonly right: number }>;
}
export declare function generateSeries(kind: SeriesKind, seed: number, n?: number): GeneratedSeries;
export declare function generatedCorpus(perKind?: number): GeneratedSeries[];
