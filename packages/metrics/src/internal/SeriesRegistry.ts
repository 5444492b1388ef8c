import { describeValue, type Labels } from '@obs/core';
import { InvalidConfigError, MetricLimitError, MetricTypeConflictError } from '../errors';
import type { MetricsEvent } from '../events';
import type { MetricPoint } from '../MetricPoint';
import { MetricType } from '../MetricType';
import { validateMetricName } from '../names';
import { ClassicBuckets, validateBounds } from './ClassicBuckets';
import { labelKey } from './labelText';
import { MetricFamily, OVERFLOW_KEY } from './MetricFamily';
import type { Series, SeriesStore } from './Series';
import { LAST_TS } from './slab';
import { averageOf, latestOf, newSeries, pointsOf, releaseSeries, write, type SeriesStorage } from './storage';
import { checkValue, checkWindow, isHistogramType, limitLabelValues, normalizeFor } from './validate';

/** Help, unit and bucket bounds of a metric, for exposition. */
export interface MetricDescription {
  readonly help?: string;
  /** OpenMetrics unit, e.g. `'seconds'`; emitted only when the metric name ends with `_<unit>`. */
  readonly unit?: string;
  /** Classic bucket bounds for a histogram or timer (before its first value). */
  readonly buckets?: readonly number[];
}

export interface RegistryLimits {
  readonly maxSeriesPerMetric: number;
  readonly maxMetrics: number;
  /** Series not written for this long are removed (Infinity: never). */
  readonly ttlMs: number;
  readonly labelCacheSize: number;
  readonly defaultBuckets: ClassicBuckets;
  /** Label values longer than this (UTF-16 code units) are truncated and counted. */
  readonly maxLabelValueLength: number;
}

const SOURCE = 'metrics';
const UNIT_RE = /^[a-zA-Z0-9_]*$/;
const MAX_HELP = 4096;

/**
 * The family/series registry: metric names to families, label sets to series, with the
 * series limit (overflow series), the metric limit, descriptions, and TTL expiry. It is
 * the store every series reports to (`SeriesStore`).
 */
export class SeriesRegistry implements SeriesStore {
  readonly families = new Map<string, MetricFamily>();
  /** The family last found by name on the histogram fast path; forgotten when any metric is removed. */
  lastObserved: MetricFamily | undefined = undefined;
  private readonly descriptions = new Map<string, MetricDescription>();
  private lastSweep = -Infinity;

  constructor(
    readonly storage: SeriesStorage,
    readonly limits: RegistryLimits,
    private readonly emit: (event: MetricsEvent) => void,
  ) {}

  // ---------------------------------------------------------------- families

  /** The family for name+type, created if needed; throws on a type conflict or the metric limit. */
  family(name: string, type: MetricType): MetricFamily {
    const existing = this.families.get(name);
    if (existing !== undefined) {
      if (existing.type !== type)
        throw new MetricTypeConflictError(`metric ${name} is a ${existing.type}, not a ${type}`);
      return existing;
    }
    if (this.families.size >= this.limits.maxMetrics) {
      this.maybeSweep(this.storage.exactNow());
      if (this.families.size >= this.limits.maxMetrics) {
        throw new MetricLimitError(`at most ${this.limits.maxMetrics} metrics are allowed; ${name} was not created`);
      }
    }
    const desc = this.descriptions.get(name);
    const bounds = isHistogramType(type)
      ? desc?.buckets
        ? new ClassicBuckets(desc.buckets)
        : this.limits.defaultBuckets
      : null;
    return this.createFamily(
      name,
      type,
      bounds,
      desc?.help ?? '',
      desc?.unit ?? (type === MetricType.TIMER ? 'ms' : ''),
    );
  }

  createFamily(
    name: string,
    type: MetricType,
    bounds: ClassicBuckets | null,
    help: string,
    unit: string,
  ): MetricFamily {
    const fam = new MetricFamily(
      name,
      type,
      this,
      bounds,
      help,
      unit,
      this.limits.labelCacheSize,
      this.storage.clock.now(),
    );
    this.families.set(name, fam);
    return fam;
  }

  /** Sets help text, unit and bucket bounds of a metric (before or after it has values). */
  describe(name: string, description: MetricDescription): void {
    validateMetricName(name);
    if (typeof description !== 'object' || description === null)
      throw new InvalidConfigError('description must be an object');
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
      throw new MetricTypeConflictError(
        `metric ${name} already exists with other bucket bounds (or is not a histogram)`,
      );
    }
    if (!fam && !this.descriptions.has(name) && this.descriptions.size >= this.limits.maxMetrics) {
      throw new MetricLimitError(`at most ${this.limits.maxMetrics} metric descriptions are kept`);
    }
    const merged: MetricDescription = {
      ...this.descriptions.get(name),
      ...stripUndefined({ help, unit, buckets: buckets && [...buckets] }),
    };
    this.descriptions.set(name, merged);
    if (fam) {
      if (help !== undefined) fam.help = help;
      if (unit !== undefined) fam.unit = unit;
    }
  }

  /** Removes a metric and all its series; true if it existed. */
  removeMetric(name: string): boolean {
    const fam = this.families.get(name);
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

  // ---------------------------------------------------------------- series

  /** The series for a validated label set: existing, new, or the overflow series past the limit. */
  seriesFor(fam: MetricFamily, raw: Labels | undefined | null, normalized: Labels): Series {
    const key = labelKey(normalized);
    let s = key === '' ? fam.unlabeled : fam.series.get(key);
    if (s === undefined) {
      if (fam.series.size >= this.limits.maxSeriesPerMetric) {
        this.maybeSweep(this.storage.exactNow());
        if (fam.series.size >= this.limits.maxSeriesPerMetric) return this.overflowFor(fam, normalized);
      }
      s = this.createSeries(fam, key);
    }
    if (raw != null && key !== '') fam.cache.insert(raw, normalized, s);
    return s;
  }

  /**
   * Labels for recording into `fam`: values past the length limit are truncated, and the
   * recording counted (and reported once per metric).
   */
  limited(fam: MetricFamily, normalized: Labels): Labels {
    const limited = limitLabelValues(normalized, this.limits.maxLabelValueLength);
    if (limited === normalized) return normalized;
    fam.truncatedLabelValues++;
    if (!fam.truncationReported) {
      fam.truncationReported = true;
      const label = Object.keys(normalized).find((k) => normalized[k] !== limited[k])!;
      this.emit({
        type: 'metrics/label-value-truncated',
        ts: this.storage.clock.now(),
        source: SOURCE,
        name: fam.name,
        label,
        length: normalized[label]!.length,
        limit: this.limits.maxLabelValueLength,
      });
    }
    return limited;
  }

  /** Validates and resolves name + labels to a series of `type` (creating what is missing), for handles. */
  resolve(type: MetricType, name: unknown, labels: unknown): { series: Series; normalized: Labels } {
    const metricName = validateMetricName(name);
    const valid = normalizeFor(labels, type);
    const fam = this.family(metricName, type);
    const normalized = this.limited(fam, valid);
    return { series: this.seriesFor(fam, labels as Labels | undefined, normalized), normalized };
  }

  /** The slow path of every recording call: validation, family and series creation, then the write. */
  recordSlow(type: MetricType, name: unknown, value: unknown, labels: unknown): void {
    const metricName = validateMetricName(name);
    checkValue(type, value);
    const normalized = normalizeFor(labels, type);
    const fam = this.family(metricName, type);
    const s = this.seriesFor(fam, labels as Labels | undefined, this.limited(fam, normalized));
    write(this.storage, s, value);
  }

  private overflowFor(fam: MetricFamily, dropped: Labels): Series {
    fam.droppedLabelSets++;
    if (!fam.limitReported) {
      fam.limitReported = true;
      this.emit({
        type: 'metrics/cardinality-limit',
        ts: this.storage.clock.now(),
        source: SOURCE,
        name: fam.name,
        limit: this.limits.maxSeriesPerMetric,
        droppedLabels: dropped,
      });
    }
    return fam.overflow ?? this.createOverflow(fam);
  }

  createOverflow(fam: MetricFamily): Series {
    const s = newSeries(this.storage, fam, OVERFLOW_KEY);
    fam.overflow = s;
    return s;
  }

  createSeries(fam: MetricFamily, key: string): Series {
    const s = newSeries(this.storage, fam, key);
    fam.series.set(key, s);
    if (key === '') fam.unlabeled = s;
    return s;
  }

  detach(s: Series): void {
    if (s.o < 0) return;
    const fam = s.family as MetricFamily;
    if (fam.overflow === s) fam.overflow = undefined;
    else {
      fam.series.delete(s.key);
      if (fam.unlabeled === s) fam.unlabeled = undefined;
    }
    releaseSeries(this.storage, s);
  }

  /** The live series for name + labels (of `type` if given), expiring it first if stale. */
  find(name: string, labels: Labels | undefined, type?: MetricType): Series | undefined {
    const fam = this.families.get(validateMetricName(name));
    if (!fam || (type !== undefined && fam.type !== type)) return undefined;
    // Truncated like a recording's, so the full long value finds its series.
    const key = labelKey(limitLabelValues(normalizeFor(labels, fam.type), this.limits.maxLabelValueLength));
    const s =
      key === '' ? fam.unlabeled : key === OVERFLOW_KEY ? (fam.series.get(key) ?? fam.overflow) : fam.series.get(key);
    if (s && this.limits.ttlMs !== Infinity && this.storage.exactNow() - s.data[s.o + LAST_TS]! > this.limits.ttlMs) {
      this.maybeSweep(this.storage.exactNow());
      return s.o >= 0 ? s : undefined;
    }
    return s;
  }

  // ---------------------------------------------------------------- expiry

  /** Expires stale series, at most once per quarter TTL (and per second). */
  maybeSweep(now: number): void {
    const ttl = this.limits.ttlMs;
    if (ttl === Infinity || now - this.lastSweep < Math.max(1000, ttl / 4)) return;
    this.sweep(now);
  }

  /** Removes series not written for the TTL; returns how many. */
  sweep(now: number): number {
    this.lastSweep = now;
    const ttl = this.limits.ttlMs;
    if (ttl === Infinity) return 0;
    let removed = 0;
    for (const fam of this.families.values()) {
      for (const s of [...fam.all()]) {
        if (now - s.data[s.o + LAST_TS]! > ttl) {
          const labels = s.labels;
          this.detach(s);
          removed++;
          this.emit({ type: 'metrics/series-expired', ts: now, source: SOURCE, name: fam.name, labels });
        }
      }
    }
    return removed;
  }

  // ---------------------------------------------------------------- SeriesStore

  record(series: Series, value: number): void {
    const type = series.family.type;
    if (series.o < 0) {
      this.recordSlow(type, series.family.name, value, series.labels);
      return;
    }
    checkValue(type, value);
    write(this.storage, series, value);
  }

  points(series: Series): MetricPoint[] {
    return pointsOf(this.storage, series);
  }

  latest(series: Series): MetricPoint | undefined {
    return latestOf(series);
  }

  average(series: Series, windowSeconds: number): number | undefined {
    return averageOf(this.storage, series, checkWindow(windowSeconds));
  }
}

function stripUndefined<T extends object>(obj: T): Partial<T> {
  return Object.fromEntries(Object.entries(obj).filter(([, v]) => v !== undefined)) as Partial<T>;
}
