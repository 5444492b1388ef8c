import type { HistogramHandle } from '../handles';
import { classicCounts } from '../internal/classicCounts';
import { HistogramSeries } from '../internal/Series';
import type { MetricsCollector } from '../MetricsCollector';
import {
  braces,
  constantDefaults,
  createExemplar,
  defaultsFor,
  exemplarText,
  valueText,
  type Exemplar,
  type RenderContext,
} from './internal/format';
import type { SeriesEntry } from './internal/SeriesTable';
import {
  Metric,
  STORE_NAME,
  createStore,
  stringLabels,
  type CollectFunction,
  type LabelValues,
  type MetricConfiguration,
  type MetricObjectWithValues,
  type MetricValueWithName,
} from './Metric';
import { now, secondsSince } from './internal/stopwatch';
import { invalidValueError, isObject } from './validation';

export const DEFAULT_BUCKETS: readonly number[] = Object.freeze([
  0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10,
]);

export interface HistogramConfiguration<T extends string> extends MetricConfiguration<T> {
  buckets?: number[];
  collect?: CollectFunction<Histogram<T>>;
}

export interface ObserveDataWithExemplar<T extends string> {
  value: number;
  labels?: LabelValues<T>;
  /** Any label names (prom-client types them as the metric's own, which rejects `trace_id`). */
  exemplarLabels?: LabelValues<string>;
}

interface HistogramEntry extends SeriesEntry {
  readonly handle: HistogramHandle;
  /** The collector series, read for exposition: exact classic bucket counts, sum and count. */
  readonly series: HistogramSeries;
  /** One per bucket, +Inf last (only with enableExemplars). */
  exemplars: (Exemplar | null)[] | undefined;
  child: Histogram.Internal<string> | undefined;
}

const EMPTY: Readonly<Record<string, unknown>> = Object.freeze({});

function checkValue(value: unknown): number {
  if (typeof value !== 'number' || !Number.isFinite(value)) throw invalidValueError(value);
  return value;
}

/**
 * A prom-client `Histogram`: exact cumulative buckets with `_sum` and `_count`, kept by an
 * @obs MetricsCollector beside a log-bucket sketch (so any quantile is also known within 1%).
 */
export class Histogram<T extends string = string> extends Metric<T, HistogramEntry> {
  readonly type = 'histogram' as const;
  readonly buckets: readonly number[];
  private readonly store: MetricsCollector;
  private readonly leText: string[];

  constructor(config: HistogramConfiguration<T>) {
    super(config, 'le');
    const buckets = config.buckets ?? DEFAULT_BUCKETS;
    if (!Array.isArray(buckets) || buckets.some((b) => typeof b !== 'number' || !Number.isFinite(b))) {
      throw new TypeError('buckets must be an array of finite numbers');
    }
    // prom-client takes bounds as given; sorted and deduplicated they count the same values.
    this.buckets = Object.freeze([...new Set(buckets)].sort((a, b) => a - b));
    this.leText = this.buckets.map((b) => `le="${b}"`);
    this.leText.push('le="+Inf"');
    this.store = createStore(config.maxSeries ?? 100_000, this.buckets);
    if (this.labelNames.length === 0) this.table.get(EMPTY)!.touched = true;
    this.register();
  }

  /** Observes a value; with `enableExemplars`, takes `{ labels, value, exemplarLabels }`. */
  observe(value: number): void;
  observe(labels: LabelValues<T>, value: number): void;
  observe(observeData: ObserveDataWithExemplar<T>): void;
  observe(labelsOrValue: LabelValues<T> | ObserveDataWithExemplar<T> | number, value?: number): void {
    if (this.enableExemplars) {
      const data = (isObject(labelsOrValue) ? labelsOrValue : {}) as ObserveDataWithExemplar<T>;
      this.record(data.labels ?? EMPTY, data.value, data.exemplarLabels);
      return;
    }
    // prom-client reads a falsy first argument other than 0 (NaN, undefined…) as "no labels".
    const first = labelsOrValue === 0 ? 0 : labelsOrValue || EMPTY;
    if (typeof first === 'object') this.record(first, value, undefined);
    else this.record(EMPTY, first, undefined);
  }

  /** Starts a timer; the returned function observes the elapsed seconds (and returns them). */
  startTimer(
    labels?: LabelValues<T>,
    exemplarLabels?: LabelValues<T>,
  ): (labels?: LabelValues<T>, exemplarLabels?: LabelValues<T>) => number {
    const start = now();
    return (endLabels?: LabelValues<T>, endExemplarLabels?: LabelValues<T>) => {
      const seconds = secondsSince(start);
      const all = endLabels === undefined ? (labels ?? EMPTY) : { ...labels, ...endLabels };
      const exemplar = this.enableExemplars ? { ...exemplarLabels, ...endExemplarLabels } : undefined;
      this.record(all, seconds, exemplar);
      return seconds;
    };
  }

  /** Creates the series for `labels` with zero counts. */
  zero(labels: LabelValues<T>): void {
    const entry = this.entryFor(labels ?? EMPTY);
    if (entry !== undefined) entry.touched = true;
  }

  labels(...values: string[]): Histogram.Internal<T>;
  labels(labels: LabelValues<T>): Histogram.Internal<T>;
  labels(...args: unknown[]): Histogram.Internal<T> {
    const entry = this.entryForArgs(args);
    if (entry === undefined) return { observe: () => void this.table.dropped++, startTimer: () => () => 0 };
    const observe = (value: number) => {
      const v = checkValue(value);
      const current = this.live(entry);
      if (current !== undefined) {
        current.handle.observe(v);
        current.touched = true;
      }
      return v;
    };
    return (entry.child ??= {
      observe,
      startTimer: () => {
        const start = now();
        return (endLabels?: LabelValues<string>) => {
          const seconds = secondsSince(start);
          if (endLabels === undefined) observe(seconds);
          else this.record({ ...entry.labels, ...endLabels }, seconds, undefined);
          return seconds;
        };
      },
    });
  }

  remove(...values: string[]): void;
  remove(labels: LabelValues<T>): void;
  remove(...args: unknown[]): void {
    const entry = this.removeArgs(args);
    if (entry !== undefined) this.store.removeSeries(STORE_NAME, stringLabels(entry.labels));
  }

  /** Removes every series (as prom-client does, the unlabeled one too until the next observation). */
  reset(): void {
    this.table.clear();
    this.store?.clear();
  }

  async get(): Promise<MetricObjectWithValues<MetricValueWithName<T>>> {
    await this.runCollect();
    const values: MetricValueWithName<T>[] = [];
    const bucketName = `${this.name}_bucket`;
    for (const entry of this.table.entries()) {
      if (!entry.touched) continue;
      const counts = classicCounts(entry.series);
      let cumulative = 0;
      for (let i = 0; i < counts.length; i++) {
        cumulative += counts[i]!;
        const le = i < this.buckets.length ? this.buckets[i]! : '+Inf';
        values.push({
          value: cumulative,
          metricName: bucketName,
          exemplar: entry.exemplars?.[i] ?? null,
          labels: { le, ...entry.labels },
        } as MetricValueWithName<T>);
      }
      values.push({
        value: entry.series.sketch.sum,
        metricName: `${this.name}_sum`,
        labels: { ...entry.labels } as LabelValues<T>,
      });
      values.push({
        value: entry.series.sketch.count,
        metricName: `${this.name}_count`,
        labels: { ...entry.labels } as LabelValues<T>,
      });
    }
    return { name: this.name, help: this.help, type: this.type, values, aggregator: this.aggregator };
  }

  /** @internal */
  renderText(ctx: RenderContext): string {
    const name = this.name;
    const parts = [this.header(ctx.openMetrics)];
    const constant = constantDefaults(ctx.defaults, this.labelNames);
    const le = this.leText;
    for (const entry of this.table.entries()) {
      if (!entry.touched) continue;
      const defaults = constant ?? defaultsFor(ctx.defaults, entry.labels);
      // prom-client's order: le, then default labels, then the series' own labels.
      const rest = braces(defaults, entry.text);
      const tail = rest === '' ? '} ' : ',' + rest.slice(1, -1) + '} ';
      const counts = classicCounts(entry.series);
      let cumulative = 0;
      let out = '';
      for (let i = 0; i < counts.length; i++) {
        cumulative += counts[i]!;
        out += name + '_bucket{' + le[i] + tail + cumulative;
        if (ctx.openMetrics && entry.exemplars?.[i]) out += exemplarText(entry.exemplars[i]);
        out += '\n';
      }
      out += name + '_sum' + rest + ' ' + valueText(entry.series.sketch.sum) + '\n';
      out += name + '_count' + rest + ' ' + entry.series.sketch.count;
      parts.push(out);
    }
    return parts.join('\n');
  }

  protected createEntry(labels: Record<string, unknown>, key: string, text: string): HistogramEntry {
    const normalized = stringLabels(labels);
    const handle = this.store.histogram(STORE_NAME, normalized);
    const series = this.store.getMetric(STORE_NAME, normalized) as HistogramSeries;
    return {
      labels,
      key,
      text,
      removed: false,
      touched: false,
      handle,
      series,
      exemplars: undefined,
      child: undefined,
    };
  }

  private record(labels: object, value: unknown, exemplarLabels: Record<string, unknown> | undefined): void {
    const entry = this.entryFor(labels);
    const v = checkValue(value);
    if (entry === undefined) return;
    entry.handle.observe(v);
    entry.touched = true;
    if (exemplarLabels !== undefined && Object.keys(exemplarLabels).length > 0) {
      const slot = this.bucketSlot(v);
      (entry.exemplars ??= new Array<Exemplar | null>(this.buckets.length + 1).fill(null))[slot] = createExemplar(
        exemplarLabels,
        v,
      );
    }
  }

  private bucketSlot(value: number): number {
    let i = 0;
    while (i < this.buckets.length && this.buckets[i]! < value) i++;
    return i;
  }
}

// prom-client's types name the child types `Counter.Internal` etc.; a namespace merged with the class keeps those names.
// eslint-disable-next-line @typescript-eslint/no-namespace
export declare namespace Histogram {
  interface Internal<T extends string> {
    observe(value: number): void;
    startTimer(): (labels?: LabelValues<T>) => number;
  }
  interface Config {
    buckets?: number[];
  }
}
