import { isValidLabelName } from '@obs/core';
import { MetricType } from '../MetricType';
import { isValidMetricName } from '../names';
import { validateBounds } from '../internal/ClassicBuckets';
import type { Exemplar } from '../MetricsProducer';
import { MAX_INDEX, MIN_INDEX } from '../sketch/logIndex';

/** One series of a worker's state, keyed by its canonical label text. */
export interface SeriesEntry {
  /** Canonical label text (`a="x",b="y"`), validated. */
  readonly key: string;
  /** Counter or gauge value. */
  readonly value: number;
  /** Histogram series: the flat sketch array of its metric and where this series' record starts (see `ClusterWire` in wire.ts). */
  readonly sketch: readonly number[] | undefined;
  readonly sketchAt: number;
  /** Histogram series: the flat classic counts of its metric and where this series' slots start. */
  readonly classic: readonly number[] | undefined;
  readonly classicAt: number;
  /** Histogram: its count, for reset detection. */
  readonly count: number;
  /** Trace exemplars by slot (histogram: classic bucket slot; counter: 0), if any were sent. */
  exemplars: (Exemplar | undefined)[] | undefined;
  /** Gauge: when its value last changed (the primary's ingest order, set by ClusterState), for the `last` policy. */
  changedAt: number;
}

export interface MetricEntry {
  readonly name: string;
  readonly type: MetricType;
  readonly help: string;
  readonly unit: string;
  /** Classic bucket bounds of a histogram or timer. */
  readonly buckets: readonly number[] | undefined;
  readonly series: Map<string, SeriesEntry>;
}

/** A worker's state by metric name, then by label text. */
export type StateIndex = Map<string, MetricEntry>;

export interface IndexLimits {
  readonly maxMetrics: number;
  readonly maxSeriesPerMetric: number;
}

const TYPES = new Set<string>([MetricType.COUNTER, MetricType.GAUGE, MetricType.HISTOGRAM, MetricType.TIMER]);
const MAX_HELP = 4096;
const MAX_LABELS = 64;
const MAX_LABEL_TEXT = 64 * 1024;
const NAME = /[a-zA-Z_][a-zA-Z0-9_]*/y;

export function isHistogramType(type: MetricType): boolean {
  return type === MetricType.HISTOGRAM || type === MetricType.TIMER;
}

function isCount(v: unknown): v is number {
  return typeof v === 'number' && Number.isSafeInteger(v) && v >= 0;
}

/**
 * Whether `text` is canonical label text as `labelKey` writes it: valid names in strictly
 * ascending order, values with only `\\`, `\"` and `\n` escapes and no raw line feed. What
 * passes is written into the exposition as it is, so nothing else may.
 */
export function isCanonicalLabelText(text: unknown, histogram: boolean): text is string {
  if (typeof text !== 'string' || text.length > MAX_LABEL_TEXT) return false;
  let i = 0;
  let previous = '';
  let labels = 0;
  while (i < text.length) {
    NAME.lastIndex = i;
    const m = NAME.exec(text);
    if (m === null) return false;
    const name = m[0];
    if (name <= previous || !isValidLabelName(name) || (histogram && name === 'le') || ++labels > MAX_LABELS)
      return false;
    previous = name;
    i += name.length;
    if (text.charCodeAt(i) !== 61 /* = */ || text.charCodeAt(i + 1) !== 34 /* " */) return false;
    i += 2;
    for (;;) {
      if (i >= text.length) return false;
      const c = text.charCodeAt(i);
      if (c === 34) break;
      if (c === 10) return false;
      if (c === 92 /* \ */) {
        const next = text.charCodeAt(i + 1);
        if (next !== 92 && next !== 34 && next !== 110 /* n */) return false;
        i += 2;
      } else i++;
    }
    i++;
    if (i < text.length) {
      if (text.charCodeAt(i) !== 44 /* , */ || i + 1 === text.length) return false;
      i++;
    }
  }
  return true;
}

/**
 * Checks one sketch record of a flat sketch array at `at`; returns where the next record
 * starts, or -1 when the record is malformed (then the rest of the array cannot be read).
 * Sets `bad` when the record is readable but inconsistent.
 */
function checkSketch(s: readonly unknown[], at: number, out: { bad: boolean }): number {
  out.bad = false;
  const count = s[at];
  const sum = s[at + 1];
  const min = s[at + 2];
  const max = s[at + 3];
  const zero = s[at + 4];
  if (
    !isCount(count) ||
    !isCount(zero) ||
    typeof sum !== 'number' ||
    !Number.isFinite(sum) ||
    typeof min !== 'number' ||
    typeof max !== 'number' ||
    !Number.isFinite(min) ||
    !Number.isFinite(max)
  )
    out.bad = true;
  let i = at + 5;
  let total = typeof zero === 'number' ? zero : 0;
  for (let sign = 0; sign < 2; sign++) {
    const offset = s[i];
    const length = s[i + 1];
    if (!Number.isSafeInteger(length) || (length as number) < 0 || i + 2 + (length as number) > s.length) return -1;
    if (!Number.isSafeInteger(offset) || (offset as number) < MIN_INDEX || (offset as number) > MAX_INDEX)
      out.bad = true;
    else if ((length as number) > MAX_INDEX - (offset as number) + 1) out.bad = true;
    i += 2;
    const end = i + (length as number);
    for (; i < end; i++) {
      const c = s[i];
      if (!isCount(c)) out.bad = true;
      else total += c;
    }
  }
  if (!out.bad && (total !== count || ((count as number) > 0 && (min as number) > (max as number)))) out.bad = true;
  return i;
}

/**
 * Indexes a worker's state in the compact form, keeping what is valid: a malformed metric
 * or series is skipped and counted in `rejected` (a worker with a bug must not take the
 * primary's view down).
 */
export function indexWire(input: unknown, limits: IndexLimits, at: number): { index: StateIndex; rejected: number } {
  const index: StateIndex = new Map();
  let rejected = 0;
  if (typeof input !== 'object' || input === null) return { index, rejected: 1 };
  const families = (input as { families?: unknown }).families;
  if ((input as { wire?: unknown }).wire !== 1 || !Array.isArray(families)) return { index, rejected: 1 };
  const check = { bad: false };
  for (const f of families as unknown[]) {
    if (typeof f !== 'object' || f === null) {
      rejected++;
      continue;
    }
    const {
      n: name,
      t: type,
      h: help,
      u: unit,
      b: buckets,
      k: keys,
      v: values,
      s: sketch,
      c: classic,
    } = f as Record<string, unknown>;
    if (
      !isValidMetricName(name) ||
      index.has(name) ||
      typeof type !== 'string' ||
      !TYPES.has(type) ||
      typeof help !== 'string' ||
      help.length > MAX_HELP ||
      typeof unit !== 'string' ||
      !/^[a-zA-Z0-9_]{0,64}$/.test(unit) ||
      !Array.isArray(keys) ||
      index.size >= limits.maxMetrics
    ) {
      rejected++;
      continue;
    }
    const histogram = isHistogramType(type as MetricType);
    if (histogram) {
      try {
        validateBounds(buckets);
      } catch {
        rejected++;
        continue;
      }
      if (!Array.isArray(sketch) || !Array.isArray(classic)) {
        rejected++;
        continue;
      }
    } else if (!Array.isArray(values) || values.length !== keys.length) {
      rejected++;
      continue;
    }
    const entry: MetricEntry = {
      name,
      type: type as MetricType,
      help,
      unit,
      buckets: histogram ? (buckets as number[]) : undefined,
      series: new Map(),
    };
    const slots = histogram ? (buckets as number[]).length + 1 : 0;
    const byIndex: (SeriesEntry | undefined)[] = [];
    let sketchAt = 0;
    for (let i = 0; i < keys.length; i++) {
      const key: unknown = keys[i];
      let ok =
        isCanonicalLabelText(key, histogram) &&
        !entry.series.has(key) &&
        entry.series.size < limits.maxSeriesPerMetric + 1;
      if (histogram) {
        const s = sketch as unknown[];
        const c = classic as unknown[];
        const next = checkSketch(s, sketchAt, check);
        const classicAt = i * slots;
        if (next < 0 || classicAt + slots > c.length) {
          rejected += keys.length - i; // the rest of this metric cannot be located
          break;
        }
        let classicTotal = 0;
        for (let j = classicAt; j < classicAt + slots; j++) {
          const n = c[j];
          if (isCount(n)) classicTotal += n;
          else ok = false;
        }
        const count = s[sketchAt] as number;
        ok &&= !check.bad && classicTotal === count;
        if (ok) {
          entry.series.set(key as string, {
            key: key as string,
            value: 0,
            sketch: s as number[],
            sketchAt,
            classic: c as number[],
            classicAt,
            count,
            exemplars: undefined,
            changedAt: at,
          });
          byIndex[i] = entry.series.get(key as string);
        } else rejected++;
        sketchAt = next;
        continue;
      }
      const value: unknown = (values as unknown[])[i];
      if (!ok || typeof value !== 'number' || !Number.isFinite(value) || (type === MetricType.COUNTER && value < 0)) {
        rejected++;
        continue;
      }
      entry.series.set(key as string, {
        key: key as string,
        value,
        sketch: undefined,
        sketchAt: 0,
        classic: undefined,
        classicAt: 0,
        count: 0,
        exemplars: undefined,
        changedAt: at,
      });
      byIndex[i] = entry.series.get(key as string);
    }
    const x = (f as { x?: unknown }).x;
    if (x !== undefined)
      rejected += attachExemplars(x, byIndex, histogram ? slots : type === MetricType.COUNTER ? 1 : 0);
    index.set(name, entry);
  }
  return { index, rejected };
}

const MAX_EXEMPLAR_ID = 64;

/** Attaches a metric's exemplars (see `WireFamily.x`) to its series; returns how many were unusable. */
function attachExemplars(x: unknown, byIndex: readonly (SeriesEntry | undefined)[], slots: number): number {
  if (!Array.isArray(x) || x.length % 6 !== 0) return 1;
  let rejected = 0;
  for (let i = 0; i < x.length; i += 6) {
    const [series, slot, traceId, spanId, value, timestamp] = x.slice(i, i + 6) as unknown[];
    const entry = Number.isSafeInteger(series) ? byIndex[series as number] : undefined;
    if (
      entry === undefined ||
      !Number.isSafeInteger(slot) ||
      (slot as number) < 0 ||
      (slot as number) >= slots ||
      typeof traceId !== 'string' ||
      typeof spanId !== 'string' ||
      traceId.length > MAX_EXEMPLAR_ID ||
      spanId.length > MAX_EXEMPLAR_ID ||
      typeof value !== 'number' ||
      !Number.isFinite(value) ||
      typeof timestamp !== 'number' ||
      !Number.isFinite(timestamp)
    ) {
      rejected++;
      continue;
    }
    entry.exemplars ??= new Array<Exemplar | undefined>(slots).fill(undefined);
    entry.exemplars[slot as number] = { labels: { trace_id: traceId, span_id: spanId }, value, timestamp };
  }
  return rejected;
}
