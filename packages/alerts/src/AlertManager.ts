import {
  describeValue,
  EventBus,
  NON_NEGATIVE_INTEGER,
  POSITIVE_INTEGER,
  requireFunction,
  requireNumber,
  systemClock,
  type Clock,
  type Labels,
} from '@obs/core';
import { asyncScheduler, timer, type Observable, type SchedulerLike, type Subscription } from 'rxjs';
import {
  DEFAULT_MAX_ALERT_LABEL_VALUE_LENGTH,
  normalizeAlertInit,
  type Alert,
  type AlertInit,
  type NormalizedInit,
} from './Alert';
import { AlertSeverity, AlertState, isAlertSeverity } from './AlertSeverity';
import { AlertLimitError, AlertValidationError } from './errors';
import type { AlertsEvent } from './events';
import type { InhibitRule } from './inhibition';
import { Notifier } from './internal/Notifier';
import { createTimers, type TimerFn } from './internal/timers';
import { duration, errorMessage, invalidArgument, invalidConfig, isThenable, requireId } from './internal/validate';
import { AlertStore, type AlertRecord } from './manager/AlertStore';
import { HandlerDispatcher, type HandlerOptions } from './manager/HandlerDispatcher';
import { MuteResolver, type SuppressionRule } from './manager/MuteResolver';
import { RuleEvaluator, type AlertRule, type RuleHost, type RuleOptions } from './manager/RuleEvaluator';
import { alertMatchLabels, DEFAULT_MAX_REGEX_LENGTH } from './matchers';
import {
  isNotificationSink,
  type AlertHandler,
  type AlertNotification,
  type NotificationHandler,
  type NotificationSink,
} from './Notification';
import { DEFAULT_RECEIVER, matchRoutes, resolveRoute, type ResolvedRoute, type RouteConfig } from './route';
import { compileTimeIntervals, type CompiledTimeIntervals, type TimeInterval } from './timeIntervals';
import type { Silence, SilenceInit, StoredSilence } from './silences';
import { parseSnapshot, type ActiveAlertSnapshot, type AlertManagerSnapshot } from './snapshot';

export type { AlertRule, RuleOptions, RuleResult } from './manager/RuleEvaluator';
export type { SuppressionRule } from './manager/MuteResolver';
export type { HandlerOptions } from './manager/HandlerDispatcher';

/**
 * The default rule context: metric name -> current value, as in the seed
 * (`ctx.latency_ms > 1000`). Use `createAlertManager<MyContext>()` for a richer shape.
 */
export type AlertContext = Readonly<Record<string, number | undefined>>;

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
  /** Longest label value; longer values are truncated (and counted in `stats().truncatedLabelValues`). Default 2048. */
  readonly maxLabelValueLength: number;
}

export interface AlertManagerConfig {
  /** Period of `start()`'s evaluation loop. Default 60. */
  readonly alertEvaluationIntervalSeconds?: number;
  readonly clock?: Clock;
  /** Scheduler for the evaluation loop, group timers, silence expiry and handler timeouts. */
  readonly scheduler?: SchedulerLike;
  /**
   * The routing tree: grouping, timing and receiver of notifications; see {@link RouteConfig}.
   * Default: one root route notifying each alert at once to the `'default'` receiver.
   */
  readonly route?: RouteConfig;
  /**
   * Named receivers that routes send to, each a sink (or a list of them), e.g.
   * `{ pager: createPagerDutyHandler({...}), chat: [createSlackHandler({...})] }`. An empty list
   * declares a name that handlers join later with `addHandler(fn, { receiver })`. The
   * `'default'` receiver always exists: it has the handlers added without a `receiver` option.
   */
  readonly receivers?: Readonly<Record<string, NotificationHandler | readonly NotificationHandler[]>>;
  /** Named time intervals for `muteTimeIntervals` / `activeTimeIntervals` of routes; see {@link TimeInterval}. */
  readonly timeIntervals?: Readonly<Record<string, readonly TimeInterval[]>>;
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
  /** Alert label values truncated to `limits.maxLabelValueLength` (counted per fire or rule result). */
  readonly truncatedLabelValues: number;
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
  /**
   * Per-alert handler (firing and resolved); returns a function that removes it. A sink
   * (`createAlertmanagerHandler(...)`, `createWebhookHandler(...)`, …) is registered per
   * notification, exactly as `addNotificationHandler` would.
   */
  addHandler(fn: AlertHandler, options?: HandlerOptions): () => boolean;
  addHandler(sink: NotificationSink, options?: HandlerOptions): () => boolean;
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
  /** Names of the receivers (`'default'` and those of the `receivers` config). */
  listReceivers(): string[];
  /** The receivers the routing tree sends this alert to (as Alertmanager's `receivers` of an alert). */
  receiversOf(alert: Pick<Alert, 'name' | 'severity' | 'labels'>): string[];
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
  maxLabelValueLength: DEFAULT_MAX_ALERT_LABEL_VALUE_LENGTH,
};

const SOURCE = 'alerts';

function parseReceivers(input: unknown): Map<string, NotificationHandler[]> {
  const out = new Map<string, NotificationHandler[]>([[DEFAULT_RECEIVER, []]]);
  if (input === undefined) return out;
  if (input === null || typeof input !== 'object' || Array.isArray(input)) {
    throw new AlertValidationError(
      'INVALID_CONFIG',
      `receivers must be an object of name -> sink(s), got ${describeValue(input)}`,
    );
  }
  for (const [name, value] of Object.entries(input)) {
    requireId(name, 'receiver name');
    const sinks: unknown[] = Array.isArray(value) ? value : [value];
    for (const sink of sinks) requireFunction(sink, `receiver ${name}`, invalidArgument);
    out.set(name, [...(out.get(name) ?? []), ...(sinks as NotificationHandler[])]);
  }
  return out;
}

function parseTimeIntervals(input: unknown): Map<string, CompiledTimeIntervals> {
  const out = new Map<string, CompiledTimeIntervals>();
  if (input === undefined) return out;
  if (input === null || typeof input !== 'object' || Array.isArray(input)) {
    throw new AlertValidationError(
      'INVALID_CONFIG',
      `timeIntervals must be an object of name -> intervals, got ${describeValue(input)}`,
    );
  }
  const entries = Object.entries(input);
  if (entries.length > 256) throw new AlertValidationError('INVALID_CONFIG', 'at most 256 named time intervals');
  for (const [name, value] of entries)
    out.set(requireId(name, 'time interval name'), compileTimeIntervals(name, value));
  return out;
}

/**
 * The manager composes four parts and owns the lifecycle that joins them:
 * - {@link AlertStore}: active records and resolved history;
 * - {@link MuteResolver}: suppressions, silences, inhibition, and the state they imply;
 * - {@link RuleEvaluator}: rules and the alerts each one owns;
 * - {@link HandlerDispatcher}: handler calls with timeouts, isolation and drain;
 * plus the {@link Notifier} (grouping and timing of notifications).
 *
 * Every mutation runs in a `batch`; when the outermost batch ends, `reconcile` recomputes
 * the state of the records that changed, emits fired/suppressed events and tells the
 * notifier, which then sends what is due to the dispatcher.
 */
class AlertManagerImpl<Ctx extends object> implements AlertManager<Ctx> {
  readonly events$: Observable<AlertsEvent>;
  private readonly bus = new EventBus<AlertsEvent>();
  private readonly clock: Clock;
  private readonly scheduler: SchedulerLike | undefined;
  private readonly timers: TimerFn;
  private truncatedLabelValues = 0;
  private readonly limits: AlertManagerLimits;
  private readonly intervalMs: number;
  private readonly store: AlertStore;
  private readonly mutes: MuteResolver;
  private readonly rules: RuleEvaluator<Ctx>;
  private readonly dispatcher: HandlerDispatcher;
  private readonly notifier: Notifier;
  private readonly ruleHost: RuleHost;
  private readonly route: ResolvedRoute;

  private depth = 0;
  /** Records created or changed in the current batch. */
  private readonly touched = new Set<AlertRecord>();
  private loop: Subscription | undefined;
  private loopBusy = false;
  private disposed = false;
  private dropped = 0;
  private ruleErrors = 0;

  constructor(config: AlertManagerConfig) {
    if (config === null || typeof config !== 'object' || Array.isArray(config)) {
      throw new AlertValidationError('INVALID_CONFIG', `config must be an object, got ${describeValue(config)}`);
    }
    this.events$ = this.bus.events$;
    this.clock = config.clock ?? systemClock;
    if (typeof this.clock?.now !== 'function')
      throw new AlertValidationError('INVALID_CONFIG', 'clock must have a now() method');
    this.scheduler = config.scheduler;
    this.timers = createTimers(config.scheduler);
    const seconds = config.alertEvaluationIntervalSeconds ?? 60;
    if (typeof seconds !== 'number' || !Number.isFinite(seconds) || seconds <= 0 || seconds > 86_400) {
      throw new AlertValidationError(
        'INVALID_CONFIG',
        `alertEvaluationIntervalSeconds must be in (0, 86400], got ${describeValue(seconds)}`,
      );
    }
    this.intervalMs = seconds * 1000;
    const handlerTimeoutMs = duration(config.handlerTimeoutMs, 'handlerTimeoutMs', 10_000, 1);
    const limits = { ...DEFAULT_LIMITS };
    if (config.limits !== undefined) {
      if (config.limits === null || typeof config.limits !== 'object')
        throw new AlertValidationError('INVALID_CONFIG', 'limits must be an object');
      for (const key of Object.keys(DEFAULT_LIMITS) as (keyof AlertManagerLimits)[]) {
        const v = config.limits[key];
        if (v !== undefined) limits[key] = requireNumber(v, `limits.${key}`, POSITIVE_INTEGER, invalidConfig);
      }
    }
    this.limits = Object.freeze(limits);
    const receivers = parseReceivers(config.receivers);
    const timeIntervals = parseTimeIntervals(config.timeIntervals);
    const route = (this.route = resolveRoute(config.route, {
      receivers: new Set(receivers.keys()),
      timeIntervals,
      maxRegexLength: limits.maxRegexLength,
    }));
    this.store = new AlertStore(limits.maxResolvedHistory);
    this.mutes = new MuteResolver(
      this.store,
      this.timers,
      limits,
      {
        suppressionError: (error) => this.ruleError('suppression', 'suppression', error),
        boundary: () => this.batch(() => this.mutes.invalidateAll()),
      },
      config.inhibitRules ?? [],
    );
    this.rules = new RuleEvaluator<Ctx>(
      this.store,
      limits.maxRules,
      limits.maxActiveAlerts,
      limits.maxLabelValueLength,
    );
    this.dispatcher = new HandlerDispatcher(
      this.clock,
      this.timers,
      handlerTimeoutMs,
      limits.maxHandlers,
      (e) => this.emit(e),
      receivers.keys(),
    );
    for (const [name, sinks] of receivers)
      for (const sink of sinks) this.dispatcher.addNotificationHandler(sink, { receiver: name });
    this.notifier = new Notifier(route, this.clock, this.timers, limits.maxGroups, {
      runTimer: (fn) => this.batch(fn),
      deliver: (n: AlertNotification) => this.dispatcher.deliver(n),
    });
    this.ruleHost = {
      create: (n, now, phase) => this.createRecord(n, now, now, phase),
      update: (rec, n) => this.updateRecord(rec, n),
      promote: (rec, now) => this.promote(rec, now),
      discard: (rec) => this.forget(rec),
      resolve: (rec, now) => void this.resolveRecord(rec, now),
      ruleError: (rule, error) => this.ruleError(rule, 'rule', error),
      dropped: (n, rule, now) => {
        this.dropped++;
        this.emit({ type: 'alerts/dropped', ts: now, source: SOURCE, reason: 'active-limit', alertName: n.name, rule });
      },
    };
  }

  // ------------------------------------------------------------ alerts

  fireAlert(alert: AlertInit): Alert {
    const n = normalizeAlertInit(alert, { maxLabelValueLength: this.limits.maxLabelValueLength });
    const rec = this.batch(() => {
      const now = this.clock.now();
      const existing = this.store.get(n.fingerprint);
      if (existing) {
        this.updateRecord(existing, n);
        existing.lastSeenAt = now;
        if (existing.phase === 'pending') this.promote(existing, now);
        return existing;
      }
      if (n.alertId !== undefined && this.store.hasAlertId(n.alertId)) {
        throw new AlertValidationError(
          'ALERT_ID_CONFLICT',
          `alertId ${n.alertId} already belongs to another active alert (different name or labels)`,
        );
      }
      if (this.store.size >= this.limits.maxActiveAlerts) {
        throw new AlertLimitError(
          'ACTIVE_ALERT_LIMIT',
          `at most ${this.limits.maxActiveAlerts} active alerts`,
          this.limits.maxActiveAlerts,
        );
      }
      return this.createRecord(n, n.startedAt ?? now, now, 'firing');
    });
    return this.store.view(rec);
  }

  resolveAlert(alertId: string): Alert | undefined {
    requireId(alertId, 'alertId');
    return this.batch(() => {
      const rec = this.store.byAlertId(alertId);
      return rec ? this.resolveRecord(rec, this.clock.now()) : undefined;
    });
  }

  getAlert(alertId: string): Alert | undefined {
    if (typeof alertId !== 'string') return undefined;
    this.refresh();
    const rec = this.store.byAlertId(alertId);
    return rec ? this.store.view(rec) : this.store.findResolved(alertId);
  }

  getFiringAlerts(): Alert[] {
    return this.getActiveAlerts().filter((a) => a.state === AlertState.FIRING);
  }

  getActiveAlerts(): Alert[] {
    this.refresh();
    return [...this.store.records()].map((rec) => this.store.view(rec));
  }

  getAlertsBySeverity(severity: AlertSeverity): Alert[] {
    if (!isAlertSeverity(severity))
      throw new AlertValidationError(
        'INVALID_ARGUMENT',
        `severity must be one of info, warning, error, critical, got ${describeValue(severity)}`,
      );
    return this.getActiveAlerts().filter((a) => a.severity === severity);
  }

  getResolvedAlerts(limit = 100): Alert[] {
    return this.store.resolved(requireNumber(limit, 'limit', NON_NEGATIVE_INTEGER, invalidArgument));
  }

  listReceivers(): string[] {
    return this.dispatcher.receiverNames();
  }

  receiversOf(alert: Pick<Alert, 'name' | 'severity' | 'labels'>): string[] {
    return [...new Set(matchRoutes(this.route, alertMatchLabels(alert)).map((r) => r.receiver))];
  }

  connect(candidates$: Observable<AlertInit>): Subscription {
    if (
      candidates$ === null ||
      typeof candidates$ !== 'object' ||
      typeof (candidates$ as { subscribe?: unknown }).subscribe !== 'function'
    ) {
      throw new AlertValidationError(
        'INVALID_ARGUMENT',
        `connect needs an Observable, got ${describeValue(candidates$)}`,
      );
    }
    return candidates$.subscribe({
      next: (candidate) => {
        try {
          if (candidate !== null && typeof candidate === 'object' && candidate.state === AlertState.RESOLVED) {
            const n = normalizeAlertInit(candidate, { maxLabelValueLength: this.limits.maxLabelValueLength });
            const rec = this.store.get(n.fingerprint);
            if (rec) this.batch(() => this.resolveRecord(rec, this.clock.now()));
          } else {
            this.fireAlert(candidate);
          }
        } catch (error) {
          this.ruleError('connect', 'connect', errorMessage(error));
        }
      },
      error: (error: unknown) =>
        this.ruleError('connect', 'connect', `candidate stream failed: ${errorMessage(error)}`),
    });
  }

  // ------------------------------------------------------------ lifecycle of one record

  private createRecord(n: NormalizedInit, startedAt: number, now: number, phase: 'pending' | 'firing'): AlertRecord {
    this.truncatedLabelValues += n.truncatedLabelValues;
    const rec = this.store.insert(n, startedAt, now, phase);
    this.touched.add(rec);
    this.mutes.track(rec);
    return rec;
  }

  private updateRecord(rec: AlertRecord, n: NormalizedInit): void {
    this.truncatedLabelValues += n.truncatedLabelValues;
    if (rec.severity !== n.severity) {
      // Severity is a label for matchers: re-index the alert under its new labels.
      this.mutes.untrack(rec);
      this.store.updateContent(rec, n);
      this.mutes.track(rec);
    } else {
      this.store.updateContent(rec, n);
    }
    this.touched.add(rec);
  }

  private promote(rec: AlertRecord, now: number): void {
    rec.phase = 'firing';
    rec.firingSince = now;
    rec.cached = undefined;
    this.touched.add(rec);
    this.mutes.promoted(rec);
  }

  /** Removes a record from everything that references it (a pending alert is dropped without a trace). */
  private forget(rec: AlertRecord): void {
    this.store.remove(rec);
    this.rules.release(rec);
    this.touched.delete(rec);
    this.mutes.untrack(rec);
  }

  private resolveRecord(rec: AlertRecord, now: number): Alert {
    this.forget(rec);
    const resolved = this.store.archive(rec, now);
    this.emit({ type: 'alerts/resolved', ts: now, source: SOURCE, alert: resolved });
    this.notifier.update(resolved);
    return resolved;
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
    if (this.depth === 0 && this.mutes.boundaryPassed(this.clock.now())) this.batch(() => undefined);
  }

  private reconcile(): void {
    const now = this.clock.now();
    const touched = new Set(this.touched);
    this.touched.clear();
    for (const rec of this.mutes.takeDirty(touched, now)) {
      if (!this.store.isLive(rec)) continue;
      const before = this.mutes.computeState(rec, now);
      const after = rec.state as AlertState;
      if (after === AlertState.PENDING) continue;
      if (before === after && !touched.has(rec)) continue; // nothing new for the notifier
      const alert = this.store.view(rec);
      if (before !== after) {
        if (after === AlertState.FIRING) this.emit({ type: 'alerts/fired', ts: now, source: SOURCE, alert });
        else this.emit({ type: 'alerts/suppressed', ts: now, source: SOURCE, alert, suppressedBy: rec.suppressedBy });
      }
      this.notifier.update(alert);
    }
  }

  // ------------------------------------------------------------ rules

  registerRule(name: string, fn: AlertRule<Ctx>, options: RuleOptions = {}): void {
    this.rules.register(name, fn, options);
  }

  unregisterRule(name: string): boolean {
    if (typeof name !== 'string') return false;
    const owned = this.rules.unregister(name);
    if (!owned) return false;
    this.batch(() => {
      const now = this.clock.now();
      for (const fp of owned) {
        const rec = this.store.get(fp);
        if (rec) this.resolveRecord(rec, now);
      }
    });
    return true;
  }

  listRules(): string[] {
    return this.rules.names();
  }

  evaluateRules(context: Ctx): Alert[] {
    if (context === null || typeof context !== 'object') {
      throw new AlertValidationError(
        'INVALID_CONTEXT',
        `the rule context must be an object, got ${describeValue(context)}`,
      );
    }
    const returned = this.batch(() => this.rules.evaluate(context, this.clock.now(), this.ruleHost));
    return returned.map((rec) => this.store.view(rec));
  }

  start(contextProvider?: () => Ctx | Promise<Ctx>): void {
    if (contextProvider !== undefined) requireFunction(contextProvider, 'contextProvider', invalidArgument);
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

  // ------------------------------------------------------------ handlers

  addHandler(fn: AlertHandler | NotificationSink, options: HandlerOptions = {}): () => boolean {
    // A sink expects whole notifications; calling it with single alerts would fail on every call.
    if (isNotificationSink(fn)) return this.dispatcher.addNotificationHandler(fn, options);
    return this.dispatcher.addAlertHandler(fn as AlertHandler, options);
  }

  addNotificationHandler(fn: NotificationHandler, options: HandlerOptions = {}): () => boolean {
    return this.dispatcher.addNotificationHandler(fn, options);
  }

  drain(): Promise<void> {
    return this.dispatcher.drain();
  }

  // ------------------------------------------------------ suppressions, silences, inhibition

  addSuppressionRule(fn: SuppressionRule): () => boolean {
    requireFunction(fn, 'suppression rule', invalidArgument);
    this.batch(() => this.mutes.addSuppression(fn));
    return () => this.batch(() => this.mutes.removeSuppression(fn));
  }

  addSilence(silence: SilenceInit): string {
    this.refresh();
    return this.batch(() => this.mutes.addSilence(silence, this.clock.now()));
  }

  expireSilence(silenceId: string): boolean {
    return this.batch(() => this.mutes.expireSilence(silenceId, this.clock.now()));
  }

  listSilences(): Silence[] {
    this.refresh();
    return this.mutes.listSilences(this.clock.now());
  }

  addInhibitRule(rule: InhibitRule): string {
    return this.batch(() => this.mutes.addInhibitRule(rule));
  }

  removeInhibitRule(ruleId: string): boolean {
    return this.batch(() => this.mutes.removeInhibitRule(ruleId));
  }

  listInhibitRules(): { id: string; rule: InhibitRule }[] {
    return this.mutes.listInhibitRules();
  }

  // ------------------------------------------------------------ state

  stats(): AlertManagerStats {
    this.refresh();
    let pending = 0;
    let firing = 0;
    let suppressed = 0;
    for (const rec of this.store.records()) {
      if (rec.state === AlertState.PENDING) pending++;
      else if (rec.state === AlertState.SUPPRESSED) suppressed++;
      else firing++;
    }
    return {
      active: this.store.size,
      pending,
      firing,
      suppressed,
      resolvedHistory: this.store.historySize,
      rules: this.rules.size,
      silences: this.mutes.silences.size,
      groups: this.notifier.groupCount,
      dropped: this.dropped,
      notifications: this.dispatcher.notifications,
      handlerErrors: this.dispatcher.errors,
      ruleErrors: this.ruleErrors,
      truncatedLabelValues: this.truncatedLabelValues,
    };
  }

  snapshot(): AlertManagerSnapshot {
    this.refresh();
    const now = this.clock.now();
    const plain = (l: Labels): Record<string, string> => ({ ...l });
    const plainAlert = (a: Alert): Alert => ({
      ...a,
      labels: plain(a.labels),
      annotations: plain(a.annotations),
      ...(a.suppressedBy ? { suppressedBy: [...a.suppressedBy] } : {}),
    });
    return {
      version: 1,
      takenAt: now,
      alerts: [...this.store.records()].map((rec): ActiveAlertSnapshot => ({
        alert: plainAlert(this.store.view(rec)),
        lastSeenAt: rec.lastSeenAt,
        ...(rec.ownerRule !== undefined ? { rule: rec.ownerRule } : {}),
      })),
      history: this.store.historyList().map(plainAlert),
      silences: this.mutes
        .listSilences(now)
        .filter((s) => s.endsAt > s.startsAt)
        .map((s) => ({
          id: s.id,
          matchers: s.matchers.map((m) => ({ ...m })),
          startsAt: s.startsAt,
          endsAt: s.endsAt,
          createdBy: s.createdBy,
          comment: s.comment,
        })),
    };
  }

  restore(snapshot: unknown): void {
    const now = this.clock.now();
    const parsed = parseSnapshot(snapshot, {
      maxActive: this.limits.maxActiveAlerts,
      maxHistory: this.limits.maxResolvedHistory,
      maxSilences: this.limits.maxSilences,
      parseSilence: (raw, id) => this.mutes.silences.parse(raw, now, id),
    });
    // Everything is validated: now replace the state in one go.
    this.notifier.clear();
    this.store.reset(parsed.history);
    this.rules.clearOwnership();
    for (const entry of parsed.alerts) {
      const phase = entry.alert.state === AlertState.PENDING ? 'pending' : 'firing';
      const rec = this.store.insert(entry.init, entry.alert.startedAt, entry.lastSeenAt, phase);
      rec.firingSince = phase === 'firing' ? (entry.alert.firingSince ?? entry.alert.startedAt) : undefined;
      this.rules.adopt(rec, entry.rule);
    }
    this.mutes.replaceSilences(parsed.silences as StoredSilence[], now);
    // Restored alerts count as already notified: a restart does not re-page anyone.
    for (const rec of this.store.records()) {
      this.mutes.computeState(rec, now);
      if (rec.state !== AlertState.PENDING) this.notifier.adopt(this.store.view(rec));
    }
  }

  dispose(): void {
    if (this.disposed) return;
    this.disposed = true;
    this.stop();
    this.notifier.clear();
    this.mutes.dispose();
    this.bus.complete();
  }

  // ------------------------------------------------------------ events

  private emit(event: AlertsEvent): void {
    this.bus.emit(event);
  }

  private ruleError(rule: string, kind: 'rule' | 'suppression' | 'context' | 'connect', error: string): void {
    this.ruleErrors++;
    this.emit({ type: 'alerts/rule-error', ts: this.clock.now(), source: SOURCE, rule, kind, error });
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
export function createAlertManager<Ctx extends object = AlertContext>(
  config: AlertManagerConfig = {},
): AlertManager<Ctx> {
  return new AlertManagerImpl<Ctx>(config);
}
