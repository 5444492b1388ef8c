import { describeValue, EventBus, systemClock, type Clock, type Labels } from '@obs/core';
import { asyncScheduler, timer, type Observable, type SchedulerLike, type Subscription } from 'rxjs';
import { MAX_NAME_LENGTH, normalizeAlertInit, type Alert, type AlertInit, type NormalizedInit } from './Alert';
import { AlertSeverity, AlertState, isAlertSeverity } from './AlertSeverity';
import { AlertLimitError, AlertValidationError } from './errors';
import type { AlertsEvent } from './events';
import { compileInhibitRule, InhibitionIndex, type CompiledInhibitRule, type InhibitRule } from './inhibition';
import { Notifier } from './internal/Notifier';
import { createTimers, type CancelTimer, type TimerFn } from './internal/timers';
import { alertMatchLabels, DEFAULT_MAX_REGEX_LENGTH } from './matchers';
import type { AlertHandler, AlertNotification, NotificationHandler } from './Notification';
import { resolveRoute, type RouteConfig } from './route';
import { SilenceStore, type Silence, type SilenceInit, type StoredSilence } from './silences';
import { parseSnapshot, type AlertManagerSnapshot, type ActiveAlertSnapshot } from './snapshot';

/**
 * The default rule context: metric name -> current value, as in the seed
 * (`ctx.latency_ms > 1000`). Use `createAlertManager<MyContext>()` for a richer shape.
 */
export type AlertContext = Readonly<Record<string, number | undefined>>;

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

/** A predicate muting matching alerts (state SUPPRESSED, nobody notified). */
export type SuppressionRule = (alert: Alert) => boolean;

export interface HandlerOptions {
  /** Name used in `alerts/handler-error` events. Default: the function's name or `handler#n`. */
  readonly name?: string;
  /** Per-call timeout for async handlers. Default: `handlerTimeoutMs` of the manager. */
  readonly timeoutMs?: number;
}

/** Upper bounds on everything keyed by user data. */
export interface AlertManagerLimits {
  /** Pending + firing + suppressed alerts. New ones beyond it: `fireAlert` throws {@link AlertLimitError}, rules count a drop. */
  readonly maxActiveAlerts: number;
  readonly maxResolvedHistory: number;
  readonly maxRules: number;
  readonly maxHandlers: number;
  readonly maxSuppressionRules: number;
  readonly maxSilences: number;
  readonly maxInhibitRules: number;
  /** Notification groups; beyond it new groups share one extra overflow group (key `{overflow}`). */
  readonly maxGroups: number;
  readonly maxRegexLength: number;
}

export interface AlertManagerConfig {
  /** Period of `start()`'s evaluation loop. Default 60. */
  readonly alertEvaluationIntervalSeconds?: number;
  readonly clock?: Clock;
  /** Scheduler for the evaluation loop, group timers, silence expiry and handler timeouts. */
  readonly scheduler?: SchedulerLike;
  /** Grouping and timing of notifications; see {@link RouteConfig}. Default: notify each alert at once. */
  readonly route?: RouteConfig;
  readonly inhibitRules?: readonly InhibitRule[];
  /** Timeout of an async handler call. Default 10 000 ms. */
  readonly handlerTimeoutMs?: number;
  readonly limits?: Partial<AlertManagerLimits>;
}

export interface AlertManagerStats {
  readonly active: number;
  readonly pending: number;
  readonly firing: number;
  readonly suppressed: number;
  readonly resolvedHistory: number;
  readonly rules: number;
  readonly silences: number;
  readonly groups: number;
  /** New alerts not admitted because of `maxActiveAlerts`. */
  readonly dropped: number;
  readonly notifications: number;
  readonly handlerErrors: number;
  readonly ruleErrors: number;
}

/** Alerting like Prometheus rules + Alertmanager, in process. */
export interface AlertManager<Ctx extends object = AlertContext> {
  /** Every lifecycle fact and failure; see {@link AlertsEvent}. */
  readonly events$: Observable<AlertsEvent>;
  /** Adds (or replaces, keeping its alerts) a rule. */
  registerRule(name: string, fn: AlertRule<Ctx>, options?: RuleOptions): void;
  /** Removes a rule and resolves its active alerts. */
  unregisterRule(name: string): boolean;
  listRules(): string[];
  /** Per-alert handler (firing and resolved); returns a function that removes it. */
  addHandler(fn: AlertHandler, options?: HandlerOptions): () => boolean;
  /** Per-group handler (sinks); returns a function that removes it. */
  addNotificationHandler(fn: NotificationHandler, options?: HandlerOptions): () => boolean;
  /** Adds a suppression predicate; returns a function that removes it. */
  addSuppressionRule(fn: SuppressionRule): () => boolean;
  addSilence(silence: SilenceInit): string;
  expireSilence(silenceId: string): boolean;
  listSilences(): Silence[];
  addInhibitRule(rule: InhibitRule): string;
  removeInhibitRule(ruleId: string): boolean;
  listInhibitRules(): { id: string; rule: InhibitRule }[];
  /** Fires (or updates) an alert now, bypassing `for`. Throws on bad input or at the active limit. */
  fireAlert(alert: AlertInit): Alert;
  /** Resolves an active alert; undefined when no active alert has that id. */
  resolveAlert(alertId: string): Alert | undefined;
  /** An active alert, else the latest resolved one with that id. */
  getAlert(alertId: string): Alert | undefined;
  getFiringAlerts(): Alert[];
  /** Pending, firing and suppressed alerts. */
  getActiveAlerts(): Alert[];
  /** Active alerts of one severity. */
  getAlertsBySeverity(severity: AlertSeverity): Alert[];
  /** Resolved alerts, newest first. */
  getResolvedAlerts(limit?: number): Alert[];
  /** Runs every rule against `context`; returns the alerts the rules returned (in their new states). */
  evaluateRules(context: Ctx): Alert[];
  /** Fires each alert init of a stream (an init with state RESOLVED resolves its alert). */
  connect(candidates$: Observable<AlertInit>): Subscription;
  /** Evaluates now and every `alertEvaluationIntervalSeconds`, with the provider's context. */
  start(contextProvider?: () => Ctx | Promise<Ctx>): void;
  stop(): void;
  /** Resolves once every async handler call in flight has settled (or timed out). */
  drain(): Promise<void>;
  stats(): AlertManagerStats;
  snapshot(): AlertManagerSnapshot;
  restore(snapshot: unknown): void;
  /** Stops everything and completes `events$`. */
  dispose(): void;
}

interface AlertRecord {
  readonly fingerprint: string;
  readonly alertId: string;
  readonly name: string;
  readonly labels: Labels;
  /** labels + alertname + severity, what matchers see (recomputed when severity changes). */
  matchLabels: Labels;
  severity: AlertSeverity;
  message: string;
  source: string;
  annotations: Labels;
  value: number;
  startedAt: number;
  firingSince: number | undefined;
  phase: 'pending' | 'firing';
  ownerRule: string | undefined;
  lastSeenAt: number;
  suppressedBy: readonly string[];
  /** Published state; undefined until the first reconcile. */
  state: AlertState | undefined;
  cached: Alert | undefined;
}

interface RegisteredRule<Ctx> {
  readonly name: string;
  fn: AlertRule<Ctx>;
  options: { for: number; keepFiringFor: number; severity?: AlertSeverity; labels?: Labels; annotations?: Labels };
  readonly owned: Set<string>;
}

interface RegisteredHandler<F> {
  readonly fn: F;
  readonly name: string;
  readonly timeoutMs: number;
}

const DEFAULT_LIMITS: AlertManagerLimits = {
  maxActiveAlerts: 10_000,
  maxResolvedHistory: 1_000,
  maxRules: 1_000,
  maxHandlers: 100,
  maxSuppressionRules: 100,
  maxSilences: 1_000,
  maxInhibitRules: 100,
  maxGroups: 10_000,
  maxRegexLength: DEFAULT_MAX_REGEX_LENGTH,
};

const SOURCE = 'alerts';

function errorMessage(error: unknown): string {
  if (error instanceof Error) return error.message;
  return typeof error === 'string' ? error : describeValue(error);
}

function isThenable(value: unknown): value is PromiseLike<unknown> {
  return value !== null && (typeof value === 'object' || typeof value === 'function') && typeof (value as { then?: unknown }).then === 'function';
}

function positiveInteger(value: unknown, what: string): number {
  if (typeof value !== 'number' || !Number.isInteger(value) || value < 1) {
    throw new AlertValidationError('INVALID_CONFIG', `${what} must be a positive integer, got ${describeValue(value)}`);
  }
  return value;
}

function duration(value: unknown, what: string, fallback: number, min = 0): number {
  if (value === undefined) return fallback;
  if (typeof value !== 'number' || !Number.isFinite(value) || value < min || value > 365 * 86_400_000) {
    throw new AlertValidationError('INVALID_CONFIG', `${what} must be milliseconds between ${min} and one year, got ${describeValue(value)}`);
  }
  return value;
}

function requireFunction(fn: unknown, what: string): void {
  if (typeof fn !== 'function') throw new AlertValidationError('INVALID_ARGUMENT', `${what} must be a function, got ${describeValue(fn)}`);
}

function requireId(id: unknown, what: string): string {
  if (typeof id !== 'string' || id.length === 0 || id.length > MAX_NAME_LENGTH) {
    throw new AlertValidationError('INVALID_ARGUMENT', `${what} must be a non-empty string of at most ${MAX_NAME_LENGTH} characters, got ${describeValue(id)}`);
  }
  return id;
}

class AlertManagerImpl<Ctx extends object> implements AlertManager<Ctx> {
  readonly events$: Observable<AlertsEvent>;
  private readonly bus = new EventBus<AlertsEvent>();
  private readonly clock: Clock;
  private readonly scheduler: SchedulerLike | undefined;
  private readonly timers: TimerFn;
  private readonly limits: AlertManagerLimits;
  private readonly intervalMs: number;
  private readonly handlerTimeoutMs: number;
  private readonly notifier: Notifier;
  private readonly silences: SilenceStore;

  private readonly active = new Map<string, AlertRecord>();
  private readonly byId = new Map<string, string>();
  private history: Alert[] = [];
  private readonly rules = new Map<string, RegisteredRule<Ctx>>();
  private readonly alertHandlers: RegisteredHandler<AlertHandler>[] = [];
  private readonly notificationHandlers: RegisteredHandler<NotificationHandler>[] = [];
  private readonly suppressions: SuppressionRule[] = [];
  private inhibitRules: CompiledInhibitRule[] = [];
  private inhibitSeq = 0;
  private handlerSeq = 0;
  private index: InhibitionIndex;

  private depth = 0;
  private readonly touched = new Set<AlertRecord>();
  /** Records whose mute state may have changed (inhibition sources changed), content unchanged. */
  private readonly recheck = new Set<AlertRecord>();
  private fullRecheck = false;
  private nextBoundary = Infinity;
  private cancelBoundary: CancelTimer | undefined;
  private readonly inflight = new Set<Promise<void>>();
  private loop: Subscription | undefined;
  private loopBusy = false;
  private disposed = false;

  private dropped = 0;
  private notifications = 0;
  private handlerErrors = 0;
  private ruleErrors = 0;

  constructor(config: AlertManagerConfig) {
    if (config === null || typeof config !== 'object' || Array.isArray(config)) {
      throw new AlertValidationError('INVALID_CONFIG', `config must be an object, got ${describeValue(config)}`);
    }
    this.events$ = this.bus.events$;
    this.clock = config.clock ?? systemClock;
    if (typeof this.clock?.now !== 'function') throw new AlertValidationError('INVALID_CONFIG', 'clock must have a now() method');
    this.scheduler = config.scheduler;
    this.timers = createTimers(config.scheduler);
    const seconds = config.alertEvaluationIntervalSeconds ?? 60;
    if (typeof seconds !== 'number' || !Number.isFinite(seconds) || seconds <= 0 || seconds > 86_400) {
      throw new AlertValidationError('INVALID_CONFIG', `alertEvaluationIntervalSeconds must be in (0, 86400], got ${describeValue(seconds)}`);
    }
    this.intervalMs = seconds * 1000;
    this.handlerTimeoutMs = duration(config.handlerTimeoutMs, 'handlerTimeoutMs', 10_000, 1);
    const limits = { ...DEFAULT_LIMITS };
    if (config.limits !== undefined) {
      if (config.limits === null || typeof config.limits !== 'object') throw new AlertValidationError('INVALID_CONFIG', 'limits must be an object');
      for (const key of Object.keys(DEFAULT_LIMITS) as (keyof AlertManagerLimits)[]) {
        const v = config.limits[key];
        if (v !== undefined) limits[key] = positiveInteger(v, `limits.${key}`);
      }
    }
    this.limits = Object.freeze(limits);
    this.silences = new SilenceStore(limits.maxSilences, limits.maxRegexLength);
    const route = resolveRoute(config.route);
    for (const rule of config.inhibitRules ?? []) this.addInhibitRuleInternal(rule);
    this.index = new InhibitionIndex(this.inhibitRules);
    this.notifier = new Notifier(route, this.clock, this.timers, limits.maxGroups, {
      runTimer: (fn) => this.batch(fn),
      deliver: (n) => this.deliver(n),
    });
  }

  // ---------------------------------------------------------------- rules

  registerRule(name: string, fn: AlertRule<Ctx>, options: RuleOptions = {}): void {
    requireId(name, 'rule name');
    requireFunction(fn, 'rule');
    if (options === null || typeof options !== 'object') throw new AlertValidationError('INVALID_RULE', `rule options must be an object, got ${describeValue(options)}`);
    const severity = options.severity;
    if (severity !== undefined && !isAlertSeverity(severity)) throw new AlertValidationError('INVALID_RULE', `rule severity is invalid: ${describeValue(severity)}`);
    let labels: Labels | undefined;
    let annotations: Labels | undefined;
    try {
      labels = options.labels === undefined ? undefined : normalizeAlertInit({ name, labels: options.labels }).labels;
      annotations = options.annotations === undefined ? undefined : normalizeAlertInit({ name, annotations: options.annotations }).annotations;
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
    if (this.rules.size >= this.limits.maxRules) throw new AlertLimitError('RULE_LIMIT', `at most ${this.limits.maxRules} rules`, this.limits.maxRules);
    const owned = new Set<string>();
    // Alerts restored from a snapshot are owned again by the rule of the same name.
    for (const rec of this.active.values()) if (rec.ownerRule === name) owned.add(rec.fingerprint);
    this.rules.set(name, { name, fn, options: parsed, owned });
  }

  unregisterRule(name: string): boolean {
    if (typeof name !== 'string') return false;
    const rule = this.rules.get(name);
    if (!rule) return false;
    this.rules.delete(name);
    this.batch(() => {
      const now = this.clock.now();
      for (const fp of [...rule.owned]) {
        const rec = this.active.get(fp);
        if (rec) this.resolveRecord(rec, now);
      }
    });
    return true;
  }

  listRules(): string[] {
    return [...this.rules.keys()];
  }

  evaluateRules(context: Ctx): Alert[] {
    if (context === null || typeof context !== 'object') {
      throw new AlertValidationError('INVALID_CONTEXT', `the rule context must be an object, got ${describeValue(context)}`);
    }
    const returned = this.batch(() => {
      const now = this.clock.now();
      const out: AlertRecord[] = [];
      for (const rule of [...this.rules.values()]) this.evaluateRule(rule, context, now, out);
      return out;
    });
    return returned.map((rec) => this.view(rec));
  }

  private evaluateRule(rule: RegisteredRule<Ctx>, context: Ctx, now: number, out: AlertRecord[]): void {
    let result: unknown;
    try {
      result = rule.fn(context);
    } catch (error) {
      this.ruleError(rule.name, 'rule', errorMessage(error));
      return; // as Prometheus: a failed evaluation leaves the rule's alerts as they were
    }
    if (isThenable(result)) {
      this.ruleError(rule.name, 'rule', 'a rule must return its alerts synchronously, not a Promise');
      return;
    }
    const items: readonly unknown[] = result === undefined || result === null || result === false ? [] : Array.isArray(result) ? result : [result];
    const seen = new Set<string>();
    const { options } = rule;
    for (const item of items) {
      if (item === undefined || item === null || item === false) continue;
      let n: NormalizedInit;
      try {
        n = normalizeAlertInit(item, { source: rule.name, severity: options.severity, labels: options.labels, annotations: options.annotations });
      } catch (error) {
        this.ruleError(rule.name, 'rule', errorMessage(error));
        continue;
      }
      if (seen.has(n.fingerprint)) {
        this.ruleError(rule.name, 'rule', `returned alert ${n.name} twice with the same labels; the first one counts`);
        continue;
      }
      let rec = this.active.get(n.fingerprint);
      if (!rec) {
        if (n.alertId !== undefined && this.byId.has(n.alertId)) {
          this.ruleError(rule.name, 'rule', `alertId ${n.alertId} already belongs to another active alert (different name or labels)`);
          continue;
        }
        if (this.active.size >= this.limits.maxActiveAlerts) {
          this.dropped++;
          this.emit({ type: 'alerts/dropped', ts: now, source: SOURCE, reason: 'active-limit', alertName: n.name, rule: rule.name });
          continue;
        }
        rec = this.createRecord(n, now, now, options.for > 0 ? 'pending' : 'firing');
      } else {
        this.updateRecord(rec, n);
      }
      if (rec.ownerRule !== rule.name) {
        if (rec.ownerRule !== undefined) this.rules.get(rec.ownerRule)?.owned.delete(rec.fingerprint);
        rec.ownerRule = rule.name;
        rule.owned.add(rec.fingerprint);
      }
      seen.add(n.fingerprint);
      rec.lastSeenAt = now;
      if (rec.phase === 'pending' && now - rec.startedAt >= options.for) this.promote(rec, now);
      out.push(rec);
    }
    for (const fp of [...rule.owned]) {
      if (seen.has(fp)) continue;
      const rec = this.active.get(fp);
      if (!rec) {
        rule.owned.delete(fp);
      } else if (rec.phase === 'pending') {
        this.discard(rec); // Prometheus drops a pending alert whose condition went away; it never fired
      } else if (!(options.keepFiringFor > 0 && now - rec.lastSeenAt < options.keepFiringFor)) {
        this.resolveRecord(rec, now);
      }
    }
  }

  // ------------------------------------------------------------ handlers

  addHandler(fn: AlertHandler, options: HandlerOptions = {}): () => boolean {
    return this.addTo(this.alertHandlers, fn, options);
  }

  addNotificationHandler(fn: NotificationHandler, options: HandlerOptions = {}): () => boolean {
    return this.addTo(this.notificationHandlers, fn, options);
  }

  private addTo<F>(list: RegisteredHandler<F>[], fn: F, options: HandlerOptions): () => boolean {
    requireFunction(fn, 'handler');
    if (options === null || typeof options !== 'object') throw new AlertValidationError('INVALID_ARGUMENT', 'handler options must be an object');
    if (this.alertHandlers.length + this.notificationHandlers.length >= this.limits.maxHandlers) {
      throw new AlertLimitError('HANDLER_LIMIT', `at most ${this.limits.maxHandlers} handlers`, this.limits.maxHandlers);
    }
    const seq = ++this.handlerSeq;
    const fnName = (fn as { name?: unknown }).name;
    const name = options.name !== undefined ? requireId(options.name, 'handler name') : typeof fnName === 'string' && fnName ? fnName : `handler#${seq}`;
    const entry: RegisteredHandler<F> = { fn, name, timeoutMs: duration(options.timeoutMs, 'timeoutMs', this.handlerTimeoutMs, 1) };
    list.push(entry);
    return () => {
      const i = list.indexOf(entry);
      if (i < 0) return false;
      list.splice(i, 1);
      return true;
    };
  }

  addSuppressionRule(fn: SuppressionRule): () => boolean {
    requireFunction(fn, 'suppression rule');
    if (this.suppressions.length >= this.limits.maxSuppressionRules) {
      throw new AlertLimitError('SUPPRESSION_LIMIT', `at most ${this.limits.maxSuppressionRules} suppression rules`, this.limits.maxSuppressionRules);
    }
    this.suppressions.push(fn);
    this.batch(() => (this.fullRecheck = true));
    return () => {
      const i = this.suppressions.indexOf(fn);
      if (i < 0) return false;
      this.suppressions.splice(i, 1);
      this.batch(() => (this.fullRecheck = true));
      return true;
    };
  }

  private deliver(n: AlertNotification): void {
    this.notifications++;
    const alertHandlers = [...this.alertHandlers];
    const groupHandlers = [...this.notificationHandlers];
    this.emit({
      type: 'alerts/notified',
      ts: n.timestamp,
      source: SOURCE,
      groupKey: n.groupKey,
      status: n.status,
      alertIds: n.alerts.map((a) => a.alertId),
      handlers: alertHandlers.length + groupHandlers.length,
    });
    for (const h of groupHandlers) this.invoke(h, () => h.fn(n), n.groupKey, undefined);
    for (const h of alertHandlers) for (const a of n.alerts) this.invoke(h, () => h.fn(a, n), n.groupKey, a.alertId);
  }

  /** Calls one handler, isolating throws, rejections and hangs. */
  private invoke(h: RegisteredHandler<unknown>, call: () => unknown, groupKey: string, alertId: string | undefined): void {
    const report = (error: string, timedOut: boolean) => {
      this.handlerErrors++;
      this.emit({
        type: 'alerts/handler-error',
        ts: this.clock.now(),
        source: SOURCE,
        handler: h.name,
        groupKey,
        ...(alertId !== undefined ? { alertId } : {}),
        error,
        timedOut,
      });
    };
    let result: unknown;
    try {
      result = call();
    } catch (error) {
      report(errorMessage(error), false);
      return;
    }
    if (!isThenable(result)) return;
    let settled = false;
    let release: () => void = () => undefined;
    const done = new Promise<void>((resolve) => (release = resolve));
    const finish = () => {
      cancel();
      this.inflight.delete(done);
      release();
    };
    const cancel = this.timers(() => {
      if (settled) return;
      settled = true;
      report(`timed out after ${h.timeoutMs} ms`, true);
      finish();
    }, h.timeoutMs);
    this.inflight.add(done);
    Promise.resolve(result).then(
      () => {
        if (settled) return;
        settled = true;
        finish();
      },
      (error: unknown) => {
        if (settled) return; // late failures after a timeout were already reported
        settled = true;
        report(errorMessage(error), false);
        finish();
      },
    );
  }

  async drain(): Promise<void> {
    while (this.inflight.size > 0) await Promise.all([...this.inflight]);
  }

  // ------------------------------------------------------ silences, inhibition

  addSilence(silence: SilenceInit): string {
    this.refresh();
    const now = this.clock.now();
    const parsed = this.silences.parse(silence, now);
    this.silences.add(parsed, now);
    this.batch(() => (this.fullRecheck = true));
    return parsed.id;
  }

  expireSilence(silenceId: string): boolean {
    const ok = this.silences.expire(silenceId, this.clock.now());
    if (ok) this.batch(() => (this.fullRecheck = true));
    return ok;
  }

  listSilences(): Silence[] {
    this.refresh();
    return this.silences.list(this.clock.now());
  }

  addInhibitRule(rule: InhibitRule): string {
    const id = this.addInhibitRuleInternal(rule);
    this.batch(() => {
      this.index = this.buildIndex();
      this.fullRecheck = true;
    });
    return id;
  }

  private addInhibitRuleInternal(rule: InhibitRule): string {
    if (this.inhibitRules.length >= this.limits.maxInhibitRules) {
      throw new AlertLimitError('INHIBIT_RULE_LIMIT', `at most ${this.limits.maxInhibitRules} inhibition rules`, this.limits.maxInhibitRules);
    }
    const compiled = compileInhibitRule(rule, `inhibit-${++this.inhibitSeq}`, this.limits.maxRegexLength);
    this.inhibitRules = [...this.inhibitRules, compiled];
    return compiled.id;
  }

  removeInhibitRule(ruleId: string): boolean {
    const before = this.inhibitRules.length;
    this.inhibitRules = this.inhibitRules.filter((r) => r.id !== ruleId);
    if (this.inhibitRules.length === before) return false;
    this.batch(() => {
      this.index = this.buildIndex();
      this.fullRecheck = true;
    });
    return true;
  }

  listInhibitRules(): { id: string; rule: InhibitRule }[] {
    return this.inhibitRules.map((r) => ({ id: r.id, rule: r.rule }));
  }

  // ------------------------------------------------------------ alerts

  fireAlert(alert: AlertInit): Alert {
    const n = normalizeAlertInit(alert);
    const rec = this.batch(() => {
      const now = this.clock.now();
      let rec = this.active.get(n.fingerprint);
      if (rec) {
        this.updateRecord(rec, n);
        rec.lastSeenAt = now;
        if (rec.phase === 'pending') this.promote(rec, now);
        return rec;
      }
      if (n.alertId !== undefined && this.byId.has(n.alertId)) {
        throw new AlertValidationError('ALERT_ID_CONFLICT', `alertId ${n.alertId} already belongs to another active alert (different name or labels)`);
      }
      if (this.active.size >= this.limits.maxActiveAlerts) {
        throw new AlertLimitError('ACTIVE_ALERT_LIMIT', `at most ${this.limits.maxActiveAlerts} active alerts`, this.limits.maxActiveAlerts);
      }
      rec = this.createRecord(n, n.startedAt ?? now, now, 'firing');
      return rec;
    });
    return this.view(rec);
  }

  resolveAlert(alertId: string): Alert | undefined {
    requireId(alertId, 'alertId');
    return this.batch(() => {
      const fp = this.byId.get(alertId);
      const rec = fp === undefined ? undefined : this.active.get(fp);
      return rec ? this.resolveRecord(rec, this.clock.now()) : undefined;
    });
  }

  getAlert(alertId: string): Alert | undefined {
    if (typeof alertId !== 'string') return undefined;
    this.refresh();
    const fp = this.byId.get(alertId);
    const rec = fp === undefined ? undefined : this.active.get(fp);
    if (rec) return this.view(rec);
    for (let i = this.history.length - 1; i >= 0; i--) if (this.history[i]?.alertId === alertId) return this.history[i];
    return undefined;
  }

  getFiringAlerts(): Alert[] {
    return this.getActiveAlerts().filter((a) => a.state === AlertState.FIRING);
  }

  getActiveAlerts(): Alert[] {
    this.refresh();
    return [...this.active.values()].map((rec) => this.view(rec));
  }

  getAlertsBySeverity(severity: AlertSeverity): Alert[] {
    if (!isAlertSeverity(severity)) throw new AlertValidationError('INVALID_ARGUMENT', `severity must be one of info, warning, error, critical, got ${describeValue(severity)}`);
    return this.getActiveAlerts().filter((a) => a.severity === severity);
  }

  getResolvedAlerts(limit = 100): Alert[] {
    if (typeof limit !== 'number' || !Number.isInteger(limit) || limit < 0) throw new AlertValidationError('INVALID_ARGUMENT', `limit must be a non-negative integer, got ${describeValue(limit)}`);
    return this.history.slice(Math.max(0, this.history.length - limit)).reverse();
  }

  connect(candidates$: Observable<AlertInit>): Subscription {
    if (candidates$ === null || typeof candidates$ !== 'object' || typeof (candidates$ as { subscribe?: unknown }).subscribe !== 'function') {
      throw new AlertValidationError('INVALID_ARGUMENT', `connect needs an Observable, got ${describeValue(candidates$)}`);
    }
    return candidates$.subscribe({
      next: (candidate) => {
        try {
          if (candidate !== null && typeof candidate === 'object' && candidate.state === AlertState.RESOLVED) {
            const n = normalizeAlertInit(candidate);
            const rec = this.active.get(n.fingerprint);
            if (rec) this.batch(() => this.resolveRecord(rec, this.clock.now()));
          } else {
            this.fireAlert(candidate);
          }
        } catch (error) {
          this.ruleError('connect', 'connect', errorMessage(error));
        }
      },
      error: (error: unknown) => this.ruleError('connect', 'connect', `candidate stream failed: ${errorMessage(error)}`),
    });
  }

  // ------------------------------------------------------------ periodic evaluation

  start(contextProvider?: () => Ctx | Promise<Ctx>): void {
    if (contextProvider !== undefined) requireFunction(contextProvider, 'contextProvider');
    this.stop();
    this.loop = timer(0, this.intervalMs, this.scheduler ?? asyncScheduler).subscribe(() => this.tick(contextProvider));
  }

  stop(): void {
    this.loop?.unsubscribe();
    this.loop = undefined;
  }

  private tick(provider: (() => Ctx | Promise<Ctx>) | undefined): void {
    if (this.loopBusy) return; // an async context provider is still running: skip this tick
    const evaluate = (ctx: Ctx) => {
      try {
        this.evaluateRules(ctx);
      } catch (error) {
        this.ruleError('context', 'context', errorMessage(error));
      }
    };
    let ctx: Ctx | Promise<Ctx>;
    try {
      ctx = provider ? provider() : ({} as Ctx);
    } catch (error) {
      this.ruleError('context', 'context', errorMessage(error));
      return;
    }
    if (!isThenable(ctx)) {
      evaluate(ctx);
      return;
    }
    this.loopBusy = true;
    Promise.resolve(ctx).then(
      (value) => {
        this.loopBusy = false;
        if (this.loop) evaluate(value);
      },
      (error: unknown) => {
        this.loopBusy = false;
        this.ruleError('context', 'context', errorMessage(error));
      },
    );
  }

  // ------------------------------------------------------------ persistence

  stats(): AlertManagerStats {
    this.refresh();
    let pending = 0;
    let firing = 0;
    let suppressed = 0;
    for (const rec of this.active.values()) {
      if (rec.state === AlertState.PENDING) pending++;
      else if (rec.state === AlertState.SUPPRESSED) suppressed++;
      else firing++;
    }
    return {
      active: this.active.size,
      pending,
      firing,
      suppressed,
      resolvedHistory: this.history.length,
      rules: this.rules.size,
      silences: this.silences.size,
      groups: this.notifier.groupCount,
      dropped: this.dropped,
      notifications: this.notifications,
      handlerErrors: this.handlerErrors,
      ruleErrors: this.ruleErrors,
    };
  }

  snapshot(): AlertManagerSnapshot {
    this.refresh();
    const now = this.clock.now();
    const plain = (l: Labels): Record<string, string> => ({ ...l });
    const plainAlert = (a: Alert): Alert => ({ ...a, labels: plain(a.labels), annotations: plain(a.annotations), ...(a.suppressedBy ? { suppressedBy: [...a.suppressedBy] } : {}) });
    return {
      version: 1,
      takenAt: now,
      alerts: [...this.active.values()].map((rec): ActiveAlertSnapshot => ({
        alert: plainAlert(this.view(rec)),
        lastSeenAt: rec.lastSeenAt,
        ...(rec.ownerRule !== undefined ? { rule: rec.ownerRule } : {}),
      })),
      history: this.history.map(plainAlert),
      silences: this.silences
        .list(now)
        .filter((s) => s.endsAt > s.startsAt)
        .map((s) => ({ id: s.id, matchers: s.matchers.map((m) => ({ ...m })), startsAt: s.startsAt, endsAt: s.endsAt, createdBy: s.createdBy, comment: s.comment })),
    };
  }

  restore(snapshot: unknown): void {
    const now = this.clock.now();
    const parsed = parseSnapshot(snapshot, {
      maxActive: this.limits.maxActiveAlerts,
      maxHistory: this.limits.maxResolvedHistory,
      maxSilences: this.limits.maxSilences,
      parseSilence: (raw, id) => this.silences.parse(raw, now, id),
    });
    // Everything is validated: now replace the state in one go.
    this.notifier.clear();
    this.active.clear();
    this.byId.clear();
    this.recheck.clear();
    for (const rule of this.rules.values()) rule.owned.clear();
    for (const entry of parsed.alerts) {
      const n = entry.init;
      const rec = this.createRecord(n, entry.alert.startedAt, entry.lastSeenAt, entry.alert.state === AlertState.PENDING ? 'pending' : 'firing');
      this.touched.delete(rec);
      rec.firingSince = rec.phase === 'firing' ? (entry.alert.firingSince ?? entry.alert.startedAt) : undefined;
      rec.ownerRule = entry.rule;
      if (entry.rule !== undefined) this.rules.get(entry.rule)?.owned.add(rec.fingerprint);
    }
    this.history = parsed.history;
    this.silences.replaceAll(parsed.silences as StoredSilence[]);
    // Restored alerts count as already notified: a restart does not re-page anyone.
    this.index = this.buildIndex();
    for (const rec of this.active.values()) {
      this.computeState(rec, now);
      if (rec.state !== AlertState.PENDING) this.notifier.adopt(this.view(rec));
    }
    this.armBoundaryTimer(now);
  }

  dispose(): void {
    if (this.disposed) return;
    this.disposed = true;
    this.stop();
    this.notifier.clear();
    this.cancelBoundary?.();
    this.bus.complete();
  }

  // ------------------------------------------------------------ internals

  private emit(event: AlertsEvent): void {
    this.bus.emit(event);
  }

  private ruleError(rule: string, kind: 'rule' | 'suppression' | 'context' | 'connect', error: string): void {
    this.ruleErrors++;
    this.emit({ type: 'alerts/rule-error', ts: this.clock.now(), source: SOURCE, rule, kind, error });
  }

  /** Groups mutations; on the way out, mutes and states are recomputed and due notifications sent. */
  private batch<T>(fn: () => T): T {
    this.depth++;
    try {
      return fn();
    } finally {
      this.depth--;
      if (this.depth === 0) {
        this.depth++;
        try {
          this.reconcile();
        } finally {
          this.depth--;
        }
        this.notifier.flushDue();
      }
    }
  }

  /** Brings silence starts/ends that passed by the clock into effect. */
  private refresh(): void {
    if (this.depth === 0 && this.clock.now() >= this.nextBoundary) this.batch(() => undefined);
  }

  private createRecord(n: NormalizedInit, startedAt: number, now: number, phase: 'pending' | 'firing'): AlertRecord {
    const rec: AlertRecord = {
      fingerprint: n.fingerprint,
      alertId: n.alertId ?? n.fingerprint,
      name: n.name,
      labels: n.labels,
      matchLabels: alertMatchLabels(n),
      severity: n.severity,
      message: n.message,
      source: n.source,
      annotations: n.annotations,
      value: n.value,
      startedAt,
      firingSince: phase === 'firing' ? now : undefined,
      phase,
      ownerRule: undefined,
      lastSeenAt: now,
      suppressedBy: [],
      state: undefined,
      cached: undefined,
    };
    this.active.set(rec.fingerprint, rec);
    this.byId.set(rec.alertId, rec.fingerprint);
    this.touched.add(rec);
    this.index.addTarget(rec.fingerprint, rec.matchLabels);
    if (phase === 'firing') this.sourceChanged(rec, true);
    return rec;
  }

  private updateRecord(rec: AlertRecord, n: NormalizedInit): void {
    if (rec.severity !== n.severity) {
      // Severity is a label for matchers: move the alert in the inhibition index.
      this.index.removeTarget(rec.fingerprint, rec.matchLabels);
      if (rec.phase === 'firing') this.sourceChanged(rec, false);
      rec.severity = n.severity;
      rec.matchLabels = alertMatchLabels(rec);
      this.index.addTarget(rec.fingerprint, rec.matchLabels);
      if (rec.phase === 'firing') this.sourceChanged(rec, true);
    }
    rec.message = n.message;
    rec.source = n.source;
    rec.annotations = n.annotations;
    rec.value = n.value;
    rec.cached = undefined;
    this.touched.add(rec);
  }

  private promote(rec: AlertRecord, now: number): void {
    rec.phase = 'firing';
    rec.firingSince = now;
    rec.cached = undefined;
    this.touched.add(rec);
    this.sourceChanged(rec, true);
  }

  /** A firing alert appeared or went away: re-check the targets it may inhibit. */
  private sourceChanged(rec: AlertRecord, firing: boolean): void {
    if (this.index.empty) return;
    const affected = firing ? this.index.addSource(rec.fingerprint, rec.matchLabels) : this.index.removeSource(rec.fingerprint, rec.matchLabels);
    for (const fp of affected) {
      const target = this.active.get(fp);
      if (target) this.recheck.add(target);
    }
  }

  private forget(rec: AlertRecord): void {
    this.active.delete(rec.fingerprint);
    if (this.byId.get(rec.alertId) === rec.fingerprint) this.byId.delete(rec.alertId);
    if (rec.ownerRule !== undefined) this.rules.get(rec.ownerRule)?.owned.delete(rec.fingerprint);
    this.touched.delete(rec);
    this.recheck.delete(rec);
    this.index.removeTarget(rec.fingerprint, rec.matchLabels);
    if (rec.phase === 'firing') this.sourceChanged(rec, false);
  }

  /** Drops a pending alert without a trace (its condition went away before `for`). */
  private discard(rec: AlertRecord): void {
    this.forget(rec);
  }

  private resolveRecord(rec: AlertRecord, now: number): Alert {
    this.forget(rec);
    const { suppressedBy: _muted, ...base } = this.view(rec);
    const resolved: Alert = Object.freeze({ ...base, state: AlertState.RESOLVED, resolvedAt: now });
    this.history.push(resolved);
    if (this.history.length > this.limits.maxResolvedHistory) this.history.splice(0, this.history.length - this.limits.maxResolvedHistory);
    this.emit({ type: 'alerts/resolved', ts: now, source: SOURCE, alert: resolved });
    this.notifier.update(resolved);
    return resolved;
  }

  /** The frozen public view of a record, cached until the record changes. */
  private view(rec: AlertRecord): Alert {
    if (rec.cached) return rec.cached;
    const state = rec.state ?? (rec.phase === 'pending' ? AlertState.PENDING : AlertState.FIRING);
    const alert: Alert = Object.freeze({
      alertId: rec.alertId,
      fingerprint: rec.fingerprint,
      name: rec.name,
      severity: rec.severity,
      state,
      message: rec.message,
      source: rec.source,
      labels: rec.labels,
      annotations: rec.annotations,
      startedAt: rec.startedAt,
      value: rec.value,
      ...(rec.firingSince !== undefined ? { firingSince: rec.firingSince } : {}),
      ...(state === AlertState.SUPPRESSED ? { suppressedBy: rec.suppressedBy } : {}),
    });
    rec.cached = alert;
    return alert;
  }

  private buildIndex(): InhibitionIndex {
    const index = new InhibitionIndex(this.inhibitRules);
    if (this.inhibitRules.length > 0) {
      for (const rec of this.active.values()) {
        index.addTarget(rec.fingerprint, rec.matchLabels);
        if (rec.phase === 'firing') index.addSource(rec.fingerprint, rec.matchLabels);
      }
    }
    return index;
  }

  /** Recomputes mutes and the published state of one record; returns the previous state. */
  private computeState(rec: AlertRecord, now: number): AlertState | undefined {
    const before = rec.state;
    let reasons: string[] = [];
    if (rec.phase === 'firing') {
      const labels = rec.matchLabels;
      if (this.suppressions.length > 0) {
        rec.state = AlertState.FIRING;
        rec.cached = undefined;
        const candidate = this.view(rec);
        for (const pred of [...this.suppressions]) {
          try {
            if (pred(candidate) === true) {
              reasons.push('suppression');
              break;
            }
          } catch (error) {
            this.ruleError('suppression', 'suppression', errorMessage(error));
          }
        }
      }
      for (const id of this.silences.matching(labels, now)) reasons.push(`silence:${id}`);
      if (this.inhibitRules.length > 0) for (const id of this.index.inhibitedBy(rec.fingerprint, labels)) reasons.push(`inhibition:${id}`);
    }
    reasons = reasons.slice(0, 64);
    rec.suppressedBy = Object.freeze(reasons);
    rec.state = rec.phase === 'pending' ? AlertState.PENDING : reasons.length > 0 ? AlertState.SUPPRESSED : AlertState.FIRING;
    rec.cached = undefined;
    return before;
  }

  private reconcile(): void {
    const now = this.clock.now();
    if (now >= this.nextBoundary) this.fullRecheck = true;
    const touched = new Set(this.touched);
    this.touched.clear();
    let recs: Iterable<AlertRecord> = touched;
    if (this.fullRecheck) {
      this.fullRecheck = false;
      recs = [...this.active.values()];
      this.armBoundaryTimer(now);
    } else if (this.recheck.size > 0) {
      recs = new Set([...touched, ...this.recheck]);
    }
    this.recheck.clear();
    for (const rec of recs) {
      if (this.active.get(rec.fingerprint) !== rec) continue;
      const before = this.computeState(rec, now);
      const after = rec.state as AlertState;
      if (after === AlertState.PENDING) continue;
      if (before === after && !touched.has(rec)) continue; // nothing new for the notifier
      const alert = this.view(rec);
      if (before !== after) {
        if (after === AlertState.FIRING) this.emit({ type: 'alerts/fired', ts: now, source: SOURCE, alert });
        else this.emit({ type: 'alerts/suppressed', ts: now, source: SOURCE, alert, suppressedBy: rec.suppressedBy });
      }
      this.notifier.update(alert);
    }
  }

  /** One timer at the next silence start or end, so mutes change exactly on time. */
  private armBoundaryTimer(now: number): void {
    const next = Math.min(Infinity, ...this.silences.boundaries(now));
    if (next === this.nextBoundary && this.cancelBoundary) return;
    this.cancelBoundary?.();
    this.cancelBoundary = undefined;
    this.nextBoundary = next;
    if (next === Infinity || this.disposed) return;
    this.cancelBoundary = this.timers(() => {
      this.cancelBoundary = undefined;
      this.batch(() => (this.fullRecheck = true));
    }, next - now);
  }
}

/**
 * Creates an {@link AlertManager}. With no config: evaluation every 60 s once `start()`ed,
 * the system clock, and a route that notifies every alert at once (synchronously inside
 * `fireAlert` / `evaluateRules` for sync handlers).
 *
 * @example
 * const alerts = createAlertManager();
 * alerts.registerRule('latency', (ctx) => (ctx.latency_ms ?? 0) > 1000
 *   ? { alertId: 'high-latency', name: 'HighLatency', severity: AlertSeverity.WARNING, value: ctx.latency_ms }
 *   : undefined);
 * alerts.addHandler((a) => console.log(a.name, a.state));
 * const fired = alerts.evaluateRules({ latency_ms: 1500 });
 */
export function createAlertManager<Ctx extends object = AlertContext>(config: AlertManagerConfig = {}): AlertManager<Ctx> {
  return new AlertManagerImpl<Ctx>(config);
}
