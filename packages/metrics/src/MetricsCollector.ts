import {
  EventBus,
  POSITIVE_INTEGER,
  POSITIVE_NUMBER,
  describeValue,
  optionalNumber,
  systemClock,
  type Clock,
  type Labels,
} from '@obs/core';
import { Observable } from 'rxjs';
import { InvalidConfigError, InvalidValueError } from './errors';
import type { MetricsEvent } from './events';
import type { CounterHandle, GaugeHandle, HistogramHandle } from './handles';
import type { MetricPoint } from './MetricPoint';
import type { HistogramStats, MetricSeries } from './MetricSeries';
import type { CollectedFamily, CollectedMetrics, MetricsProducer } from './MetricsProducer';
import { MetricType } from './MetricType';
import { validateMetricName } from './names';
import { Observables, type ObservableCallback, type ObservableOptions } from './observables';
import { DEFAULT_MAX_SKETCH_BUCKETS, type LogHistogram } from './sketch/LogHistogram';
import { restoreInto, snapshotOf, type MetricsSnapshot } from './snapshot';
import { ClassicBuckets, DEFAULT_LATENCY_BUCKETS_MS } from './internal/ClassicBuckets';
import { coarseClock, startCoarseClock } from './internal/coarseClock';
import { collectAll, collectBatches } from './internal/collect';
import type { ExemplarSource } from './internal/exemplars';
import { mergeInto, type MergeOptions } from './internal/merge';
import { PointQueue } from './internal/PointQueue';
import { HistogramSeries, type Series } from './internal/Series';
import { SeriesRegistry, type MetricDescription } from './internal/SeriesRegistry';
import { VALUE } from './internal/slab';
import {
  SeriesStorage,
  addCounter,
  addGauge,
  observe,
  pointOf,
  rateOf,
  setGauge,
  syncExtremes,
} from './internal/storage';
import { badValue, checkWindow, invalidConfig } from './internal/validate';

export type { MetricDescription } from './internal/SeriesRegistry';
export type { GaugeMergePolicy, MergeOptions } from './internal/merge';
export type { ExemplarContext, ExemplarSource } from './internal/exemplars';

export interface MetricsCollectorConfig {
  /** How long retention aggregates are kept (default 24). */
  readonly metricsRetentionHours?: number;
  /** Width of one retention step, the resolution of `getAverage`, `points` and `getRate` (default 60). */
  readonly retentionStepSeconds?: number;
  /**
   * Time source (default: the system clock read through a 25 ms coarse cache, see
   * README). An injected clock is read on every call.
   */
  readonly clock?: Clock;
  /** Series per metric before label sets go to the overflow series (default 2000). */
  readonly maxSeriesPerMetric?: number;
  /** Distinct metric names (default 10000); past it, new names throw MetricLimitError. */
  readonly maxMetrics?: number;
  /** Remove series not written for this long (default: never). */
  readonly seriesTtlSeconds?: number;
  /** Default classic bucket bounds of histograms and timers (default: 1 ms … 10 s latency bounds). */
  readonly histogramBuckets?: readonly number[];
  /** Sketch buckets per sign before the lowest are folded (default 2048, a 2^32 range). */
  readonly maxSketchBuckets?: number;
  /** Label objects cached per metric for the fast lookup path (default 1024). */
  readonly labelCacheSize?: number;
  /** Undelivered `metrics/point` events kept for slow subscribers (default 10000). */
  readonly maxQueuedPoints?: number;
  /**
   * Longest label value kept, in UTF-16 code units (default 2048). Longer values are
   * truncated (never splitting a surrogate pair), the recording kept and counted
   * (`getTruncatedLabelValues`, `metrics/label-value-truncated`).
   */
  readonly maxLabelValueLength?: number;
  /**
   * Where exemplars come from: called on every histogram observation and counter
   * increment, it returns the sampled span active there (`{traceId, spanId}`) or
   * undefined. While it returns a context, the value is kept as the exemplar of its
   * bucket (the counter's one exemplar), latest wins. Also settable later with
   * `setExemplarSource`. Default: none (no exemplars, no cost).
   */
  readonly exemplars?: ExemplarSource;
}

/** Options of {@link MetricsCollector.collectBatches}. */
export interface CollectOptions {
  /** Only these metrics (unknown names are skipped): a reader that needs one metric need not copy them all. */
  readonly names?: readonly string[];
}

export interface CollectBatchesOptions {
  /** Longest synchronous stretch before yielding to the event loop (default 4 ms). */
  readonly sliceMs?: number;
  /** Most series per part (default 256). */
  readonly batchSize?: number;
}

const SOURCE = 'metrics';
const MAX_RETENTION_STEPS = 100_000;
/** Default of `maxLabelValueLength`: 2 KiB of text. */
export const DEFAULT_MAX_LABEL_VALUE_LENGTH = 2048;
const EMPTY_STATS: HistogramStats = Object.freeze({
  count: 0,
  sum: 0,
  min: 0,
  max: 0,
  mean: 0,
  p50: 0,
  p90: 0,
  p95: 0,
  p99: 0,
});

/**
 * In-memory metrics: counters, gauges, histograms and timers keyed by name and
 * label set, with bounded retention, cardinality limits, a mergeable histogram
 * sketch and Prometheus/OpenMetrics exposition (see `serialize`).
 *
 * The class is the façade of four parts: the series storage and its recording
 * arithmetic (`internal/storage.ts`), the family/series registry with its limits and
 * expiry (`internal/SeriesRegistry.ts`), the point-event queue (`internal/PointQueue.ts`)
 * and snapshot/restore (`snapshot.ts`). Readers outside the package use {@link collect}.
 *
 * @example
 * const metrics = createMetricsCollector();
 * metrics.increment('http_requests_total', 1, { route: '/', status: '200' });
 * const latency = metrics.histogram('http_request_duration_ms', { route: '/' });
 * latency.observe(12.5);
 * metrics.getHistogramStats('http_request_duration_ms', { route: '/' }).p99;
 */
export class MetricsCollector implements MetricsProducer {
  /** `metrics/point` (only while observed, delivered in batches after the call), `metrics/cardinality-limit`, … */
  readonly events$: Observable<MetricsEvent>;

  private readonly bus = new EventBus<MetricsEvent>();
  private readonly clock: Clock;
  private readonly storage: SeriesStorage;
  private readonly registry: SeriesRegistry;
  /** The registry's map, read directly on the recording fast paths. */
  private readonly families: SeriesRegistry['families'];
  /** Callback gauges and counters, run before reads (see observables.ts). */
  private readonly observables: Observables;

  constructor(config: MetricsCollectorConfig = {}) {
    if (typeof config !== 'object' || config === null) throw new InvalidConfigError('config must be an object');
    const hours = optionalNumber(
      config.metricsRetentionHours,
      'metricsRetentionHours',
      24,
      POSITIVE_NUMBER,
      invalidConfig,
    );
    const stepSeconds = optionalNumber(
      config.retentionStepSeconds,
      'retentionStepSeconds',
      60,
      POSITIVE_NUMBER,
      invalidConfig,
    );
    const retentionSteps = Math.ceil((hours * 3600) / stepSeconds);
    if (retentionSteps > MAX_RETENTION_STEPS) {
      throw new InvalidConfigError(
        `metricsRetentionHours / retentionStepSeconds gives ${retentionSteps} steps; at most ${MAX_RETENTION_STEPS} are allowed`,
      );
    }
    const maxSeriesPerMetric = optionalNumber(
      config.maxSeriesPerMetric,
      'maxSeriesPerMetric',
      2000,
      POSITIVE_INTEGER,
      invalidConfig,
    );
    const maxMetrics = optionalNumber(config.maxMetrics, 'maxMetrics', 10_000, POSITIVE_INTEGER, invalidConfig);
    const ttlMs =
      config.seriesTtlSeconds === undefined
        ? Infinity
        : optionalNumber(config.seriesTtlSeconds, 'seriesTtlSeconds', 0, POSITIVE_NUMBER, invalidConfig) * 1000;
    const maxSketchBuckets = optionalNumber(
      config.maxSketchBuckets,
      'maxSketchBuckets',
      DEFAULT_MAX_SKETCH_BUCKETS,
      POSITIVE_INTEGER,
      invalidConfig,
    );
    if (maxSketchBuckets < 16) throw new InvalidConfigError('maxSketchBuckets must be at least 16');
    const labelCacheSize =
      config.labelCacheSize === 0
        ? 0
        : optionalNumber(config.labelCacheSize, 'labelCacheSize', 1024, POSITIVE_INTEGER, invalidConfig);
    const maxQueuedPoints = optionalNumber(
      config.maxQueuedPoints,
      'maxQueuedPoints',
      10_000,
      POSITIVE_INTEGER,
      invalidConfig,
    );
    const maxLabelValueLength = optionalNumber(
      config.maxLabelValueLength,
      'maxLabelValueLength',
      DEFAULT_MAX_LABEL_VALUE_LENGTH,
      POSITIVE_INTEGER,
      invalidConfig,
    );
    const defaultBuckets = new ClassicBuckets(config.histogramBuckets ?? DEFAULT_LATENCY_BUCKETS_MS);
    let coarse: boolean;
    let exactNow: () => number;
    if (config.clock === undefined) {
      startCoarseClock();
      this.clock = coarseClock;
      coarse = true;
      exactNow = coarseClock.exact;
    } else {
      if (typeof config.clock !== 'object' || config.clock === null || typeof config.clock.now !== 'function') {
        throw new InvalidConfigError('clock must have a now() method');
      }
      const clock = config.clock;
      this.clock = clock === systemClock ? systemClock : clock;
      coarse = false;
      exactNow = () => clock.now();
    }
    const points = new PointQueue(maxQueuedPoints, {
      point: (s, value, ts) =>
        this.safeEmit({ type: 'metrics/point', ts, source: SOURCE, point: pointOf(s, value, ts) }),
      dropped: (count) =>
        this.safeEmit({ type: 'metrics/points-dropped', ts: this.clock.now(), source: SOURCE, count }),
    });
    this.storage = new SeriesStorage(
      stepSeconds * 1000,
      retentionSteps,
      this.clock,
      coarse,
      exactNow,
      maxSketchBuckets,
      points,
    );
    this.registry = new SeriesRegistry(
      this.storage,
      { maxSeriesPerMetric, maxMetrics, ttlMs, labelCacheSize, defaultBuckets, maxLabelValueLength },
      (event) => this.safeEmit(event),
    );
    this.families = this.registry.families;
    if (config.exemplars !== undefined) this.setExemplarSource(config.exemplars);
    this.observables = new Observables({
      gauge: (name, value, labels) => this.gauge(name, value, labels),
      increment: (name, value, labels) => this.increment(name, value, labels),
      getCounterUnobserved: (name, labels) => {
        const s = this.registry.find(name, labels, MetricType.COUNTER);
        return s ? s.data[s.o + VALUE]! : 0;
      },
      removeSeries: (name, labels) => this.removeSeries(name, labels),
      removeMetric: (name) => this.removeMetric(name),
    });
    this.events$ = new Observable<MetricsEvent>((subscriber) => {
      this.storage.subscribers++;
      const inner = this.bus.events$.subscribe(subscriber);
      return () => {
        this.storage.subscribers--;
        inner.unsubscribe();
      };
    });
  }

  // ---------------------------------------------------------------- recording

  /** Adds `value` (default 1, finite, >= 0) to a counter. */
  increment(name: string, value: number = 1, labels?: Labels): void {
    const fam = this.families.get(name);
    if (
      fam !== undefined &&
      fam.type === MetricType.COUNTER &&
      typeof value === 'number' &&
      value >= 0 &&
      value !== Infinity
    ) {
      const s = labels == null ? fam.unlabeled : fam.cache.lookup(labels);
      if (s !== undefined && s.o >= 0) {
        addCounter(this.storage, s, value);
        return;
      }
    }
    this.registry.recordSlow(MetricType.COUNTER, name, value, labels);
  }

  /** Sets a gauge to `value` (finite). */
  gauge(name: string, value: number, labels?: Labels): void;
  /** A bound gauge handle for `labels`. */
  gauge(name: string, labels?: Labels): GaugeHandle;
  gauge(name: string, valueOrLabels?: number | Labels, labels?: Labels): void | GaugeHandle {
    if (typeof valueOrLabels !== 'number') return this.gaugeHandle(name, valueOrLabels);
    const value = valueOrLabels;
    const fam = this.families.get(name);
    if (fam !== undefined && fam.type === MetricType.GAUGE && value - value === 0) {
      const s = labels == null ? fam.unlabeled : fam.cache.lookup(labels);
      if (s !== undefined && s.o >= 0) {
        setGauge(this.storage, s, value);
        return;
      }
    }
    this.registry.recordSlow(MetricType.GAUGE, name, value, labels);
  }

  /** Observes `value` (finite; zero and negative values are kept) in a histogram. */
  histogram(name: string, value: number, labels?: Labels): void;
  /** A bound histogram handle for `labels`. */
  histogram(name: string, labels?: Labels): HistogramHandle;
  histogram(name: string, valueOrLabels?: number | Labels, labels?: Labels): void | HistogramHandle {
    if (typeof valueOrLabels !== 'number') return this.histogramHandle(MetricType.HISTOGRAM, name, valueOrLabels);
    this.observeFast(MetricType.HISTOGRAM, name, valueOrLabels, labels);
  }

  /** Observes a duration in milliseconds in a timer (a histogram whose default unit is `ms`). */
  timer(name: string, durationMs: number, labels?: Labels): void;
  /** A bound timer handle for `labels`. */
  timer(name: string, labels?: Labels): HistogramHandle;
  timer(name: string, valueOrLabels?: number | Labels, labels?: Labels): void | HistogramHandle {
    if (typeof valueOrLabels !== 'number') return this.histogramHandle(MetricType.TIMER, name, valueOrLabels);
    this.observeFast(MetricType.TIMER, name, valueOrLabels, labels);
  }

  /** A bound counter handle for `labels`. */
  counter(name: string, labels?: Labels): CounterHandle {
    const registry = this.registry;
    const storage = this.storage;
    const resolved = registry.resolve(MetricType.COUNTER, name, labels);
    const normalized = resolved.normalized;
    let s = resolved.series;
    const resolve = () =>
      s.o >= 0 ? s : (s = registry.seriesFor(registry.family(name, MetricType.COUNTER), normalized, normalized));
    return {
      inc: (value: number = 1) => {
        if (typeof value !== 'number' || !(value >= 0 && value < Infinity)) throw badValue(MetricType.COUNTER, value);
        addCounter(storage, s.o >= 0 ? s : resolve(), value);
      },
      get value() {
        return s.o >= 0 ? s.data[s.o + VALUE]! : 0;
      },
    };
  }

  /**
   * A gauge whose values come from `callback`, called before every `collect()` (so every
   * exposition) and every `getGauge` of it: a number, or `[{ labels, value }]` (label sets
   * missing from a later result are removed). Returns a function that unregisters it and
   * removes its series. A throwing, invalid or slow callback never breaks a read: it is
   * counted in `obs_metrics_callback_failures_total` (see {@link ObservableOptions}).
   */
  observableGauge(name: string, callback: ObservableCallback, options?: ObservableOptions): () => void {
    return this.observables.add('gauge', name, callback, options);
  }

  /** Like {@link observableGauge} for a counter: the callback returns running totals (a total that goes down restarts the series). */
  observableCounter(name: string, callback: ObservableCallback, options?: ObservableOptions): () => void {
    return this.observables.add('counter', name, callback, options);
  }

  /** Sets help text, unit and bucket bounds of a metric (before or after it has values). */
  describe(name: string, description: MetricDescription): void {
    this.registry.describe(name, description);
  }

  // ---------------------------------------------------------------- reads

  /** A counter's total (0 when unknown). */
  getCounter(name: string, labels?: Labels): number {
    if (this.observables.size !== 0) this.observables.run(name);
    const s = this.registry.find(name, labels, MetricType.COUNTER);
    return s ? s.data[s.o + VALUE]! : 0;
  }

  /** Sum of a counter over all its label sets, including the overflow series. */
  getCounterTotal(name: string): number {
    const fam = this.families.get(validateMetricName(name));
    if (!fam || fam.type !== MetricType.COUNTER) return 0;
    let total = 0;
    for (const s of fam.all()) total += s.data[s.o + VALUE]!;
    return total;
  }

  /** A gauge's value, undefined when unknown or unset. */
  getGauge(name: string, labels?: Labels): number | undefined {
    if (this.observables.size !== 0) this.observables.run(name);
    const s = this.registry.find(name, labels, MetricType.GAUGE);
    if (!s) return undefined;
    const v = s.data[s.o + VALUE]!;
    return v === v ? v : undefined;
  }

  /** Count, sum, min, max, mean and p50/p90/p95/p99 of a histogram or timer (all 0 when unknown or empty). */
  getHistogramStats(name: string, labels?: Labels): HistogramStats {
    const sketch = this.sketchOf(name, labels);
    if (!sketch || sketch.count === 0) return EMPTY_STATS;
    const [p50, p90, p95, p99] = sketch.quantiles([0.5, 0.9, 0.95, 0.99]) as [number, number, number, number];
    return {
      count: sketch.count,
      sum: sketch.sum,
      min: sketch.min,
      max: sketch.max,
      mean: sketch.mean,
      p50,
      p90,
      p95,
      p99,
    };
  }

  /** Any quantile (0 ≤ q ≤ 1) of a histogram or timer; undefined when unknown or empty. */
  getQuantile(name: string, q: number, labels?: Labels): number | undefined {
    if (typeof q !== 'number' || !(q >= 0 && q <= 1))
      throw new InvalidValueError(`quantile must be in [0, 1], got ${describeValue(q)}`);
    const sketch = this.sketchOf(name, labels);
    return sketch && sketch.count > 0 ? sketch.quantile(q) : undefined;
  }

  /** A copy of a histogram's sketch (for merging across processes or windows); undefined when unknown. */
  getSketch(name: string, labels?: Labels): LogHistogram | undefined {
    return this.sketchOf(name, labels)?.clone();
  }

  /**
   * Per-second increase of a counter over the last `windowSeconds`, from the
   * retention ring (step resolution; see README). Undefined when the series is unknown.
   */
  getRate(name: string, windowSeconds: number, labels?: Labels): number | undefined {
    const window = checkWindow(windowSeconds);
    const s = this.registry.find(name, labels, MetricType.COUNTER);
    return s ? rateOf(this.storage, s, window) : undefined;
  }

  /** The live series for name + labels, or undefined. */
  getMetric(name: string, labels?: Labels): MetricSeries | undefined {
    return this.registry.find(name, labels);
  }

  /** Metric names, in creation order. */
  listMetrics(): string[] {
    this.registry.maybeSweep(this.storage.exactNow());
    return [...this.families.keys()];
  }

  /** Live series of one metric or of all metrics. */
  *series(name?: string): IterableIterator<MetricSeries> {
    this.registry.maybeSweep(this.storage.exactNow());
    if (name !== undefined) {
      const fam = this.families.get(validateMetricName(name));
      if (fam) yield* fam.all();
      return;
    }
    for (const fam of [...this.families.values()]) yield* fam.all();
  }

  /** The latest point of every series (unset gauges and never-written series are skipped). */
  export(): MetricPoint[] {
    if (this.observables.size !== 0) this.observables.runAll();
    const out: MetricPoint[] = [];
    for (const s of this.series()) {
      const p = s.getLatest();
      if (p) out.push(p);
    }
    return out;
  }

  /** Recordings of a metric whose label values were truncated to `maxLabelValueLength`. */
  getTruncatedLabelValues(name: string): number {
    return this.families.get(validateMetricName(name))?.truncatedLabelValues ?? 0;
  }

  /** Recordings of a metric that went to its overflow series because of the series limit. */
  getDroppedLabelSets(name: string): number {
    return this.families.get(validateMetricName(name))?.droppedLabelSets ?? 0;
  }

  /**
   * Every metric with its series, as a read-only copy (OpenTelemetry's MetricProducer):
   * values, histogram sketches (exponential buckets) and classic bucket counts,
   * timestamps, exemplars. What exposition, exporters and aggregators read.
   */
  collect(options?: CollectOptions): CollectedMetrics {
    const names = options?.names;
    if (names !== undefined && !Array.isArray(names)) throw new InvalidConfigError('names must be an array');
    // Only the callbacks of the metrics read run.
    if (this.observables.size !== 0) {
      if (names === undefined) this.observables.runAll();
      else for (const name of names) if (typeof name === 'string') this.observables.run(name);
    }
    return collectAll(this.registry, names);
  }

  /**
   * The data of {@link collect} as an async stream for very large registries: every family
   * in consecutive parts of at most `batchSize` series (parts of one family are adjacent
   * items with the same name; concatenated, their series are the family's), yielding to the
   * event loop whenever `sliceMs` has passed. Each part is copied when it is reached.
   */
  collectBatches(options: CollectBatchesOptions = {}): AsyncIterable<CollectedFamily> {
    const sliceMs = options.sliceMs ?? 4;
    const batchSize = options.batchSize ?? 256;
    if (typeof sliceMs !== 'number' || !(sliceMs > 0))
      throw new InvalidConfigError('sliceMs must be a positive number');
    if (!Number.isSafeInteger(batchSize) || batchSize < 1)
      throw new InvalidConfigError('batchSize must be a positive integer');
    if (this.observables.size !== 0) this.observables.runAll();
    return collectBatches(this.registry, sliceMs, batchSize);
  }

  /**
   * Adds collected state from elsewhere (a worker's `collect()`, another collector): counter
   * values are added, histogram sketches and classic buckets merged exactly, gauges
   * combined by `options.gauges` (default `'last'`). Validated completely before anything
   * changes (InvalidValueError, MetricTypeConflictError); the series limits apply.
   */
  mergeFrom(collected: CollectedMetrics | readonly CollectedFamily[], options?: MergeOptions): void {
    mergeInto(this.registry, collected, options);
  }

  /**
   * Sets (or with undefined, removes) the exemplar source: see `exemplars` in the config.
   * A source that throws or returns something malformed is counted in
   * {@link exemplarSourceErrors} and recording goes on without an exemplar.
   */
  setExemplarSource(source: ExemplarSource | undefined): void {
    if (source !== undefined && typeof source !== 'function')
      throw new InvalidConfigError('an exemplar source must be a function');
    this.storage.exemplarSource = source;
  }

  /** Calls of the exemplar source that threw or returned a malformed context. */
  get exemplarSourceErrors(): number {
    return this.storage.exemplarErrors;
  }

  // ---------------------------------------------------------------- removal

  /** Removes one series; true if it existed. */
  removeSeries(name: string, labels?: Labels): boolean {
    const s = this.registry.find(name, labels);
    if (!s) return false;
    this.registry.detach(s);
    return true;
  }

  /** Removes a metric and all its series; true if it existed. */
  removeMetric(name: string): boolean {
    return this.registry.removeMetric(validateMetricName(name));
  }

  /** Removes every metric (descriptions are kept). */
  clear(): void {
    this.registry.clear();
  }

  /** Removes series not written for `seriesTtlSeconds`; returns how many. Reads run this automatically. */
  expireStaleSeries(): number {
    return this.registry.sweep(this.storage.exactNow());
  }

  // ---------------------------------------------------------------- persistence

  /** Counters, gauges and histogram sketches as JSON-serializable data (retention rings are not included). */
  snapshot(): MetricsSnapshot {
    return snapshotOf(this.registry);
  }

  /**
   * Replaces all metrics with a snapshot's. The input is validated completely first;
   * on a bad one {@link InvalidSnapshotError} is thrown and nothing changes.
   */
  restore(snapshot: unknown): void {
    restoreInto(this.registry, snapshot);
  }

  // ---------------------------------------------------------------- internals

  private observeFast(type: MetricType, name: string, value: number, labels: Labels | undefined): void {
    // A one-entry cache in front of the Map: a hot loop usually records the same histogram by name.
    const registry = this.registry;
    let fam = registry.lastObserved;
    if (fam === undefined || fam.name !== name) {
      fam = this.families.get(name);
      if (fam !== undefined) registry.lastObserved = fam;
    }
    if (fam !== undefined && fam.type === type && value - value === 0) {
      const s = labels == null ? fam.unlabeled : fam.cache.lookup(labels);
      if (s !== undefined && s.o >= 0) {
        observe(this.storage, s as HistogramSeries, value);
        return;
      }
    }
    registry.recordSlow(type, name, value, labels);
  }

  private safeEmit(event: MetricsEvent): void {
    try {
      this.bus.emit(event);
    } catch {
      // A subscriber failure must not stop delivery to the others or break recording.
    }
  }

  private sketchOf(name: string, labels: Labels | undefined): LogHistogram | undefined {
    const s = this.registry.find(name, labels);
    return s instanceof HistogramSeries ? syncExtremes(s) : undefined;
  }

  private gaugeHandle(name: string, labels: Labels | undefined): GaugeHandle {
    const registry = this.registry;
    const storage = this.storage;
    const resolved = registry.resolve(MetricType.GAUGE, name, labels);
    const normalized = resolved.normalized;
    let s: Series = resolved.series;
    const live = () =>
      s.o >= 0 ? s : (s = registry.seriesFor(registry.family(name, MetricType.GAUGE), normalized, normalized));
    const checked = (value: unknown): number => {
      if (typeof value !== 'number' || value - value !== 0) throw badValue(MetricType.GAUGE, value);
      return value;
    };
    // The value is checked before live() may re-create a removed series: a rejected call changes nothing.
    return {
      set: (value: number) => {
        const v = checked(value);
        setGauge(storage, live(), v);
      },
      inc: (value: number = 1) => {
        const v = checked(value);
        addGauge(storage, live(), v);
      },
      dec: (value: number = 1) => {
        const v = checked(value);
        addGauge(storage, live(), -v);
      },
      get value() {
        if (s.o < 0) return undefined;
        const v = s.data[s.o + VALUE]!;
        return v === v ? v : undefined;
      },
    };
  }

  private histogramHandle(type: MetricType, name: string, labels: Labels | undefined): HistogramHandle {
    const registry = this.registry;
    const storage = this.storage;
    const resolved = registry.resolve(type, name, labels);
    const normalized = resolved.normalized;
    let s = resolved.series as HistogramSeries;
    const observeValue = (value: number) => {
      if (typeof value !== 'number' || value - value !== 0) throw badValue(type, value);
      if (s.o < 0) s = registry.seriesFor(registry.family(name, type), normalized, normalized) as HistogramSeries;
      observe(storage, s, value);
    };
    return {
      observe: observeValue,
      startTimer: () => {
        const start = performance.now();
        return () => {
          const elapsed = performance.now() - start;
          observeValue(elapsed);
          return elapsed;
        };
      },
    };
  }
}

/** Creates a {@link MetricsCollector}. */
export function createMetricsCollector(config?: MetricsCollectorConfig): MetricsCollector {
  return new MetricsCollector(config);
}
