import type { MetricType } from '../MetricType';
import type { ClassicBuckets } from './ClassicBuckets';
import { LabelCache } from './LabelCache';
import type { FamilyInfo, Series, SeriesStore } from './Series';

/** Label text of the series that receives label sets past a metric's series limit. */
export const OVERFLOW_KEY = 'otel_metric_overflow="true"';

/** All series of one metric name. */
export class MetricFamily implements FamilyInfo {
  /** Series by canonical label key, in creation order; the unlabeled series has key ''. Excludes the overflow series. */
  readonly series = new Map<string, Series>();
  unlabeled: Series | undefined = undefined;
  overflow: Series | undefined = undefined;
  readonly cache: LabelCache;
  /** Recordings redirected to the overflow series. */
  droppedLabelSets = 0;
  limitReported = false;
  /** Recordings whose label values were cut to the length limit. */
  truncatedLabelValues = 0;
  truncationReported = false;

  constructor(
    readonly name: string,
    readonly type: MetricType,
    readonly store: SeriesStore,
    readonly bounds: ClassicBuckets | null,
    public help: string,
    public unit: string,
    cacheSize: number,
    /** When the family was created (epoch ms): the start of its cumulative values. */
    readonly createdAt: number,
  ) {
    this.cache = new LabelCache(cacheSize);
  }

  /** Every live series, the overflow series last. */
  *all(): IterableIterator<Series> {
    yield* this.series.values();
    if (this.overflow) yield this.overflow;
  }

  get size(): number {
    return this.series.size + (this.overflow ? 1 : 0);
  }
}
