import type {
  Attributes,
  BatchObservableCallback,
  Counter,
  Gauge,
  Histogram,
  Meter,
  MeterOptions,
  MeterProvider,
  MetricOptions,
  Observable,
  ObservableCallback,
  ObservableCounter,
  ObservableGauge,
  ObservableResult,
  ObservableUpDownCounter,
  UpDownCounter,
} from '@opentelemetry/api';
import type { GaugeHandle, MetricsCollector } from '@obs/metrics';
import { labelName, prometheusName } from './prometheusName';

/** Options of {@link ObsMeterProvider}. */
export interface ObsMeterProviderConfig {
  /**
   * How often observable instruments' callbacks run, ms (an unref'd timer;
   * 0: only when {@link ObsMeterProvider.collect} is called). Default 10000.
   */
  readonly collectIntervalMs?: number;
}

/** OpenTelemetry's default explicit histogram boundaries (used when an instrument gives no advice). */
const DEFAULT_BOUNDARIES = [0, 5, 10, 25, 50, 75, 100, 250, 500, 750, 1000, 2500, 5000, 7500, 10000];
/** Label sets remembered per instrument for up/down and observable state; past it, new sets are dropped (counted). */
const MAX_SERIES_STATE = 2000;
const MAX_LABELS = 64;

type Kind = 'counter' | 'gauge' | 'histogram';

/** Counters of what the bridge could not record. */
export interface ObsMeterStats {
  /** Recordings dropped: invalid value, a name @obs refused, a type conflict, or too many label sets. */
  readonly droppedRecordings: number;
  /** Observable callbacks that threw or rejected. */
  readonly callbackErrors: number;
}

/**
 * The shared state of a provider's meters: the collector, the drop
 * counters, and the observable callbacks to run on each collection.
 */
class MeterState {
  droppedRecordings = 0;
  callbackErrors = 0;
  readonly callbacks = new Set<() => unknown>();
  constructor(readonly metrics: MetricsCollector) {}

  /** Runs a recording into @obs; anything it throws becomes a counted drop. */
  safely(record: () => void): void {
    try {
      record();
    } catch {
      this.droppedRecordings++;
    }
  }
}

/** OpenTelemetry attributes as @obs labels (names sanitized, values as strings; non-strings JSON, as the OTel Prometheus exporter). */
function toLabels(attributes: Attributes | undefined): Record<string, string> | undefined {
  if (attributes === undefined || attributes === null || typeof attributes !== 'object') return undefined;
  let out: Record<string, string> | undefined;
  let count = 0;
  for (const key in attributes) {
    const value = attributes[key];
    if (value === undefined || value === null) continue;
    if (++count > MAX_LABELS) break;
    const name = labelName(key);
    if (name === '' || name === '_') continue;
    (out ??= {})[name] = typeof value === 'string' ? value : JSON.stringify(value);
  }
  return out;
}

function labelKey(labels: Record<string, string> | undefined): string {
  if (labels === undefined) return '';
  const keys = Object.keys(labels).sort();
  let key = '';
  for (const k of keys) key += k + '\u0000' + labels[k] + '\u0001';
  return key;
}

/** Resolves an instrument's @obs name once and describes it; '' (every recording dropped) when @obs refuses it. */
function register(state: MeterState, name: string, options: MetricOptions | undefined, kind: Kind): string {
  const promName = prometheusName(typeof name === 'string' ? name : '', options?.unit, kind);
  if (promName === '') return '';
  try {
    const buckets =
      kind === 'histogram' ? (options?.advice?.explicitBucketBoundaries ?? DEFAULT_BOUNDARIES) : undefined;
    state.metrics.describe(promName, {
      ...(options?.description ? { help: options.description } : {}),
      ...(buckets ? { buckets } : {}),
    });
    return promName;
  } catch {
    // A metric of that name with another type or other buckets: record anyway if the type fits.
    return promName;
  }
}

class ObsCounter implements Counter {
  constructor(
    private readonly state: MeterState,
    private readonly name: string,
  ) {}
  add(value: number, attributes?: Attributes): void {
    // OpenTelemetry drops negative increments of a monotonic counter.
    if (this.name === '' || typeof value !== 'number' || !(value >= 0) || value === Infinity) {
      this.state.droppedRecordings++;
      return;
    }
    this.state.safely(() => this.state.metrics.increment(this.name, value, toLabels(attributes)));
  }
}

class ObsUpDownCounter implements UpDownCounter {
  private readonly handles = new Map<string, GaugeHandle>();
  constructor(
    private readonly state: MeterState,
    private readonly name: string,
  ) {}
  add(value: number, attributes?: Attributes): void {
    if (this.name === '' || typeof value !== 'number' || !Number.isFinite(value)) {
      this.state.droppedRecordings++;
      return;
    }
    this.state.safely(() => {
      const labels = toLabels(attributes);
      const key = labelKey(labels);
      let handle = this.handles.get(key);
      if (handle === undefined) {
        if (this.handles.size >= MAX_SERIES_STATE) throw new Error('too many label sets');
        handle = this.state.metrics.gauge(this.name, labels);
        if (handle.value === undefined) handle.set(0);
        this.handles.set(key, handle);
      }
      handle.inc(value);
    });
  }
}

class ObsHistogram implements Histogram {
  constructor(
    private readonly state: MeterState,
    private readonly name: string,
  ) {}
  record(value: number, attributes?: Attributes): void {
    if (this.name === '' || typeof value !== 'number' || !Number.isFinite(value)) {
      this.state.droppedRecordings++;
      return;
    }
    this.state.safely(() => this.state.metrics.histogram(this.name, value, toLabels(attributes)));
  }
}

class ObsGauge implements Gauge {
  constructor(
    private readonly state: MeterState,
    private readonly name: string,
  ) {}
  record(value: number, attributes?: Attributes): void {
    if (this.name === '' || typeof value !== 'number' || !Number.isFinite(value)) {
      this.state.droppedRecordings++;
      return;
    }
    this.state.safely(() => this.state.metrics.gauge(this.name, value, toLabels(attributes)));
  }
}

/**
 * An observable instrument: callbacks report current values when the
 * provider collects. Gauges and up/down counters set the @obs gauge; an
 * observable counter reports a running total, so the @obs counter is
 * advanced by the difference (a smaller total is a reset, as in Prometheus,
 * and counts from zero).
 */
class ObsObservable implements ObservableCounter, ObservableGauge, ObservableUpDownCounter {
  private readonly callbacks = new Set<ObservableCallback>();
  private readonly lastTotals = new Map<string, number>();

  constructor(
    private readonly state: MeterState,
    readonly name: string,
    private readonly monotonic: boolean,
  ) {}

  addCallback(callback: ObservableCallback): void {
    if (typeof callback === 'function') this.callbacks.add(callback);
  }

  removeCallback(callback: ObservableCallback): void {
    this.callbacks.delete(callback);
  }

  /** Runs the callbacks once; returns their promises (already guarded). */
  collect(): Promise<unknown>[] {
    const pending: Promise<unknown>[] = [];
    for (const callback of this.callbacks) {
      const result = this.resultFor();
      try {
        const out = callback(result);
        if (out !== null && typeof out === 'object' && typeof (out as Promise<void>).then === 'function') {
          pending.push(Promise.resolve(out).catch(() => this.state.callbackErrors++));
        }
      } catch {
        this.state.callbackErrors++;
      }
    }
    return pending;
  }

  resultFor(): ObservableResult {
    return { observe: (value: number, attributes?: Attributes) => this.observe(value, attributes) };
  }

  observe(value: number, attributes?: Attributes): void {
    if (this.name === '' || typeof value !== 'number' || !Number.isFinite(value)) {
      this.state.droppedRecordings++;
      return;
    }
    const labels = toLabels(attributes);
    this.state.safely(() => {
      if (!this.monotonic) {
        this.state.metrics.gauge(this.name, value, labels);
        return;
      }
      if (value < 0) throw new Error('negative total');
      const key = labelKey(labels);
      const last = this.lastTotals.get(key);
      if (last === undefined && this.lastTotals.size >= MAX_SERIES_STATE) throw new Error('too many label sets');
      const delta = last === undefined || value < last ? value : value - last;
      this.lastTotals.set(key, value);
      this.state.metrics.increment(this.name, delta, labels);
    });
  }
}

class ObsMeter implements Meter {
  constructor(
    private readonly state: MeterState,
    private readonly observables: Set<ObsObservable>,
    private readonly batches: Map<BatchObservableCallback, Set<Observable>>,
  ) {}

  createCounter(name: string, options?: MetricOptions): Counter {
    return new ObsCounter(this.state, register(this.state, name, options, 'counter'));
  }

  createUpDownCounter(name: string, options?: MetricOptions): UpDownCounter {
    return new ObsUpDownCounter(this.state, register(this.state, name, options, 'gauge'));
  }

  createHistogram(name: string, options?: MetricOptions): Histogram {
    return new ObsHistogram(this.state, register(this.state, name, options, 'histogram'));
  }

  createGauge(name: string, options?: MetricOptions): Gauge {
    return new ObsGauge(this.state, register(this.state, name, options, 'gauge'));
  }

  createObservableGauge(name: string, options?: MetricOptions): ObservableGauge {
    return this.observable(name, options, false);
  }

  createObservableCounter(name: string, options?: MetricOptions): ObservableCounter {
    return this.observable(name, options, true);
  }

  createObservableUpDownCounter(name: string, options?: MetricOptions): ObservableUpDownCounter {
    return this.observable(name, options, false);
  }

  addBatchObservableCallback(callback: BatchObservableCallback, observables: Observable[]): void {
    if (typeof callback !== 'function' || !Array.isArray(observables)) return;
    const set = this.batches.get(callback) ?? new Set<Observable>();
    for (const o of observables) set.add(o);
    this.batches.set(callback, set);
  }

  removeBatchObservableCallback(callback: BatchObservableCallback, observables: Observable[]): void {
    const set = this.batches.get(callback);
    if (set === undefined) return;
    if (Array.isArray(observables)) for (const o of observables) set.delete(o);
    if (set.size === 0) this.batches.delete(callback);
  }

  private observable(name: string, options: MetricOptions | undefined, monotonic: boolean): ObsObservable {
    const instrument = new ObsObservable(
      this.state,
      register(this.state, name, options, monotonic ? 'counter' : 'gauge'),
      monotonic,
    );
    this.observables.add(instrument);
    return instrument;
  }
}

/**
 * An OpenTelemetry MeterProvider recording into an @obs/metrics
 * MetricsCollector, so OpenTelemetry instruments (yours and the
 * instrumentation libraries') appear on `/metrics` with the names the
 * OpenTelemetry Prometheus mapping gives them (see {@link prometheusName}).
 * Counter → counter, UpDownCounter and Gauge → gauge, Histogram →
 * histogram with the instrument's advised bucket boundaries (OpenTelemetry's
 * defaults otherwise). Attributes become labels (values as strings). A
 * recording @obs refuses (bad value, a type conflict, the series limit) is
 * dropped and counted, never thrown.
 */
export class ObsMeterProvider implements MeterProvider {
  private readonly state: MeterState;
  private readonly meters = new Map<string, ObsMeter>();
  private readonly observables = new Set<ObsObservable>();
  private readonly batches = new Map<BatchObservableCallback, Set<Observable>>();
  private timer: ReturnType<typeof setInterval> | undefined;
  private closed = false;

  constructor(
    readonly metrics: MetricsCollector,
    config: ObsMeterProviderConfig = {},
  ) {
    this.state = new MeterState(metrics);
    const interval = config?.collectIntervalMs ?? 10_000;
    if (typeof interval !== 'number' || !Number.isFinite(interval) || interval < 0)
      throw new TypeError(`collectIntervalMs must be a non-negative number, got ${String(interval)}`);
    if (interval > 0) {
      this.timer = setInterval(() => void this.collect(), interval);
      this.timer.unref?.();
    }
  }

  getMeter(name: string, version?: string, _options?: MeterOptions): Meter {
    const key = `${String(name)}@${String(version ?? '')}`;
    let meter = this.meters.get(key);
    if (meter === undefined) {
      meter = new ObsMeter(this.state, this.observables, this.batches);
      if (this.meters.size < 256) this.meters.set(key, meter);
    }
    return meter;
  }

  /** Runs every observable callback now (also batch callbacks); resolves when async ones have settled. */
  async collect(): Promise<void> {
    if (this.closed) return;
    const pending: Promise<unknown>[] = [];
    for (const instrument of this.observables) pending.push(...instrument.collect());
    for (const [callback, observables] of this.batches) {
      const result = {
        observe: (observable: Observable, value: number, attributes?: Attributes) => {
          if (observable instanceof ObsObservable && observables.has(observable)) observable.observe(value, attributes);
          else this.state.droppedRecordings++;
        },
      };
      try {
        const out = callback(result);
        if (out !== null && typeof out === 'object' && typeof (out as Promise<void>).then === 'function') {
          pending.push(Promise.resolve(out).catch(() => this.state.callbackErrors++));
        }
      } catch {
        this.state.callbackErrors++;
      }
    }
    await Promise.all(pending);
  }

  stats(): ObsMeterStats {
    return { droppedRecordings: this.state.droppedRecordings, callbackErrors: this.state.callbackErrors };
  }

  /** Stops the collection timer; later collections do nothing. */
  async shutdown(): Promise<void> {
    this.closed = true;
    if (this.timer !== undefined) clearInterval(this.timer);
    this.timer = undefined;
  }
}
