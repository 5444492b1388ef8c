import type { Labels } from '@obs/core';
import type { PredictorName, SeasonalPeriod } from './Anomaly';
import { AnomalyType } from './AnomalyType';
import { Predictor, StreamScorer, predictorNames, type PointScore, type ScorerConfig } from './StreamScorer';
import { ScoreRank } from './stats/ScoreRank';

/** The first point of an incident, kept until the next point tells what kind it is. */
export interface IncidentStart {
  readonly value: number;
  readonly timestamp: number;
  readonly expected: number;
  readonly expectedScale: number;
  readonly z: number;
  readonly zBaseline: number;
  readonly baseline: number;
  readonly baselineScale: number;
  readonly drift: number;
  /** Mean signed deviation of the last points (about the likelihood window). */
  readonly bias: number;
  readonly predictor: PredictorName;
  readonly mainPredictor: PredictorName;
  /** Deviation from the learned seasonal profile (NaN without one). */
  readonly zSeasonal: number;
  readonly score: number;
  /** Calibrated confidence of the point (see {@link SeriesModel.confidence}). */
  readonly confidence: number;
  readonly likelihoodScore: number;
  readonly outsideRange: boolean;
  readonly seasonalPeriod: SeasonalPeriod | undefined;
  /** Deviation (robust sigmas) from which the series counts a point as extreme (`scorer.extremeSigma`). */
  readonly extremeSigma: number;
}

/** An incident and what it is, as far as the points seen so far tell. */
export interface ConfirmedIncident {
  readonly start: IncidentStart;
  readonly type: AnomalyType;
  readonly reason: string;
  /** The point after the first one, once seen (it tells a spike from a level shift). */
  readonly nextValue: number | undefined;
}

/**
 * What one point did to a series' incidents: it started one (reported at once),
 * and/or it showed that the incident started by the previous point is of another
 * kind than first reported (a SPIKE or DROP that is really a level shift).
 */
export interface IncidentNews {
  readonly detected: ConfirmedIncident | undefined;
  readonly reclassified: { readonly incident: ConfirmedIncident; readonly previousType: AnomalyType } | undefined;
}

/** Deviation from which a point is "abnormal overall" or a drift is real. */
const NOTABLE_SIGMA = 3;

/**
 * Mean signed deviation over ~10 points beyond which values are drifting: for
 * independent noise its standard deviation is about 0.23, so 1 is over 4 of them.
 */
const DRIFT_BIAS = 1;

/** Incident rules of the detector, shared by all series. */
export interface IncidentConfig {
  /** Score from which a point opens an incident. */
  readonly threshold: number;
  /** Ordinary points in a row that close an incident. */
  readonly quietPoints: number;
  /** Points after a report during which an incident starting is grouped into it instead of reported (0: none). */
  readonly suppressPoints: number;
}

/**
 * One series: its stream scorer plus the incident state that turns a run of
 * anomalous points into one anomaly.
 */
export class SeriesModel<Ref = unknown> {
  /** First point of the newest incident, until the next point has been seen. */
  private start: IncidentStart | undefined;
  /** The type it was reported with. */
  private startType: AnomalyType = AnomalyType.OUTLIER;
  /** The caller's handle on the report of that incident (the detector keeps its anomaly here). */
  pending: Ref | undefined;
  private open = false;
  private quiet = 0;
  /** Whether the open incident has had an extreme point. */
  private extremeSeen = false;
  /** Points during which the likelihood still averages over a closed single-point incident. */
  private echo = 0;
  /** Judged points so far, and the count when the last reported incident began (small integers, kept unboxed). */
  private judgedPoints = 0;
  private lastReportAt = -1_000_000_000;
  /** Side of the forecast (-1, 0, 1) the last reported incident began on. */
  private reportSide = 0;
  private readonly extremeSigma: number;
  /**
   * Calibrated confidence of the last point: the fraction of this series' recent
   * judged points whose raw anomaly score was lower (0 when not judged).
   */
  confidence = 0;

  constructor(
    readonly metricName: string,
    readonly labels: Labels,
    readonly scorer: StreamScorer,
    /** Recent raw scores of the series, which the confidence ranks a point among. */
    readonly calibration: ScoreRank = new ScoreRank(),
  ) {
    this.extremeSigma = scorer.config.extremeSigma;
  }

  static create<R>(metricName: string, labels: Labels, config: ScorerConfig): SeriesModel<R> {
    return new SeriesModel<R>(metricName, labels, new StreamScorer(config));
  }

  /** Whether an incident is in progress. */
  get inIncident(): boolean {
    return this.open;
  }

  /**
   * Judges a point the scorer has just scored (`r = scorer.update(x, t)`). Returns
   * what it did to the incidents of the series (an incident it starts, reported at
   * once; a new type for the incident the previous point started), or `undefined`
   * for the common case of neither. Ignored (non-finite) values change nothing.
   */
  judge(r: PointScore, x: number, t: number, rules: IncidentConfig): IncidentNews | undefined {
    const sc = this.scorer;
    if (r.ignored) {
      this.confidence = 0;
      return undefined;
    }

    let reclassified: IncidentNews['reclassified'];
    if (this.start !== undefined) {
      // The point after an incident's first one tells a lone spike from a level shift.
      const now = classify(this.start, x);
      this.start = undefined;
      if (now.type !== this.startType) reclassified = { incident: now, previousType: this.startType };
      // A lone point is a whole incident: the next one may start a new incident.
      if (now.type === AnomalyType.SPIKE || now.type === AnomalyType.DROP) {
        this.open = false;
        this.echo = sc.config.likelihoodWindow;
      }
    }
    const echo = this.echo > 0;
    if (echo) this.echo--;
    if (!r.judged) {
      this.confidence = 0;
      return reclassified === undefined ? undefined : { detected: undefined, reclassified };
    }
    // Ranked before it is learned: the point is compared with the past only.
    this.confidence = this.calibration.rank(r.rawScore);
    this.calibration.add(r.rawScore);

    // Incidents open on the undamped score: the refractory damping of `score` is the
    // scorer's own stand-in for incident grouping, which is done here exactly.
    const alarm = r.rawScore >= rules.threshold;
    const extreme = r.novelRange || Math.abs(r.z) >= this.extremeSigma;
    let begin = false;
    if (this.open) {
      // An extreme point after a calm one, or in an incident that had no extreme
      // point so far, starts a new incident (a level shift right after a weak
      // outlier is news of its own).
      if (alarm && extreme && (this.quiet > 0 || !this.extremeSeen)) begin = true;
      else {
        if (extreme) this.extremeSeen = true;
        // Only alarms keep an incident open: far-off points the scorer does not
        // alarm on (a heavy-tailed series has many) would otherwise keep it open for good.
        this.quiet = alarm ? 0 : this.quiet + 1;
        if (this.quiet >= rules.quietPoints) this.open = false;
      }
    } else {
      // Right after a lone spike the window average still holds it: only the
      // point's own evidence may open a new incident then.
      begin = alarm && (!echo || extreme);
    }
    // Shortly after a report, a new one on the same side is taken for the same
    // incident (a burst of high points is one incident): it is grouped, not
    // reported. A swing to the other side (a drop right after a spike) is news.
    const side = r.z > 0 ? 1 : r.z < 0 ? -1 : 0;
    this.judgedPoints++;
    if (begin && this.judgedPoints - this.lastReportAt <= rules.suppressPoints && side === this.reportSide) {
      begin = false;
      this.open = true;
      this.quiet = 0;
      if (extreme) this.extremeSeen = true;
    }
    if (begin) {
      this.lastReportAt = this.judgedPoints;
      this.reportSide = side;
      this.open = true;
      this.extremeSeen = extreme;
      this.quiet = 0;
      const seasonal = sc.seasonalLearned();
      this.start = {
        value: x,
        timestamp: t,
        expected: r.expected,
        expectedScale: r.expectedScale,
        z: r.z,
        zBaseline: r.zBaseline,
        baseline: r.baselineBefore,
        baselineScale: r.baselineScaleBefore,
        bias: r.bias,
        drift: r.baselineScaleBefore > 0 ? (sc.recentLevel - sc.baselineLevel) / r.baselineScaleBefore : 0,
        predictor: predictorNames[r.predictor],
        mainPredictor: predictorNames[r.dominant],
        zSeasonal: seasonal === undefined ? Number.NaN : r.zSeasonal,
        score: r.rawScore,
        confidence: this.confidence,
        likelihoodScore: r.likelihoodScore,
        outsideRange: r.novelRange,
        seasonalPeriod: seasonal === Predictor.DAILY ? 'daily' : seasonal === Predictor.WEEKLY ? 'weekly' : undefined,
        extremeSigma: this.extremeSigma,
      };
      // Reported now, with what this point alone tells; the next point may still revise the type.
      const detected = classify(this.start, undefined);
      this.startType = detected.type;
      return { detected, reclassified };
    }
    return reclassified === undefined ? undefined : { detected: undefined, reclassified };
  }
}

/**
 * Names an incident from its first point and, once seen, the point after it: an
 * extreme point is a SPIKE or DROP (with `next` undefined, or when the next point
 * is back to normal), an extreme point that the next one repeats is a level shift (TREND), a point ordinary overall but not for its time slot is SEASONALITY,
 * a recent level pulling away from the baseline is a drift (TREND), the rest OUTLIER.
 */
export function classify(start: IncidentStart, next: number | undefined): ConfirmedIncident {
  const { z, zBaseline } = start;
  const done = (type: AnomalyType, reason: string): ConfirmedIncident => ({ start, type, reason, nextValue: next });
  const sigmas = (v: number) => `${Math.abs(v).toFixed(1)} robust sigmas`;
  const side = (v: number) => (v >= 0 ? 'above' : 'below');

  const zs = start.zSeasonal;
  if (
    start.seasonalPeriod !== undefined &&
    zs === zs &&
    Math.abs(zBaseline) < NOTABLE_SIGMA &&
    Math.abs(zs) >= NOTABLE_SIGMA
  ) {
    return done(
      AnomalyType.SEASONALITY,
      `value is ordinary overall (${sigmas(zBaseline)} from the baseline) but ${sigmas(zs)} ${side(zs)} the ${start.seasonalPeriod} profile for this time`,
    );
  }
  if (start.outsideRange || Math.abs(z) >= start.extremeSigma) {
    // Same convention as the scorer: any change from a zero-scale (constant) forecast is extreme.
    const dNext = next === undefined ? 0 : next - start.expected;
    const zNext = dNext === 0 ? 0 : start.expectedScale > 0 ? dNext / start.expectedScale : Math.sign(dNext) * 1e6;
    const sustained =
      Math.sign(zNext) === Math.sign(z) && Math.abs(zNext) >= Math.max(NOTABLE_SIGMA, 0.5 * Math.abs(z));
    if (sustained) {
      return done(
        AnomalyType.TREND,
        `level shift: value ${sigmas(z)} ${side(z)} the expected level, and the next point stayed there`,
      );
    }
    const where = start.outsideRange
      ? 'outside the range of all earlier values'
      : `${sigmas(z)} ${side(z)} the expected value`;
    // Before the next point is seen it is a value far off; after, a single point (the series came back).
    const what = next === undefined ? `value ${where}` : `single point ${where}, the next one back to normal`;
    return z >= 0 ? done(AnomalyType.SPIKE, what) : done(AnomalyType.DROP, what);
  }
  if (Math.abs(start.bias) >= DRIFT_BIAS) {
    return done(
      AnomalyType.TREND,
      `drift: the last points are consistently ${side(start.bias)} the forecast (mean deviation ${start.bias.toFixed(1)} robust sigmas)`,
    );
  }
  if (Math.abs(start.drift) >= NOTABLE_SIGMA) {
    return done(
      AnomalyType.TREND,
      `drift: the recent level is ${sigmas(start.drift)} ${side(start.drift)} the long-run baseline`,
    );
  }
  return done(
    AnomalyType.OUTLIER,
    `the recent pattern of values is unusual for this series (anomaly likelihood ${start.likelihoodScore.toFixed(2)})`,
  );
}
