import type { Alert } from '../Alert';
import { AlertState } from '../AlertSeverity';
import { AlertLimitError } from '../errors';
import { compileInhibitRule, InhibitionIndex, type CompiledInhibitRule, type InhibitRule } from '../inhibition';
import { SilenceStore, type Silence, type StoredSilence } from '../silences';
import type { AlertRecord, AlertStore } from './AlertStore';
import type { CancelTimer, TimerFn } from '../internal/timers';
import { errorMessage } from '../internal/validate';

/** A predicate muting matching alerts (state SUPPRESSED, nobody notified). */
export type SuppressionRule = (alert: Alert) => boolean;

export interface MuteLimits {
  readonly maxSuppressionRules: number;
  readonly maxSilences: number;
  readonly maxInhibitRules: number;
  readonly maxRegexLength: number;
}

export interface MuteHooks {
  /** A suppression predicate threw. */
  readonly suppressionError: (error: string) => void;
  /** A silence started or ended: the manager re-checks every alert (in a batch). */
  readonly boundary: () => void;
}

/** At most this many reasons are kept in `suppressedBy`. */
const MAX_REASONS = 64;

/**
 * Decides whether a firing alert is muted, and by what: suppression predicates, silences
 * and inhibition rules. It keeps the inhibition index in step with the store (the manager
 * calls `track`/`untrack` when an alert appears, changes severity, fires or goes away),
 * collects the alerts whose mute may have changed, and arms one timer at the next silence
 * start or end so that mutes change exactly on time.
 */
export class MuteResolver {
  readonly silences: SilenceStore;
  private readonly suppressions: SuppressionRule[] = [];
  private inhibitRules: CompiledInhibitRule[] = [];
  private inhibitSeq = 0;
  private index: InhibitionIndex;
  /** Records whose mute may have changed (an inhibition source changed), content unchanged. */
  private readonly recheck = new Set<AlertRecord>();
  private fullRecheck = false;
  private nextBoundary = Infinity;
  private cancelBoundary: CancelTimer | undefined;
  private disposed = false;

  constructor(
    private readonly store: AlertStore,
    private readonly timers: TimerFn,
    private readonly limits: MuteLimits,
    private readonly hooks: MuteHooks,
    inhibitRules: readonly InhibitRule[],
  ) {
    this.silences = new SilenceStore(limits.maxSilences, limits.maxRegexLength);
    for (const rule of inhibitRules) this.compileInhibitRule(rule);
    this.index = new InhibitionIndex(this.inhibitRules);
  }

  // ------------------------------------------------------------ configuration

  /** Every active alert must be re-checked at the end of the current batch. */
  invalidateAll(): void {
    this.fullRecheck = true;
  }

  addSuppression(fn: SuppressionRule): void {
    if (this.suppressions.length >= this.limits.maxSuppressionRules) {
      throw new AlertLimitError(
        'SUPPRESSION_LIMIT',
        `at most ${this.limits.maxSuppressionRules} suppression rules`,
        this.limits.maxSuppressionRules,
      );
    }
    this.suppressions.push(fn);
    this.fullRecheck = true;
  }

  removeSuppression(fn: SuppressionRule): boolean {
    const i = this.suppressions.indexOf(fn);
    if (i < 0) return false;
    this.suppressions.splice(i, 1);
    this.fullRecheck = true;
    return true;
  }

  addSilence(init: unknown, now: number): string {
    const parsed = this.silences.parse(init, now);
    this.silences.add(parsed, now);
    this.fullRecheck = true;
    return parsed.id;
  }

  expireSilence(id: string, now: number): boolean {
    const ok = this.silences.expire(id, now);
    if (ok) this.fullRecheck = true;
    return ok;
  }

  listSilences(now: number): Silence[] {
    return this.silences.list(now);
  }

  addInhibitRule(rule: InhibitRule): string {
    const id = this.compileInhibitRule(rule);
    this.rebuildIndex();
    return id;
  }

  removeInhibitRule(ruleId: string): boolean {
    const before = this.inhibitRules.length;
    this.inhibitRules = this.inhibitRules.filter((r) => r.id !== ruleId);
    if (this.inhibitRules.length === before) return false;
    this.rebuildIndex();
    return true;
  }

  listInhibitRules(): { id: string; rule: InhibitRule }[] {
    return this.inhibitRules.map((r) => ({ id: r.id, rule: r.rule }));
  }

  private compileInhibitRule(rule: InhibitRule): string {
    if (this.inhibitRules.length >= this.limits.maxInhibitRules) {
      throw new AlertLimitError(
        'INHIBIT_RULE_LIMIT',
        `at most ${this.limits.maxInhibitRules} inhibition rules`,
        this.limits.maxInhibitRules,
      );
    }
    const compiled = compileInhibitRule(rule, `inhibit-${++this.inhibitSeq}`, this.limits.maxRegexLength);
    this.inhibitRules = [...this.inhibitRules, compiled];
    return compiled.id;
  }

  /** Rebuilds the inhibition index from the store (after a rule change or a restore). */
  rebuildIndex(): void {
    const index = new InhibitionIndex(this.inhibitRules);
    if (this.inhibitRules.length > 0) {
      for (const rec of this.store.records()) {
        index.addTarget(rec.fingerprint, rec.matchLabels);
        if (rec.phase === 'firing') index.addSource(rec.fingerprint, rec.matchLabels);
      }
    }
    this.index = index;
    this.fullRecheck = true;
  }

  /** Replaces every silence (restore; already validated). */
  replaceSilences(silences: readonly StoredSilence[], now: number): void {
    this.silences.replaceAll(silences);
    this.recheck.clear();
    this.rebuildIndex();
    this.fullRecheck = false;
    this.armBoundaryTimer(now);
  }

  // ------------------------------------------------------------ alert tracking

  /** A record appeared (or its match labels changed): index it as a target, and as a source when firing. */
  track(rec: AlertRecord): void {
    this.index.addTarget(rec.fingerprint, rec.matchLabels);
    if (rec.phase === 'firing') this.sourceChanged(rec, true);
  }

  /** The reverse of {@link track}, with the record's current match labels. */
  untrack(rec: AlertRecord): void {
    this.recheck.delete(rec);
    this.index.removeTarget(rec.fingerprint, rec.matchLabels);
    if (rec.phase === 'firing') this.sourceChanged(rec, false);
  }

  /** A pending record started firing: it may now inhibit others. */
  promoted(rec: AlertRecord): void {
    this.sourceChanged(rec, true);
  }

  /** A firing alert appeared or went away: re-check the targets it may inhibit. */
  private sourceChanged(rec: AlertRecord, firing: boolean): void {
    if (this.index.empty) return;
    const affected = firing
      ? this.index.addSource(rec.fingerprint, rec.matchLabels)
      : this.index.removeSource(rec.fingerprint, rec.matchLabels);
    for (const fp of affected) {
      const target = this.store.get(fp);
      if (target) this.recheck.add(target);
    }
  }

  // ------------------------------------------------------------ resolution

  /** Whether a silence start or end has passed since mutes were last computed. */
  boundaryPassed(now: number): boolean {
    return now >= this.nextBoundary;
  }

  /**
   * The records whose state must be recomputed now: those the manager touched, plus those
   * whose inhibition sources changed, or every record after a configuration change or a
   * silence boundary.
   */
  takeDirty(touched: Set<AlertRecord>, now: number): Iterable<AlertRecord> {
    if (now >= this.nextBoundary) this.fullRecheck = true;
    let recs: Iterable<AlertRecord> = touched;
    if (this.fullRecheck) {
      this.fullRecheck = false;
      recs = [...this.store.records()];
      this.armBoundaryTimer(now);
    } else if (this.recheck.size > 0) {
      recs = new Set([...touched, ...this.recheck]);
    }
    this.recheck.clear();
    return recs;
  }

  /** Recomputes the mutes and the published state of one record; returns the previous state. */
  computeState(rec: AlertRecord, now: number): AlertState | undefined {
    const before = rec.state;
    let reasons: string[] = [];
    if (rec.phase === 'firing') {
      const labels = rec.matchLabels;
      if (this.suppressions.length > 0) {
        rec.state = AlertState.FIRING;
        rec.cached = undefined;
        const candidate = this.store.view(rec);
        for (const pred of [...this.suppressions]) {
          try {
            if (pred(candidate) === true) {
              reasons.push('suppression');
              break;
            }
          } catch (error) {
            this.hooks.suppressionError(errorMessage(error));
          }
        }
      }
      for (const id of this.silences.matching(labels, now)) reasons.push(`silence:${id}`);
      if (this.inhibitRules.length > 0)
        for (const id of this.index.inhibitedBy(rec.fingerprint, labels)) reasons.push(`inhibition:${id}`);
    }
    reasons = reasons.slice(0, MAX_REASONS);
    rec.suppressedBy = Object.freeze(reasons);
    rec.state =
      rec.phase === 'pending' ? AlertState.PENDING : reasons.length > 0 ? AlertState.SUPPRESSED : AlertState.FIRING;
    rec.cached = undefined;
    return before;
  }

  /** One timer at the next silence start or end, so mutes change exactly on time. */
  armBoundaryTimer(now: number): void {
    const next = Math.min(Infinity, ...this.silences.boundaries(now));
    if (next === this.nextBoundary && this.cancelBoundary) return;
    this.cancelBoundary?.();
    this.cancelBoundary = undefined;
    this.nextBoundary = next;
    if (next === Infinity || this.disposed) return;
    this.cancelBoundary = this.timers(() => {
      this.cancelBoundary = undefined;
      this.hooks.boundary();
    }, next - now);
  }

  dispose(): void {
    this.disposed = true;
    this.cancelBoundary?.();
    this.cancelBoundary = undefined;
  }
}
