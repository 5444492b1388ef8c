import { EventBus, ObsValidationError, describeValue, emptyLabels, normalizeLabels, systemClock, type Clock, type Labels } from '@obs/core';
import { Observable } from 'rxjs';
import {
  InvalidConfigError,
  InvalidLabelsError,
  InvalidSnapshotError,
  InvalidValueError,
  MetricLimitError,
  MetricTypeConflictError,
} from './errors';
import type { MetricsEvent } from './events';
import type { CounterHandle, GaugeHandle, HistogramHandle } from './handles';
import type { MetricPoint } from './MetricPoint';
import type { HistogramStats, MetricSeries } from './MetricSeries';
import { MetricType } from './MetricType';
import { validateMetricName } from './names';
import { DEFAULT_MAX_SKETCH_BUCKETS, LogHistogram, NON_POSITIVE_INDEX } from './sketch/LogHistogram';
import { ClassicBuckets, DEFAULT_LATENCY_BUCKETS_MS, validateBounds } from './internal/ClassicBuckets';
import { coarseClock, coarseNow, startCoarseClock } from './internal/coarseClock';
import { R_COUNT, R_LAST, R_MIN, R_STEP, R_SUM, R_TS, appendStep, forEachRecord, historyCapacity, historySize } from './internal/history';
import { registerInternals } from './internal/internals';
import { labelKey } from './internal/labelText';
import { MetricFamily, OVERFLOW_KEY } from './internal/MetricFamily';
import { HistogramSeries, Series, type SeriesOwner } from './internal/Series';
import { LAST_TS, STEP_COUNT, STEP_END, STEP_MAX, STEP_MIN, STEP_SUM, SlotAllocator, VALUE } from './internal/slab';
import type { MetricsSnapshot, SeriesSnapshot } from './snapshot';
import { validateMetricsSnapshot } from './snapshot';

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
}

/** Help, unit and bucket bounds of a metric, for exposition. */
export interface MetricDescription {
  readonly help?: string;
  /** OpenMetrics unit, e.g. `'seconds'`; emitted only when the metric name ends with `_<unit>`. */
  readonly unit?: string;
  /** Classic bucket bounds for a histogram or timer (before its first value). */
  readonly buckets?: readonly number[];
}

const SOURCE = 'metrics';
const UNIT_RE = /^[a-zA-Z0-9_]*$/;
const MAX_HELP = 4096;
const MAX_RETENTION_STEPS = 100_000;
const EMPTY_STATS: HistogramStats = Object.freeze({ count: 0, sum: 0, min: 0, max: 0, mean: 0, p50: 0, p90: 0, p95: 0, p99: 0 });

const schedule: (fn: () => void) => void =
  typeof setImmediate === 'function' ? (fn) => void setImmediate(fn) : (fn) => void setTimeout(fn, 0);

function positiveNumber(value: unknown, what: string, fallback: number, integer = false): number {
  if (value === undefined) return fallback;
  if (typeof value !== 'number' || !(value > 0) || (integer ? !Number.isSafeInteger(value) : !Number.isFinite(value))) {
    throw new InvalidConfigError(`${what} must be a positive ${integer ? 'integer' : 'finite number'}, got ${describeValue(value)}`);
  }
  return value;
}

function isHistogramType(type: MetricType): boolean {
  return type === MetricType.HISTOGRAM || type === MetricType.TIMER;
}

/**
 * In-memory metrics: counters, gauges, histograms and timers keyed by name and
 * label set, with bounded retention, cardinality limits, a mergeable histogram
 * sketch and Prometheus/OpenMetrics exposition (see `serialize`).
 *
 * @example
 * const metrics = createMetricsCollector();
 * metrics.increment('http_requests_total', 1, { route: '/', status: '200' });
 * const latency = metrics.histogram('http_request_duration_ms', { route: '/' });
 * latency.observe(12.5);
 * metrics.getHistogramStats('http_request_duration_ms', { route: '/' }).p99;
 */
export class MetricsCollector implements SeriesOwner {
  /** `metrics/point` (only while observed, delivered in batches after the call), `metrics/cardinality-limit`, … */
  readonly events$: Observable<MetricsEvent>;

  private readonly bus = new EventBus<MetricsEvent>();
  private readonly families = new Map<string, MetricFamily>();
  /** The family last found by observeFast(); forgotten when any metric is removed. */
  private lastObserved: MetricFamily | undefined;
  private readonly descriptions = new Map<string, MetricDescription>();
  private readonly clock: Clock;
  /** True when `clock` is the shared coarse clock, read on the hot path without a call. */
  private readonly coarse: boolean;
  private readonly exactNow: () => number;
  private readonly stepMs: number;
  private readonly retentionSteps: number;
  private readonly maxSeriesPerMetric: number;
  private readonly maxMetrics: number;
  private readonly ttlMs: number;
  private readonly maxSketchBuckets: number;
  private readonly labelCacheSize: number;
  private readonly maxQueuedPoints: number;
  private readonly defaultBuckets: ClassicBuckets;
  private readonly slots = new SlotAllocator();
  private lastSweep = -Infinity;
  /** Subscribers of events$, kept as a plain field so the hot path checks one number. */
  private subscribers = 0;

  private queueSeries: Series[] = [];
  private queueValues: number[] = [];
  private queueTimes: number[] = [];
  private droppedPoints = 0;
  private flushScheduled = false;

  constructor(config: MetricsCollectorConfig = {}) {
    if (typeof config !== 'object' || config === null) throw new InvalidConfigError('config must be an object');
    const hours = positiveNumber(config.metricsRetentionHours, 'metricsRetentionHours', 24);
    const stepSeconds = positiveNumber(config.retentionStepSeconds, 'retentionStepSeconds', 60);
    this.stepMs = stepSeconds * 1000;
    this.retentionSteps = Math.ceil((hours * 3600) / stepSeconds);
    if (this.retentionSteps > MAX_RETENTION_STEPS) {
      throw new InvalidConfigError(`metricsRetentionHours / retentionStepSeconds gives ${this.retentionSteps} steps; at most ${MAX_RETENTION_STEPS} are allowed`);
    }
    this.maxSeriesPerMetric = positiveNumber(config.maxSeriesPerMetric, 'maxSeriesPerMetric', 2000, true);
    this.maxMetrics = positiveNumber(config.maxMetrics, 'maxMetrics', 10_000, true);
    this.ttlMs = config.seriesTtlSeconds === undefined ? Infinity : positiveNumber(config.seriesTtlSeconds, 'seriesTtlSeconds', 0) * 1000;
    this.maxSketchBuckets = positiveNumber(config.maxSketchBuckets, 'maxSketchBuckets', DEFAULT_MAX_SKETCH_BUCKETS, true);
    if (this.maxSketchBuckets < 16) throw new InvalidConfigError('maxSketchBuckets must be at least 16');
    this.labelCacheSize = config.labelCacheSize === 0 ? 0 : positiveNumber(config.labelCacheSize, 'labelCacheSize', 1024, true);
    this.maxQueuedPoints = positiveNumber(config.maxQueuedPoints, 'maxQueuedPoints', 10_000, true);
    this.defaultBuckets = new ClassicBuckets(config.histogramBuckets ?? DEFAULT_LATENCY_BUCKETS_MS);
    if (config.clock === undefined) {
      startCoarseClock();
      this.clock = coarseClock;
      this.coarse = true;
      this.exactNow = coarseClock.exact;
    } else {
      if (typeof config.clock !== 'object' || config.clock === null || typeof config.clock.now !== 'function') {
        throw new InvalidConfigError('clock must have a now() method');
      }
      const clock = config.clock;
      this.clock = clock === systemClock ? systemClock : clock;
      this.coarse = false;
      this.exactNow = () => clock.now();
    }
    this.events$ = new Observable<MetricsEvent>((subscriber) => {
      this.subscribers++;
      const inner = this.bus.events$.subscribe(subscriber);
      return () => {
        this.subscribers--;
        inner.unsubscribe();
      };
    });
    registerInternals(this, {
      families: () => this.families.values(),
      beforeRead: () => this.maybeSweep(this.exactNow()),
    });
  }

  // ---------------------------------------------------------------- recording

  /** Adds `value` (default 1, finite, >= 0) to a counter. */
  increment(name: string, value: number = 1, labels?: Labels): void {
    const fam = this.families.get(name);
    if (fam !== undefined && fam.type === MetricType.COUNTER && typeof value === 'number' && value >= 0 && value !== Infinity) {
      const s = labels == null ? fam.unlabeled : fam.cache.lookup(labels);
      if (s !== undefined && s.o >= 0) {
        this.addCounter(s, value);
        return;
      }
    }
    this.recordSlow(MetricType.COUNTER, name, value, labels);
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
        this.setGauge(s, value);
        return;
      }
    }
    this.recordSlow(MetricType.GAUGE, name, value, labels);
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
    const normalized = this.normalize(labels, MetricType.COUNTER);
    let s = this.seriesFor(this.family(validateMetricName(name), MetricType.COUNTER), labels, normalized);
    const resolve = () => (s.o >= 0 ? s : (s = this.seriesFor(this.family(name, MetricType.COUNTER), normalized, normalized)));
    return {
      inc: (value: number = 1) => {
        if (typeof value !== 'number' || !(value >= 0 && value < Infinity)) throw this.badValue(MetricType.COUNTER, value);
        this.addCounter(s.o >= 0 ? s : resolve(), value);
      },
      get value() {
        return s.o >= 0 ? s.data[s.o + VALUE]! : 0;
      },
    };
  }

  /** Sets help text, unit and bucket bounds of a metric (before or after it has values). */
  describe(name: string, description: MetricDescription): void {
    validateMetricName(name);
    if (typeof description !== 'object' || description === null) throw new InvalidConfigError('description must be an object');
    const { help, unit, buckets } = description;
    if (help !== undefined && (typeof help !== 'string' || help.length > MAX_HELP)) {
      throw new InvalidConfigError(`help must be a string of at most ${MAX_HELP} characters`);
    }
    if (unit !== undefined && (typeof unit !== 'string' || unit.length > 64 || !UNIT_RE.test(unit))) {
      throw new InvalidConfigError(`unit must match [a-zA-Z0-9_]* (at most 64 characters), got ${describeValue(unit)}`);
    }
    if (buckets !== undefined) validateBounds(buckets);
    const fam = this.families.get(name);
    if (fam && buckets !== undefined && !(fam.bounds?.sameBounds(buckets) ?? false)) {
      throw new MetricTypeConflictError(`metric ${name} already exists with other bucket bounds (or is not a histogram)`);
    }
    if (!fam && !this.descriptions.has(name) && this.descriptions.size >= this.maxMetrics) {
      throw new MetricLimitError(`at most ${this.maxMetrics} metric descriptions are kept`);
    }
    const merged: MetricDescription = { ...this.descriptions.get(name), ...stripUndefined({ help, unit, buckets: buckets && [...buckets] }) };
    this.descriptions.set(name, merged);
    if (fam) {
      if (help !== undefined) fam.help = help;
      if (unit !== undefined) fam.unit = unit;
    }
  }

  // ---------------------------------------------------------------- reads

  /** A counter's total (0 when unknown). */
  getCounter(name: string, labels?: Labels): number {
    const s = this.find(name, labels, MetricType.COUNTER);
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
    const s = this.find(name, labels, MetricType.GAUGE);
    if (!s) return undefined;
    const v = s.data[s.o + VALUE]!;
    return v === v ? v : undefined;
  }

  /** Count, sum, min, max, mean and p50/p90/p95/p99 of a histogram or timer (all 0 when unknown or empty). */
  getHistogramStats(name: string, labels?: Labels): HistogramStats {
    const sketch = this.sketchOf(name, labels);
    if (!sketch || sketch.count === 0) return EMPTY_STATS;
    const [p50, p90, p95, p99] = sketch.quantiles([0.5, 0.9, 0.95, 0.99]) as [number, number, number, number];
    return { count: sketch.count, sum: sketch.sum, min: sketch.min, max: sketch.max, mean: sketch.mean, p50, p90, p95, p99 };
  }

  /** Any quantile (0 ≤ q ≤ 1) of a histogram or timer; undefined when unknown or empty. */
  getQuantile(name: string, q: number, labels?: Labels): number | undefined {
    if (typeof q !== 'number' || !(q >= 0 && q <= 1)) throw new InvalidValueError(`quantile must be in [0, 1], got ${describeValue(q)}`);
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
    const window = this.checkWindow(windowSeconds);
    const s = this.find(name, labels, MetricType.COUNTER);
    if (!s) return undefined;
    const now = this.exactNow();
    const firstStep = Math.floor((now - window * 1000) / this.stepMs);
    // The running total at the end of the latest step before the window is the baseline.
    let baseline: number | undefined;
    let oldestMin: number | undefined;
    forEachRecord(s.data, (ring, o) => {
      if (oldestMin === undefined) oldestMin = ring[o + R_MIN];
      if (ring[o + R_STEP]! < firstStep) baseline = ring[o + R_LAST];
    });
    const d = s.data;
    const currentStep = this.currentStepOf(s);
    if (d[s.o + STEP_COUNT]! > 0 && currentStep < firstStep) baseline = d[s.o + VALUE];
    if (baseline === undefined) {
      // Nothing before the window: the series began inside it (from 0), unless its older history was already dropped.
      const wrapped = historySize(d) === historyCapacity(d) && historyCapacity(d) === this.retentionSteps;
      baseline = wrapped ? (oldestMin ?? 0) : 0;
    }
    return Math.max(0, d[s.o + VALUE]! - baseline) / window;
  }

  /** The live series for name + labels, or undefined. */
  getMetric(name: string, labels?: Labels): MetricSeries | undefined {
    return this.find(name, labels);
  }

  /** Metric names, in creation order. */
  listMetrics(): string[] {
    this.maybeSweep(this.exactNow());
    return [...this.families.keys()];
  }

  /** Live series of one metric or of all metrics. */
  *series(name?: string): IterableIterator<MetricSeries> {
    this.maybeSweep(this.exactNow());
    if (name !== undefined) {
      const fam = this.families.get(validateMetricName(name));
      if (fam) yield* fam.all();
      return;
    }
    for (const fam of [...this.families.values()]) yield* fam.all();
  }

  /** The latest point of every series (unset gauges and never-written series are skipped). */
  export(): MetricPoint[] {
    const out: MetricPoint[] = [];
    for (const s of this.series()) {
      const p = s.getLatest();
      if (p) out.push(p);
    }
    return out;
  }

  /** Recordings of a metric that went to its overflow series because of the series limit. */
  getDroppedLabelSets(name: string): number {
    return this.families.get(validateMetricName(name))?.droppedLabelSets ?? 0;
  }

  // ---------------------------------------------------------------- removal

  /** Removes one series; true if it existed. */
  removeSeries(name: string, labels?: Labels): boolean {
    const s = this.find(name, labels);
    if (!s) return false;
    this.detach(s);
    return true;
  }

  /** Removes a metric and all its series; true if it existed. */
  removeMetric(name: string): boolean {
    const fam = this.families.get(validateMetricName(name));
    if (!fam) return false;
    for (const s of [...fam.all()]) this.detach(s);
    this.families.delete(name);
    this.lastObserved = undefined;
    return true;
  }

  /** Removes every metric (descriptions are kept). */
  clear(): void {
    for (const name of [...this.families.keys()]) this.removeMetric(name);
  }

  /** Removes series not written for `seriesTtlSeconds`; returns how many. Reads run this automatically. */
  expireStaleSeries(): number {
    return this.sweep(this.exactNow());
  }

  // ---------------------------------------------------------------- persistence

  /** Counters, gauges and histogram sketches as JSON-serializable data (retention rings are not included). */
  snapshot(): MetricsSnapshot {
    const metrics: MetricsSnapshot['metrics'][number][] = [];
    for (const fam of this.families.values()) {
      const series: SeriesSnapshot[] = [];
      for (const s of fam.all()) {
        const labels = { ...s.labels };
        if (s instanceof HistogramSeries) {
          series.push({ labels, histogram: syncExtremes(s).snapshot(), bucketCounts: [...s.classic] });
        } else {
          const v = s.data[s.o + VALUE]!;
          if (v === v) series.push({ labels, value: v });
        }
      }
      metrics.push({
        name: fam.name,
        type: fam.type,
        help: fam.help,
        unit: fam.unit,
        ...(fam.bounds ? { buckets: [...fam.bounds.bounds] } : {}),
        series,
      });
    }
    return { version: 1, metrics };
  }

  /**
   * Replaces all metrics with a snapshot's. The input is validated completely first;
   * on a bad one {@link InvalidSnapshotError} is thrown and nothing changes.
   */
  restore(snapshot: unknown): void {
    const valid = validateMetricsSnapshot(snapshot, this.maxSeriesPerMetric, this.maxMetrics);
    const sketches = valid.metrics.map((m) =>
      m.series.map((s) => {
        if (!s.histogram) return undefined;
        try {
          return LogHistogram.fromSnapshot(s.histogram, this.maxSketchBuckets);
        } catch (err) {
          throw err instanceof InvalidSnapshotError ? new InvalidSnapshotError(`metric ${m.name}: ${err.message}`) : err;
        }
      }),
    );
    const bounds = valid.metrics.map((m) => (isHistogramType(m.type) ? new ClassicBuckets(m.buckets ?? [...this.defaultBuckets.bounds]) : null));
    valid.metrics.forEach((m, i) =>
      m.series.forEach((s) => {
        if (s.bucketCounts && s.bucketCounts.length !== bounds[i]!.slots) {
          throw new InvalidSnapshotError(`metric ${m.name}: bucketCounts must have ${bounds[i]!.slots} entries`);
        }
      }),
    );
    this.clear();
    const now = this.exactNow();
    valid.metrics.forEach((m, i) => {
      const fam = this.createFamily(m.name, m.type, bounds[i]!, m.help, m.unit);
      m.series.forEach((snap, j) => {
        const normalized = normalizeLabels(snap.labels);
        const key = labelKey(normalized);
        const s = key === OVERFLOW_KEY && fam.overflow === undefined ? this.createOverflow(fam) : this.createSeries(fam, key);
        if (s instanceof HistogramSeries) {
          const sketch = sketches[i]![j]!;
          s.sketch.merge(sketch);
          if (snap.bucketCounts) s.classic.set(snap.bucketCounts);
          if (sketch.count > 0) s.data[s.o + VALUE] = sketch.max;
          // Restored values belong to no retention step.
          s.data[s.o + STEP_COUNT] = sketch.count;
          s.data[s.o + STEP_SUM] = sketch.sum;
        } else if (snap.value !== undefined) {
          s.data[s.o + VALUE] = snap.value;
        }
        s.data[s.o + LAST_TS] = now;
      });
    });
  }

  // ---------------------------------------------------------------- SeriesOwner

  /** @internal MetricSeries.addPoint */
  recordOn(series: Series, value: number): void {
    const type = series.family.type;
    if (series.o < 0) {
      this.recordSlow(type, series.family.name, value, series.labels);
      return;
    }
    this.checkValue(type, value);
    this.write(series, value);
  }

  /** @internal */
  pointsOf(series: Series): MetricPoint[] {
    const points: MetricPoint[] = [];
    if (series.o < 0) return points;
    const now = this.exactNow();
    const oldest = Math.floor(now / this.stepMs) - this.retentionSteps + 1;
    forEachRecord(series.data, (ring, o) => {
      if (ring[o + R_STEP]! >= oldest) points.push(this.point(series, ring[o + R_LAST]!, ring[o + R_TS]!));
    });
    const d = series.data;
    if (stepCount(series) > 0 && this.currentStepOf(series) >= oldest) {
      points.push(this.point(series, d[series.o + VALUE]!, d[series.o + LAST_TS]!));
    }
    return points;
  }

  /** @internal */
  latestOf(series: Series): MetricPoint | undefined {
    if (series.o < 0) return undefined;
    const d = series.data;
    const value = d[series.o + VALUE]!;
    // A counter always has a value (0 until incremented, or restored); a gauge once set; a histogram once observed.
    if (value !== value) return undefined;
    if (series instanceof HistogramSeries && series.sketch.count === 0) return undefined;
    return this.point(series, value, d[series.o + LAST_TS]!);
  }

  /** @internal */
  averageOf(series: Series, windowSeconds: number): number | undefined {
    const window = this.checkWindow(windowSeconds);
    if (series.o < 0) return undefined;
    const now = this.exactNow();
    const lastStep = Math.floor(now / this.stepMs);
    const firstStep = Math.max(Math.floor((now - window * 1000) / this.stepMs), lastStep - this.retentionSteps + 1);
    let count = 0;
    let sum = 0;
    forEachRecord(series.data, (ring, o) => {
      const step = ring[o + R_STEP]!;
      if (step >= firstStep && step <= lastStep) {
        count += ring[o + R_COUNT]!;
        sum += ring[o + R_SUM]!;
      }
    });
    const current = this.currentStepOf(series);
    const currentCount = stepCount(series);
    if (currentCount > 0 && current >= firstStep && current <= lastStep) {
      count += currentCount;
      sum += stepSum(series);
    }
    return count === 0 ? undefined : sum / count;
  }

  // ---------------------------------------------------------------- hot path internals

  /**
   * The counter hot path, written out like observe(). A counter's point values only
   * grow, so a step's min is its first point and its max its last (VALUE, taken when
   * the step is rolled): no comparisons per call.
   */
  private addCounter(s: Series, value: number): void {
    let d = s.data;
    let o = s.o;
    const total = d[o + VALUE]! + value;
    if (total === Infinity) throw counterOverflow(s, value);
    const now = this.coarse ? coarseNow : this.clock.now();
    if (now >= d[o + STEP_END]!) {
      this.roll(s, now);
      d = s.data;
      o = s.o;
    }
    const count = d[o + STEP_COUNT]!;
    if (count === 0) d[o + STEP_MIN] = total;
    d[o + STEP_COUNT] = count + 1;
    d[o + STEP_SUM]! += total;
    d[o + VALUE] = total;
    d[o + LAST_TS] = now;
    if (this.subscribers !== 0) this.queuePoint(s, total, now);
  }

  private setGauge(s: Series, value: number): void {
    this.track(s, value);
  }

  private addGauge(s: Series, delta: number): void {
    const current = s.data[s.o + VALUE]!;
    const next = (current === current ? current : 0) + delta;
    if (next - next !== 0) throw new InvalidValueError(`changing gauge ${s.family.name} by ${delta} would overflow`);
    this.setGauge(s, next);
  }

  /**
   * The histogram hot path, written out rather than going through track(): a histogram's
   * step count and sum are the growth of its sketch's count and sum since the step began
   * (STEP_COUNT/STEP_SUM hold those baselines), so only min/max/last/time are stored per call;
   * and the sketch's own min/max are the step's folded in at roll or before any read (syncExtremes).
   */
  private observe(s: HistogramSeries, value: number): void {
    const sketch = s.sketch;
    if (!isFinite(sketch.sum + value)) throw sumOverflow(s, value);
    let d = s.data;
    let o = s.o;
    const now = this.coarse ? coarseNow : this.clock.now();
    if (now >= d[o + STEP_END]!) {
      this.roll(s, now);
      d = s.data;
      o = s.o;
    }
    // min/max go to the step only; the sketch takes them at roll or before a read (syncExtremes).
    const index = sketch.recordWithoutExtremes(value);
    // The classic slot reuses the sketch index: one clamped table read.
    s.classic[index !== NON_POSITIVE_INDEX ? s.bounds.positiveSlot(value, index) : s.bounds.searchFrom(0, value)]!++;
    if (value < d[o + STEP_MIN]!) d[o + STEP_MIN] = value;
    if (value > d[o + STEP_MAX]!) d[o + STEP_MAX] = value;
    d[o + VALUE] = value;
    d[o + LAST_TS] = now;
    if (this.subscribers !== 0) this.queuePoint(s, value, now);
  }

  /**
   * Stores a point value (VALUE is always the last point value: a counter's total, a
   * gauge's value, a histogram's observation) and adds it to the current retention
   * step, rolling the step only when time has moved past it.
   */
  private track(s: Series, pointValue: number): void {
    let d = s.data;
    let o = s.o;
    const now = this.coarse ? coarseNow : this.clock.now();
    if (now >= d[o + STEP_END]!) {
      this.roll(s, now);
      // Rolling may move the series to a private array.
      d = s.data;
      o = s.o;
    }
    d[o + STEP_COUNT]!++;
    d[o + STEP_SUM]! += pointValue;
    if (pointValue < d[o + STEP_MIN]!) d[o + STEP_MIN] = pointValue;
    if (pointValue > d[o + STEP_MAX]!) d[o + STEP_MAX] = pointValue;
    d[o + VALUE] = pointValue;
    d[o + LAST_TS] = now;
    if (this.subscribers !== 0) this.queuePoint(s, pointValue, now);
  }

  private roll(s: Series, now: number): void {
    let d = s.data;
    let o = s.o;
    const count = stepCount(s);
    if (count > 0) {
      // The closed step's last point value: the running value before the write that triggered this roll.
      const next = appendStep(d, o, this.retentionSteps, this.currentStepOf(s), count, stepSum(s), d[o + STEP_MIN]!, s.family.type === MetricType.COUNTER ? d[o + VALUE]! : d[o + STEP_MAX]!, d[o + VALUE]!, d[o + LAST_TS]!);
      if (next !== d) {
        this.slots.release(d, o);
        s.data = d = next;
        s.o = o = 0;
      }
    }
    d[o + STEP_END] = (Math.floor(now / this.stepMs) + 1) * this.stepMs;
    if (s instanceof HistogramSeries) {
      s.sketch.includeExtremes(d[o + STEP_MIN]!, d[o + STEP_MAX]!);
      d[o + STEP_COUNT] = s.sketch.count;
      d[o + STEP_SUM] = s.sketch.sum;
    } else {
      d[o + STEP_COUNT] = 0;
      d[o + STEP_SUM] = 0;
    }
    d[o + STEP_MIN] = Infinity;
    d[o + STEP_MAX] = -Infinity;
  }

  private currentStepOf(s: Series): number {
    return Math.round(s.data[s.o + STEP_END]! / this.stepMs) - 1;
  }

  private observeFast(type: MetricType, name: string, value: number, labels: Labels | undefined): void {
    // A one-entry cache in front of the Map: a hot loop usually records the same histogram by name.
    let fam = this.lastObserved;
    if (fam === undefined || fam.name !== name) {
      fam = this.families.get(name);
      if (fam !== undefined) this.lastObserved = fam;
    }
    if (fam !== undefined && fam.type === type && value - value === 0) {
      const s = labels == null ? fam.unlabeled : fam.cache.lookup(labels);
      if (s !== undefined && s.o >= 0) {
        this.observe(s as HistogramSeries, value);
        return;
      }
    }
    this.recordSlow(type, name, value, labels);
  }

  private queuePoint(s: Series, value: number, ts: number): void {
    if (this.queueSeries.length >= this.maxQueuedPoints) this.droppedPoints++;
    else {
      this.queueSeries.push(s);
      this.queueValues.push(value);
      this.queueTimes.push(ts);
    }
    if (!this.flushScheduled) {
      this.flushScheduled = true;
      schedule(this.flush);
    }
  }

  /** Delivers queued point events after the recording calls have returned, so a slow subscriber never slows them. */
  private readonly flush = (): void => {
    this.flushScheduled = false;
    const series = this.queueSeries;
    const values = this.queueValues;
    const times = this.queueTimes;
    const dropped = this.droppedPoints;
    this.queueSeries = [];
    this.queueValues = [];
    this.queueTimes = [];
    this.droppedPoints = 0;
    for (let i = 0; i < series.length; i++) {
      this.safeEmit({ type: 'metrics/point', ts: times[i]!, source: SOURCE, point: this.point(series[i]!, values[i]!, times[i]!) });
    }
    if (dropped > 0) this.safeEmit({ type: 'metrics/points-dropped', ts: this.clock.now(), source: SOURCE, count: dropped });
  };

  private safeEmit(event: MetricsEvent): void {
    try {
      this.bus.emit(event);
    } catch {
      // A subscriber failure must not stop delivery to the others or break recording.
    }
  }

  // ---------------------------------------------------------------- slow path

  private recordSlow(type: MetricType, name: unknown, value: unknown, labels: unknown): void {
    const metricName = validateMetricName(name);
    this.checkValue(type, value);
    const normalized = this.normalize(labels, type);
    const fam = this.family(metricName, type);
    const s = this.seriesFor(fam, labels as Labels | undefined, normalized);
    this.write(s, value);
  }

  private write(s: Series, value: number): void {
    switch (s.family.type) {
      case MetricType.COUNTER:
        this.addCounter(s, value);
        return;
      case MetricType.GAUGE:
        this.setGauge(s, value);
        return;
      default:
        this.observe(s as HistogramSeries, value);
    }
  }

  private checkValue(type: MetricType, value: unknown): asserts value is number {
    if (typeof value !== 'number' || value - value !== 0 || (type === MetricType.COUNTER && value < 0)) throw this.badValue(type, value);
  }

  private badValue(type: MetricType, value: unknown): InvalidValueError {
    if (type === MetricType.COUNTER && typeof value === 'number' && value < 0 && value !== -Infinity) {
      return new InvalidValueError(`a counter can only increase; got increment ${value}`);
    }
    return new InvalidValueError(`${type} value must be a finite number, got ${describeValue(value)}`);
  }

  private checkWindow(windowSeconds: unknown): number {
    if (typeof windowSeconds !== 'number' || !(windowSeconds > 0) || windowSeconds === Infinity) {
      throw new InvalidValueError(`windowSeconds must be a positive finite number, got ${describeValue(windowSeconds)}`);
    }
    return windowSeconds;
  }

  private normalize(labels: unknown, type: MetricType): Labels {
    if (labels === undefined || labels === null) return emptyLabels();
    let normalized: Labels;
    try {
      normalized = normalizeLabels(labels);
    } catch (err) {
      if (err instanceof ObsValidationError) throw new InvalidLabelsError(err.code, err.message);
      throw err;
    }
    if (isHistogramType(type) && 'le' in normalized) {
      throw new InvalidLabelsError('RESERVED_LABEL_NAME', 'label name "le" is reserved for histogram buckets');
    }
    return normalized;
  }

  /** The family for name+type, created if needed; throws on a type conflict or the metric limit. */
  private family(name: string, type: MetricType): MetricFamily {
    const existing = this.families.get(name);
    if (existing !== undefined) {
      if (existing.type !== type) throw new MetricTypeConflictError(`metric ${name} is a ${existing.type}, not a ${type}`);
      return existing;
    }
    if (this.families.size >= this.maxMetrics) {
      this.maybeSweep(this.exactNow());
      if (this.families.size >= this.maxMetrics) throw new MetricLimitError(`at most ${this.maxMetrics} metrics are allowed; ${name} was not created`);
    }
    const desc = this.descriptions.get(name);
    const bounds = isHistogramType(type) ? (desc?.buckets ? new ClassicBuckets(desc.buckets) : this.defaultBuckets) : null;
    return this.createFamily(name, type, bounds, desc?.help ?? '', desc?.unit ?? (type === MetricType.TIMER ? 'ms' : ''));
  }

  private createFamily(name: string, type: MetricType, bounds: ClassicBuckets | null, help: string, unit: string): MetricFamily {
    const fam = new MetricFamily(name, type, this, bounds, help, unit, this.labelCacheSize);
    this.families.set(name, fam);
    return fam;
  }

  /** The series for a validated label set: existing, new, or the overflow series past the limit. */
  private seriesFor(fam: MetricFamily, raw: Labels | undefined | null, normalized: Labels): Series {
    const key = labelKey(normalized);
    let s = key === '' ? fam.unlabeled : fam.series.get(key);
    if (s === undefined) {
      if (fam.series.size >= this.maxSeriesPerMetric) {
        this.maybeSweep(this.exactNow());
        if (fam.series.size >= this.maxSeriesPerMetric) return this.overflowFor(fam, normalized);
      }
      s = this.createSeries(fam, key);
    }
    if (raw != null && key !== '') fam.cache.insert(raw, normalized, s);
    return s;
  }

  private overflowFor(fam: MetricFamily, dropped: Labels): Series {
    fam.droppedLabelSets++;
    if (!fam.limitReported) {
      fam.limitReported = true;
      this.safeEmit({
        type: 'metrics/cardinality-limit',
        ts: this.clock.now(),
        source: SOURCE,
        name: fam.name,
        limit: this.maxSeriesPerMetric,
        droppedLabels: dropped,
      });
    }
    return fam.overflow ?? this.createOverflow(fam);
  }

  private createOverflow(fam: MetricFamily): Series {
    const s = this.newSeries(fam, OVERFLOW_KEY);
    fam.overflow = s;
    return s;
  }

  private createSeries(fam: MetricFamily, key: string): Series {
    const s = this.newSeries(fam, key);
    fam.series.set(key, s);
    if (key === '') fam.unlabeled = s;
    return s;
  }

  private newSeries(fam: MetricFamily, key: string): Series {
    this.slots.allocate();
    const { data, offset } = this.slots;
    let s: Series;
    if (fam.bounds !== null) {
      s = new HistogramSeries(fam, key, data, offset, new LogHistogram(this.maxSketchBuckets), fam.bounds, new Float64Array(fam.bounds.slots));
    } else {
      s = new Series(fam, key, data, offset);
    }
    data[offset + VALUE] = fam.type === MetricType.GAUGE ? NaN : 0;
    data[offset + STEP_END] = -Infinity;
    data[offset + STEP_MIN] = Infinity;
    data[offset + STEP_MAX] = -Infinity;
    data[offset + LAST_TS] = this.clock.now();
    return s;
  }

  private detach(s: Series): void {
    if (s.o < 0) return;
    const fam = s.family as MetricFamily;
    if (fam.overflow === s) fam.overflow = undefined;
    else {
      fam.series.delete(s.key);
      if (fam.unlabeled === s) fam.unlabeled = undefined;
    }
    this.slots.release(s.data, s.o);
    s.o = -1;
  }

  private find(name: string, labels: Labels | undefined, type?: MetricType): Series | undefined {
    const fam = this.families.get(validateMetricName(name));
    if (!fam || (type !== undefined && fam.type !== type)) return undefined;
    const key = labelKey(this.normalize(labels, fam.type));
    const s = key === '' ? fam.unlabeled : key === OVERFLOW_KEY ? (fam.series.get(key) ?? fam.overflow) : fam.series.get(key);
    if (s && this.ttlMs !== Infinity && this.exactNow() - s.data[s.o + LAST_TS]! > this.ttlMs) {
      this.maybeSweep(this.exactNow());
      return s.o >= 0 ? s : undefined;
    }
    return s;
  }

  private sketchOf(name: string, labels: Labels | undefined): LogHistogram | undefined {
    const s = this.find(name, labels);
    return s instanceof HistogramSeries ? syncExtremes(s) : undefined;
  }

  private gaugeHandle(name: string, labels: Labels | undefined): GaugeHandle {
    const normalized = this.normalize(labels, MetricType.GAUGE);
    let s = this.seriesFor(this.family(validateMetricName(name), MetricType.GAUGE), labels, normalized);
    const live = () => (s.o >= 0 ? s : (s = this.seriesFor(this.family(name, MetricType.GAUGE), normalized, normalized)));
    const delta = (value: unknown, sign: 1 | -1) => {
      if (typeof value !== 'number' || value - value !== 0) throw this.badValue(MetricType.GAUGE, value);
      this.addGauge(live(), sign * value);
    };
    return {
      set: (value: number) => {
        if (typeof value !== 'number' || value - value !== 0) throw this.badValue(MetricType.GAUGE, value);
        this.setGauge(live(), value);
      },
      inc: (value: number = 1) => delta(value, 1),
      dec: (value: number = 1) => delta(value, -1),
      get value() {
        if (s.o < 0) return undefined;
        const v = s.data[s.o + VALUE]!;
        return v === v ? v : undefined;
      },
    };
  }

  private histogramHandle(type: MetricType, name: string, labels: Labels | undefined): HistogramHandle {
    const normalized = this.normalize(labels, type);
    let s = this.seriesFor(this.family(validateMetricName(name), type), labels, normalized) as HistogramSeries;
    const observe = (value: number) => {
      if (typeof value !== 'number' || value - value !== 0) throw this.badValue(type, value);
      if (s.o < 0) s = this.seriesFor(this.family(name, type), normalized, normalized) as HistogramSeries;
      this.observe(s, value);
    };
    return {
      observe,
      startTimer: () => {
        const start = performance.now();
        return () => {
          const elapsed = performance.now() - start;
          observe(elapsed);
          return elapsed;
        };
      },
    };
  }

  private point(s: Series, value: number, timestamp: number): MetricPoint {
    return { name: s.family.name, value, metricType: s.family.type, timestamp, labels: s.labels, unit: s.family.unit };
  }

  private maybeSweep(now: number): void {
    if (this.ttlMs === Infinity || now - this.lastSweep < Math.max(1000, this.ttlMs / 4)) return;
    this.sweep(now);
  }

  private sweep(now: number): number {
    this.lastSweep = now;
    if (this.ttlMs === Infinity) return 0;
    let removed = 0;
    for (const fam of this.families.values()) {
      for (const s of [...fam.all()]) {
        if (now - s.data[s.o + LAST_TS]! > this.ttlMs) {
          const labels = s.labels;
          this.detach(s);
          removed++;
          this.safeEmit({ type: 'metrics/series-expired', ts: now, source: SOURCE, name: fam.name, labels });
        }
      }
    }
    return removed;
  }
}

function counterOverflow(s: Series, value: number): InvalidValueError {
  return new InvalidValueError(`incrementing ${s.family.name} by ${value} would overflow`);
}

function sumOverflow(s: Series, value: number): InvalidValueError {
  return new InvalidValueError(`observing ${value} would overflow the sum of ${s.family.name}`);
}

/** The series' sketch with the current step's min/max folded in (observe() leaves them out of the sketch). */
function syncExtremes(s: HistogramSeries): LogHistogram {
  s.sketch.includeExtremes(s.data[s.o + STEP_MIN]!, s.data[s.o + STEP_MAX]!);
  return s.sketch;
}

/** Values recorded in the series' current retention step (see observe() for histograms). */
function stepCount(s: Series): number {
  const n = s.data[s.o + STEP_COUNT]!;
  return s instanceof HistogramSeries ? s.sketch.count - n : n;
}

function stepSum(s: Series): number {
  const sum = s.data[s.o + STEP_SUM]!;
  return s instanceof HistogramSeries ? s.sketch.sum - sum : sum;
}

function stripUndefined<T extends object>(obj: T): Partial<T> {
  return Object.fromEntries(Object.entries(obj).filter(([, v]) => v !== undefined)) as Partial<T>;
}

/** Creates a {@link MetricsCollector}. */
export function createMetricsCollector(config?: MetricsCollectorConfig): MetricsCollector {
  return new MetricsCollector(config);
}
