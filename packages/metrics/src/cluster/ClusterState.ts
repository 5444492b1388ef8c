import { LogHistogram } from '../sketch/LogHistogram';
import { MetricType } from '../MetricType';
import { labelKey, parseLabelKey } from '../internal/labelText';
import type { CollectedFamily, CollectedMetrics, CollectedSeries, Exemplar } from '../MetricsProducer';
import {
  isHistogramType,
  type IndexLimits,
  type MetricEntry,
  type SeriesEntry,
  type StateIndex,
} from './indexSnapshot';
import { CollectedSeriesData } from '../internal/collect';

/**
 * How the gauges of several workers become one value: `sum`, `min`, `max`, `last`
 * (the value that changed most recently), or `per-worker` (one series per worker,
 * with a `worker` label).
 */
export type GaugePolicy = 'sum' | 'min' | 'max' | 'last' | 'per-worker';

export const GAUGE_POLICIES: readonly GaugePolicy[] = ['sum', 'min', 'max', 'last', 'per-worker'];

/** The latest state of one worker instance (one connectToPrimary() call). */
interface Member {
  readonly workerId: string;
  index: StateIndex;
}

/** Counter totals and histogram contents of series that left: dead workers, removed series, counter resets. */
interface RetiredSeries {
  value: number;
  sketch: LogHistogram | undefined;
  classic: number[] | undefined;
}

interface Definition {
  readonly name: string;
  readonly type: MetricType;
  help: string;
  unit: string;
  readonly buckets: readonly number[] | undefined;
}

interface RetiredMetric extends Definition {
  readonly series: Map<string, RetiredSeries>;
}

/** One metric being merged. */
interface MergeAcc extends Definition {
  readonly policy: GaugePolicy;
  readonly series: Map<string, AccSeries>;
}

interface AccSeries {
  readonly key: string;
  /** The latest exemplar of each slot among the live workers'. */
  exemplars: (Exemplar | undefined)[] | undefined;
  value: number;
  changedAt: number;
  sketch: LogHistogram | undefined;
  classic: number[] | undefined;
}

export interface MergeReport {
  /** Metric definitions skipped because another worker defined the name with another type or other bucket bounds. */
  conflicts: number;
  /** Series left out because a metric reached `maxSeriesPerMetric`. */
  droppedSeries: number;
  /** Histogram series whose sketch could not be merged (its sum would overflow). */
  invalidSketches: number;
}

export interface ClusterStateOptions extends IndexLimits {
  readonly policyOf: (name: string) => GaugePolicy;
  readonly workerLabel: string;
}

function sameDefinition(a: Definition, b: Definition): boolean {
  if (a.type !== b.type) return false;
  if (a.buckets === undefined || b.buckets === undefined) return a.buckets === b.buckets;
  return a.buckets.length === b.buckets.length && a.buckets.every((x, i) => x === b.buckets![i]);
}

/**
 * The primary's model of the cluster: the latest state of each live worker instance,
 * plus everything retired. A merged counter is retired + Σ live, so it never goes
 * backwards: when a worker dies, or a series' counter drops (a reset: a new process,
 * `clear()`, a removed series), its last known total moves to the retired part, as
 * Prometheus' `increase()` would count it.
 */
export class ClusterState {
  private readonly members = new Map<string, Member>();
  private readonly retired = new Map<string, RetiredMetric>();
  private ingests = 0;
  /** Series that could not be retired (limits or conflicting definitions). */
  lostOnRetire = 0;

  constructor(private readonly options: ClusterStateOptions) {}

  get memberCount(): number {
    return this.members.size;
  }

  get retiredSeries(): number {
    let n = 0;
    for (const m of this.retired.values()) n += m.series.size;
    return n;
  }

  has(memberKey: string): boolean {
    return this.members.has(memberKey);
  }

  /** Replaces a member's state; counter and histogram series that went backwards or vanished are retired first. */
  ingest(memberKey: string, workerId: string, index: StateIndex): void {
    // Gauge changes are ordered by when the primary saw them (workers' clocks may tie or disagree).
    const stamp = ++this.ingests;
    for (const metric of index.values()) {
      if (metric.type === MetricType.GAUGE) for (const s of metric.series.values()) s.changedAt = stamp;
    }
    const previous = this.members.get(memberKey);
    if (previous) {
      for (const [name, old] of previous.index) {
        const next = index.get(name);
        const redefined = next !== undefined && !sameDefinition(old, next);
        for (const [key, s] of old.series) {
          const now = redefined ? undefined : next?.series.get(key);
          if (old.type === MetricType.GAUGE) {
            // Carry the change time forward so `last` knows which worker moved most recently.
            if (now && now.value === s.value) now.changedAt = s.changedAt;
            continue;
          }
          const reset = now === undefined || (isHistogramType(old.type) ? now.count < s.count : now.value < s.value);
          if (reset) this.retire(old, key, s);
        }
      }
    }
    this.members.set(memberKey, { workerId, index });
  }

  /** A member left (its worker exited, or it said goodbye): its counters and histograms are kept, its gauges dropped. */
  remove(memberKey: string): void {
    const member = this.members.get(memberKey);
    if (!member) return;
    this.members.delete(memberKey);
    for (const metric of member.index.values()) {
      if (metric.type === MetricType.GAUGE) continue;
      for (const [key, s] of metric.series) this.retire(metric, key, s);
    }
  }

  /** The merged state of the whole cluster, as `collect()` would return it (series carry their label text). */
  merge(now: number): { collected: CollectedMetrics; report: MergeReport } {
    const report: MergeReport = { conflicts: 0, droppedSeries: 0, invalidSketches: 0 };
    const accs = new Map<string, MergeAcc>();
    const accFor = (def: Definition): MergeAcc | undefined => {
      let acc = accs.get(def.name);
      if (!acc) {
        acc = {
          name: def.name,
          type: def.type,
          help: def.help,
          unit: def.unit,
          buckets: def.buckets,
          policy: this.options.policyOf(def.name),
          series: new Map(),
        };
        accs.set(def.name, acc);
        return acc;
      }
      if (!sameDefinition(acc, def)) {
        report.conflicts++;
        return undefined;
      }
      if (!acc.help) acc.help = def.help;
      if (!acc.unit) acc.unit = def.unit;
      return acc;
    };
    const seriesFor = (acc: MergeAcc, key: string): AccSeries | undefined => {
      let s = acc.series.get(key);
      if (s) return s;
      if (acc.series.size >= this.options.maxSeriesPerMetric) {
        report.droppedSeries++;
        return undefined;
      }
      const histogram = isHistogramType(acc.type);
      s = {
        key,
        exemplars: undefined,
        value: acc.type === MetricType.GAUGE ? NaN : 0,
        changedAt: -Infinity,
        sketch: histogram ? new LogHistogram() : undefined,
        classic: histogram ? new Array<number>(acc.buckets!.length + 1).fill(0) : undefined,
      };
      acc.series.set(key, s);
      return s;
    };

    for (const metric of this.retired.values()) {
      const acc = accFor(metric);
      if (!acc) continue;
      for (const [key, r] of metric.series) {
        const s = seriesFor(acc, key);
        if (!s) continue;
        if (r.sketch) {
          s.sketch!.merge(r.sketch);
          for (let i = 0; i < s.classic!.length; i++) s.classic![i]! += r.classic![i]!;
        } else s.value += r.value;
      }
    }

    for (const member of this.members.values()) {
      for (const metric of member.index.values()) {
        const acc = accFor(metric);
        if (!acc) continue;
        if (acc.type === MetricType.GAUGE) {
          this.mergeGauges(acc, metric, member.workerId, seriesFor);
          continue;
        }
        for (const [key, entry] of metric.series) {
          const s = seriesFor(acc, key);
          if (!s) continue;
          if (s.sketch === undefined) s.value += entry.value;
          else if (addSketch(s.sketch, entry)) addSlots(s.classic!, entry);
          else {
            report.invalidSketches++;
            continue;
          }
          if (entry.exemplars !== undefined) s.exemplars = latestExemplars(s.exemplars, entry.exemplars);
        }
      }
    }

    const families: CollectedFamily[] = [];
    for (const acc of accs.values()) {
      const series: CollectedSeries[] = [];
      for (const s of acc.series.values()) {
        if (s.sketch)
          series.push(new CollectedSeriesData(s.key, now, undefined, s.sketch.snapshot(), s.classic, s.exemplars));
        else if (s.value === s.value)
          series.push(new CollectedSeriesData(s.key, now, s.value, undefined, undefined, s.exemplars));
      }
      families.push({
        name: acc.name,
        type: acc.type,
        help: acc.help,
        unit: acc.unit,
        ...(acc.buckets ? { bounds: acc.buckets } : {}),
        series,
      });
    }
    return { collected: { timestamp: now, families }, report };
  }

  private mergeGauges(
    acc: MergeAcc,
    metric: MetricEntry,
    workerId: string,
    seriesFor: (acc: MergeAcc, key: string) => AccSeries | undefined,
  ): void {
    const policy = acc.policy;
    for (const [key, entry] of metric.series) {
      if (policy === 'per-worker') {
        const labels = Object.assign(Object.create(null) as Record<string, string>, parseLabelKey(key), {
          [this.options.workerLabel]: workerId,
        });
        const s = seriesFor(acc, labelKey(labels));
        if (s) s.value = entry.value;
        continue;
      }
      const s = seriesFor(acc, key);
      if (!s) continue;
      const v = entry.value;
      if (s.value !== s.value) {
        s.value = v;
        s.changedAt = entry.changedAt;
      } else if (policy === 'sum') s.value += v;
      else if (policy === 'min') s.value = Math.min(s.value, v);
      else if (policy === 'max') s.value = Math.max(s.value, v);
      else if (entry.changedAt >= s.changedAt) {
        s.value = v;
        s.changedAt = entry.changedAt;
      }
    }
  }

  private retire(def: Definition, key: string, entry: SeriesEntry): void {
    let metric = this.retired.get(def.name);
    if (!metric) {
      if (this.retired.size >= this.options.maxMetrics) {
        this.lostOnRetire++;
        return;
      }
      metric = {
        name: def.name,
        type: def.type,
        help: def.help,
        unit: def.unit,
        buckets: def.buckets,
        series: new Map(),
      };
      this.retired.set(def.name, metric);
    } else if (!sameDefinition(metric, def)) {
      this.lostOnRetire++;
      return;
    }
    const histogram = isHistogramType(def.type);
    let r = metric.series.get(key);
    if (!r) {
      if (metric.series.size >= this.options.maxSeriesPerMetric) {
        this.lostOnRetire++;
        return;
      }
      r = {
        value: 0,
        sketch: histogram ? new LogHistogram() : undefined,
        classic: histogram ? new Array<number>(def.buckets!.length + 1).fill(0) : undefined,
      };
      metric.series.set(key, r);
    }
    if (!histogram) r.value += entry.value;
    else if (addSketch(r.sketch!, entry)) addSlots(r.classic!, entry);
    else this.lostOnRetire++;
  }
}

/** Per slot, the more recent of two exemplar lists' entries. */
function latestExemplars(
  into: (Exemplar | undefined)[] | undefined,
  from: readonly (Exemplar | undefined)[],
): (Exemplar | undefined)[] {
  if (into === undefined) return [...from];
  for (let i = 0; i < from.length; i++) {
    const ex = from[i];
    if (ex !== undefined && (into[i] === undefined || ex.timestamp > into[i]!.timestamp)) into[i] = ex;
  }
  return into;
}

/** Adds a series' classic bucket counts. */
function addSlots(target: number[], entry: SeriesEntry): void {
  const from = entry.classic!;
  const at = entry.classicAt;
  for (let i = 0; i < target.length; i++) target[i]! += from[at + i]!;
}

/**
 * Adds the sketch record of a series (validated when indexed) straight into `target`, with
 * no intermediate sketch. False, changing nothing, when the sum would overflow.
 */
function addSketch(target: LogHistogram, entry: SeriesEntry): boolean {
  const s = entry.sketch!;
  const at = entry.sketchAt;
  const count = s[at]!;
  if (count === 0) return true;
  const sum = target.sum + s[at + 1]!;
  if (!Number.isFinite(sum)) return false;
  target.count += count;
  target.sum = sum;
  if (s[at + 2]! < target.min) target.min = s[at + 2]!;
  if (s[at + 3]! > target.max) target.max = s[at + 3]!;
  target.zeroCount += s[at + 4]!;
  let i = at + 5;
  const offset = s[i]!;
  const length = s[i + 1]!;
  i += 2;
  const store = target.positive;
  for (let j = 0; j < length; j++) {
    const c = s[i + j]!;
    if (c > 0) store.add(offset + j, c);
  }
  i += length;
  const negLength = s[i + 1]!;
  if (negLength > 0) {
    // Negative values are rare in latency data: they go through a sketch of their own (min and max are set above).
    const counts = s.slice(i + 2, i + 2 + negLength);
    const n = counts.reduce((x, y) => x + y, 0);
    const part = LogHistogram.fromSnapshot(
      {
        scale: LogHistogram.scale,
        count: n,
        sum: 0,
        min: target.min,
        max: target.max,
        zeroCount: 0,
        positive: { offset: 0, counts: [] },
        negative: { offset: s[i]!, counts },
      },
      target.maxBuckets,
    );
    target.count -= n;
    target.merge(part);
  }
  return true;
}
