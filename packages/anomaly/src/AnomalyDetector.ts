import { Observable, filter } from 'rxjs';
import {
  BoundedMap,
  EventBus,
  ObsError,
  NON_NEGATIVE_INTEGER,
  ObsValidationError,
  POSITIVE_INTEGER,
  describeValue,
  emptyLabels,
  labelsKey,
  normalizeLabels,
  requireNonEmptyString,
  requireNumber,
  requireObject,
  systemClock,
  type Clock,
  type InvalidOption,
  type Labels,
} from '@obs/core';
import type { Anomaly, AnomalyScore, Baseline, PointLike } from './Anomaly';
import type { AnomalyType } from './AnomalyType';
import type { AnomalyEvent, AnomalyUpdatedEvent } from './events';
import { AnomalySnapshotError } from './errors';
import { ScoreRank } from './stats/ScoreRank';
import { SeriesModel, type ConfirmedIncident, type IncidentConfig, type IncidentNews } from './SeriesModel';
import {
  Predictor,
  StreamScorer,
  defaultScorerConfig,
  predictorNames,
  type PointScore,
  type ScorerConfig,
  type ScorerState,
} from './StreamScorer';

/** Options of {@link createAnomalyDetector}. */
export interface AnomalyDetectorConfig {
  /** Time of points given without a timestamp (default: the system clock). */
  readonly clock?: Clock;
  /** Series kept at most; the least recently used is evicted beyond (default 10,000). */
  readonly maxSeries?: number;
  /** Anomalies kept for {@link AnomalyDetector.getDetectedAnomalies} (default 1,000). */
  readonly maxAnomalies?: number;
  /** Anomaly score from which a point opens an incident, in (0, 1] (default 0.5). */
  readonly threshold?: number;
  /** Points in a row without an alarm that close an incident (default 50, chosen by cross-validation on NAB; see BENCHMARKS.md). */
  readonly quietPoints?: number;
  /**
   * Points after a reported anomaly during which another one of the same series is
   * taken for the same incident and not reported (default 2, chosen by cross-validation on NAB; see BENCHMARKS.md).
   */
  readonly suppressPoints?: number;
  /**
   * Points of a series that are only learned, never judged, before the first
   * verdict (default 32; the same as `scorer.warmupPoints`, which it overrides).
   * `detect()` returns nothing and `calculateBaseline()` returns `undefined` until then.
   */
  readonly warmupPoints?: number;
  /** Model tuning; the defaults are the benchmarked method. */
  readonly scorer?: Partial<ScorerConfig>;
}

/** The JSON form of the detector's models (see {@link AnomalyDetector.snapshot}). */
export interface AnomalyDetectorSnapshot {
  readonly version: 1;
  readonly series: ReadonlyArray<{
    readonly metricName: string;
    readonly labels: Labels;
    readonly model: ScorerState;
    /** Histogram behind `confidence` (optional: without it the series re-learns its calibration). */
    readonly confidence?: number[];
  }>;
}

const SOURCE = 'anomaly';
/** Code of a point rejected because scoring it threw something other than an {@link ObsError}. */
const POINT_FAILED = 'POINT_FAILED';

/**
 * Streaming anomaly detection: one online model per series (metric name +
 * labels), bounded in memory and in number of series.
 *
 * @example
 * const detector = createAnomalyDetector();
 * const anomaly = detector.detect('latency_ms', 412, { route: '/api' });
 * if (anomaly) console.log(anomaly.anomalyType, anomaly.details.reason);
 */
export class AnomalyDetector {
  private readonly bus = new EventBus<AnomalyEvent>();
  /**
   * Every event of this detector: `anomaly/detected`, `anomaly/updated`,
   * `anomaly/series-evicted`, `anomaly/point-rejected`.
   */
  readonly events$: Observable<AnomalyEvent> = this.bus.events$;
  /**
   * Only the `anomaly/updated` events: an anomaly already reported (by `detect()`,
   * `watch()` or `anomaly/detected`) whose type later points changed, e.g. a SPIKE
   * that turned out to be a level shift (TREND). Same `anomalyId`, new object.
   */
  readonly updates$: Observable<AnomalyUpdatedEvent> = this.bus.events$.pipe(
    filter((e): e is AnomalyUpdatedEvent => e.type === 'anomaly/updated'),
  );

  private readonly clock: Clock;
  private readonly scorerConfig: ScorerConfig;
  private readonly rules: IncidentConfig;
  private readonly series: BoundedMap<string, SeriesModel<Anomaly>>;
  private readonly maxAnomalies: number;
  private readonly anomalies: Anomaly[] = [];
  private sequence = 0;
  private rejected = 0;

  constructor(config: AnomalyDetectorConfig = {}) {
    if (typeof config !== 'object' || config === null) {
      throw new ObsValidationError('INVALID_CONFIG', `config must be an object, got ${describeValue(config)}`);
    }
    this.clock = config.clock ?? systemClock;
    if (typeof this.clock?.now !== 'function')
      throw new ObsValidationError('INVALID_CONFIG', 'config.clock must have a now() method');
    const maxSeries = requireNumber(config.maxSeries ?? 10_000, 'maxSeries', POSITIVE_INTEGER, invalidConfig);
    this.maxAnomalies = requireNumber(config.maxAnomalies ?? 1_000, 'maxAnomalies', POSITIVE_INTEGER, invalidConfig);
    const threshold = requireNumber(
      config.threshold ?? 0.5,
      'threshold',
      { min: 0, minExclusive: true, max: 1, description: 'a number in (0, 1]' },
      invalidConfig,
    );
    this.rules = {
      threshold,
      quietPoints: requireNumber(config.quietPoints ?? 50, 'quietPoints', POSITIVE_INTEGER, invalidConfig),
      suppressPoints: requireNumber(config.suppressPoints ?? 2, 'suppressPoints', NON_NEGATIVE_INTEGER, invalidConfig),
    };
    const scorer = config.scorer ?? {};
    this.scorerConfig = checkScorerConfig(
      config.warmupPoints === undefined
        ? scorer
        : { ...requireObject(scorer, 'scorer config', invalidConfig), warmupPoints: config.warmupPoints },
    );
    this.series = new BoundedMap(maxSeries, (_key, model) => {
      if (model === this.hotModel) this.forgetHot();
      this.bus.emit({
        type: 'anomaly/series-evicted',
        ts: this.clock.now(),
        source: SOURCE,
        metricName: model.metricName,
        labels: model.labels,
      });
    });
  }

  /** Series currently modelled. */
  get seriesCount(): number {
    return this.series.size;
  }

  /** Points `watch` could not use (each also an `anomaly/point-rejected` event). */
  get rejectedPoints(): number {
    return this.rejected;
  }

  /** Series dropped to respect `maxSeries`. */
  get evictedSeries(): number {
    return this.series.evictions;
  }

  /**
   * What the model of a series has learned, or `undefined` for an unknown series
   * or one still in warm-up.
   */
  calculateBaseline(metricName: string, labels?: Readonly<Record<string, string>>): Baseline | undefined {
    const model = this.series.peek(seriesKey(requireNonEmptyString(metricName, 'metricName'), normalizeLabels(labels)));
    if (model === undefined || !model.scorer.warm) return undefined;
    const sc = model.scorer;
    const seasonal = sc.seasonalLearned();
    return {
      metricName: model.metricName,
      labels: model.labels,
      expectedValue: sc.baselineLevel,
      mean: sc.baselineLevel,
      stdDev: sc.baselineScale,
      recentValue: sc.recentLevel,
      scale: sc.baselineScale,
      min: sc.minSeen,
      max: sc.maxSeen,
      count: sc.n,
      ignoredCount: sc.nan,
      seasonalPeriod: seasonal === Predictor.DAILY ? 'daily' : seasonal === Predictor.WEEKLY ? 'weekly' : undefined,
    };
  }

  /**
   * Learns one value of a series and returns the anomaly this very value carries,
   * if it starts one: a value far above or below what was expected is a SPIKE or
   * DROP (or SEASONALITY / OUTLIER / TREND where that is what it is) at once.
   * Whether a SPIKE or DROP was really a level shift only the next point can tell:
   * if it was, the same anomaly (same `anomalyId`) is updated to TREND, announced
   * as an `anomaly/updated` event (see {@link updates$}) and shown with its new
   * type by {@link getDetectedAnomalies}. NaN and infinities are ignored and
   * counted; they change nothing.
   *
   * @param timestamp epoch ms of the value (default: the clock's now), e.g. for replayed data.
   */
  detect(
    metricName: string,
    value: number,
    labels?: Readonly<Record<string, string>>,
    timestamp?: number,
  ): Anomaly | undefined {
    this.observe(metricName, value, labels, timestamp);
    return this.lastDetected;
  }

  /**
   * Like {@link detect}, and also returns the point's anomaly score and how it
   * was judged: the score the detection threshold applies to.
   */
  score(
    metricName: string,
    value: number,
    labels?: Readonly<Record<string, string>>,
    timestamp?: number,
  ): AnomalyScore {
    const r = this.observe(metricName, value, labels, timestamp);
    const anomaly = this.lastDetected;
    const updated = this.lastUpdated;
    const model = this.lastModel as SeriesModel<Anomaly>;
    return {
      score: r.score,
      confidence: model.confidence,
      likelihoodScore: r.likelihoodScore,
      pointScore: r.pointScore,
      deviation: r.z,
      expectedValue: r.expected,
      predictor: predictorNames[r.predictor]!,
      judged: r.judged,
      anomaly,
      updated,
    };
  }

  /** The most recent anomalies (at most `limit`), oldest first. */
  getDetectedAnomalies(limit = 100): Anomaly[] {
    if (typeof limit !== 'number' || Number.isNaN(limit) || limit < 0) {
      throw new ObsValidationError('INVALID_LIMIT', `limit must be a non-negative number, got ${describeValue(limit)}`);
    }
    const n = Math.min(Math.floor(limit), this.anomalies.length);
    return n === 0 ? [] : this.anomalies.slice(this.anomalies.length - n);
  }

  /**
   * Turns a stream of metric points into a stream of anomalies, each emitted by
   * the point that carries it. Later changes of an anomaly's type are not emitted
   * here: subscribe to {@link updates$} (or `anomaly/updated` on `events$`). A point that
   * cannot be used (bad name, labels or value type), or whose scoring throws for
   * any other reason, is skipped, counted in `rejectedPoints` and reported as an
   * `anomaly/point-rejected` event; the stream goes on. Errors and completion of
   * the source pass through to the subscriber.
   *
   * @throws ObsValidationError (`INVALID_SOURCE`) when `points$` is not an Observable.
   */
  watch(points$: Observable<PointLike>): Observable<Anomaly> {
    if (typeof (points$ as { subscribe?: unknown } | null)?.subscribe !== 'function') {
      throw new ObsValidationError('INVALID_SOURCE', `points$ must be an Observable, got ${describeValue(points$)}`);
    }
    return new Observable<Anomaly>((subscriber) =>
      points$.subscribe({
        next: (point) => {
          let anomaly: Anomaly | undefined;
          try {
            if (typeof point !== 'object' || point === null) {
              throw new ObsValidationError('INVALID_POINT', `point must be an object, got ${describeValue(point)}`);
            }
            this.observe(point.name, point.value, point.labels, point.timestamp);
            anomaly = this.lastDetected;
          } catch (error) {
            // Never rethrow here: an error thrown inside an observer is not the
            // subscriber's error but an unhandled RxJS error, which crashes Node.
            this.rejectPoint(error);
            return;
          }
          if (anomaly !== undefined) subscriber.next(anomaly);
        },
        error: (error: unknown) => subscriber.error(error),
        complete: () => subscriber.complete(),
      }),
    );
  }

  private rejectPoint(error: unknown): void {
    this.rejected++;
    if (!this.bus.observed) return;
    let ts: number;
    try {
      ts = this.clock.now();
    } catch {
      // The clock itself may be what failed; the event still needs a time.
      ts = Date.now();
    }
    const code = error instanceof ObsError ? error.code : POINT_FAILED;
    this.bus.emit({ type: 'anomaly/point-rejected', ts, source: SOURCE, reason: errorReason(error), code });
  }

  /** Forgets one series (returns whether it existed), or every series without arguments. */
  reset(metricName?: string, labels?: Readonly<Record<string, string>>): boolean {
    this.forgetHot();
    if (metricName === undefined) {
      const had = this.series.size > 0;
      this.series.clear();
      return had;
    }
    return this.series.delete(seriesKey(requireNonEmptyString(metricName, 'metricName'), normalizeLabels(labels)));
  }

  /** The models of every series, least recently used first (JSON-serializable). */
  snapshot(): AnomalyDetectorSnapshot {
    const series = [];
    for (const model of this.series.values()) {
      series.push({
        metricName: model.metricName,
        labels: { ...model.labels },
        model: model.scorer.toJSON(),
        confidence: model.calibration.toJSON(),
      });
    }
    return { version: 1, series };
  }

  /**
   * Replaces every model with those of a {@link snapshot}. Throws
   * {@link AnomalySnapshotError} on anything else and then leaves the state untouched.
   * Incidents in progress are not part of a snapshot.
   */
  restore(snapshot: unknown): void {
    if (typeof snapshot !== 'object' || snapshot === null || (snapshot as { version?: unknown }).version !== 1) {
      throw new AnomalySnapshotError('snapshot must be an object with version 1');
    }
    const list = (snapshot as { series?: unknown }).series;
    if (!Array.isArray(list)) throw new AnomalySnapshotError('snapshot.series must be an array');
    if (list.length > this.series.limit) {
      throw new AnomalySnapshotError(
        `snapshot holds ${list.length} series, more than maxSeries (${this.series.limit})`,
      );
    }
    const models: Array<[string, SeriesModel<Anomaly>]> = [];
    const seen = new Set<string>();
    list.forEach((entry: unknown, i) => {
      if (typeof entry !== 'object' || entry === null)
        throw new AnomalySnapshotError(`snapshot.series[${i}] must be an object`);
      const e = entry as { metricName?: unknown; labels?: unknown; model?: unknown; confidence?: unknown };
      let name: string;
      let labels: Labels;
      try {
        name = requireNonEmptyString(e.metricName, 'metricName');
        labels = normalizeLabels(e.labels);
      } catch (error) {
        throw new AnomalySnapshotError(`snapshot.series[${i}]: ${(error as Error).message}`);
      }
      const scorer = StreamScorer.fromJSON(e.model, this.scorerConfig);
      if (typeof scorer === 'string') throw new AnomalySnapshotError(`snapshot.series[${i}]: ${scorer}`);
      const calibration = e.confidence === undefined ? new ScoreRank() : ScoreRank.fromJSON(e.confidence);
      if (typeof calibration === 'string') throw new AnomalySnapshotError(`snapshot.series[${i}]: ${calibration}`);
      const key = seriesKey(name, labels);
      if (seen.has(key)) throw new AnomalySnapshotError(`snapshot.series[${i}]: duplicate series ${name}`);
      seen.add(key);
      models.push([key, new SeriesModel<Anomaly>(name, labels, scorer, calibration)]);
    });
    this.forgetHot();
    this.series.clear();
    for (const [key, model] of models) this.series.set(key, model);
  }

  private lastModel: SeriesModel<Anomaly> | undefined;
  /** What the last observed point started, and the anomaly it updated, if any. */
  private lastDetected: Anomaly | undefined;
  private lastUpdated: Anomaly | undefined;
  /** The last unlabelled series used, to skip the map on repeated calls. */
  private hotName: string | undefined;
  private hotModel: SeriesModel<Anomaly> | undefined;

  private forgetHot(): void {
    this.hotName = undefined;
    this.hotModel = undefined;
  }

  /**
   * Scores and learns one point: returns the scorer's verdict, and leaves what the
   * point did to incidents in `lastDetected` / `lastUpdated`.
   */
  private observe(
    metricName: string,
    value: number,
    labels: Readonly<Record<string, string>> | undefined,
    timestamp: number | undefined,
  ): PointScore {
    this.lastDetected = this.lastUpdated = undefined;
    requireNonEmptyString(metricName, 'metricName');
    if (typeof value !== 'number') {
      throw new ObsValidationError('INVALID_NUMBER', `value must be a number, got ${describeValue(value)}`);
    }
    let t: number;
    if (timestamp === undefined) t = this.clock.now();
    else if (typeof timestamp === 'number' && Number.isFinite(timestamp)) t = timestamp;
    else
      throw new ObsValidationError(
        'INVALID_TIMESTAMP',
        `timestamp must be a finite number of epoch ms, got ${describeValue(timestamp)}`,
      );

    let model: SeriesModel<Anomaly> | undefined;
    if (labels === undefined && metricName === this.hotName && this.hotModel !== undefined) {
      // Same unlabelled series as the last call: it is already the most recently used.
      model = this.hotModel;
    } else {
      // Known series are found by a key built straight from the caller's labels;
      // only a new series pays for full validation (an invalid label set can
      // never match a stored key, so it always reaches normalizeLabels and throws).
      model = this.series.get(metricName + '\u0000' + (labels === undefined ? '' : rawLabelsKey(labels)));
      if (model === undefined) {
        const normalized = labels === undefined ? emptyLabels() : normalizeLabels(labels);
        model = SeriesModel.create<Anomaly>(metricName, normalized, this.scorerConfig);
        this.series.set(seriesKey(metricName, normalized), model);
      }
      this.hotName = labels === undefined ? metricName : undefined;
      this.hotModel = labels === undefined ? model : undefined;
    }
    this.lastModel = model;
    // The verdict is handed on, not stored: a fresh object written into a long-lived
    // one every point would cost a write barrier on the hot path.
    const r = model.scorer.update(value, t);
    const news = model.judge(r, value, t, this.rules);
    if (news !== undefined) this.publish(model, news);
    return r;
  }

  private publish(model: SeriesModel<Anomaly>, news: IncidentNews): void {
    // The update concerns the incident the previous point started: apply it first.
    const re = news.reclassified;
    if (re !== undefined && model.pending !== undefined) {
      this.lastUpdated = this.update(model, model.pending, re.incident, re.previousType);
    }
    model.pending = undefined;
    if (news.detected !== undefined) {
      const anomaly = this.build(
        model,
        news.detected,
        `anomaly-${(++this.sequence).toString(36)}-${Math.round(news.detected.start.timestamp).toString(36)}`,
      );
      model.pending = anomaly;
      this.anomalies.push(anomaly);
      if (this.anomalies.length > this.maxAnomalies)
        this.anomalies.splice(0, this.anomalies.length - this.maxAnomalies);
      if (this.bus.observed)
        this.bus.emit({
          type: 'anomaly/detected',
          ts: this.clock.now(),
          source: SOURCE,
          anomaly,
          labels: model.labels,
        });
      this.lastDetected = anomaly;
    }
  }

  /** Replaces a reported anomaly by one of its new type (same id) in the history, and says so. */
  private update(
    model: SeriesModel<Anomaly>,
    old: Anomaly,
    incident: ConfirmedIncident,
    previousType: AnomalyType,
  ): Anomaly {
    const anomaly = this.build(model, incident, old.anomalyId, old.confidence);
    // Usually the last entry, or close to it; it may also have left the bounded history.
    for (let i = this.anomalies.length - 1; i >= 0; i--) {
      if (this.anomalies[i] === old) {
        this.anomalies[i] = anomaly;
        break;
      }
    }
    if (this.bus.observed) {
      this.bus.emit({
        type: 'anomaly/updated',
        ts: this.clock.now(),
        source: SOURCE,
        anomaly,
        previousType,
        anomalyType: anomaly.anomalyType,
        labels: model.labels,
      });
    }
    return anomaly;
  }

  private build(
    model: SeriesModel<Anomaly>,
    incident: ConfirmedIncident,
    anomalyId: string,
    confidence = incident.start.confidence,
  ): Anomaly {
    const start = incident.start;
    const anomaly: Anomaly = {
      anomalyId,
      anomalyType: incident.type,
      metricName: model.metricName,
      expectedValue: start.expected,
      actualValue: start.value,
      deviation: start.z,
      confidence,
      timestamp: start.timestamp,
      details: {
        reason: incident.reason,
        labels: model.labels,
        predictor: start.predictor,
        mainPredictor: start.mainPredictor,
        ...(start.zSeasonal === start.zSeasonal ? { seasonalDeviation: start.zSeasonal } : {}),
        score: start.score,
        likelihoodScore: start.likelihoodScore,
        outsideRange: start.outsideRange,
        baselineDeviation: start.zBaseline,
        baselineValue: start.baseline,
        baselineScale: start.baselineScale,
        ...(start.seasonalPeriod !== undefined ? { seasonalPeriod: start.seasonalPeriod } : {}),
        ...(incident.nextValue !== undefined ? { nextValue: incident.nextValue } : {}),
      },
    };
    // Shared by the history, watch() subscribers and events: nobody may change it under the others.
    Object.freeze(anomaly.details);
    return Object.freeze(anomaly);
  }
}

/** Creates an {@link AnomalyDetector}. */
export function createAnomalyDetector(config?: AnomalyDetectorConfig): AnomalyDetector {
  return new AnomalyDetector(config);
}

/** A short description of anything thrown, without trusting it to behave. */
function errorReason(error: unknown): string {
  try {
    if (error instanceof ObsError) return error.message;
    if (error instanceof Error) return `${error.name}: ${error.message}`;
    return `non-error thrown: ${describeValue(error)}`;
  } catch {
    return 'unreadable error';
  }
}

function seriesKey(metricName: string, labels: Labels): string {
  return labels === emptyLabels() ? metricName + '\u0000' : metricName + '\u0000' + labelsKey(labels);
}

/**
 * `labelsKey(normalizeLabels(labels))` for a valid label set, computed without
 * copying; anything invalid yields a key that no valid label set has.
 */
function rawLabelsKey(labels: unknown): string {
  if (typeof labels !== 'object' || labels === null || Array.isArray(labels)) return '\u0001';
  const names = Object.keys(labels);
  if (names.length > 1) names.sort();
  let key = '';
  for (const name of names) {
    const value = (labels as Record<string, unknown>)[name];
    key += name + '=' + (typeof value === 'string' ? JSON.stringify(value) : '\u0001') + ',';
  }
  return key;
}

const invalidConfig: InvalidOption = (message) => new ObsValidationError('INVALID_CONFIG', message);

const INTEGER_FIELDS: ReadonlySet<string> = new Set([
  'warmupPoints',
  'likelihoodWindow',
  'likelihoodHorizon',
  'shiftPoints',
  'refractoryPoints',
  'minEvidence',
]);
const UNIT_FIELDS: ReadonlySet<string> = new Set([
  'slowAlpha',
  'fastAlpha',
  'scaleAlpha',
  'seasonalAlpha',
  'refractoryFactor',
  'alarmScore',
]);

/** Validates scorer overrides and merges them over the defaults. */
export function checkScorerConfig(overrides: unknown): ScorerConfig {
  const out: Record<string, number> = { ...defaultScorerConfig };
  for (const [key, value] of Object.entries(requireObject(overrides, 'scorer config', invalidConfig))) {
    if (!Object.prototype.hasOwnProperty.call(defaultScorerConfig, key)) {
      throw new ObsValidationError('INVALID_CONFIG', `unknown scorer option ${describeValue(key)}`);
    }
    if (value === undefined) continue;
    const ok =
      typeof value === 'number' &&
      Number.isFinite(value) &&
      (INTEGER_FIELDS.has(key)
        ? Number.isInteger(value) && value >= 1
        : UNIT_FIELDS.has(key)
          ? value >= 0 && value <= 1
          : value > 0);
    if (!ok)
      throw new ObsValidationError(
        'INVALID_CONFIG',
        `scorer option ${key} has an invalid value ${describeValue(value)}`,
      );
    out[key] = value;
  }
  return Object.freeze(out) as unknown as ScorerConfig;
}
