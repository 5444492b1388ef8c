import { twoSidedTailScore, upperTailScore } from './stats/normalTail';
import { SeasonalProfile } from './stats/SeasonalProfile';

/** Tuning of the per-series model. The defaults are the method; they are not fitted per stream. */
export interface ScorerConfig {
  /** Points before any verdict: the model only learns until then. */
  readonly warmupPoints: number;
  /** Smoothing of the slow (baseline) level, per point. */
  readonly slowAlpha: number;
  /** Smoothing of the fast (recent) level, per point. */
  readonly fastAlpha: number;
  /** Smoothing of each predictor's error scale, per point. */
  readonly scaleAlpha: number;
  /** Residuals beyond this many scales are clipped when learning (Huber), so outliers do not drag the model. */
  readonly clip: number;
  /** Smoothing of a seasonal slot's level, per cycle (day or week). */
  readonly seasonalAlpha: number;
  /** Points averaged by the anomaly likelihood (collective anomalies). */
  readonly likelihoodWindow: number;
  /** Memory, in points, of the long-run distribution of raw scores. */
  readonly likelihoodHorizon: number;
  /** Deviations of the windowed surprise beyond this many sigmas are clipped when learning its distribution. */
  readonly likelihoodClip: number;
  /** Tail probability of 10^-decades maps to score 1. */
  readonly decades: number;
  /** A value beyond the range seen so far by this fraction of the range scores 1. */
  readonly rangeTolerance: number;
  /** A new extreme must also lie this many robust sigmas from the prediction to count as novel. */
  readonly rangeMinSigma: number;
  /** Points after an alarm during which scores are damped. */
  readonly refractoryPoints: number;
  /** Damping factor of scores during the refractory period. */
  readonly refractoryFactor: number;
  /** Score that counts as an alarm and starts a refractory period. */
  readonly alarmScore: number;
  /** Consecutive same-side residuals beyond `clip` after which the baseline re-anchors (level shift). */
  readonly shiftPoints: number;
  /** Deviation (robust sigmas) from which a single point is extreme: a SPIKE or DROP, news of its own. */
  readonly extremeSigma: number;
  /** Scored points a predictor needs before the forecast may use it. */
  readonly minEvidence: number;
}

export const defaultScorerConfig: ScorerConfig = Object.freeze({
  warmupPoints: 32,
  slowAlpha: 0.01,
  fastAlpha: 0.5,
  scaleAlpha: 0.01,
  clip: 4,
  seasonalAlpha: 0.2,
  likelihoodWindow: 10,
  likelihoodHorizon: 2000,
  likelihoodClip: 5,
  decades: 10,
  shiftPoints: 8,
  rangeTolerance: 0.05,
  rangeMinSigma: 4,
  refractoryPoints: 100,
  refractoryFactor: 0.25,
  alarmScore: 0.5,
  extremeSigma: 4,
  minEvidence: 24,
});

/** Which prediction a residual was measured against. */
export const Predictor = { BASELINE: 0, RECENT: 1, DAILY: 2, WEEKLY: 3, ENSEMBLE: 4 } as const;
export type Predictor = (typeof Predictor)[keyof typeof Predictor];
export const predictorNames = ['baseline', 'recent', 'daily', 'weekly', 'ensemble'] as const;

/** Component predictors; the ensemble (index 4) combines them. */
const N_PRED = 4;
/** Slots of the scale/evidence arrays: the components and the ensemble. */
const N_SLOTS = 5;
const DAY_MS = 86_400_000;
const WEEK_MS = 7 * DAY_MS;
export const DAILY_SLOTS = 96;
export const WEEKLY_SLOTS = 168;
/** Largest magnitude of a value the model learns; beyond, values are ignored like NaN. */
export const MAX_MAGNITUDE = 1e300;

/**
 * A JSON form of the model (see {@link StreamScorer.toJSON}). Unknown values
 * (no timestamp yet, no resolution yet, no alarm yet) are `null`, since JSON has no NaN or Infinity.
 */
export interface ScorerState {
  readonly v: 1;
  readonly n: number;
  readonly nan: number;
  readonly slow: number;
  readonly fast: number;
  readonly prev: number;
  readonly prevT: number | null;
  readonly min: number;
  readonly max: number;
  readonly quantum: number | null;
  readonly scale: readonly number[];
  readonly evidence: readonly number[];
  readonly shiftRun: number;
  readonly day: ReadonlyArray<number | null>;
  readonly week: ReadonlyArray<number | null>;
  readonly raw: readonly number[];
  readonly rawAt: number;
  readonly rawSum: number;
  readonly lMean: number;
  readonly lVar: number;
  readonly lN: number;
  readonly lastAlarm: number | null;
  readonly bias: number;
  readonly recentSide: number;
}

/**
 * What the model concluded about one point, returned by {@link StreamScorer.update}.
 * Read-only to callers. Each scorer returns the same object, overwritten by its
 * next `update` (no allocation per point on the hot path): read what you need, or
 * copy it (`{ ...result }`) to keep it.
 */
export interface PointScore {
  /** Final anomaly score in [0, 1] (after refractory damping). */
  readonly score: number;
  /** The score before refractory damping. */
  readonly rawScore: number;
  /** Surprise of the point alone in [0, 1] (log-tail scale). */
  readonly pointScore: number;
  /** Anomaly likelihood of the recent window in [0, 1] (log-tail scale). */
  readonly likelihoodScore: number;
  /** The forecast for the point (NaN for an ignored value). */
  readonly expected: number;
  /** Robust sigma of the forecast. */
  readonly expectedScale: number;
  /** Signed deviation from the forecast, in robust sigmas. */
  readonly z: number;
  /** Signed deviation from the slow baseline, in robust sigmas. */
  readonly zBaseline: number;
  /** Signed deviation from the recent level, in robust sigmas. */
  readonly zRecent: number;
  /** Signed deviation from the better seasonal profile in robust sigmas (NaN without one). */
  readonly zSeasonal: number;
  /** The slow baseline and its robust sigma, as they were before this point. */
  readonly baselineBefore: number;
  readonly baselineScaleBefore: number;
  /** Exponentially weighted mean of recent signed deviations, this one included (one-sided drift > ~1). */
  readonly bias: number;
  /** The predictor the forecast came from (the ensemble once it has enough evidence). */
  readonly predictor: Predictor;
  /** The single most accurate predictor so far (the ensemble's main component). */
  readonly dominant: Predictor;
  /** Whether the point was judged (after warm-up); the scores are 0 otherwise. */
  readonly judged: boolean;
  /** Whether the point lies outside every value seen before (by the range rules). */
  readonly novelRange: boolean;
  /** Whether the value was ignored (NaN, infinite or beyond 1e300): nothing was learned. */
  readonly ignored: boolean;
}

type Writable<T> = { -readonly [K in keyof T]: T[K] };

/**
 * A scorer's result object. Every number starts as a double (NaN) so V8 stores
 * them in place: a field that starts as a small integer and later holds doubles
 * can end up boxed, one heap allocation per store (measured: -30% per point).
 */
function newPointScore(): Writable<PointScore> {
  return {
    score: Number.NaN,
    rawScore: Number.NaN,
    pointScore: Number.NaN,
    likelihoodScore: Number.NaN,
    expected: Number.NaN,
    expectedScale: Number.NaN,
    z: Number.NaN,
    zBaseline: Number.NaN,
    zRecent: Number.NaN,
    zSeasonal: Number.NaN,
    baselineBefore: Number.NaN,
    baselineScaleBefore: Number.NaN,
    bias: Number.NaN,
    predictor: Predictor.BASELINE,
    dominant: Predictor.BASELINE,
    judged: false,
    novelRange: false,
    ignored: false,
  };
}

/** The result for a value that is not data (shared and frozen; a separate object shape from the above). */
const IGNORED: PointScore = Object.freeze({
  ignored: true,
  judged: false,
  novelRange: false,
  score: 0,
  rawScore: 0,
  pointScore: 0,
  likelihoodScore: 0,
  expected: Number.NaN,
  expectedScale: 0,
  z: 0,
  zBaseline: 0,
  zRecent: 0,
  zSeasonal: Number.NaN,
  baselineBefore: Number.NaN,
  baselineScaleBefore: 0,
  bias: 0,
  predictor: Predictor.BASELINE,
  dominant: Predictor.BASELINE,
});

/**
 * The online model of one series, and its per-point anomaly score.
 *
 * Four predictors: a robust slow baseline (Huber-clipped EWMA), the recent level
 * (fast EWMA), a time-of-day profile and an hour-of-week profile. Each keeps a
 * robust scale of its own errors; the forecast is their precision-weighted mean,
 * and a point is judged in units of the forecast's own robust error scale.
 * The point's surprise `-log10 P(|Z| > |z|)` is averaged over a short window and
 * compared with the long-run distribution of those averages (anomaly likelihood,
 * as in Numenta's HTM detector), so sustained changes in behaviour stand out even
 * when no single point is extreme; a new extreme of the series scores 1. After an
 * alarm the score is damped for a while, so one incident ranks once.
 *
 * `update` runs three stages: {@link predict} (the forecast and the point's
 * deviations), {@link scorePoint} (surprise, likelihood, novelty, damping) and
 * {@link learn} (every estimate takes the point in). Everything is O(1) per point
 * with fixed-size state (about 11 KB, mostly the two seasonal profiles).
 */
export class StreamScorer {
  readonly config: ScorerConfig;
  private learned = 0;
  private ignored = 0;
  private slow = 0;
  private fast = 0;
  private prev = 0;
  private prevT = Number.NaN;
  private min = 0;
  private max = 0;
  /** Smallest non-zero step between consecutive values: the data's resolution, a floor for scales. */
  private quantum = Number.POSITIVE_INFINITY;
  private readonly scale = new Float64Array(N_SLOTS);
  private readonly evidence = new Float64Array(N_SLOTS);
  /** Scratch of the prediction stage: each predictor's floored scale, or -1 when it cannot predict this point. */
  private readonly avail = new Float64Array(N_PRED);
  /** Scratch from the prediction stage to the learning stage: each predictor's prediction of this point. */
  private readonly pred = new Float64Array(N_SLOTS);
  // The prediction stage's output, read by the scoring stage (scratch fields
  // rather than an object: no second allocation per point on the hot path).
  private sBase = 0;
  private sRecent = 0;
  private fExpected = 0;
  private fScale = 0;
  private fZ = 0;
  private fZBaseline = 0;
  private fZRecent = 0;
  private fZSeasonal = 0;
  private fPredictor: Predictor = Predictor.BASELINE;
  private fDominant: Predictor = Predictor.BASELINE;
  private shiftRun = 0;
  /** Side (-1, 0, 1) of the last recent-level residual beyond `clip`. */
  private recentSide = 0;
  private readonly day = new SeasonalProfile(DAY_MS, DAILY_SLOTS);
  private readonly week = new SeasonalProfile(WEEK_MS, WEEKLY_SLOTS);
  /** The result returned by every `update` (see {@link PointScore}); written only here. */
  private readonly out: Writable<PointScore> = newPointScore();
  private readonly raw: Float64Array;
  private rawAt = 0;
  private rawSum = 0;
  /** Mean surprise of the window including this point (scoring stage -> learning stage). */
  private windowMean = 0;
  private lMean = 0;
  private lVar = 0;
  private lN = 0;
  private lastAlarm = Number.NEGATIVE_INFINITY;
  private bias = 0;

  constructor(config: ScorerConfig = defaultScorerConfig) {
    this.config = config;
    this.raw = new Float64Array(Math.max(1, config.likelihoodWindow));
  }

  /** Finite points learned. */
  get n(): number {
    return this.learned;
  }

  /** Non-finite (or beyond 1e300) values ignored. */
  get nan(): number {
    return this.ignored;
  }

  /** Whether the model has seen enough to judge. */
  get warm(): boolean {
    return this.learned >= this.config.warmupPoints;
  }

  /** Robust sigma of the slow baseline. */
  get baselineScale(): number {
    return this.floorScale(this.scale[Predictor.BASELINE]!);
  }

  get baselineLevel(): number {
    return this.slow;
  }

  get recentLevel(): number {
    return this.fast;
  }

  get minSeen(): number {
    return this.min;
  }

  get maxSeen(): number {
    return this.max;
  }

  /** Whether a seasonal profile predicts better than both plain levels. */
  seasonalLearned(): Predictor | undefined {
    const plain = Math.min(this.scale[Predictor.BASELINE]!, this.scale[Predictor.RECENT]!);
    const needed = 4 * this.config.minEvidence;
    let found: Predictor | undefined;
    let foundScale = 0.8 * plain;
    for (const p of [Predictor.DAILY, Predictor.WEEKLY] as const) {
      if (this.evidence[p]! >= needed && this.scale[p]! < foundScale) {
        found = p;
        foundScale = this.scale[p]!;
      }
    }
    return found;
  }

  private floorScale(s: number): number {
    const q = this.quantum === Number.POSITIVE_INFINITY ? 0 : 0.5 * this.quantum;
    return s > q ? s : q;
  }

  /**
   * Scores `x` (observed at epoch ms `t`, or NaN when unknown) against the model,
   * then learns it. Non-finite `x` (or |x| > 1e300) is counted and ignored
   * (`ignored: true`, nothing learned).
   */
  update(x: number, t: number): PointScore {
    // NaN, infinities and magnitudes beyond 1e300 (whose differences and scales
    // would overflow) are not data: count and skip them.
    if (!(x >= -MAX_MAGNITUDE && x <= MAX_MAGNITUDE)) {
      this.ignored++;
      return IGNORED;
    }
    if (this.learned === 0) return this.first(x, t);
    this.predict(x, t);
    const result = this.scorePoint(x);
    this.learn(x, t, result.judged);
    return result;
  }

  /** The first point: nothing to judge it against, it only starts the model. */
  private first(x: number, t: number): PointScore {
    this.learned = 1;
    this.slow = this.fast = this.prev = this.min = this.max = x;
    this.prevT = t;
    if (Number.isFinite(t)) {
      this.day.learn(x, t);
      this.week.learn(x, t);
    }
    const o = this.out;
    o.score = o.rawScore = o.pointScore = o.likelihoodScore = 0;
    o.expected = o.baselineBefore = x;
    o.expectedScale = o.baselineScaleBefore = o.z = o.zBaseline = o.zRecent = 0;
    o.zSeasonal = Number.NaN;
    o.bias = this.bias;
    o.predictor = o.dominant = Predictor.BASELINE;
    o.judged = o.novelRange = false;
    return o;
  }

  /**
   * Prediction stage: every predictor's forecast of the point (kept in `pred` for
   * the learning stage), the combined forecast and the point's deviations from them
   * (in the `f*` fields, for the scoring stage). Changes no estimate (a seasonal
   * slot only folds in a finished cycle).
   */
  private predict(x: number, t: number): void {
    const cfg = this.config;
    const hasT = Number.isFinite(t);
    const pBase = this.slow;
    const pRecent = this.fast;
    const sa = cfg.seasonalAlpha;
    // Scales are floored at half the data's resolution (integer counts etc.).
    const q = this.quantum === Number.POSITIVE_INFINITY ? 0 : 0.5 * this.quantum;
    const sc = this.scale;
    const ev = this.evidence;
    const minEv = cfg.minEvidence;
    const sDay = sc[Predictor.DAILY]! > q ? sc[Predictor.DAILY]! : q;
    const sWeek = sc[Predictor.WEEKLY]! > q ? sc[Predictor.WEEKLY]! : q;
    const pDay = hasT ? this.day.predict(t, sa, cfg.clip * sDay) : Number.NaN;
    const pWeek = hasT ? this.week.predict(t, sa, cfg.clip * sWeek) : Number.NaN;

    const sBase = sc[Predictor.BASELINE]! > q ? sc[Predictor.BASELINE]! : q;
    const sRecent = sc[Predictor.RECENT]! > q ? sc[Predictor.RECENT]! : q;
    this.sBase = sBase;
    this.sRecent = sRecent;

    // The most accurate predictor so far (the ensemble's main component).
    let best: Predictor = Predictor.BASELINE;
    let bestScale = sc[Predictor.BASELINE]!;
    if (ev[Predictor.RECENT]! >= minEv && sc[Predictor.RECENT]! < bestScale) {
      best = Predictor.RECENT;
      bestScale = sc[Predictor.RECENT]!;
    }
    if (pDay === pDay && ev[Predictor.DAILY]! >= minEv && sc[Predictor.DAILY]! < bestScale) {
      best = Predictor.DAILY;
      bestScale = sc[Predictor.DAILY]!;
    }
    if (pWeek === pWeek && ev[Predictor.WEEKLY]! >= minEv && sc[Predictor.WEEKLY]! < bestScale) {
      best = Predictor.WEEKLY;
      bestScale = sc[Predictor.WEEKLY]!;
    }
    const pred = this.pred;
    pred[Predictor.BASELINE] = pBase;
    pred[Predictor.RECENT] = pRecent;
    pred[Predictor.DAILY] = pDay;
    pred[Predictor.WEEKLY] = pWeek;
    // The forecast: the predictors' mean weighted by their precision (1 / scale^2),
    // judged against the ensemble's own learned error scale. Combining forecasts
    // beats picking one whenever several are about as good.
    // Weights are relative to the most precise predictor: (sMin / s)^2, so tiny
    // or zero scales cannot overflow (a zero-scale predictor takes all weight).
    const avail = this.avail;
    let sMin = Number.POSITIVE_INFINITY;
    for (let p = 0; p < N_PRED; p++) {
      const v = pred[p]!;
      const ok = v === v && (p === Predictor.BASELINE || ev[p]! >= minEv);
      const sp = sc[p]! > q ? sc[p]! : q;
      avail[p] = ok ? sp : -1;
      if (ok && sp < sMin) sMin = sp;
    }
    let wSum = 0;
    let pSum = 0;
    for (let p = 0; p < N_PRED; p++) {
      const sp = avail[p]!;
      if (sp < 0) continue;
      const r = sMin === 0 ? (sp === 0 ? 1 : 0) : sMin / sp;
      wSum += r * r;
      pSum += r * r * (pred[p]! - pBase);
    }
    // Offsets from the baseline, so equal predictions give exactly that value.
    const pEns = pBase + pSum / wSum;
    pred[Predictor.ENSEMBLE] = pEns;
    const ensReady = ev[Predictor.ENSEMBLE]! >= minEv;
    const sEns = sc[Predictor.ENSEMBLE]! > q ? sc[Predictor.ENSEMBLE]! : q;
    const expected = ensReady ? pEns : pred[best]!;
    const expectedScale = ensReady ? sEns : bestScale > q ? bestScale : q;
    // Deviation from the better seasonal profile, when there is one.
    const dayOk = pDay === pDay && ev[Predictor.DAILY]! >= minEv;
    const weekOk = pWeek === pWeek && ev[Predictor.WEEKLY]! >= minEv;
    this.fExpected = expected;
    this.fScale = expectedScale;
    this.fZ = ratio(x - expected, expectedScale);
    this.fZBaseline = ratio(x - pBase, sBase);
    this.fZRecent = ratio(x - pRecent, sRecent);
    this.fZSeasonal =
      weekOk && (!dayOk || sWeek < sDay) ? ratio(x - pWeek, sWeek) : dayOk ? ratio(x - pDay, sDay) : Number.NaN;
    this.fPredictor = ensReady ? Predictor.ENSEMBLE : best;
    this.fDominant = best;
  }

  /**
   * Scoring stage: the point's surprise, the anomaly likelihood of the recent
   * window, novelty against the range, refractory damping, from the forecast.
   * Keeps the window of surprises (learned from there in {@link learn}).
   */
  private scorePoint(x: number): PointScore {
    const cfg = this.config;
    const z = this.fZ;
    // Deviations clipped at `clip` so one extreme point cannot fake a drift.
    const zc = z > cfg.clip ? cfg.clip : z < -cfg.clip ? -cfg.clip : z;
    this.bias += (zc - this.bias) / (this.raw.length < this.learned ? this.raw.length : this.learned);

    const judged = this.learned >= cfg.warmupPoints;
    const range = this.max - this.min;
    const margin = cfg.rangeTolerance * range;
    const novelRange =
      judged &&
      range > 0 &&
      (x > this.max + margin || x < this.min - margin) &&
      Math.min(Math.abs(z), Math.abs(this.fZBaseline)) >= cfg.rangeMinSigma;

    // Surprise of the point on a log scale: ~0 for ordinary points, so the
    // window average below reacts to a few rare points, not to noise.
    const surprise = twoSidedTailScore(z, cfg.decades);
    const w = this.raw.length;
    this.rawSum += surprise - this.raw[this.rawAt]!;
    this.raw[this.rawAt] = surprise;
    this.rawAt = this.rawAt + 1 === w ? 0 : this.rawAt + 1;
    const avg = this.rawSum / Math.min(w, this.learned);
    this.windowMean = avg;

    let likelihood = 0;
    if (judged && this.lN >= cfg.warmupPoints) {
      const sd = Math.sqrt(this.lVar > 1e-6 ? this.lVar : 1e-6);
      // A window calmer than usual scores 0; only the upper tail is news.
      const zl = (avg - this.lMean) / sd;
      likelihood = zl > 0 ? upperTailScore(zl, cfg.decades) : 0;
    }
    let score = judged ? likelihood : 0;
    // A value beyond everything seen so far is maximally novel.
    if (novelRange) score = 1;
    const rawScore = score;
    // Refractory period: one incident should raise one alarm, not one per point.
    if (this.learned - this.lastAlarm <= cfg.refractoryPoints) score *= cfg.refractoryFactor;
    else if (score >= cfg.alarmScore) this.lastAlarm = this.learned;

    const o = this.out;
    o.score = score;
    o.rawScore = rawScore;
    o.pointScore = judged ? surprise : 0;
    o.likelihoodScore = likelihood;
    o.expected = this.fExpected;
    o.expectedScale = this.fScale;
    o.z = z;
    o.zBaseline = this.fZBaseline;
    o.zRecent = this.fZRecent;
    o.zSeasonal = this.fZSeasonal;
    o.baselineBefore = this.slow;
    o.baselineScaleBefore = this.sBase;
    o.bias = this.bias;
    o.predictor = this.fPredictor;
    o.dominant = this.fDominant;
    o.judged = judged;
    o.novelRange = novelRange;
    return o;
  }

  /**
   * Learning stage: the long-run distribution of windowed surprise, each
   * predictor's error scale, the baseline (re-anchored after a level shift), the
   * recent level, the seasonal profiles, the resolution and the range.
   */
  private learn(x: number, t: number, judged: boolean): void {
    const avg = this.windowMean;
    const cfg = this.config;
    // Learn the long-run distribution of windowed surprise, once the predictors
    // have settled (warm-up surprises say nothing about the series).
    if (judged) {
      this.lN++;
      const la = Math.max(1 / cfg.likelihoodHorizon, 1 / this.lN);
      let dl = avg - this.lMean;
      const lim = cfg.likelihoodClip * Math.sqrt(this.lVar);
      if (this.lN > cfg.warmupPoints && lim > 0) dl = dl > lim ? lim : dl < -lim ? -lim : dl;
      this.lMean += la * dl;
      this.lVar = (1 - la) * (this.lVar + la * dl * dl);
    }

    const pred = this.pred;
    const sc = this.scale;
    const q = this.quantum === Number.POSITIVE_INFINITY ? 0 : 0.5 * this.quantum;
    const scaleAlpha = cfg.scaleAlpha;
    const clip = cfg.clip;
    for (let p = 0; p < N_SLOTS; p++) {
      const e = x - pred[p]!;
      if (e !== e) continue; // no prediction (seasonal slot not learned yet)
      const ev = ++this.evidence[p]!;
      const s0 = sc[p]!;
      const a = ev * scaleAlpha > 1 ? scaleAlpha : 1 / ev;
      let abs = e < 0 ? -e : e;
      // Clip once the scale means something, so outliers cannot inflate it.
      if (ev > 8) {
        const lim = clip * (s0 > q ? s0 : q);
        if (abs > lim) abs = lim;
      }
      // Mean absolute error of a normal is 0.798 sigma.
      sc[p] = s0 + a * (abs * 1.2533 - s0);
    }

    const eBase = x - pred[Predictor.BASELINE]!;
    const clipB = clip * this.sBase;
    const slowA = Math.max(cfg.slowAlpha, 1 / (this.learned + 1));
    this.slow += slowA * (eBase > clipB ? clipB : eBase < -clipB ? -clipB : eBase);
    // A run of same-side large residuals is a level shift: re-anchor the baseline.
    const side = eBase > clipB ? 1 : eBase < -clipB ? -1 : 0;
    this.shiftRun = side !== 0 && Math.sign(this.shiftRun) === side ? this.shiftRun + side : side;
    if (Math.abs(this.shiftRun) >= cfg.shiftPoints) {
      this.slow = this.fast + cfg.fastAlpha * (x - this.fast);
      this.shiftRun = 0;
    }
    // The recent level follows everything but a lone extreme point: a residual
    // beyond `clip` is clipped unless the previous one was beyond it on the same
    // side too (then it is a shift, and the level must jump).
    const eRecent = x - pred[Predictor.RECENT]!;
    const clipR = clip * this.sRecent;
    const sideR =
      this.evidence[Predictor.RECENT]! > cfg.minEvidence ? (eRecent > clipR ? 1 : eRecent < -clipR ? -1 : 0) : 0;
    this.fast += cfg.fastAlpha * (sideR !== 0 && sideR !== this.recentSide ? sideR * clipR : eRecent);
    this.recentSide = sideR;
    if (Number.isFinite(t)) {
      this.day.learn(x, t);
      this.week.learn(x, t);
    }

    const step = Math.abs(x - this.prev);
    if (step > 0 && step < this.quantum) this.quantum = step;
    this.prev = x;
    this.prevT = t;
    if (x < this.min) this.min = x;
    if (x > this.max) this.max = x;
    this.learned++;
  }

  /** A JSON-serializable copy of the model. */
  toJSON(): ScorerState {
    return {
      v: 1,
      n: this.learned,
      nan: this.ignored,
      slow: this.slow,
      fast: this.fast,
      prev: this.prev,
      prevT: Number.isFinite(this.prevT) ? this.prevT : null,
      min: this.min,
      max: this.max,
      quantum: Number.isFinite(this.quantum) ? this.quantum : null,
      scale: Array.from(this.scale),
      evidence: Array.from(this.evidence),
      shiftRun: this.shiftRun,
      day: this.day.toJSON(),
      week: this.week.toJSON(),
      raw: Array.from(this.raw),
      rawAt: this.rawAt,
      rawSum: this.rawSum,
      lMean: this.lMean,
      lVar: this.lVar,
      lN: this.lN,
      lastAlarm: Number.isFinite(this.lastAlarm) ? this.lastAlarm : null,
      bias: this.bias,
      recentSide: this.recentSide,
    };
  }

  /**
   * Rebuilds a model from {@link toJSON} output. Returns a description of the
   * first problem instead when `state` is not a valid model for `config`.
   */
  static fromJSON(state: unknown, config: ScorerConfig = defaultScorerConfig): StreamScorer | string {
    const problem = checkState(state, Math.max(1, config.likelihoodWindow));
    if (problem !== undefined) return problem;
    const st = state as ScorerState;
    const s = new StreamScorer(config);
    s.learned = st.n;
    s.ignored = st.nan;
    s.slow = st.slow;
    s.fast = st.fast;
    s.prev = st.prev;
    s.prevT = st.prevT ?? Number.NaN;
    s.min = st.min;
    s.max = st.max;
    s.quantum = st.quantum ?? Number.POSITIVE_INFINITY;
    s.scale.set(st.scale);
    s.evidence.set(st.evidence);
    s.shiftRun = st.shiftRun;
    const dayProblem = s.day.load(st.day);
    if (dayProblem !== undefined) return `model.day ${dayProblem}`;
    const weekProblem = s.week.load(st.week);
    if (weekProblem !== undefined) return `model.week ${weekProblem}`;
    s.raw.set(st.raw);
    s.rawAt = st.rawAt;
    s.rawSum = st.rawSum;
    s.lMean = st.lMean;
    s.lVar = st.lVar;
    s.lN = st.lN;
    s.lastAlarm = st.lastAlarm ?? Number.NEGATIVE_INFINITY;
    s.bias = st.bias;
    s.recentSide = st.recentSide;
    return s;
  }
}

const SCALAR_FIELDS = [
  'n',
  'nan',
  'slow',
  'fast',
  'prev',
  'min',
  'max',
  'shiftRun',
  'rawAt',
  'rawSum',
  'lMean',
  'lVar',
  'lN',
  'bias',
  'recentSide',
] as const;
const NULLABLE_FIELDS = ['prevT', 'quantum', 'lastAlarm'] as const;
const NONNEGATIVE_FIELDS = ['n', 'nan', 'lVar', 'lN', 'rawAt'] as const;

function checkState(state: unknown, window: number): string | undefined {
  if (typeof state !== 'object' || state === null || Array.isArray(state)) return 'model must be an object';
  const st = state as Record<string, unknown>;
  if (st['v'] !== 1) return 'unsupported model version';
  for (const f of SCALAR_FIELDS) {
    if (typeof st[f] !== 'number' || !Number.isFinite(st[f])) return `model.${f} must be a finite number`;
  }
  for (const f of NULLABLE_FIELDS) {
    const v = st[f];
    if (v !== null && (typeof v !== 'number' || !Number.isFinite(v)))
      return `model.${f} must be a finite number or null`;
  }
  for (const f of NONNEGATIVE_FIELDS) if ((st[f] as number) < 0) return `model.${f} must not be negative`;
  if ((st['min'] as number) > (st['max'] as number)) return 'model.min exceeds model.max';
  if (st['recentSide'] !== -1 && st['recentSide'] !== 0 && st['recentSide'] !== 1)
    return 'model.recentSide must be -1, 0 or 1';
  if (!Number.isInteger(st['rawAt']) || (st['rawAt'] as number) >= window) return 'model.rawAt is out of range';
  const arrays: Array<[string, number]> = [
    ['scale', N_SLOTS],
    ['evidence', N_SLOTS],
    ['raw', window],
  ];
  for (const [f, len] of arrays) {
    const v = st[f];
    if (!Array.isArray(v) || v.length !== len) return `model.${f} must be an array of ${len} numbers`;
    for (const x of v) if (typeof x !== 'number' || !Number.isFinite(x)) return `model.${f} must hold finite numbers`;
  }
  for (const f of ['scale', 'evidence', 'raw'] as const) {
    for (const x of st[f] as number[]) if (x < 0) return `model.${f} must not hold negative numbers`;
  }
  return undefined;
}

function ratio(e: number, s: number): number {
  if (e === 0) return 0;
  if (s > 0) return e / s;
  return e > 0 ? 1e6 : -1e6;
}
