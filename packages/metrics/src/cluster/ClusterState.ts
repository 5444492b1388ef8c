import { LogHistogram } from '../sketch/LogHistogram';
import { MetricType } from '../MetricType';
import { labelKey } from '../internal/labelText';
import type { MetricSnapshot, MetricsSnapshot, SeriesSnapshot } from '../snapshot';
import {
  isHistogramType,
  type IndexLimits,
  type MetricEntry,
  type SeriesEntry,
  type StateIndex,
} from './indexSnapshot';

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
  readonly labels: Readonly<Record<string, string>>;
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
  readonly labels: Readonly<Record<string, string>>;
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
  /** Histogram series whose sketch was invalid. */
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
  private readonly sketches = new WeakMap<SeriesEntry, LogHistogram | null>();
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

  /** The merged state of the whole cluster. */
  merge(): { snapshot: MetricsSnapshot; report: MergeReport } {
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
    const seriesFor = (acc: MergeAcc, key: string, labels: Readonly<Record<string, string>>): AccSeries | undefined => {
      let s = acc.series.get(key);
      if (s) return s;
      if (acc.series.size >= this.options.maxSeriesPerMetric) {
        report.droppedSeries++;
        return undefined;
      }
      const histogram = isHistogramType(acc.type);
      s = {
        labels,
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
        const s = seriesFor(acc, key, r.labels);
        if (!s) continue;
        if (r.sketch) {
          s.sketch!.merge(r.sketch);
          addInto(s.classic!, r.classic!);
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
          if (isHistogramType(acc.type)) {
            const sketch = this.sketchOf(entry);
            if (!sketch) {
              report.invalidSketches++;
              continue;
            }
            const s = seriesFor(acc, key, entry.labels);
            if (!s) continue;
            s.sketch!.merge(sketch);
            addInto(s.classic!, entry.bucketCounts!);
          } else {
            const s = seriesFor(acc, key, entry.labels);
            if (s) s.value += entry.value;
          }
        }
      }
    }

    const metrics: MetricSnapshot[] = [];
    for (const acc of accs.values()) {
      const series: SeriesSnapshot[] = [];
      for (const s of acc.series.values()) {
        if (s.sketch) series.push({ labels: s.labels, histogram: s.sketch.snapshot(), bucketCounts: s.classic! });
        else if (s.value === s.value) series.push({ labels: s.labels, value: s.value });
      }
      metrics.push({
        name: acc.name,
        type: acc.type,
        help: acc.help,
        unit: acc.unit,
        ...(acc.buckets ? { buckets: acc.buckets } : {}),
        series,
      });
    }
    return { snapshot: { version: 1, metrics }, report };
  }

  private mergeGauges(
    acc: MergeAcc,
    metric: MetricEntry,
    workerId: string,
    seriesFor: (acc: MergeAcc, key: string, labels: Readonly<Record<string, string>>) => AccSeries | undefined,
  ): void {
    const policy = acc.policy;
    for (const [key, entry] of metric.series) {
      if (policy === 'per-worker') {
        const labels = Object.freeze(
          Object.assign(Object.create(null) as Record<string, string>, entry.labels, {
            [this.options.workerLabel]: workerId,
          }),
        );
        const s = seriesFor(acc, labelKey(labels), labels);
        if (s) s.value = entry.value;
        continue;
      }
      const s = seriesFor(acc, key, entry.labels);
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

  /** The parsed sketch of a series (cached per received state); null when invalid. */
  private sketchOf(entry: SeriesEntry): LogHistogram | null {
    let sketch = this.sketches.get(entry);
    if (sketch === undefined) {
      try {
        sketch = LogHistogram.fromSnapshot(entry.histogram);
      } catch {
        sketch = null;
      }
      this.sketches.set(entry, sketch);
    }
    return sketch;
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
        labels: entry.labels,
        value: 0,
        sketch: histogram ? new LogHistogram() : undefined,
        classic: histogram ? new Array<number>(def.buckets!.length + 1).fill(0) : undefined,
      };
      metric.series.set(key, r);
    }
    if (histogram) {
      const sketch = this.sketchOf(entry);
      if (!sketch) {
        this.lostOnRetire++;
        return;
      }
      r.sketch!.merge(sketch);
      addInto(r.classic!, entry.bucketCounts!);
    } else r.value += entry.value;
  }
}

function addInto(target: number[], add: readonly number[]): void {
  for (let i = 0; i < target.length; i++) target[i]! += add[i]!;
}
