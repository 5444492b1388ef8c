import type { GaugeHandle } from '../handles';
import type { MetricsCollector } from '../MetricsCollector';
import { braces, constantDefaults, defaultsFor, valueText, type RenderContext } from './internal/format';
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
import { now, secondsSince } from './internal/stopwatch';
import { invalidValueError, isObject } from './validation';

export interface GaugeConfiguration<T extends string> extends MetricConfiguration<T> {
  collect?: CollectFunction<Gauge<T>>;
}

interface GaugeEntry extends SeriesEntry {
  readonly handle: GaugeHandle;
  /** NaN or ±Infinity: prom-client accepts them in a gauge; the collector keeps finite values only. */
  special: number | undefined;
  child: Gauge.Internal<string> | undefined;
}

const EMPTY: Readonly<Record<string, unknown>> = Object.freeze({});

function valueOf(entry: GaugeEntry): number {
  return entry.special ?? entry.handle.value ?? 0;
}

function write(entry: GaugeEntry, value: number): void {
  if (Number.isFinite(value)) {
    entry.handle.set(value);
    entry.special = undefined;
  } else entry.special = value;
  entry.touched = true;
}

/** A prom-client `Gauge` whose values live in an @obs MetricsCollector. */
export class Gauge<T extends string = string> extends Metric<T, GaugeEntry> {
  readonly type = 'gauge' as const;
  private readonly store: MetricsCollector;

  constructor(config: GaugeConfiguration<T>) {
    super(config);
    this.store = createStore(config.maxSeries ?? 100_000);
    this.reset();
    this.register();
  }

  set(labels: LabelValues<T>, value: number): void;
  set(value: number): void;
  set(labelsOrValue: LabelValues<T> | number, value?: number): void {
    let labels: object = EMPTY;
    let v: unknown = labelsOrValue;
    if (isObject(labelsOrValue)) {
      labels = labelsOrValue;
      v = value;
    }
    if (typeof v !== 'number') throw invalidValueError(v);
    const entry = this.entryFor(labels);
    if (entry !== undefined) write(entry, v);
  }

  inc(labels: LabelValues<T>, value?: number): void;
  inc(value?: number): void;
  inc(labelsOrValue?: LabelValues<T> | number, value?: number): void {
    this.add(labelsOrValue, value, 1);
  }

  dec(labels: LabelValues<T>, value?: number): void;
  dec(value?: number): void;
  dec(labelsOrValue?: LabelValues<T> | number, value?: number): void {
    this.add(labelsOrValue, value, -1);
  }

  /** Sets the gauge to the current Unix time in seconds. */
  setToCurrentTime(labels?: LabelValues<T>): void {
    if (labels === undefined) this.set(Date.now() / 1000);
    else this.set(labels, Date.now() / 1000);
  }

  /** Starts a timer; the returned function sets the gauge to the elapsed seconds (and returns them). */
  startTimer(labels?: LabelValues<T>): (labels?: LabelValues<T>) => number {
    const start = now();
    return (endLabels?: LabelValues<T>) => {
      const seconds = secondsSince(start);
      this.set(Object.assign({}, labels, endLabels), seconds);
      return seconds;
    };
  }

  labels(...values: string[]): Gauge.Internal<T>;
  labels(labels: LabelValues<T>): Gauge.Internal<T>;
  labels(...args: unknown[]): Gauge.Internal<T> {
    const entry = this.entryForArgs(args);
    if (entry === undefined) {
      const drop = () => void this.table.dropped++;
      return { inc: drop, dec: drop, set: drop, setToCurrentTime: drop, startTimer: () => () => 0 };
    }
    const live = () => this.live(entry);
    const delta = (value: number | undefined, sign: 1 | -1) => {
      const current = live();
      if (current !== undefined) this.applyDelta(current, value === undefined ? 1 : value, sign);
    };
    return (entry.child ??= {
      inc: (value?: number) => delta(value, 1),
      dec: (value?: number) => delta(value, -1),
      set: (value: number) => {
        if (typeof value !== 'number') throw invalidValueError(value);
        const current = live();
        if (current !== undefined) write(current, value);
      },
      setToCurrentTime: () => {
        const current = live();
        if (current !== undefined) write(current, Date.now() / 1000);
      },
      startTimer: () => {
        const start = now();
        return (endLabels?: LabelValues<string>) => {
          const seconds = secondsSince(start);
          if (endLabels === undefined) {
            const current = live();
            if (current !== undefined) write(current, seconds);
          } else this.set({ ...entry.labels, ...endLabels } as LabelValues<T>, seconds);
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

  reset(): void {
    this.table.clear();
    this.store.clear();
    if (this.labelNames.length === 0) write(this.table.get(EMPTY)!, 0);
  }

  async get(): Promise<MetricObjectWithValues<MetricValue<T>>> {
    await this.runCollect();
    const values: MetricValue<T>[] = [];
    for (const entry of this.table.entries()) {
      if (entry.touched) values.push({ value: valueOf(entry), labels: { ...entry.labels } as LabelValues<T> });
    }
    return { help: this.help, name: this.name, type: this.type, values, aggregator: this.aggregator };
  }

  /** @internal prom-client's private value reader (used by some of its users' tests). */
  _getValue(labels?: LabelValues<T>): number {
    const entry = this.table.find(labels ?? EMPTY);
    return entry === undefined ? 0 : valueOf(entry);
  }

  /** @internal */
  renderText(ctx: RenderContext): string {
    const lines = [this.header(ctx.openMetrics)];
    const constant = constantDefaults(ctx.defaults, this.labelNames);
    for (const entry of this.table.entries()) {
      if (!entry.touched) continue;
      lines.push(
        this.name +
          braces(entry.text, constant ?? defaultsFor(ctx.defaults, entry.labels)) +
          ' ' +
          valueText(valueOf(entry), ctx.openMetrics),
      );
    }
    return lines.join('\n');
  }

  protected createEntry(labels: Record<string, unknown>, key: string, text: string): GaugeEntry {
    return {
      labels,
      key,
      text,
      removed: false,
      touched: false,
      handle: this.store.gauge(STORE_NAME, stringLabels(labels)),
      special: undefined,
      child: undefined,
    };
  }

  private add(labelsOrValue: LabelValues<T> | number | undefined, value: number | undefined, sign: 1 | -1): void {
    let labels: object = EMPTY;
    let v: unknown = labelsOrValue;
    if (isObject(labelsOrValue)) {
      labels = labelsOrValue;
      v = value;
    }
    if (v === undefined) v = 1;
    // The delta is checked before the labels, as prom-client does.
    if (typeof v !== 'number') throw invalidValueError(v, 'Delta');
    const entry = this.entryFor(labels);
    if (entry !== undefined) this.applyDelta(entry, v, sign);
  }

  private applyDelta(entry: GaugeEntry, value: unknown, sign: 1 | -1): void {
    if (typeof value !== 'number') throw invalidValueError(value, 'Delta');
    write(entry, valueOf(entry) + sign * value);
  }
}

// prom-client's types name the child types `Counter.Internal` etc.; a namespace merged with the class keeps those names.
// eslint-disable-next-line @typescript-eslint/no-namespace
export declare namespace Gauge {
  interface Internal<T extends string> {
    inc(value?: number): void;
    dec(value?: number): void;
    set(value: number): void;
    setToCurrentTime(): void;
    startTimer(): (labels?: LabelValues<T>) => number;
  }
}
