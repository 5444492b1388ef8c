import type { CounterHandle } from '../handles';
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
  type MetricValue,
} from './Metric';
import { invalidValueError, isObject } from './validation';

export interface CounterConfiguration<T extends string> extends MetricConfiguration<T> {
  collect?: CollectFunction<Counter<T>>;
}

export interface IncreaseDataWithExemplar<T extends string> {
  value?: number;
  labels?: LabelValues<T>;
  /** Any label names (prom-client types them as the metric's own, which rejects `trace_id`). */
  exemplarLabels?: LabelValues<string>;
}

interface CounterEntry extends SeriesEntry {
  readonly handle: CounterHandle;
  exemplar: Exemplar | undefined;
  child: Counter.Internal | undefined;
}

const EMPTY: Readonly<Record<string, unknown>> = Object.freeze({});

function checkIncrement(value: unknown): number {
  if (value === undefined || value === null) return 1;
  if (typeof value !== 'number' || !Number.isFinite(value)) throw invalidValueError(value);
  if (value < 0) throw new Error('It is not possible to decrease a counter');
  return value;
}

/** A prom-client `Counter` whose totals live in an @obs MetricsCollector. */
export class Counter<T extends string = string> extends Metric<T, CounterEntry> {
  readonly type = 'counter' as const;
  private readonly store: MetricsCollector;

  constructor(config: CounterConfiguration<T>) {
    super(config);
    this.store = createStore(config.maxSeries ?? 100_000);
    this.reset();
    this.register();
  }

  /** Adds `value` (default 1); with `enableExemplars`, takes `{ labels, value, exemplarLabels }`. */
  inc(labels: LabelValues<T>, value?: number): void;
  inc(value?: number): void;
  inc(incData: IncreaseDataWithExemplar<T>): void;
  inc(labelsOrValue?: LabelValues<T> | IncreaseDataWithExemplar<T> | number, value?: number): void {
    if (this.enableExemplars) {
      this.incWithExemplar(isObject(labelsOrValue) ? (labelsOrValue as IncreaseDataWithExemplar<T>) : {});
      return;
    }
    let labels: object = EMPTY;
    if (typeof labelsOrValue === 'object' && labelsOrValue !== null) labels = labelsOrValue;
    else value = labelsOrValue as number | undefined;
    // Labels are checked before the value, as prom-client does.
    const entry = this.entryFor(labels);
    const amount = checkIncrement(value);
    if (entry !== undefined) {
      entry.handle.inc(amount);
      entry.touched = true;
    }
  }

  private incWithExemplar({
    labels = EMPTY as LabelValues<T>,
    value = 1,
    exemplarLabels,
  }: IncreaseDataWithExemplar<T>): void {
    const entry = this.entryFor(labels);
    const amount = checkIncrement(value);
    if (entry === undefined) return;
    entry.handle.inc(amount);
    entry.touched = true;
    if (exemplarLabels !== undefined && Object.keys(exemplarLabels).length > 0)
      entry.exemplar = createExemplar(exemplarLabels, amount || 1);
  }

  labels(...values: string[]): Counter.Internal;
  labels(labels: LabelValues<T>): Counter.Internal;
  labels(...args: unknown[]): Counter.Internal {
    const entry = this.entryForArgs(args);
    if (entry === undefined) return { inc: () => void this.table.dropped++ };
    return (entry.child ??= {
      inc: (value?: number) => {
        const amount = checkIncrement(value);
        const current = this.live(entry);
        if (current !== undefined) {
          current.handle.inc(amount);
          current.touched = true;
        }
      },
    });
  }

  remove(...values: string[]): void;
  remove(labels: LabelValues<T>): void;
  remove(...args: unknown[]): void {
    const entry = this.removeArgs(args);
    if (entry !== undefined) this.store.removeSeries(STORE_NAME, stringLabels(entry.labels));
  }

  reset(): void {
    this.table.clear();
    this.store.clear();
    if (this.labelNames.length === 0) this.table.get(EMPTY)!.touched = true;
  }

  async get(): Promise<MetricObjectWithValues<MetricValue<T>>> {
    await this.runCollect();
    const values: MetricValue<T>[] = [];
    for (const entry of this.table.entries()) {
      if (!entry.touched) continue;
      const value: MetricValue<T> & { exemplar?: Exemplar } = {
        value: entry.handle.value,
        labels: { ...entry.labels } as LabelValues<T>,
      };
      if (entry.exemplar) value.exemplar = entry.exemplar;
      values.push(value);
    }
    return { help: this.help, name: this.name, type: this.type, values, aggregator: this.aggregator };
  }

  /** @internal */
  renderText(ctx: RenderContext): string {
    const name = ctx.openMetrics ? this.name.replace(/_total$/, '') : this.name;
    const sample = ctx.openMetrics ? name + '_total' : name;
    const lines = [this.header(ctx.openMetrics)];
    const constant = constantDefaults(ctx.defaults, this.labelNames);
    for (const entry of this.table.entries()) {
      if (!entry.touched) continue;
      const defaults = constant ?? defaultsFor(ctx.defaults, entry.labels);
      let line = sample + braces(entry.text, defaults) + ' ' + valueText(entry.handle.value);
      if (ctx.openMetrics && entry.exemplar) line += exemplarText(entry.exemplar);
      lines.push(line);
    }
    return lines.join('\n');
  }

  protected createEntry(labels: Record<string, unknown>, key: string, text: string): CounterEntry {
    return {
      labels,
      key,
      text,
      removed: false,
      touched: false,
      handle: this.store.counter(STORE_NAME, stringLabels(labels)),
      exemplar: undefined,
      child: undefined,
    };
  }
}

// prom-client's types name the child types `Counter.Internal` etc.; a namespace merged with the class keeps those names.
// eslint-disable-next-line @typescript-eslint/no-namespace
export declare namespace Counter {
  interface Internal {
    inc(value?: number): void;
  }
}
