import { MetricsCollector } from '../MetricsCollector';
import type { Aggregator } from './aggregators';
import { escapeText, type RenderContext } from './internal/format';
import { SeriesTable, type SeriesEntry } from './internal/SeriesTable';
import {
  globalRegistry,
  type OpenMetricsContentType,
  type PrometheusContentType,
  type Registry,
  OPENMETRICS_CONTENT_TYPE,
} from './Registry';
import { isObject, labelCountError, unknownLabelError, validateLabelNames, validateMetricName } from './validation';

/** Label values by label name; numbers are accepted as prom-client does. */
export type LabelValues<T extends string> = Partial<Record<T, string | number>>;

export type CollectFunction<T> = (this: T) => void | Promise<void>;

export type MetricTypeName = 'counter' | 'gauge' | 'histogram' | 'summary';

/** Options shared by every metric (prom-client's `MetricConfiguration`). */
export interface MetricConfiguration<T extends string> {
  name: string;
  help: string;
  labelNames?: T[] | readonly T[];
  registers?: (Registry<PrometheusContentType> | Registry<OpenMetricsContentType>)[];
  aggregator?: Aggregator;
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  collect?: CollectFunction<any>;
  enableExemplars?: boolean;
  /**
   * @obs extension: label sets kept per metric (default 100 000). Past it, recordings with
   * new label sets are dropped and counted in `droppedLabelSets`; prom-client has no limit.
   */
  maxSeries?: number;
}

/** One value of `get()`. */
export interface MetricValue<T extends string> {
  value: number;
  labels: LabelValues<T>;
}

export interface MetricValueWithName<T extends string> extends MetricValue<T> {
  metricName?: string;
}

export interface MetricObjectWithValues<V> {
  name: string;
  help: string;
  type: MetricTypeName;
  aggregator: Aggregator;
  values: V[];
}

export const DEFAULT_MAX_SERIES = 100_000;
/** The one metric name used inside each metric's private collector. */
export const STORE_NAME = 'value';

/**
 * prom-client's model has no time: the store's retention steps and write times are never
 * read, so it gets a clock that always says 0. No clock read per recording (a clock read
 * costs more than the recording itself) and no coarse-clock timer in the background.
 */
const TIMELESS = Object.freeze({ now: () => 0 });

/** Numbers of a metric live in a private MetricsCollector; exposition names and labels are the metric's own. */
export function createStore(maxSeries: number, buckets?: readonly number[]): MetricsCollector {
  return new MetricsCollector({
    clock: TIMELESS,
    maxSeriesPerMetric: maxSeries + 1,
    // Retention history is not part of prom-client's model: one hour-long step keeps it empty.
    metricsRetentionHours: 1,
    retentionStepSeconds: 3600,
    // The metric's own label table resolves label sets to bound handles; the collector's cache would be a second copy.
    labelCacheSize: 0,
    ...(buckets ? { histogramBuckets: buckets } : {}),
  });
}

/** Label values as strings, the collector's form. */
export function stringLabels(labels: Readonly<Record<string, unknown>>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const name in labels) out[name] = String(labels[name]);
  return out;
}

/**
 * What every prom-client metric shares: configuration checks with prom-client's
 * messages, registration, and the label table that resolves label objects and
 * positional label values to series.
 */
export abstract class Metric<T extends string, E extends SeriesEntry> {
  readonly name: string;
  readonly help: string;
  readonly labelNames: readonly T[];
  readonly registers: (Registry<PrometheusContentType> | Registry<OpenMetricsContentType>)[];
  readonly aggregator: Aggregator;
  readonly enableExemplars: boolean;
  collect?: CollectFunction<this>;
  abstract readonly type: MetricTypeName;

  protected readonly table: SeriesTable<E>;
  /** Label names as a prototype-free set, for a cheap check of each recording's labels. */
  private readonly labelSet: Record<string, true>;

  constructor(config: MetricConfiguration<T>, reserved?: string) {
    if (!isObject(config)) throw new TypeError('constructor expected a config object');
    const { name, help, labelNames = [], aggregator = 'sum', collect, enableExemplars = false } = config;
    if (!help) throw new Error('Missing mandatory help parameter');
    if (!name) throw new Error('Missing mandatory name parameter');
    if (typeof name !== 'string' || !validateMetricName(name)) throw new Error('Invalid metric name');
    if (!Array.isArray(labelNames) || !validateLabelNames(labelNames)) throw new Error('Invalid label name');
    if (collect && typeof collect !== 'function') throw new Error('Optional "collect" parameter must be a function');
    if (reserved !== undefined && labelNames.includes(reserved as T))
      throw new Error(`${reserved} is a reserved label keyword`);
    const maxSeries = config.maxSeries ?? DEFAULT_MAX_SERIES;
    if (!Number.isSafeInteger(maxSeries) || maxSeries < 1) throw new TypeError('maxSeries must be a positive integer');
    this.name = name;
    this.help = String(help);
    this.labelNames = [...labelNames];
    this.aggregator = aggregator;
    this.enableExemplars = Boolean(enableExemplars);
    if (collect) this.collect = collect;
    this.registers = config.registers ? [...config.registers] : [globalRegistry];
    this.labelSet = Object.create(null) as Record<string, true>;
    for (const label of this.labelNames) this.labelSet[label] = true;
    this.table = new SeriesTable<E>(this.labelNames, maxSeries, (labels, key, text) =>
      this.createEntry(labels, key, text),
    );
  }

  /** Registers with `registers` (called by subclasses once they are fully built, as prom-client does after reset()). */
  protected register(): void {
    for (const registry of this.registers) {
      if (this.enableExemplars && (registry.contentType as string) !== OPENMETRICS_CONTENT_TYPE) {
        throw new TypeError('Exemplars are supported only on OpenMetrics registries');
      }
      registry.registerMetric(this as never);
    }
  }

  /** Recordings dropped because `maxSeries` label sets already existed (@obs extension). */
  get droppedLabelSets(): number {
    return this.table.dropped;
  }

  abstract reset(): void;

  /**
   * @internal Runs the user's `collect`; returns its promise when it is async (so a
   * registry of synchronous collects renders without a promise per metric).
   */
  runCollect(): void | Promise<void> {
    if (this.collect) {
      const result = this.collect();
      if (result instanceof Promise) return result;
    }
    return undefined;
  }

  private headers: [string | undefined, string | undefined] = [undefined, undefined];

  /** `# HELP` and `# TYPE` lines (no trailing line feed), built once per format. */
  protected header(openMetrics: boolean): string {
    const i = openMetrics ? 1 : 0;
    let text = this.headers[i];
    if (text === undefined) {
      // OpenMetrics names a counter family without its `_total` (as prom-client does).
      const name = escapeText(openMetrics && this.type === 'counter' ? this.name.replace(/_total$/, '') : this.name);
      text = this.headers[i] = `# HELP ${name} ${escapeText(this.help)}\n# TYPE ${name} ${this.type}`;
    }
    return text;
  }

  /** @internal The metric's exposition text (without a trailing line feed), after `runCollect()`. */
  abstract renderText(ctx: RenderContext): string;

  protected abstract createEntry(labels: Record<string, unknown>, key: string, text: string): E;

  /** Throws prom-client's error for a label outside `labelNames`. */
  protected check(labels: object): Readonly<Record<string, unknown>> {
    const set = this.labelSet;
    for (const label in labels) if (set[label] !== true) throw unknownLabelError(label, this.labelNames);
    return labels as Readonly<Record<string, unknown>>;
  }

  /** The entry for a label object, checked against `labelNames` (prom-client's error otherwise). */
  protected entryFor(labels: object): E | undefined {
    return this.table.getChecked(labels as Readonly<Record<string, unknown>>, this.validator);
  }

  private readonly validator = (labels: object): void => void this.check(labels);

  /** The entry for `labels(...)`/`remove(...)` arguments: one label object or the values in `labelNames` order. */
  protected entryForArgs(args: readonly unknown[]): E | undefined {
    if (typeof args[0] === 'object') return this.entryFor(args[0] ?? {});
    if (args.length !== this.labelNames.length) throw labelCountError(args, this.labelNames);
    return this.table.getPositional(args);
  }

  protected removeArgs(args: readonly unknown[]): E | undefined {
    let labels: Readonly<Record<string, unknown>>;
    if (typeof args[0] === 'object') labels = this.check(args[0] ?? {});
    else {
      if (args.length !== this.labelNames.length) throw labelCountError(args, this.labelNames);
      const built: Record<string, unknown> = {};
      this.labelNames.forEach((name, i) => (built[name] = args[i]));
      labels = built;
    }
    return this.table.remove(labels);
  }

  /** A live entry for a (possibly removed) entry's labels: children keep working after remove() and reset(). */
  protected live(entry: E): E | undefined {
    return entry.removed ? this.table.get(entry.labels) : entry;
  }
}
