import type { Clock } from '@obs/core';
import { LogHistogram, type MetricPoint, type MetricsCollector, type MetricSeries } from '@obs/metrics';

/** A label filter: every pair must match exactly. */
export type LabelFilter = Readonly<Record<string, string>>;

export interface MetricExplorerLimits {
  /** Most queries watched at once (least recently asked dropped first). Default 16. */
  readonly maxWatches?: number;
  /** Points kept per watched query. Default 300 (five minutes at one per second). */
  readonly historySize?: number;
  /** A watch nobody asked for in this long stops being sampled. Default 120 s. */
  readonly watchTtlMs?: number;
  /** Most series one query reads per sample. Default 1000. */
  readonly maxSeriesPerQuery?: number;
}

/** One metric name in the explorer's list. */
export interface ExplorerMetric {
  readonly name: string;
  readonly type: string;
  /** Series of this name (counted up to 10,000). */
  readonly series: number;
}

/** One point of an explored query: a rate (counters), a value (gauges), or quantiles and a rate (histograms). */
export interface ExplorerPoint {
  readonly ts: number;
  readonly value: number | null;
  readonly p50?: number | null;
  readonly p90?: number | null;
  readonly p99?: number | null;
}

export interface ExplorerQueryResult {
  readonly name: string;
  readonly type: string;
  readonly filter: LabelFilter;
  /** Series that match the filter (up to `maxSeriesPerQuery`). */
  readonly matchedSeries: number;
  /** What `value` is: `rate` (per second, counters and histogram observations), `value` (gauges: the sum over series). */
  readonly valueKind: 'rate' | 'value';
  readonly points: readonly ExplorerPoint[];
}

interface Watch {
  readonly key: string;
  readonly name: string;
  readonly filter: LabelFilter;
  type: string;
  readonly points: ExplorerPoint[];
  lastAskedAt: number;
  lastTotal: number | undefined;
  lastAt: number | undefined;
  /** Histograms: the observations of the current interval. */
  interval: LogHistogram | undefined;
  matched: number;
}

const MAX_LISTED_SERIES = 10_000;

/**
 * The dashboard's metric explorer: lists metric names (searchable, bounded) and
 * follows up to `maxWatches` queries live. A query is a metric name and a label
 * filter; on each dashboard sample it adds one point: the rate of a counter
 * (summed over matching series), the sum of a gauge, or the quantiles of a
 * histogram's observations in that interval (from the hub's point stream, kept
 * in our log-bucket sketch, so they are accurate to 1%). Queries nobody asked
 * for within `watchTtlMs` are dropped, so an abandoned tab costs nothing.
 */
export class MetricExplorer {
  private readonly watches = new Map<string, Watch>();
  private readonly watchedNames = new Map<string, number>();
  private readonly maxWatches: number;
  private readonly historySize: number;
  private readonly watchTtlMs: number;
  private readonly maxSeriesPerQuery: number;

  constructor(
    private readonly metrics: MetricsCollector,
    private readonly clock: Clock,
    limits: MetricExplorerLimits = {},
  ) {
    this.maxWatches = limits.maxWatches ?? 16;
    this.historySize = limits.historySize ?? 300;
    this.watchTtlMs = limits.watchTtlMs ?? 120_000;
    this.maxSeriesPerQuery = limits.maxSeriesPerQuery ?? 1000;
  }

  /** Metric names containing `search` (case-insensitive), sorted, at most `limit`; `total` counts every match. */
  listMetrics(search = '', limit = 50): { total: number; metrics: ExplorerMetric[] } {
    const needle = search.toLowerCase();
    const names = this.metrics
      .listMetrics()
      .filter((n) => n.toLowerCase().includes(needle))
      .sort();
    const metrics = names.slice(0, limit).map((name) => {
      let series = 0;
      let type = 'unknown';
      for (const s of this.metrics.series(name)) {
        type = s.metricType;
        if (++series >= MAX_LISTED_SERIES) break;
      }
      return { name, type, series };
    });
    return { total: names.length, metrics };
  }

  /** Label sets of `name` matching `filter`, at most `limit`; undefined for an unknown metric. */
  listSeries(
    name: string,
    filter: LabelFilter,
    limit = 100,
  ): { total: number; series: Record<string, string>[] } | undefined {
    if (!this.metrics.listMetrics().includes(name)) return undefined;
    const series: Record<string, string>[] = [];
    let total = 0;
    for (const s of this.metrics.series(name)) {
      if (!matches(s.labels, filter)) continue;
      if (++total <= limit) series.push({ ...s.labels });
      if (total >= MAX_LISTED_SERIES) break;
    }
    return { total, series };
  }

  /**
   * The live points of a query, watching it from now on (the first call returns
   * no points yet). Undefined for an unknown metric.
   */
  query(name: string, filter: LabelFilter): ExplorerQueryResult | undefined {
    if (!this.metrics.listMetrics().includes(name)) return undefined;
    const key = name + '\u0000' + JSON.stringify(Object.entries(filter).sort());
    let watch = this.watches.get(key);
    const now = this.clock.now();
    if (watch === undefined) {
      watch = {
        key,
        name,
        filter,
        type: 'unknown',
        points: [],
        lastAskedAt: now,
        lastTotal: undefined,
        lastAt: undefined,
        interval: undefined,
        matched: 0,
      };
      this.evictFor(1);
      this.watches.set(key, watch);
      this.watchedNames.set(name, (this.watchedNames.get(name) ?? 0) + 1);
      this.read(watch, now, false);
    }
    watch.lastAskedAt = now;
    return {
      name,
      type: watch.type,
      filter,
      matchedSeries: watch.matched,
      valueKind: watch.type === 'gauge' ? 'value' : 'rate',
      points: [...watch.points],
    };
  }

  /** Whether points of `name` are wanted (a histogram query watches it); a Map lookup on the point stream. */
  wants(name: string): boolean {
    return this.watchedNames.has(name);
  }

  /** A recorded point from the hub's point stream: histogram observations of watched queries. */
  observe(point: MetricPoint): void {
    if (point.metricType !== 'histogram' && point.metricType !== 'timer') return;
    for (const watch of this.watches.values()) {
      if (watch.name !== point.name || !matches(point.labels, watch.filter)) continue;
      try {
        (watch.interval ??= new LogHistogram()).record(point.value);
      } catch {
        // a value the sketch refuses (non-finite, overflowing sum) is left out of the live quantiles
      }
    }
  }

  /** One sample of every live query (called on the dashboard's sample interval); drops stale ones. */
  sample(): void {
    const now = this.clock.now();
    for (const watch of [...this.watches.values()]) {
      if (now - watch.lastAskedAt > this.watchTtlMs) {
        this.drop(watch);
        continue;
      }
      this.read(watch, now, true);
    }
  }

  /** How many queries are watched now. */
  get size(): number {
    return this.watches.size;
  }

  private read(watch: Watch, now: number, emit: boolean): void {
    let total = 0;
    let matched = 0;
    for (const s of this.metrics.series(watch.name)) {
      if (!matches(s.labels, watch.filter)) continue;
      watch.type = s.metricType;
      total += currentValue(this.metrics, s);
      if (++matched >= this.maxSeriesPerQuery) break;
    }
    watch.matched = matched;
    const seconds = watch.lastAt === undefined ? undefined : Math.max((now - watch.lastAt) / 1000, 1e-3);
    let point: ExplorerPoint | undefined;
    if (watch.type === 'gauge') {
      point = { ts: now, value: matched === 0 ? null : total };
    } else if (seconds !== undefined && watch.lastTotal !== undefined) {
      // A total that went down is a counter reset (or a removed series): count the new total.
      const delta = total >= watch.lastTotal ? total - watch.lastTotal : total;
      point = { ts: now, value: delta / seconds };
      if (watch.type === 'histogram' || watch.type === 'timer') {
        const sketch = watch.interval;
        const [p50, p90, p99] =
          sketch !== undefined && sketch.count > 0 ? sketch.quantiles([0.5, 0.9, 0.99]) : [null, null, null];
        point = { ...point, p50: p50 ?? null, p90: p90 ?? null, p99: p99 ?? null };
      }
    }
    watch.interval = undefined;
    watch.lastTotal = total;
    watch.lastAt = now;
    if (emit && point !== undefined) {
      watch.points.push(point);
      if (watch.points.length > this.historySize) watch.points.splice(0, watch.points.length - this.historySize);
    }
  }

  private evictFor(room: number): void {
    while (this.watches.size + room > this.maxWatches) {
      let oldest: Watch | undefined;
      for (const w of this.watches.values()) if (oldest === undefined || w.lastAskedAt < oldest.lastAskedAt) oldest = w;
      if (oldest === undefined) return;
      this.drop(oldest);
    }
  }

  private drop(watch: Watch): void {
    this.watches.delete(watch.key);
    const n = (this.watchedNames.get(watch.name) ?? 1) - 1;
    if (n <= 0) this.watchedNames.delete(watch.name);
    else this.watchedNames.set(watch.name, n);
  }
}

/** Counters: the total; gauges: the value; histograms: the observation count (its rate is requests/s). */
function currentValue(metrics: MetricsCollector, s: MetricSeries): number {
  switch (s.metricType) {
    case 'counter':
      return metrics.getCounter(s.name, s.labels);
    case 'gauge':
      return metrics.getGauge(s.name, s.labels) ?? 0;
    default:
      return metrics.getHistogramStats(s.name, s.labels).count;
  }
}

function matches(labels: Readonly<Record<string, string>>, filter: LabelFilter): boolean {
  for (const key in filter) {
    if (!Object.prototype.hasOwnProperty.call(labels, key) || labels[key] !== filter[key]) return false;
  }
  return true;
}
