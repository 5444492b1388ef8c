import type { Labels } from '@obs/core';
import type { MetricPoint } from '../MetricPoint';
import type { MetricSeries } from '../MetricSeries';
import type { MetricType } from '../MetricType';
import type { LogHistogram } from '../sketch/LogHistogram';
import type { ClassicBuckets } from './ClassicBuckets';
import { parseLabelKey } from './labelText';

/** What a series needs from its collector (kept as an interface to avoid an import cycle). */
export interface SeriesOwner {
  recordOn(series: Series, value: number): void;
  pointsOf(series: Series): MetricPoint[];
  latestOf(series: Series): MetricPoint | undefined;
  averageOf(series: Series, windowSeconds: number): number | undefined;
}

/** Metadata shared by all series of one metric name. */
export interface FamilyInfo {
  readonly name: string;
  readonly type: MetricType;
  readonly owner: SeriesOwner;
  readonly bounds: ClassicBuckets | null;
  help: string;
  unit: string;
}

// Parsed label objects are cached weakly, so a series pays for one only while someone holds it.
const parsedLabels = new WeakMap<Series, Labels>();

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
    let labels = parsedLabels.get(this);
    if (labels === undefined) {
      labels = parseLabelKey(this.key);
      parsedLabels.set(this, labels);
    }
    return labels;
  }

  get points(): MetricPoint[] {
    return this.family.owner.pointsOf(this);
  }

  get removed(): boolean {
    return this.o < 0;
  }

  addPoint(value: number): void {
    this.family.owner.recordOn(this, value);
  }

  getLatest(): MetricPoint | undefined {
    return this.family.owner.latestOf(this);
  }

  getAverage(windowSeconds: number): number | undefined {
    return this.family.owner.averageOf(this, windowSeconds);
  }
}

/** A histogram or timer series: a sketch for statistics plus exact classic bucket counts for exposition. */
export class HistogramSeries extends Series {
  constructor(
    family: FamilyInfo,
    key: string,
    data: Float64Array,
    o: number,
    readonly sketch: LogHistogram,
    readonly bounds: ClassicBuckets,
    readonly classic: Float64Array,
  ) {
    super(family, key, data, o);
  }
}
