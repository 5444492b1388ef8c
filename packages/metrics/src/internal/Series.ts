import type { Labels } from '@obs/core';
import type { MetricPoint } from '../MetricPoint';
import type { MetricSeries } from '../MetricSeries';
import type { MetricType } from '../MetricType';
import type { OutsideAddListener } from '../sketch/BucketStore';
import type { LogHistogram } from '../sketch/LogHistogram';
import { afterOutsideAdd } from './classicCounts';
import type { ClassicBuckets } from './ClassicBuckets';
import type { ExemplarSlots } from './exemplars';
import { parseLabelKey } from './labelText';

/**
 * What a series reports to: the store that holds it (the series registry), never the
 * collector. Kept as an interface so the series module imports nothing above it.
 */
export interface SeriesStore {
  /** MetricSeries.addPoint: validates and records with the series' own semantics. */
  record(series: Series, value: number): void;
  points(series: Series): MetricPoint[];
  latest(series: Series): MetricPoint | undefined;
  average(series: Series, windowSeconds: number): number | undefined;
}

/** Metadata shared by all series of one metric name. */
export interface FamilyInfo {
  readonly name: string;
  readonly type: MetricType;
  readonly store: SeriesStore;
  readonly bounds: ClassicBuckets | null;
  help: string;
  unit: string;
}

// Parsed label objects are cached weakly, so a series pays for one only while someone holds it.
const parsedLabels = new WeakMap<Series, Labels>();

/** The label object of a canonical label key, cached per series. */
export function labelsOf(s: Series): Labels {
  let labels = parsedLabels.get(s);
  if (labels === undefined) {
    labels = parseLabelKey(s.key);
    parsedLabels.set(s, labels);
  }
  return labels;
}

/**
 * A live series. Its numbers live in `data` at `o` (a shared chunk slot, or a private array with its history, see slab.ts);
 * `o` is -1 once the series is removed, which tells handles and caches to re-resolve.
 * `key` is the canonical escaped label text, also used verbatim in exposition.
 */
export class Series implements MetricSeries {
  constructor(
    readonly family: FamilyInfo,
    readonly key: string,
    public data: Float64Array,
    public o: number,
  ) {}

  get name(): string {
    return this.family.name;
  }

  get metricType(): MetricType {
    return this.family.type;
  }

  get labels(): Labels {
    return labelsOf(this);
  }

  get points(): MetricPoint[] {
    return this.family.store.points(this);
  }

  get removed(): boolean {
    return this.o < 0;
  }

  addPoint(value: number): void {
    this.family.store.record(this, value);
  }

  getLatest(): MetricPoint | undefined {
    return this.family.store.latest(this);
  }

  getAverage(windowSeconds: number): number | undefined {
    return this.family.store.average(this, windowSeconds);
  }
}

/**
 * A histogram or timer series: a sketch for statistics plus exact classic bucket counts for
 * exposition, read with classicCounts() (part of them is read off the sketch, see classicCounts.ts).
 */
export class HistogramSeries extends Series implements OutsideAddListener {
  /** The latest exemplar per classic bucket, once one was recorded under a sampled span. */
  ex: ExemplarSlots | undefined = undefined;

  constructor(
    family: FamilyInfo,
    key: string,
    data: Float64Array,
    o: number,
    readonly sketch: LogHistogram,
    readonly bounds: ClassicBuckets,
    /** The classic counts not read off the sketch's buckets (see classicCounts.ts). */
    readonly classicEager: Float64Array,
  ) {
    super(family, key, data, o);
    sketch.positive.outsideListener = this;
  }

  afterOutsideAdd(index: number, oldCounts: Uint32Array | Float64Array, oldOffset: number): void {
    afterOutsideAdd(this, index, oldCounts, oldOffset);
  }
}
