import type { Clock } from '@obs/core';
import { InvalidValueError } from '../errors';
import type { MetricPoint } from '../MetricPoint';
import { MetricType } from '../MetricType';
import { LogHistogram } from '../sketch/LogHistogram';
import { countEagerly, mergeClassic } from './classicCounts';
import { coarseNow } from './coarseClock';
import {
  R_COUNT,
  R_LAST,
  R_MIN,
  R_STEP,
  R_SUM,
  R_TS,
  appendStep,
  forEachRecord,
  historyCapacity,
  historySize,
} from './history';
import {
  sampleCounterExemplar,
  sampleHistogramExemplar,
  type ExemplarSlots,
  type ExemplarSource,
  type ExemplarState,
} from './exemplars';
import type { MetricFamily } from './MetricFamily';
import type { PointQueue } from './PointQueue';
import { HistogramSeries, Series, labelsOf } from './Series';
import { LAST_TS, STEP_COUNT, STEP_END, STEP_MAX, STEP_MIN, STEP_SUM, SlotAllocator, VALUE } from './slab';

/**
 * Series storage: the slab the series' numbers live in, the retention step layout and
 * the clock. The recording arithmetic below is plain functions over it (one class of
 * context, two classes of series), so the hot paths stay monomorphic and inline well.
 */
export class SeriesStorage implements ExemplarState {
  readonly slots = new SlotAllocator();
  /** Subscribers of the collector's `events$`: points are queued only while it is not 0. */
  subscribers = 0;
  /** Set by the collector's `setExemplarSource`; checked by the recording paths. */
  exemplarSource: ExemplarSource | undefined = undefined;
  exemplarErrors = 0;
  readonly counterExemplars = new Map<Series, ExemplarSlots>();

  constructor(
    /** Width of one retention step in ms. */
    readonly stepMs: number,
    /** Retention steps kept per series. */
    readonly retentionSteps: number,
    readonly clock: Clock,
    /** True when `clock` is the shared coarse clock, read on the hot path as a variable. */
    readonly coarse: boolean,
    /** Reads the clock exactly (refreshing the coarse clock), for reads and expiry. */
    readonly exactNow: () => number,
    readonly maxSketchBuckets: number,
    readonly points: PointQueue,
  ) {}
}

// ---------------------------------------------------------------- series lifetime

/** A new series of `fam` with a fresh slot. */
export function newSeries(st: SeriesStorage, fam: MetricFamily, key: string): Series {
  st.slots.allocate();
  const { data, offset } = st.slots;
  let s: Series;
  if (fam.bounds !== null) {
    s = new HistogramSeries(
      fam,
      key,
      data,
      offset,
      new LogHistogram(st.maxSketchBuckets),
      fam.bounds,
      new Float64Array(fam.bounds.slots),
    );
  } else {
    s = new Series(fam, key, data, offset);
  }
  data[offset + VALUE] = fam.type === MetricType.GAUGE ? NaN : 0;
  data[offset + STEP_END] = -Infinity;
  data[offset + STEP_MIN] = Infinity;
  data[offset + STEP_MAX] = -Infinity;
  data[offset + LAST_TS] = st.clock.now();
  return s;
}

/** Frees the series' slot and marks it removed (`o = -1`). */
export function releaseSeries(st: SeriesStorage, s: Series): void {
  if (st.counterExemplars.size !== 0) st.counterExemplars.delete(s);
  st.slots.release(s.data, s.o);
  s.o = -1;
}

// ---------------------------------------------------------------- recording

/**
 * The counter hot path. A counter's point values only grow, so a step's min is its first
 * point and its max its last (VALUE, taken when the step is rolled): no comparisons per call.
 */
export function addCounter(st: SeriesStorage, s: Series, value: number): void {
  let d = s.data;
  let o = s.o;
  const total = d[o + VALUE]! + value;
  if (total === Infinity) throw new InvalidValueError(`incrementing ${s.family.name} by ${value} would overflow`);
  const now = st.coarse ? coarseNow : st.clock.now();
  if (now >= d[o + STEP_END]!) {
    roll(st, s, now);
    d = s.data;
    o = s.o;
  }
  const count = d[o + STEP_COUNT]!;
  if (count === 0) d[o + STEP_MIN] = total;
  d[o + STEP_COUNT] = count + 1;
  d[o + STEP_SUM]! += total;
  d[o + VALUE] = total;
  d[o + LAST_TS] = now;
  if (st.exemplarSource !== undefined) sampleCounterExemplar(st, s, value, now);
  if (st.subscribers !== 0) st.points.push(s, total, now);
}

/**
 * Sets a gauge: stores the point value (VALUE is always the last point value) and adds it
 * to the current retention step, rolling the step only when time has moved past it.
 */
export function setGauge(st: SeriesStorage, s: Series, value: number): void {
  let d = s.data;
  let o = s.o;
  const now = st.coarse ? coarseNow : st.clock.now();
  if (now >= d[o + STEP_END]!) {
    roll(st, s, now);
    // Rolling may move the series to a private array.
    d = s.data;
    o = s.o;
  }
  d[o + STEP_COUNT]!++;
  d[o + STEP_SUM]! += value;
  if (value < d[o + STEP_MIN]!) d[o + STEP_MIN] = value;
  if (value > d[o + STEP_MAX]!) d[o + STEP_MAX] = value;
  d[o + VALUE] = value;
  d[o + LAST_TS] = now;
  if (st.subscribers !== 0) st.points.push(s, value, now);
}

/** Adds `delta` to a gauge (an unset gauge counts as 0). */
export function addGauge(st: SeriesStorage, s: Series, delta: number): void {
  const current = s.data[s.o + VALUE]!;
  const next = (current === current ? current : 0) + delta;
  if (next - next !== 0) throw new InvalidValueError(`changing gauge ${s.family.name} by ${delta} would overflow`);
  setGauge(st, s, next);
}

/**
 * The histogram hot path, written out rather than going through setGauge(): a histogram's
 * step count and sum are the growth of its sketch's count and sum since the step began
 * (STEP_COUNT/STEP_SUM hold those baselines), so only min/max/last/time are stored per call;
 * and the sketch's own min/max are the step's, folded in at roll or before any read (syncExtremes).
 */
export function observe(st: SeriesStorage, s: HistogramSeries, value: number): void {
  const sketch = s.sketch;
  const sum = sketch.sum + value;
  if (sum - sum !== 0) throw new InvalidValueError(`observing ${value} would overflow the sum of ${s.family.name}`);
  let d = s.data;
  let o = s.o;
  const now = st.coarse ? coarseNow : st.clock.now();
  if (now >= d[o + STEP_END]!) {
    roll(st, s, now);
    d = s.data;
    o = s.o;
  }
  // min/max go to the step only; the sketch takes them at roll or before a read (syncExtremes).
  sketch.count++;
  sketch.sum = sum;
  // The classic slot is read off the sketch bucket later (classicCounts.ts), except for
  // values in the few buckets that contain a bound (and non-positive ones): one masked read.
  const index = sketch.addToBuckets(value);
  if (s.bounds.straddles(index)) countEagerly(s, value, index);
  if (value < d[o + STEP_MIN]!) d[o + STEP_MIN] = value;
  if (value > d[o + STEP_MAX]!) d[o + STEP_MAX] = value;
  d[o + VALUE] = value;
  d[o + LAST_TS] = now;
  if (st.exemplarSource !== undefined) sampleHistogramExemplar(st, s, index, value, now);
  if (st.subscribers !== 0) st.points.push(s, value, now);
}

/** Records an already validated value with the series' own semantics. */
export function write(st: SeriesStorage, s: Series, value: number): void {
  switch (s.family.type) {
    case MetricType.COUNTER:
      addCounter(st, s, value);
      return;
    case MetricType.GAUGE:
      setGauge(st, s, value);
      return;
    default:
      observe(st, s as HistogramSeries, value);
  }
}

/** Closes the current retention step into the history ring and opens the one holding `now`. */
function roll(st: SeriesStorage, s: Series, now: number): void {
  let d = s.data;
  let o = s.o;
  const count = stepCount(s);
  if (count > 0) {
    // The closed step's last point value: the running value before the write that triggered this roll.
    const max = s.family.type === MetricType.COUNTER ? d[o + VALUE]! : d[o + STEP_MAX]!;
    const next = appendStep(
      d,
      o,
      st.retentionSteps,
      currentStepOf(st, s),
      count,
      stepSum(s),
      d[o + STEP_MIN]!,
      max,
      d[o + VALUE]!,
      d[o + LAST_TS]!,
    );
    if (next !== d) {
      st.slots.release(d, o);
      s.data = d = next;
      s.o = o = 0;
    }
  }
  d[o + STEP_END] = (Math.floor(now / st.stepMs) + 1) * st.stepMs;
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

// ---------------------------------------------------------------- reads

export function currentStepOf(st: SeriesStorage, s: Series): number {
  return Math.round(s.data[s.o + STEP_END]! / st.stepMs) - 1;
}

/** Values recorded in the series' current retention step (see observe() for histograms). */
export function stepCount(s: Series): number {
  const n = s.data[s.o + STEP_COUNT]!;
  return s instanceof HistogramSeries ? s.sketch.count - n : n;
}

export function stepSum(s: Series): number {
  const sum = s.data[s.o + STEP_SUM]!;
  return s instanceof HistogramSeries ? s.sketch.sum - sum : sum;
}

/** The series' sketch with the current step's min/max folded in (observe() leaves them out of the sketch). */
export function syncExtremes(s: HistogramSeries): LogHistogram {
  s.sketch.includeExtremes(s.data[s.o + STEP_MIN]!, s.data[s.o + STEP_MAX]!);
  return s.sketch;
}

export function pointOf(s: Series, value: number, timestamp: number): MetricPoint {
  return { name: s.family.name, value, metricType: s.family.type, timestamp, labels: labelsOf(s), unit: s.family.unit };
}

/** One point per retained step (the step's last value at its time), oldest first. */
export function pointsOf(st: SeriesStorage, s: Series): MetricPoint[] {
  const points: MetricPoint[] = [];
  if (s.o < 0) return points;
  const now = st.exactNow();
  const oldest = Math.floor(now / st.stepMs) - st.retentionSteps + 1;
  forEachRecord(s.data, (ring, o) => {
    if (ring[o + R_STEP]! >= oldest) points.push(pointOf(s, ring[o + R_LAST]!, ring[o + R_TS]!));
  });
  const d = s.data;
  if (stepCount(s) > 0 && currentStepOf(st, s) >= oldest) points.push(pointOf(s, d[s.o + VALUE]!, d[s.o + LAST_TS]!));
  return points;
}

export function latestOf(s: Series): MetricPoint | undefined {
  if (s.o < 0) return undefined;
  const d = s.data;
  const value = d[s.o + VALUE]!;
  // A counter always has a value (0 until incremented, or restored); a gauge once set; a histogram once observed.
  if (value !== value) return undefined;
  if (s instanceof HistogramSeries && s.sketch.count === 0) return undefined;
  return pointOf(s, value, d[s.o + LAST_TS]!);
}

/** Mean of the point values in the steps overlapping (now - window, now]; `window` is validated. */
export function averageOf(st: SeriesStorage, s: Series, windowSeconds: number): number | undefined {
  if (s.o < 0) return undefined;
  const now = st.exactNow();
  const lastStep = Math.floor(now / st.stepMs);
  const firstStep = Math.max(Math.floor((now - windowSeconds * 1000) / st.stepMs), lastStep - st.retentionSteps + 1);
  let count = 0;
  let sum = 0;
  forEachRecord(s.data, (ring, o) => {
    const step = ring[o + R_STEP]!;
    if (step >= firstStep && step <= lastStep) {
      count += ring[o + R_COUNT]!;
      sum += ring[o + R_SUM]!;
    }
  });
  const current = currentStepOf(st, s);
  const currentCount = stepCount(s);
  if (currentCount > 0 && current >= firstStep && current <= lastStep) {
    count += currentCount;
    sum += stepSum(s);
  }
  return count === 0 ? undefined : sum / count;
}

/** Per-second increase of a counter series over the last `windowSeconds` (validated). */
export function rateOf(st: SeriesStorage, s: Series, windowSeconds: number): number {
  const now = st.exactNow();
  const firstStep = Math.floor((now - windowSeconds * 1000) / st.stepMs);
  // The running total at the end of the latest step before the window is the baseline.
  let baseline: number | undefined;
  let oldestMin: number | undefined;
  forEachRecord(s.data, (ring, o) => {
    if (oldestMin === undefined) oldestMin = ring[o + R_MIN];
    if (ring[o + R_STEP]! < firstStep) baseline = ring[o + R_LAST];
  });
  const d = s.data;
  if (d[s.o + STEP_COUNT]! > 0 && currentStepOf(st, s) < firstStep) baseline = d[s.o + VALUE];
  if (baseline === undefined) {
    // Nothing before the window: the series began inside it (from 0), unless its older history was already dropped.
    const wrapped = historySize(d) === historyCapacity(d) && historyCapacity(d) === st.retentionSteps;
    baseline = wrapped ? (oldestMin ?? 0) : 0;
  }
  return Math.max(0, d[s.o + VALUE]! - baseline) / windowSeconds;
}

/**
 * Adds another histogram's values (a sketch and per-slot classic counts with the same
 * bounds) to a series, as if they had been observed now.
 */
export function mergeHistogram(
  st: SeriesStorage,
  s: HistogramSeries,
  other: LogHistogram,
  bucketCounts: readonly number[],
): void {
  if (other.count === 0) return;
  let d = s.data;
  let o = s.o;
  const now = st.coarse ? coarseNow : st.clock.now();
  if (now >= d[o + STEP_END]!) {
    roll(st, s, now);
    d = s.data;
    o = s.o;
  }
  mergeClassic(s, other, bucketCounts);
  if (other.min < d[o + STEP_MIN]!) d[o + STEP_MIN] = other.min;
  if (other.max > d[o + STEP_MAX]!) d[o + STEP_MAX] = other.max;
  d[o + VALUE] = other.max;
  d[o + LAST_TS] = now;
}
