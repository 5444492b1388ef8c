import { SlidingWindowSketch } from '../sketch/SlidingWindowSketch';
import { braces, constantDefaults, defaultsFor, valueText, type RenderContext } from './internal/format';
import type { SeriesEntry } from './internal/SeriesTable';
import {
  Metric,
  type CollectFunction,
  type LabelValues,
  type MetricConfiguration,
  type MetricObjectWithValues,
  type MetricValueWithName,
} from './Metric';
import { now, secondsSince } from './internal/stopwatch';
import { invalidValueError } from './validation';

export const DEFAULT_PERCENTILES: readonly number[] = Object.freeze([0.01, 0.05, 0.5, 0.9, 0.95, 0.99, 0.999]);

export interface SummaryConfiguration<T extends string> extends MetricConfiguration<T> {
  percentiles?: number[];
  maxAgeSeconds?: number;
  ageBuckets?: number;
  pruneAgedBuckets?: boolean;
  /** Accepted for compatibility; the sketch needs no compression. */
  compressCount?: number;
  collect?: CollectFunction<Summary<T>>;
}

interface SummaryEntry extends SeriesEntry {
  readonly window: SlidingWindowSketch;
  count: number;
  sum: number;
  child: Summary.Internal<string> | undefined;
}

const EMPTY: Readonly<Record<string, unknown>> = Object.freeze({});

/**
 * A prom-client `Summary`: quantiles over prom-client's sliding time window
 * (`maxAgeSeconds` split in `ageBuckets`), computed on log-bucket sketches (within 1%
 * relative error, bounded memory) instead of t-digests; `_sum` and `_count` are exact
 * totals since the start.
 */
export class Summary<T extends string = string> extends Metric<T, SummaryEntry> {
  readonly type = 'summary' as const;
  readonly percentiles: readonly number[];
  readonly maxAgeSeconds: number | undefined;
  readonly ageBuckets: number | undefined;
  readonly pruneAgedBuckets: boolean;
  private readonly quantileText: string[];

  constructor(config: SummaryConfiguration<T>) {
    super(config, 'quantile');
    const percentiles = config.percentiles ?? DEFAULT_PERCENTILES;
    if (!Array.isArray(percentiles) || percentiles.some((p) => typeof p !== 'number' || !(p >= 0 && p <= 1))) {
      throw new TypeError('percentiles must be an array of numbers between 0 and 1');
    }
    this.percentiles = Object.freeze([...percentiles]);
    this.quantileText = this.percentiles.map((p) => `quantile="${p}"`);
    this.maxAgeSeconds = config.maxAgeSeconds;
    this.ageBuckets = config.ageBuckets;
    this.pruneAgedBuckets = Boolean(config.pruneAgedBuckets);
    if (this.labelNames.length === 0) this.table.get(EMPTY)!.touched = true;
    this.register();
  }

  observe(value: number): void;
  observe(labels: LabelValues<T>, value: number): void;
  observe(labelsOrValue: LabelValues<T> | number, value?: number): void {
    // prom-client reads a falsy first argument other than 0 (NaN, undefined…) as "no labels".
    const first = labelsOrValue === 0 ? 0 : labelsOrValue || EMPTY;
    // As prom-client, the first argument's keys are checked even when it is the value ('a' fails on label "0").
    if (typeof first === 'string') this.check(first as unknown as object);
    if (value === undefined) this.record(EMPTY, first);
    else this.record(first as object, value);
  }

  /** Starts a timer; the returned function observes the elapsed seconds (and returns them). */
  startTimer(labels?: LabelValues<T>): (labels?: LabelValues<T>) => number {
    const start = now();
    return (endLabels?: LabelValues<T>) => {
      const seconds = secondsSince(start);
      this.record(endLabels === undefined ? (labels ?? EMPTY) : { ...labels, ...endLabels }, seconds);
      return seconds;
    };
  }

  labels(...values: string[]): Summary.Internal<T>;
  labels(labels: LabelValues<T>): Summary.Internal<T>;
  labels(...args: unknown[]): Summary.Internal<T> {
    const entry = this.entryForArgs(args);
    if (entry === undefined) return { observe: () => void this.table.dropped++, startTimer: () => () => 0 };
    const observe = (value: number) => {
      const current = this.live(entry);
      if (current !== undefined) add(current, value);
    };
    return (entry.child ??= {
      observe,
      startTimer: () => {
        const start = now();
        return (endLabels?: LabelValues<string>) => {
          const seconds = secondsSince(start);
          if (endLabels === undefined) observe(seconds);
          else this.record({ ...entry.labels, ...endLabels }, seconds);
          return seconds;
        };
      },
    });
  }

  remove(...values: string[]): void;
  remove(labels: LabelValues<T>): void;
  remove(...args: unknown[]): void {
    this.removeArgs(args);
  }

  /** Empties every series' window, sum and count (the series stay, as in prom-client). */
  reset(): void {
    for (const entry of this.table.entries()) {
      entry.window.reset();
      entry.count = 0;
      entry.sum = 0;
    }
  }

  async get(): Promise<MetricObjectWithValues<MetricValueWithName<T>>> {
    await this.runCollect();
    const values: MetricValueWithName<T>[] = [];
    for (const entry of this.liveEntries()) {
      const qs = entry.window.quantiles(this.percentiles);
      this.percentiles.forEach((quantile, i) =>
        values.push({ labels: { quantile, ...entry.labels } as LabelValues<T>, value: qs[i] || 0 }),
      );
      values.push({ metricName: `${this.name}_sum`, labels: { ...entry.labels } as LabelValues<T>, value: entry.sum });
      values.push({
        metricName: `${this.name}_count`,
        labels: { ...entry.labels } as LabelValues<T>,
        value: entry.count,
      });
    }
    return { name: this.name, help: this.help, type: this.type, values, aggregator: this.aggregator };
  }

  /** @internal */
  renderText(ctx: RenderContext): string {
    const name = this.name;
    const lines = [this.header(ctx.openMetrics)];
    const constant = constantDefaults(ctx.defaults, this.labelNames);
    for (const entry of this.liveEntries()) {
      const defaults = constant ?? defaultsFor(ctx.defaults, entry.labels);
      const qs = entry.window.quantiles(this.percentiles);
      for (let i = 0; i < qs.length; i++)
        lines.push(name + braces(this.quantileText[i]!, entry.text, defaults) + ' ' + valueText(qs[i] || 0));
      const labels = braces(entry.text, defaults);
      lines.push(`${name}_sum${labels} ${valueText(entry.sum)}`, `${name}_count${labels} ${entry.count}`);
    }
    return lines.join('\n');
  }

  protected createEntry(labels: Record<string, unknown>, key: string, text: string): SummaryEntry {
    const window = new SlidingWindowSketch(this.maxAgeSeconds, this.ageBuckets);
    return { labels, key, text, removed: false, touched: false, window, count: 0, sum: 0, child: undefined };
  }

  private record(labels: object, value: unknown): void {
    const entry = this.entryFor(labels);
    if (typeof value !== 'number' || !Number.isFinite(value)) throw invalidValueError(value);
    if (entry !== undefined) add(entry, value);
  }

  /** Touched series; with `pruneAgedBuckets`, series whose window is empty are removed first. */
  private *liveEntries(): IterableIterator<SummaryEntry> {
    for (const entry of [...this.table.entries()]) {
      if (!entry.touched) continue;
      if (this.pruneAgedBuckets && entry.window.size() === 0) {
        this.table.remove(entry.labels);
        continue;
      }
      yield entry;
    }
  }
}

function add(entry: SummaryEntry, value: number): void {
  if (typeof value !== 'number' || !Number.isFinite(value)) throw invalidValueError(value);
  entry.window.record(value);
  entry.count++;
  entry.sum += value;
  entry.touched = true;
}

// prom-client's types name the child types `Counter.Internal` etc.; a namespace merged with the class keeps those names.
// eslint-disable-next-line @typescript-eslint/no-namespace
export declare namespace Summary {
  interface Internal<T extends string> {
    observe(value: number): void;
    startTimer(): (labels?: LabelValues<T>) => number;
  }
  interface Config {
    percentiles?: number[];
  }
}
