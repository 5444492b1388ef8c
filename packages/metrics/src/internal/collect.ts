import type { Labels } from '@obs/core';
import type {
  CollectedFamily,
  CollectedHistogram,
  CollectedMetrics,
  CollectedSeries,
  Exemplar,
} from '../MetricsProducer';
import { parseLabelKey } from './labelText';
import { classicCounts } from './classicCounts';
import type { MetricFamily } from './MetricFamily';
import { HistogramSeries, type Series } from './Series';
import type { SeriesRegistry } from './SeriesRegistry';
import { LAST_TS, VALUE } from './slab';
import { syncExtremes, type SeriesStorage } from './storage';

/**
 * A collected series, of a collector or of the cluster's merged view. Plain data fields,
 * except `labels`, which is parsed from the label text on first read (most readers, such as
 * exposition, only need the text); `toJSON()` includes it, so JSON carries the labels too.
 */
export class CollectedSeriesData implements CollectedSeries {
  private parsed: Labels | undefined = undefined;

  constructor(
    readonly labelText: string,
    readonly timestamp: number,
    readonly value: number | undefined,
    readonly histogram: CollectedHistogram | undefined,
    readonly bucketCounts: readonly number[] | undefined,
    readonly exemplars: readonly (Exemplar | undefined)[] | undefined,
  ) {}

  get labels(): Labels {
    return (this.parsed ??= parseLabelKey(this.labelText));
  }

  toJSON(): CollectedSeries {
    const out: { -readonly [K in keyof CollectedSeries]: CollectedSeries[K] } = {
      labels: this.labels,
      labelText: this.labelText,
      timestamp: this.timestamp,
    };
    if (this.value !== undefined) out.value = this.value;
    if (this.histogram !== undefined) out.histogram = this.histogram;
    if (this.bucketCounts !== undefined) out.bucketCounts = this.bucketCounts;
    if (this.exemplars !== undefined) out.exemplars = this.exemplars;
    return out;
  }
}

/** A plain array copy of classic bucket slots (Array.from goes through the iterator: several times slower). */
function plainArray(classic: Float64Array): number[] {
  const out = new Array<number>(classic.length).fill(0);
  for (let j = 0; j < classic.length; j++) out[j] = classic[j]!;
  return out;
}

/** The collected form of one series, or undefined for a gauge that was never set. */
export function collectSeries(st: SeriesStorage, s: Series): CollectedSeries | undefined {
  const d = s.data;
  const o = s.o;
  if (s instanceof HistogramSeries) {
    return new CollectedSeriesData(
      s.key,
      d[o + LAST_TS]!,
      undefined,
      syncExtremes(s).snapshot(),
      plainArray(classicCounts(s)),
      s.ex?.collect(),
    );
  }
  const value = d[o + VALUE]!;
  if (value !== value) return undefined;
  const ex = st.counterExemplars.size === 0 ? undefined : st.counterExemplars.get(s)?.collect();
  return new CollectedSeriesData(s.key, d[o + LAST_TS]!, value, undefined, undefined, ex);
}

export function collectFamily(fam: MetricFamily, series: CollectedSeries[]): CollectedFamily {
  const out: { -readonly [K in keyof CollectedFamily]: CollectedFamily[K] } = {
    name: fam.name,
    type: fam.type,
    help: fam.help,
    unit: fam.unit,
    startTimestamp: fam.createdAt,
    droppedLabelSets: fam.droppedLabelSets,
    series,
  };
  if (fam.bounds !== null) out.bounds = Array.from(fam.bounds.bounds);
  return out;
}

function pushSeries(st: SeriesStorage, fam: MetricFamily, into: CollectedSeries[]): void {
  for (const s of fam.series.values()) {
    const c = collectSeries(st, s);
    if (c !== undefined) into.push(c);
  }
  if (fam.overflow !== undefined) {
    const c = collectSeries(st, fam.overflow);
    if (c !== undefined) into.push(c);
  }
}

/** Everything in the registry, or the metrics `names`, as a copy (stale series are expired first). */
export function collectAll(registry: SeriesRegistry, names?: readonly string[]): CollectedMetrics {
  const now = registry.storage.exactNow();
  registry.maybeSweep(now);
  const families: CollectedFamily[] = [];
  const chosen =
    names === undefined
      ? registry.families.values()
      : names.map((n) => registry.families.get(n)).filter((f): f is MetricFamily => f !== undefined);
  for (const fam of chosen) {
    const series: CollectedSeries[] = [];
    pushSeries(registry.storage, fam, series);
    families.push(collectFamily(fam, series));
  }
  return { timestamp: now, families };
}

const yieldToEventLoop = (): Promise<void> =>
  new Promise((resolve) => (typeof setImmediate === 'function' ? setImmediate(resolve) : setTimeout(resolve, 0)));

/**
 * Every family in consecutive parts of at most `batchSize` series, yielding to the event
 * loop whenever a slice has run `sliceMs`. Each part is built just before it is handed
 * out, so a consumer that renders and drops it keeps only one part alive: on very large
 * registries the copies die young instead of filling the heap. Series removed meanwhile
 * are skipped.
 */
export async function* collectBatches(
  registry: SeriesRegistry,
  sliceMs: number,
  batchSize: number,
): AsyncGenerator<CollectedFamily, void, undefined> {
  registry.maybeSweep(registry.storage.exactNow());
  let sliceStart = performance.now();
  for (const fam of [...registry.families.values()]) {
    const all = [...fam.series.values()];
    if (fam.overflow !== undefined) all.push(fam.overflow);
    let i = 0;
    do {
      const series: CollectedSeries[] = [];
      const end = Math.min(all.length, i + batchSize);
      for (; i < end; i++) {
        const s = all[i]!;
        if (s.o < 0) continue;
        const c = collectSeries(registry.storage, s);
        if (c !== undefined) series.push(c);
      }
      yield collectFamily(fam, series);
      if (performance.now() - sliceStart > sliceMs) {
        await yieldToEventLoop();
        sliceStart = performance.now();
      }
    } while (i < all.length);
  }
}
