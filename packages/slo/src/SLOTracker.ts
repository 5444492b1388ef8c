import {
  EventBus,
  NON_NEGATIVE_INTEGER,
  POSITIVE_INTEGER,
  coarseSystemClock,
  describeValue,
  optionalBoolean,
  optionalNumber,
  requireNumber,
  systemClock,
  type Clock,
  type InvalidOption,
  type Labels,
} from '@obs/core';
import { asyncScheduler, interval, type Observable, type SchedulerLike, Subscription } from 'rxjs';
import {
  BURN_WINDOWS,
  BURN_WINDOW_MS,
  DEFAULT_BURN_RATE_CONDITIONS,
  isBurnWindow,
  type BurnRateCondition,
  type BurnRateSeverity,
  type BurnWindow,
} from './burnRate';
import { DuplicateSLOError, SLOLimitError, SLOValidationError, UnknownSLOError } from './errors';
import type { SLOEvent } from './events';
import { BucketWindow, type WindowSums } from './internal/BucketWindow';
import { BudgetHistory, type BudgetSample } from './internal/BudgetHistory';
import { groupKey, groupLabels } from './internal/SLOGroups';
import { calendarAnchor } from './internal/calendar';
import { definitionToJSON, normalizeSLODefinition, type SLODefinition } from './SLODefinition';
import type { SLOResult } from './SLOResult';
import { BudgetingMethod, SLOStatus } from './SLOStatus';
import {
  budgetOverspent,
  burnRate,
  errorBudgetFraction,
  errorBudgetRemaining,
  goodPercent,
  percentFraction,
  type Fraction,
} from './stats/budget';
import { readSnapshot, SNAPSHOT_VERSION, type SLOTrackerSnapshot, type SLOTrackSnapshot } from './snapshot';

/** One outcome on a tracked stream: a single good/bad event, counts, or a counter delta from a ratio SLI. */
export type SLOOutcome = boolean | SLOCounts | SLOCounterDelta;

/**
 * A raw adjustment from counters (what {@link ratioSli} emits): `good` may be
 * negative (a bad-counter increment) and may arrive apart from `total`. Within
 * a bucket the bad count is `total - good` clamped to [0, total], so deltas of
 * separate good/bad and total counters combine exactly once both arrived.
 */
export interface SLOCounterDelta {
  readonly kind: 'delta';
  readonly good: number;
  readonly total: number;
  readonly timestamp?: number;
  /** Labels of the counter the delta came from; grouped SLOs count it in the group of their `groupBy` values. */
  readonly labels?: Readonly<Record<string, string>>;
}

/** `good` of `total` events; `timestamp` (epoch ms) places them in an older bucket, future ones count as now. */
export interface SLOCounts {
  readonly good: number;
  readonly total: number;
  readonly timestamp?: number;
  /** Grouped SLOs: the labels whose `groupBy` values choose the group. */
  readonly labels?: Readonly<Record<string, string>>;
}

/** Bound recorder for one SLO: skips the id lookup on the hot path. */
export interface SLORecorder {
  readonly sloId: string;
  /** The group this recorder counts into (grouped SLOs), else undefined. */
  readonly labels: Labels | undefined;
  record(isGood: boolean): void;
  good(): void;
  bad(): void;
  /** `good` of `total` events now, or at `timestamp`. */
  count(good: number, total: number, timestamp?: number): void;
}

export interface SLOTrackerLimits {
  /** Most SLOs one tracker holds (default 1000); defining more throws {@link SLOLimitError}. */
  readonly maxSLOs?: number;
  /** Most buckets per SLO ring (default 600,000: about 416 days of one-minute buckets; 9.6 MB). */
  readonly maxBucketsPerSLO?: number;
  /** Most `track()` subscriptions alive at once (default 10,000). */
  readonly maxTrackedStreams?: number;
  /**
   * Most groups (label-value combinations) per grouped SLO (default 100). Each
   * group keeps a ring like the SLO's own (about 680 KiB for 30 days of one-minute
   * buckets). Events of further groups still count for the SLO as a whole and
   * are counted in `stats().groupOverflow`.
   */
  readonly maxGroupsPerSLO?: number;
}

export interface SLOTrackerConfig {
  /** Time source (default the system clock). */
  readonly clock?: Clock;
  /**
   * With the default system clock, recording reads a cached time refreshed
   * every 25 ms (`coarseSystemClock` of @obs/core) instead of the OS clock per event (default true; events only
   * need their minute). Ignored for any other `clock`: it is read per event.
   */
  readonly coarseTime?: boolean;
  /** Scheduler for periodic evaluation (default rxjs asyncScheduler). */
  readonly scheduler?: SchedulerLike;
  /** Bucket length in ms (default 60,000: 43,200 buckets for 30 days). */
  readonly bucketMs?: number;
  /** Period of `start()` evaluation in ms (default 10,000). */
  readonly evaluationIntervalMs?: number;
  /** AT_RISK when less than this percentage of the budget is left (default 25). */
  readonly budgetAtRiskThreshold?: number;
  /** A burn-rate condition holds only if its long window has at least this many events (slices) (default 10). */
  readonly minEvents?: number;
  /** Multiwindow burn-rate conditions (default {@link DEFAULT_BURN_RATE_CONDITIONS}). */
  readonly conditions?: readonly BurnRateCondition[];
  readonly limits?: SLOTrackerLimits;
}

/** Counters of what the tracker dropped instead of throwing. */
export interface SLOTrackerStats {
  /** Invalid outcomes on tracked streams, and outcomes for an SLO removed meanwhile. */
  readonly droppedOutcomes: number;
  /** Events whose timestamp was older than the SLO's ring. */
  readonly droppedLate: number;
  /** Events of grouped SLOs that found their group limit reached: counted for the SLO as a whole only. */
  readonly groupOverflow: number;
}

/** A burn-down chart of one SLO (or one group of it). */
export interface SLOBudgetHistory {
  readonly sloId: string;
  readonly labels: Labels | undefined;
  /** Current spacing of the samples (it doubles as the SLO ages, up to window / 256). */
  readonly sampleIntervalMs: number;
  /** Samples within the window, oldest first; one is taken per `evaluate()` when due. */
  readonly samples: readonly BudgetSample[];
}

/** One error budget: the SLO as a whole, or one group of a grouped SLO. */
interface Track {
  /** The group's labels; undefined for the SLO as a whole. */
  readonly labels: Labels | undefined;
  readonly window: BucketWindow;
  readonly history: BudgetHistory;
  status: SLOStatus;
  alerting: Record<BurnRateSeverity, boolean>;
}

interface Entry {
  readonly def: SLODefinition;
  readonly budget: Fraction;
  readonly calendar: boolean;
  readonly whole: Track;
  /** Grouped SLOs: one track per group key; undefined otherwise. */
  readonly groups: Map<string, Track> | undefined;
  removed: boolean;
}

const DAY_MS = 86_400_000;
/** Index of the SLO window's sums in a BucketWindow: burn windows come first. */
const MAIN = BURN_WINDOWS.length;
const SOURCE = 'slo';

const invalidConfig: InvalidOption = (message) => new SLOValidationError('INVALID_CONFIG', message);

function validateConditions(value: unknown): readonly BurnRateCondition[] {
  if (value === undefined) return DEFAULT_BURN_RATE_CONDITIONS;
  if (!Array.isArray(value) || value.length > 32) {
    throw new SLOValidationError(
      'INVALID_CONFIG',
      `conditions must be an array of at most 32 conditions, got ${describeValue(value)}`,
    );
  }
  return Object.freeze(
    value.map((c: unknown, i) => {
      const cond = (typeof c === 'object' && c !== null ? c : {}) as Record<string, unknown>;
      const { severity, factor, longWindow, shortWindow } = cond;
      if (
        (severity !== 'page' && severity !== 'ticket') ||
        typeof factor !== 'number' ||
        !Number.isFinite(factor) ||
        factor <= 0 ||
        !isBurnWindow(longWindow) ||
        !isBurnWindow(shortWindow)
      ) {
        throw new SLOValidationError(
          'INVALID_CONFIG',
          `conditions[${i}] must be {severity: 'page'|'ticket', factor > 0, longWindow, shortWindow} with windows among ${BURN_WINDOWS.join(', ')}`,
        );
      }
      return Object.freeze({ severity, factor, longWindow, shortWindow });
    }),
  );
}

/**
 * Tracks SLOs over bucketed windows: error budget, multiwindow burn rates and
 * status, with events on changes. Create with {@link createSLOTracker}.
 *
 * @example
 * const tracker = createSLOTracker();
 * const slo = tracker.defineSLO(createSLODefinition('API Availability', 99.9, 30));
 * tracker.recordEvent(slo.sloId, true);
 * tracker.getSLOStatus(slo.sloId).currentValue; // 100
 */
export class SLOTracker {
  private readonly clock: Clock;
  /** The clock of the record paths: the coarse system clock by default, else `clock`. */
  private readonly recordClock: Clock;
  private readonly scheduler: SchedulerLike;
  readonly bucketMs: number;
  private readonly evaluationIntervalMs: number;
  private readonly budgetAtRiskThreshold: number;
  private readonly minEvents: number;
  readonly conditions: readonly BurnRateCondition[];
  private readonly maxSLOs: number;
  private readonly maxBucketsPerSLO: number;
  private readonly maxTrackedStreams: number;
  private readonly maxGroupsPerSLO: number;
  private groupOverflow = 0;
  private entries = new Map<string, Entry>();
  private readonly bus = new EventBus<SLOEvent>();
  private readonly tracked = new Set<Subscription>();
  private ticker: Subscription | undefined;
  private droppedOutcomes = 0;
  private droppedLateRemoved = 0;
  private readonly scratch: WindowSums = { bad: 0, total: 0, badEvents: 0, totalEvents: 0 };

  /** `slo/status`, `slo/burn-rate` and `slo/error` events; emitted only while observed. */
  readonly events$: Observable<SLOEvent>;

  constructor(config: SLOTrackerConfig = {}) {
    if (typeof config !== 'object' || config === null) {
      throw new SLOValidationError('INVALID_CONFIG', `config must be an object, got ${describeValue(config)}`);
    }
    const clock = config.clock ?? systemClock;
    if (typeof clock !== 'object' || clock === null || typeof clock.now !== 'function') {
      throw new SLOValidationError('INVALID_CONFIG', 'clock must have a now() method');
    }
    this.clock = clock;
    const coarseTime = optionalBoolean(config.coarseTime, 'coarseTime', true, invalidConfig);
    // The shared system clock (given or defaulted) may be cached on the record path; any other clock is read per event.
    this.recordClock = clock === systemClock && coarseTime ? coarseSystemClock : clock;
    this.scheduler = config.scheduler ?? asyncScheduler;
    this.bucketMs = optionalNumber(config.bucketMs, 'bucketMs', 60_000, POSITIVE_INTEGER, invalidConfig);
    if (this.bucketMs < 1000 || this.bucketMs > DAY_MS) {
      throw new SLOValidationError(
        'INVALID_CONFIG',
        `bucketMs must be between 1000 and ${DAY_MS}, got ${this.bucketMs}`,
      );
    }
    this.evaluationIntervalMs = optionalNumber(
      config.evaluationIntervalMs,
      'evaluationIntervalMs',
      10_000,
      POSITIVE_INTEGER,
      invalidConfig,
    );
    const threshold = config.budgetAtRiskThreshold ?? 25;
    if (typeof threshold !== 'number' || !Number.isFinite(threshold) || threshold < 0 || threshold > 100) {
      throw new SLOValidationError(
        'INVALID_CONFIG',
        `budgetAtRiskThreshold must be a percentage in [0, 100], got ${describeValue(threshold)}`,
      );
    }
    this.budgetAtRiskThreshold = threshold;
    this.minEvents = requireNumber(config.minEvents ?? 10, 'minEvents', NON_NEGATIVE_INTEGER, invalidConfig);
    this.conditions = validateConditions(config.conditions);
    const limits = config.limits ?? {};
    this.maxSLOs = optionalNumber(limits.maxSLOs, 'limits.maxSLOs', 1000, POSITIVE_INTEGER, invalidConfig);
    this.maxBucketsPerSLO = optionalNumber(
      limits.maxBucketsPerSLO,
      'limits.maxBucketsPerSLO',
      600_000,
      POSITIVE_INTEGER,
      invalidConfig,
    );
    this.maxTrackedStreams = optionalNumber(
      limits.maxTrackedStreams,
      'limits.maxTrackedStreams',
      10_000,
      POSITIVE_INTEGER,
      invalidConfig,
    );
    this.maxGroupsPerSLO = optionalNumber(
      limits.maxGroupsPerSLO,
      'limits.maxGroupsPerSLO',
      100,
      POSITIVE_INTEGER,
      invalidConfig,
    );
    this.events$ = this.bus.events$;
  }

  /** Adds an SLO; returns its validated, frozen definition. Throws on a bad definition, a duplicate id or the SLO limit. */
  defineSLO(slo: SLODefinition): SLODefinition {
    const def = normalizeSLODefinition(slo);
    if (this.entries.has(def.sloId)) throw new DuplicateSLOError(def.sloId);
    if (this.entries.size >= this.maxSLOs) {
      throw new SLOLimitError('TOO_MANY_SLOS', `the tracker already holds its limit of ${this.maxSLOs} SLOs`);
    }
    const entry = this.createEntry(def, Math.floor(this.now() / this.bucketMsFor(def)));
    this.entries.set(def.sloId, entry);
    return def;
  }

  /** Removes an SLO and its data; bound recorders and tracked streams for it stop counting. */
  removeSLO(sloId: string): boolean {
    const entry = this.entries.get(sloId);
    if (!entry) return false;
    entry.removed = true;
    this.droppedLateRemoved += droppedLateOf(entry);
    this.entries.delete(sloId);
    return true;
  }

  hasSLO(sloId: string): boolean {
    return this.entries.has(sloId);
  }

  /** Definitions of every SLO, in definition order. */
  listSLOs(): SLODefinition[] {
    return [...this.entries.values()].map((e) => e.def);
  }

  /**
   * Records one event now. For an SLO grouped by label names, `labels` choose
   * its group (missing labels count as ''). Throws {@link UnknownSLOError} for an
   * unknown id and {@link SLOValidationError} for a non-boolean `isGood` or bad labels.
   */
  recordEvent(sloId: string, isGood: boolean, labels?: Readonly<Record<string, string>>): void {
    const entry = this.entries.get(sloId);
    if (entry === undefined) throw unknown(sloId);
    if (isGood !== true && isGood !== false) throw notBoolean(isGood);
    this.recordOne(entry, labels, isGood);
  }

  /** Records `good` of `total` events, now or at `timestamp` (older buckets still in the ring are updated; future ones count as now). */
  recordEvents(
    sloId: string,
    good: number,
    total: number,
    timestamp?: number,
    labels?: Readonly<Record<string, string>>,
  ): void {
    const entry = this.entries.get(sloId);
    if (entry === undefined) throw unknown(sloId);
    checkCounts(good, total);
    const group = entry.groups !== undefined ? this.groupOf(entry, labels) : undefined;
    this.recordCountsInto(entry, group, good, total, timestamp);
  }

  /**
   * A recorder bound to one SLO, for hot paths: no id lookup per event.
   * After `removeSLO` (or `restore`) it throws {@link UnknownSLOError}.
   */
  recorder(sloId: string, labels?: Readonly<Record<string, string>>): SLORecorder {
    const entry = this.entries.get(sloId);
    if (entry === undefined) throw unknown(sloId);
    const group = entry.groups !== undefined ? this.groupOf(entry, labels) : undefined;
    if (group === undefined && entry.groups !== undefined) return this.overflowRecorder(entry);
    const window = entry.whole.window;
    const groupWindow = group?.window;
    const clock = this.recordClock;
    const id = entry.def.sloId;
    const add = (good: number): void => {
      if (entry.removed) throw new UnknownSLOError(id);
      const now = clock.now();
      window.record(now, good, 1);
      groupWindow?.record(now, good, 1);
    };
    return {
      sloId: id,
      labels: group?.labels,
      record(isGood: boolean): void {
        if (isGood === true) add(1);
        else if (isGood === false) add(0);
        else throw notBoolean(isGood);
      },
      good: () => add(1),
      bad: () => add(0),
      count: (good: number, total: number, timestamp?: number): void => {
        if (entry.removed) throw new UnknownSLOError(id);
        checkCounts(good, total);
        this.recordCountsInto(entry, group, good, total, timestamp);
      },
    };
  }

  /** A recorder for a group beyond the limit: it counts for the SLO as a whole and in `groupOverflow`. */
  private overflowRecorder(entry: Entry): SLORecorder {
    const id = entry.def.sloId;
    const add = (good: number, total: number, timestamp?: number): void => {
      if (entry.removed) throw new UnknownSLOError(id);
      this.groupOverflow++;
      this.recordCountsInto(entry, undefined, good, total, timestamp);
    };
    return {
      sloId: id,
      labels: undefined,
      record(isGood: boolean): void {
        if (isGood !== true && isGood !== false) throw notBoolean(isGood);
        add(isGood ? 1 : 0, 1);
      },
      good: () => add(1, 1),
      bad: () => add(0, 1),
      count: (good: number, total: number, timestamp?: number): void => {
        checkCounts(good, total);
        add(good, total, timestamp);
      },
    };
  }

  /** The group track for `labels`, created on first use; undefined (and counted) past the group limit. */
  private groupOf(entry: Entry, labels: unknown): Track | undefined {
    const groups = entry.groups!;
    const key = groupKey(entry.def.groupBy!, labels);
    let track = groups.get(key);
    if (track === undefined) {
      if (groups.size >= this.maxGroupsPerSLO) {
        this.groupOverflow++;
        return undefined;
      }
      track = this.createTrack(entry.def, entry.whole.window.head, groupLabels(entry.def.groupBy!, key));
      groups.set(key, track);
    }
    return track;
  }

  /**
   * The SLO's current result. For a grouped SLO the result is the SLO as a
   * whole with `groups` holding one result per group; with `labels`, the result
   * of the group those labels select (a no-data result if it has seen nothing).
   * Throws {@link UnknownSLOError} for an unknown id.
   */
  getSLOStatus(sloId: string, labels?: Readonly<Record<string, string>>): SLOResult {
    const entry = this.entries.get(sloId);
    if (entry === undefined) throw unknown(sloId);
    const now = this.now();
    if (labels !== undefined && entry.groups !== undefined) {
      const key = groupKey(entry.def.groupBy!, labels);
      const track =
        entry.groups.get(key) ??
        this.createTrack(entry.def, entry.whole.window.head, groupLabels(entry.def.groupBy!, key));
      return this.compute(entry, track, now);
    }
    return this.computeWithGroups(entry, now);
  }

  /** Results of every SLO now (grouped ones with their groups), without emitting events (for dashboards). */
  getAllStatuses(): SLOResult[] {
    const now = this.now();
    return [...this.entries.values()].map((e) => this.computeWithGroups(e, now));
  }

  /**
   * The error budget remaining over the window, for a burn-down chart: one
   * sample per `evaluate()` when due (`start()` evaluates periodically), at most
   * 256 samples (4 KiB) per SLO or group, whatever the window. Throws
   * {@link UnknownSLOError} for an unknown id; an unseen group has no samples.
   */
  getBudgetHistory(sloId: string, labels?: Readonly<Record<string, string>>): SLOBudgetHistory {
    const entry = this.entries.get(sloId);
    if (entry === undefined) throw unknown(sloId);
    let track: Track | undefined = entry.whole;
    let trackLabels: Labels | undefined;
    if (labels !== undefined && entry.groups !== undefined) {
      const key = groupKey(entry.def.groupBy!, labels);
      track = entry.groups.get(key);
      trackLabels = groupLabels(entry.def.groupBy!, key);
    }
    const history = track?.history;
    return {
      sloId,
      labels: track?.labels ?? trackLabels,
      sampleIntervalMs: history?.sampleIntervalMs ?? 0,
      samples: history?.samples(this.now()) ?? [],
    };
  }

  /**
   * Evaluates every SLO now, emits `slo/status` for each status change and
   * `slo/burn-rate` for each page/ticket condition that started or stopped,
   * and returns the results.
   */
  evaluate(): SLOResult[] {
    const now = this.now();
    const results: SLOResult[] = [];
    for (const entry of [...this.entries.values()]) {
      const whole = this.evaluateTrack(entry, entry.whole, now);
      if (whole === undefined) continue;
      if (entry.groups === undefined) {
        results.push(whole);
        continue;
      }
      const groups: SLOResult[] = [];
      for (const track of entry.groups.values()) {
        const result = this.evaluateTrack(entry, track, now);
        if (result !== undefined) groups.push(result);
      }
      results.push(Object.freeze({ ...whole, groups: Object.freeze(groups) }));
    }
    return results;
  }

  /** Computes one track, samples its budget history and emits its status and burn-rate changes. */
  private evaluateTrack(entry: Entry, track: Track, now: number): SLOResult | undefined {
    let result: SLOResult;
    try {
      result = this.compute(entry, track, now);
    } catch (error) {
      this.emitError(entry.def.sloId, 'evaluate', error);
      return undefined;
    }
    track.history.sample(now, result.errorBudgetRemaining);
    const sloId = entry.def.sloId;
    const group = track.labels === undefined ? {} : { labels: track.labels };
    if (result.status !== track.status) {
      const previous = track.status;
      track.status = result.status;
      this.bus.emit({
        type: 'slo/status',
        ts: now,
        source: SOURCE,
        sloId,
        ...group,
        previous,
        status: result.status,
        result,
      });
    }
    for (const severity of ['page', 'ticket'] as const) {
      const active = result.alerting[severity];
      if (active !== track.alerting[severity]) {
        track.alerting[severity] = active;
        this.bus.emit({
          type: 'slo/burn-rate',
          ts: now,
          source: SOURCE,
          sloId,
          ...group,
          severity,
          active,
          conditions: active
            ? this.conditions.filter((c) => c.severity === severity && this.conditionHolds(track, c, result.burnRates))
            : [],
          burnRates: result.burnRates,
          result,
        });
      }
    }
    return result;
  }

  /** Starts periodic evaluation every `evaluationIntervalMs` on the configured scheduler. Idempotent. */
  start(): void {
    if (this.ticker) return;
    this.ticker = interval(this.evaluationIntervalMs, this.scheduler).subscribe(() => {
      try {
        this.evaluate();
      } catch (error) {
        this.emitError(undefined, 'evaluate', error);
      }
    });
  }

  /** Stops periodic evaluation. */
  stop(): void {
    this.ticker?.unsubscribe();
    this.ticker = undefined;
  }

  get running(): boolean {
    return this.ticker !== undefined;
  }

  /**
   * Feeds an SLO from a stream of outcomes (booleans or `{good, total, timestamp?}`).
   * Invalid outcomes are dropped, counted and reported as `slo/error`; a stream
   * error is reported the same way and ends the subscription. Unsubscribe to stop.
   */
  track(sloId: string, outcomes$: Observable<SLOOutcome>): Subscription {
    if (!this.entries.has(sloId)) throw unknown(sloId);
    if (
      typeof outcomes$ !== 'object' ||
      outcomes$ === null ||
      typeof (outcomes$ as { subscribe?: unknown }).subscribe !== 'function'
    ) {
      throw new SLOValidationError(
        'INVALID_STREAM',
        `track() needs an Observable of outcomes, got ${describeValue(outcomes$)}`,
      );
    }
    if (this.tracked.size >= this.maxTrackedStreams) {
      throw new SLOLimitError(
        'TOO_MANY_STREAMS',
        `the tracker already consumes its limit of ${this.maxTrackedStreams} streams`,
      );
    }
    const subscription = new Subscription();
    this.tracked.add(subscription);
    subscription.add(() => this.tracked.delete(subscription));
    subscription.add(
      outcomes$.subscribe({
        next: (outcome) => this.consume(sloId, outcome),
        error: (error: unknown) => {
          this.emitError(sloId, 'track', error);
          subscription.unsubscribe();
        },
        complete: () => subscription.unsubscribe(),
      }),
    );
    return subscription;
  }

  stats(): SLOTrackerStats {
    let late = this.droppedLateRemoved;
    for (const e of this.entries.values()) late += droppedLateOf(e);
    return { droppedOutcomes: this.droppedOutcomes, droppedLate: late, groupOverflow: this.groupOverflow };
  }

  /** JSON-serializable state: definitions, non-empty buckets, statuses. */
  snapshot(): SLOTrackerSnapshot {
    const now = this.now();
    return {
      version: SNAPSHOT_VERSION,
      takenAt: now,
      bucketMs: this.bucketMs,
      slos: [...this.entries.values()].map((e) => {
        const whole = trackSnapshot(e.whole, now);
        return {
          definition: definitionToJSON(e.def) as unknown as SLODefinition,
          bucketMs: e.whole.window.bucketMs,
          ...whole,
          ...(e.groups === undefined
            ? {}
            : { groups: [...e.groups.values()].map((t) => ({ labels: { ...t.labels }, ...trackSnapshot(t, now) })) }),
        };
      }),
    };
  }

  /**
   * Replaces all SLOs and their windows with a snapshot's. Validates everything
   * first: on a bad snapshot throws {@link SLOSnapshotError} and changes nothing.
   * Bound recorders from before stop working (they throw UnknownSLOError).
   */
  restore(snapshot: unknown): void {
    const parsed = readSnapshot(snapshot, {
      maxSLOs: this.maxSLOs,
      now: this.now(),
      bucketMsFor: (def) => this.bucketMsFor(def),
      capacityFor: (def) => this.layout(def).capacity,
      maxGroups: this.maxGroupsPerSLO,
    });
    const entries = new Map<string, Entry>();
    for (const s of parsed) {
      const entry = this.createEntry(s.definition, s.head);
      restoreTrack(entry.whole, s);
      for (const g of s.groups ?? []) {
        const key = groupKey(s.definition.groupBy ?? [], g.labels);
        const track = this.createTrack(s.definition, g.head, groupLabels(s.definition.groupBy ?? [], key));
        restoreTrack(track, g);
        entry.groups?.set(key, track);
      }
      entries.set(s.definition.sloId, entry);
    }
    for (const old of this.entries.values()) old.removed = true;
    this.entries = entries;
  }

  /** Stops evaluation, ends tracked streams and completes `events$`. */
  dispose(): void {
    this.stop();
    for (const sub of [...this.tracked]) sub.unsubscribe();
    this.bus.complete();
  }

  private now(): number {
    const t = this.clock.now();
    if (typeof t !== 'number' || !Number.isFinite(t)) {
      throw new SLOValidationError('INVALID_CLOCK', `clock.now() must return finite epoch ms, got ${describeValue(t)}`);
    }
    return t;
  }

  private consume(sloId: string, outcome: unknown): void {
    const entry = this.entries.get(sloId);
    if (entry === undefined) {
      this.droppedOutcomes++;
      return;
    }
    if (outcome === true || outcome === false) {
      this.recordOne(entry, undefined, outcome);
    } else {
      try {
        const o = (typeof outcome === 'object' && outcome !== null ? outcome : {}) as Record<string, unknown>;
        if (typeof outcome !== 'object' || outcome === null) throw notBoolean(outcome);
        if (o['kind'] === 'delta') checkDelta(o['good'], o['total']);
        else checkCounts(o['good'], o['total']);
        const group = entry.groups !== undefined ? this.groupOf(entry, o['labels']) : undefined;
        this.recordCountsInto(entry, group, o['good'] as number, o['total'] as number, o['timestamp']);
      } catch (error) {
        this.droppedOutcomes++;
        this.emitError(sloId, 'track', error);
      }
    }
  }

  /** One event now, into the SLO as a whole and, for grouped SLOs, into the group `labels` choose. */
  private recordOne(entry: Entry, labels: unknown, isGood: boolean): void {
    const now = this.recordClock.now();
    const good = isGood ? 1 : 0;
    if (entry.groups !== undefined) this.groupOf(entry, labels)?.window.record(now, good, 1);
    entry.whole.window.record(now, good, 1);
  }

  /** Counts into the SLO as a whole and, for grouped SLOs, into `group` (undefined past the group limit). */
  private recordCountsInto(
    entry: Entry,
    group: Track | undefined,
    good: number,
    total: number,
    timestamp: unknown,
  ): void {
    const now = this.recordClock.now();
    if (timestamp === undefined) {
      entry.whole.window.record(now, good, total);
      group?.window.record(now, good, total);
      return;
    }
    if (typeof timestamp !== 'number' || !Number.isFinite(timestamp)) {
      throw new SLOValidationError(
        'INVALID_TIMESTAMP',
        `timestamp must be finite epoch ms, got ${describeValue(timestamp)}`,
      );
    }
    const w = entry.whole.window;
    // Future timestamps (clock skew) count as now, so they cannot drag the window ahead of the clock.
    const bucket = Math.floor(Math.min(timestamp, now) / w.bucketMs);
    w.recordAt(bucket, good, total);
    group?.window.recordAt(bucket, good, total);
  }

  private emitError(sloId: string | undefined, operation: 'track' | 'evaluate', error: unknown): void {
    const message = error instanceof Error ? error.message : describeValue(error);
    this.bus.emit({ type: 'slo/error', ts: this.clock.now(), source: SOURCE, sloId, operation, message, error });
  }

  private bucketMsFor(def: SLODefinition): number {
    return def.budgetingMethod === BudgetingMethod.TIMESLICES && def.timeSliceWindowMs !== undefined
      ? def.timeSliceWindowMs
      : this.bucketMs;
  }

  private layout(def: SLODefinition): { bucketMs: number; windows: number[]; capacity: number } {
    const bucketMs = this.bucketMsFor(def);
    const windows = BURN_WINDOWS.map((w) => Math.max(1, Math.ceil(BURN_WINDOW_MS[w] / bucketMs)));
    let capacity = Math.max(...windows);
    if (def.calendar) {
      // The longest period plus an hour of DST, so the whole period stays in the ring.
      const periodMs = (def.calendar.unit === 'month' ? 31 : 7) * DAY_MS + 3_600_000;
      capacity = Math.max(capacity, Math.ceil(periodMs / bucketMs) + 1);
    } else {
      const mainLen = Math.max(1, Math.ceil((def.windowDays * DAY_MS) / bucketMs));
      windows.push(mainLen);
      capacity = Math.max(capacity, mainLen);
    }
    if (capacity > this.maxBucketsPerSLO) {
      throw new SLOLimitError(
        'TOO_MANY_BUCKETS',
        `SLO ${def.sloId} needs ${capacity} buckets of ${bucketMs} ms, above the limit of ${this.maxBucketsPerSLO}`,
      );
    }
    return { bucketMs, windows, capacity };
  }

  private createEntry(def: SLODefinition, headBucket: number): Entry {
    return {
      def,
      budget: errorBudgetFraction(def.target),
      calendar: def.calendar !== undefined,
      whole: this.createTrack(def, headBucket, undefined),
      groups: def.groupBy === undefined ? undefined : new Map(),
      removed: false,
    };
  }

  private createTrack(def: SLODefinition, headBucket: number, labels: Labels | undefined): Track {
    const { bucketMs, windows, capacity } = this.layout(def);
    const timeslices = def.budgetingMethod === BudgetingMethod.TIMESLICES;
    const window = new BucketWindow({
      bucketMs,
      capacity,
      windows,
      headBucket,
      sliceTarget: timeslices ? percentFraction(def.timeSliceTarget ?? def.target) : undefined,
      anchorOf: def.calendar ? calendarAnchor(def.calendar.unit, def.calendar.timeZone, bucketMs) : undefined,
    });
    const history = new BudgetHistory(capacity * bucketMs, Math.max(bucketMs, this.evaluationIntervalMs));
    return { labels, window, history, status: SLOStatus.MET, alerting: { page: false, ticket: false } };
  }

  /** Both windows burn faster than the factor, and the long one holds enough events to be trusted. */
  private conditionHolds(track: Track, c: BurnRateCondition, burnRates: Readonly<Record<BurnWindow, number>>): boolean {
    if (!(burnRates[c.longWindow] > c.factor && burnRates[c.shortWindow] > c.factor)) return false;
    return track.window.read(BURN_WINDOWS.indexOf(c.longWindow), this.scratch).total >= this.minEvents;
  }

  /** The whole SLO's result, with one result per group for grouped SLOs. */
  private computeWithGroups(entry: Entry, now: number): SLOResult {
    const whole = this.compute(entry, entry.whole, now);
    if (entry.groups === undefined) return whole;
    const groups = [...entry.groups.values()].map((t) => this.compute(entry, t, now));
    return Object.freeze({ ...whole, groups: Object.freeze(groups) });
  }

  private compute(entry: Entry, track: Track, now: number): SLOResult {
    const w = track.window;
    w.rollTo(Math.floor(now / w.bucketMs));
    const sums = w.read(MAIN, this.scratch);
    const { bad, total, badEvents, totalEvents } = sums;
    const windowStart = entry.calendar ? w.anchor * w.bucketMs : (w.head - (w.windows[MAIN] ?? 1) + 1) * w.bucketMs;
    const burnRates = {} as Record<BurnWindow, number>;
    for (let i = 0; i < BURN_WINDOWS.length; i++) {
      const s = w.read(i, this.scratch);
      burnRates[BURN_WINDOWS[i]!] = burnRate(s.bad, s.total, entry.budget);
    }
    Object.freeze(burnRates);
    const noData = total === 0;
    const currentValue = goodPercent(total - bad, total);
    const remaining = errorBudgetRemaining(bad, total, entry.budget);
    const alerting: Record<BurnRateSeverity, boolean> = { page: false, ticket: false };
    const reasons: string[] = [];
    for (const c of this.conditions) {
      if (!alerting[c.severity] && this.conditionHolds(track, c, burnRates)) alerting[c.severity] = true;
    }
    let status: SLOStatus = SLOStatus.MET;
    if (!noData && budgetOverspent(bad, total, entry.budget)) {
      status = SLOStatus.BREACHED;
      reasons.push('budget-overspent');
    }
    if (alerting.page) reasons.push('burn-rate:page');
    if (alerting.ticket) reasons.push('burn-rate:ticket');
    if (!noData && status !== SLOStatus.BREACHED && remaining < this.budgetAtRiskThreshold) reasons.push('budget-low');
    if (status === SLOStatus.MET && reasons.length > 0) status = SLOStatus.AT_RISK;
    return Object.freeze({
      slo: entry.def,
      ...(track.labels === undefined ? {} : { labels: track.labels }),
      currentValue,
      errorBudgetRemaining: remaining,
      burnRate: burnRates['1h'],
      status,
      timestamp: now,
      burnRates,
      noData,
      budgetingMethod: entry.def.budgetingMethod ?? BudgetingMethod.OCCURRENCES,
      good: total - bad,
      total,
      goodEvents: totalEvents - badEvents,
      totalEvents,
      windowStart,
      alerting: Object.freeze(alerting),
      reasons: Object.freeze(reasons),
    });
  }
}

function droppedLateOf(entry: Entry): number {
  let late = entry.whole.window.droppedLate;
  for (const t of entry.groups?.values() ?? []) late += t.window.droppedLate;
  return late;
}

/** A track's part of a snapshot, rolled to `now`. */
function trackSnapshot(track: Track, now: number): SLOTrackSnapshot {
  const w = track.window;
  w.rollTo(Math.floor(now / w.bucketMs));
  return {
    head: w.head,
    buckets: w.exportBuckets(),
    status: track.status,
    alerting: { ...track.alerting },
    history: track.history.export(),
  };
}

function restoreTrack(track: Track, s: SLOTrackSnapshot): void {
  track.window.importBuckets(s.buckets);
  track.status = s.status;
  track.alerting = { ...s.alerting };
  // A history from another window length or interval is dropped rather than misread.
  if (s.history !== undefined) track.history.import(s.history);
}

function unknown(sloId: unknown): UnknownSLOError {
  return new UnknownSLOError(typeof sloId === 'string' ? sloId : describeValue(sloId));
}

function notBoolean(value: unknown): SLOValidationError {
  return new SLOValidationError(
    'INVALID_OUTCOME',
    `an outcome must be a boolean or {good, total}, got ${describeValue(value)}`,
  );
}

const MAX_COUNT = 2 ** 48;

function checkCounts(good: unknown, total: unknown): void {
  if (
    typeof good !== 'number' ||
    typeof total !== 'number' ||
    !Number.isFinite(good) ||
    !Number.isFinite(total) ||
    good < 0 ||
    total < 0 ||
    good > total ||
    total > MAX_COUNT
  ) {
    throw new SLOValidationError(
      'INVALID_COUNTS',
      `counts must be finite with 0 <= good <= total <= 2^48, got good=${describeValue(good)} total=${describeValue(total)}`,
    );
  }
}

function checkDelta(good: unknown, total: unknown): void {
  if (
    typeof good !== 'number' ||
    typeof total !== 'number' ||
    !Number.isFinite(good) ||
    !Number.isFinite(total) ||
    total < 0 ||
    Math.abs(good) > MAX_COUNT ||
    total > MAX_COUNT
  ) {
    throw new SLOValidationError(
      'INVALID_COUNTS',
      `a counter delta needs finite good and total >= 0 (at most 2^48), got good=${describeValue(good)} total=${describeValue(total)}`,
    );
  }
}

/** Creates an {@link SLOTracker}. */
export function createSLOTracker(config?: SLOTrackerConfig): SLOTracker {
  return new SLOTracker(config);
}
