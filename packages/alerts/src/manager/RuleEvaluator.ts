import { describeValue, requireFunction, type Labels } from '@obs/core';
import { normalizeAlertInit, type AlertInit, type NormalizedInit } from '../Alert';
import { isAlertSeverity, type AlertSeverity } from '../AlertSeverity';
import { AlertLimitError, AlertValidationError } from '../errors';
import type { AlertRecord, AlertStore } from './AlertStore';
import { duration, errorMessage, isThenable, invalidArgument, requireId } from '../internal/validate';

/** What a rule may return: nothing, one alert (init) or several. */
export type RuleResult = AlertInit | null | undefined | false | readonly (AlertInit | null | undefined | false)[];

/** A rule: looks at the context and returns the alerts that currently hold. Must be synchronous. */
export type AlertRule<Ctx> = (context: Ctx) => RuleResult;

/** Per-rule options (Prometheus alerting-rule semantics; durations in ms). */
export interface RuleOptions {
  /** An alert stays PENDING until the rule has returned it for this long. Default 0 (fire at once). */
  readonly for?: number;
  /** Keep a firing alert firing this long after the rule stops returning it. Default 0. */
  readonly keepFiringFor?: number;
  /** Default severity for the rule's alerts. */
  readonly severity?: AlertSeverity;
  /** Labels added to every alert of the rule (the alert's own labels win). */
  readonly labels?: Readonly<Record<string, string>>;
  /** Annotations added to every alert of the rule (the alert's own win). */
  readonly annotations?: Readonly<Record<string, string>>;
}

interface RegisteredRule<Ctx> {
  readonly name: string;
  fn: AlertRule<Ctx>;
  options: { for: number; keepFiringFor: number; severity?: AlertSeverity; labels?: Labels; annotations?: Labels };
  /** Fingerprints of the active alerts this rule returned last. */
  readonly owned: Set<string>;
}

/**
 * What the evaluator asks of the manager: it decides what happens to each alert
 * (Prometheus semantics); the manager carries out the lifecycle change.
 */
export interface RuleHost {
  create(n: NormalizedInit, now: number, phase: 'pending' | 'firing'): AlertRecord;
  update(rec: AlertRecord, n: NormalizedInit): void;
  promote(rec: AlertRecord, now: number): void;
  /** Drops a pending alert without a trace. */
  discard(rec: AlertRecord): void;
  resolve(rec: AlertRecord, now: number): void;
  ruleError(rule: string, error: string): void;
  /** A new alert was not admitted (active limit). */
  dropped(n: NormalizedInit, rule: string, now: number): void;
}

/**
 * The registered rules and which active alerts each one owns, and one evaluation pass
 * with Prometheus semantics: `for` (pending), `keepFiringFor`, resolution when a rule
 * stops returning an alert, a failed evaluation leaving the rule's alerts as they were.
 */
export class RuleEvaluator<Ctx> {
  private readonly rules = new Map<string, RegisteredRule<Ctx>>();

  constructor(
    private readonly store: AlertStore,
    private readonly maxRules: number,
    private readonly maxActiveAlerts: number,
    private readonly maxLabelValueLength: number,
  ) {}

  get size(): number {
    return this.rules.size;
  }

  names(): string[] {
    return [...this.rules.keys()];
  }

  register(name: string, fn: AlertRule<Ctx>, options: RuleOptions): void {
    requireId(name, 'rule name');
    requireFunction(fn, 'rule', invalidArgument);
    if (options === null || typeof options !== 'object')
      throw new AlertValidationError('INVALID_RULE', `rule options must be an object, got ${describeValue(options)}`);
    const severity = options.severity;
    if (severity !== undefined && !isAlertSeverity(severity))
      throw new AlertValidationError('INVALID_RULE', `rule severity is invalid: ${describeValue(severity)}`);
    let labels: Labels | undefined;
    let annotations: Labels | undefined;
    try {
      labels =
        options.labels === undefined
          ? undefined
          : normalizeAlertInit({ name, labels: options.labels }, { maxLabelValueLength: this.maxLabelValueLength })
              .labels;
      annotations =
        options.annotations === undefined
          ? undefined
          : normalizeAlertInit({ name, annotations: options.annotations }).annotations;
    } catch (error) {
      throw new AlertValidationError('INVALID_RULE', `rule ${name}: ${errorMessage(error)}`, { cause: error });
    }
    const parsed = {
      for: duration(options.for, 'for', 0),
      keepFiringFor: duration(options.keepFiringFor, 'keepFiringFor', 0),
      ...(severity !== undefined ? { severity } : {}),
      ...(labels !== undefined ? { labels } : {}),
      ...(annotations !== undefined ? { annotations } : {}),
    };
    const existing = this.rules.get(name);
    if (existing) {
      existing.fn = fn;
      existing.options = parsed;
      return;
    }
    if (this.rules.size >= this.maxRules)
      throw new AlertLimitError('RULE_LIMIT', `at most ${this.maxRules} rules`, this.maxRules);
    const owned = new Set<string>();
    // Alerts restored from a snapshot are owned again by the rule of the same name.
    for (const rec of this.store.records()) if (rec.ownerRule === name) owned.add(rec.fingerprint);
    this.rules.set(name, { name, fn, options: parsed, owned });
  }

  /** Removes a rule; returns the fingerprints of the alerts it owned (the manager resolves them). */
  unregister(name: string): string[] | undefined {
    const rule = this.rules.get(name);
    if (!rule) return undefined;
    this.rules.delete(name);
    return [...rule.owned];
  }

  /** The record no longer belongs to its rule (resolved or discarded). */
  release(rec: AlertRecord): void {
    if (rec.ownerRule !== undefined) this.rules.get(rec.ownerRule)?.owned.delete(rec.fingerprint);
  }

  /** A restored record belongs to the rule named in the snapshot, if registered. */
  adopt(rec: AlertRecord, rule: string | undefined): void {
    rec.ownerRule = rule;
    if (rule !== undefined) this.rules.get(rule)?.owned.add(rec.fingerprint);
  }

  /** Forgets every ownership (before a restore). */
  clearOwnership(): void {
    for (const rule of this.rules.values()) rule.owned.clear();
  }

  /** Runs every rule; returns the records the rules returned, in order. */
  evaluate(context: Ctx, now: number, host: RuleHost): AlertRecord[] {
    const out: AlertRecord[] = [];
    for (const rule of [...this.rules.values()]) this.evaluateRule(rule, context, now, host, out);
    return out;
  }

  private evaluateRule(rule: RegisteredRule<Ctx>, context: Ctx, now: number, host: RuleHost, out: AlertRecord[]): void {
    let result: unknown;
    try {
      result = rule.fn(context);
    } catch (error) {
      host.ruleError(rule.name, errorMessage(error));
      return; // as Prometheus: a failed evaluation leaves the rule's alerts as they were
    }
    if (isThenable(result)) {
      host.ruleError(rule.name, 'a rule must return its alerts synchronously, not a Promise');
      return;
    }
    const items: readonly unknown[] =
      result === undefined || result === null || result === false ? [] : Array.isArray(result) ? result : [result];
    const seen = new Set<string>();
    const { options } = rule;
    for (const item of items) {
      if (item === undefined || item === null || item === false) continue;
      let n: NormalizedInit;
      try {
        n = normalizeAlertInit(item, {
          source: rule.name,
          severity: options.severity,
          labels: options.labels,
          annotations: options.annotations,
          maxLabelValueLength: this.maxLabelValueLength,
        });
      } catch (error) {
        host.ruleError(rule.name, errorMessage(error));
        continue;
      }
      if (seen.has(n.fingerprint)) {
        host.ruleError(rule.name, `returned alert ${n.name} twice with the same labels; the first one counts`);
        continue;
      }
      let rec = this.store.get(n.fingerprint);
      if (!rec) {
        if (n.alertId !== undefined && this.store.hasAlertId(n.alertId)) {
          host.ruleError(
            rule.name,
            `alertId ${n.alertId} already belongs to another active alert (different name or labels)`,
          );
          continue;
        }
        if (this.store.size >= this.maxActiveAlerts) {
          host.dropped(n, rule.name, now);
          continue;
        }
        rec = host.create(n, now, options.for > 0 ? 'pending' : 'firing');
      } else {
        host.update(rec, n);
      }
      if (rec.ownerRule !== rule.name) {
        this.release(rec);
        rec.ownerRule = rule.name;
        rule.owned.add(rec.fingerprint);
      }
      seen.add(n.fingerprint);
      rec.lastSeenAt = now;
      if (rec.phase === 'pending' && now - rec.startedAt >= options.for) host.promote(rec, now);
      out.push(rec);
    }
    for (const fp of [...rule.owned]) {
      if (seen.has(fp)) continue;
      const rec = this.store.get(fp);
      if (!rec) {
        rule.owned.delete(fp);
      } else if (rec.phase === 'pending') {
        host.discard(rec); // Prometheus drops a pending alert whose condition went away; it never fired
      } else if (!(options.keepFiringFor > 0 && now - rec.lastSeenAt < options.keepFiringFor)) {
        host.resolve(rec, now);
      }
    }
  }
}
