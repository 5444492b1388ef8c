import { describeValue, type Labels } from '@obs/core';
import { InvalidValueError, MetricTypeConflictError } from '../errors';
import type { CollectedFamily, CollectedMetrics, CollectedSeries, Exemplar } from '../MetricsProducer';
import { MetricType } from '../MetricType';
import { validateMetricName } from '../names';
import { LogHistogram } from '../sketch/LogHistogram';
import { ClassicBuckets } from './ClassicBuckets';
import { parseLabelKey } from './labelText';
import type { MetricFamily } from './MetricFamily';
import { ExemplarSlots, isKeepableExemplar, mergeExemplars } from './exemplars';
import type { HistogramSeries } from './Series';
import type { SeriesRegistry } from './SeriesRegistry';
import { VALUE } from './slab';
import { addCounter, addGauge, mergeHistogram, setGauge } from './storage';
import { isHistogramType, normalizeFor } from './validate';

/** How merged gauge values combine with the value already there. */
export type GaugeMergePolicy = 'last' | 'sum' | 'min' | 'max';

export interface MergeOptions {
  /**
   * How gauges combine (default `'last'`: the merged value replaces the current one),
   * for all gauges or per metric name.
   */
  readonly gauges?: GaugeMergePolicy | ((name: string) => GaugeMergePolicy);
}

const POLICIES = new Set<string>(['last', 'sum', 'min', 'max']);
const TYPES = new Set<string>([MetricType.COUNTER, MetricType.GAUGE, MetricType.HISTOGRAM, MetricType.TIMER]);

/** A validated series ready to apply. */
interface Planned {
  readonly labels: Labels;
  readonly value?: number;
  readonly sketch?: LogHistogram;
  readonly counts?: readonly number[];
  /** Exemplars with trace ids, per slot (others dropped). */
  readonly exemplars?: readonly (Exemplar | undefined)[];
}

/** The keepable exemplars of a collected series, or undefined when it has none. */
function plannedExemplars(name: string, s: CollectedSeries, slots: number): (Exemplar | undefined)[] | undefined {
  const list: unknown = s.exemplars;
  if (list === undefined || list === null) return undefined;
  if (!Array.isArray(list) || list.length > slots)
    fail(`metric ${name}: exemplars must be an array of at most ${slots} entries`);
  const kept = list.map((ex: unknown) => (isKeepableExemplar(ex) ? ex : undefined));
  return kept.some((ex) => ex !== undefined) ? kept : undefined;
}

function fail(message: string): never {
  throw new InvalidValueError(`mergeFrom: ${message}`);
}

function labelsOfCollected(name: string, s: CollectedSeries, type: MetricType): Labels {
  const raw: unknown = s.labels ?? (typeof s.labelText === 'string' ? parseLabelKey(s.labelText) : undefined);
  if (raw === undefined) fail(`metric ${name}: a series has neither labels nor labelText`);
  return normalizeFor(raw, type);
}

function planFamily(
  registry: SeriesRegistry,
  f: CollectedFamily,
): { family: CollectedFamily; bounds: ClassicBuckets | null; series: Planned[] } {
  if (typeof f !== 'object' || f === null) fail('each family must be an object');
  const name = validateMetricName(f.name);
  if (typeof f.type !== 'string' || !TYPES.has(f.type))
    fail(`metric ${name}: unsupported type ${describeValue(f.type)}`);
  const existing = registry.families.get(name);
  if (existing !== undefined && existing.type !== f.type)
    throw new MetricTypeConflictError(`metric ${name} is a ${existing.type}, not a ${f.type}`);
  const histogram = isHistogramType(f.type);
  let bounds: ClassicBuckets | null = null;
  if (histogram) {
    bounds =
      f.bounds === undefined ? (existing?.bounds ?? registry.limits.defaultBuckets) : new ClassicBuckets(f.bounds);
    if (existing?.bounds && !existing.bounds.sameBounds(bounds)) {
      throw new MetricTypeConflictError(`metric ${name} already exists with other bucket bounds`);
    }
  }
  if (!Array.isArray(f.series)) fail(`metric ${name}: series must be an array`);
  const series: Planned[] = [];
  for (const s of f.series as readonly CollectedSeries[]) {
    if (typeof s !== 'object' || s === null) fail(`metric ${name}: each series must be an object`);
    const labels = labelsOfCollected(name, s, f.type);
    if (histogram) {
      let sketch: LogHistogram;
      try {
        sketch = LogHistogram.fromSnapshot(s.histogram, registry.storage.maxSketchBuckets);
      } catch (err) {
        fail(`metric ${name}: ${(err as Error).message}`);
      }
      const counts = s.bucketCounts;
      if (
        !Array.isArray(counts) ||
        counts.length !== bounds!.slots ||
        !counts.every((c) => Number.isSafeInteger(c) && c >= 0)
      ) {
        fail(`metric ${name}: bucketCounts must be ${bounds!.slots} non-negative integers`);
      }
      if (counts.reduce((a: number, b: number) => a + b, 0) !== sketch.count)
        fail(`metric ${name}: bucketCounts do not add up to the histogram count`);
      series.push({ labels, sketch, counts, exemplars: plannedExemplars(name, s, bounds!.slots) });
    } else {
      const v = s.value;
      if (typeof v !== 'number' || !Number.isFinite(v) || (f.type === MetricType.COUNTER && v < 0)) {
        fail(
          `metric ${name}: value must be a finite number${f.type === MetricType.COUNTER ? ' >= 0' : ''}, got ${describeValue(v)}`,
        );
      }
      series.push({
        labels,
        value: v,
        exemplars: f.type === MetricType.COUNTER ? plannedExemplars(name, s, 1) : undefined,
      });
    }
  }
  return { family: f, bounds, series };
}

function familyFor(registry: SeriesRegistry, f: CollectedFamily, bounds: ClassicBuckets | null): MetricFamily {
  const existing = registry.families.get(f.name);
  if (existing !== undefined) {
    if (!existing.help && typeof f.help === 'string') existing.help = f.help;
    return existing;
  }
  if (bounds !== null && f.bounds !== undefined) registry.describe(f.name, { buckets: f.bounds });
  const fam = registry.family(f.name, f.type);
  if (typeof f.help === 'string' && f.help) fam.help = f.help;
  if (typeof f.unit === 'string' && f.unit && /^[a-zA-Z0-9_]{0,64}$/.test(f.unit)) fam.unit = f.unit;
  return fam;
}

/**
 * Adds collected state (another collector's, a worker's) into a registry: counter values
 * are added, histogram sketches and classic buckets merged exactly, gauges combined by
 * policy. Everything is validated before anything changes; the series and metric limits
 * apply as for recording.
 */
export function mergeInto(
  registry: SeriesRegistry,
  collected: CollectedMetrics | readonly CollectedFamily[],
  options: MergeOptions = {},
): void {
  const families = Array.isArray(collected) ? collected : (collected as CollectedMetrics | null)?.families;
  if (!Array.isArray(families)) fail('expected collected metrics ({ families }) or an array of families');
  const policyOption = options.gauges ?? 'last';
  if (typeof policyOption !== 'function' && !POLICIES.has(policyOption))
    fail(`unknown gauge policy ${describeValue(policyOption)}`);
  const plans = (families as readonly CollectedFamily[]).map((f) => planFamily(registry, f));
  const st = registry.storage;
  for (const { family: f, bounds, series } of plans) {
    const fam = familyFor(registry, f, bounds);
    const policy =
      f.type === MetricType.GAUGE ? (typeof policyOption === 'function' ? policyOption(f.name) : policyOption) : 'last';
    if (!POLICIES.has(policy)) fail(`unknown gauge policy ${describeValue(policy)} for ${f.name}`);
    for (const p of series) {
      const labels = registry.limited(fam, p.labels);
      const s = registry.seriesFor(fam, labels, labels);
      if (p.sketch !== undefined) {
        const h = s as HistogramSeries;
        mergeHistogram(st, h, p.sketch, p.counts!);
        if (p.exemplars) mergeExemplars((h.ex ??= new ExemplarSlots(h.bounds.slots)), p.exemplars);
      } else if (f.type === MetricType.COUNTER) {
        addCounter(st, s, p.value!);
        if (p.exemplars) {
          let slots = st.counterExemplars.get(s);
          if (slots === undefined) st.counterExemplars.set(s, (slots = new ExemplarSlots(1)));
          mergeExemplars(slots, p.exemplars);
        }
      } else {
        const current = s.data[s.o + VALUE]!;
        const unset = current !== current;
        if (policy === 'sum') addGauge(st, s, p.value!);
        else if (policy === 'last' || unset || (policy === 'min' ? p.value! < current : p.value! > current))
          setGauge(st, s, p.value!);
      }
    }
  }
}
