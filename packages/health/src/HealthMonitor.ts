import {
  EventBus,
  ObsError,
  describeValue,
  isThenable,
  optionalBoolean,
  optionalNumber,
  systemClock,
  type Clock,
} from '@obs/core';
import { asyncScheduler, timer, type Observable, type SchedulerLike, type Subscription } from 'rxjs';
import { aggregateStatus } from './aggregateStatus';
import { HealthLimitError, HealthValidationError } from './errors';
import type { HealthChangedEvent, HealthEvent } from './events';
import type { HealthCheck } from './HealthCheck';
import {
  buildHealthJson,
  type HealthJsonComponent,
  type HealthJsonOptions,
  type HealthJsonResponse,
} from './healthJson';
import { HealthStatus } from './HealthStatus';
import {
  errorResult,
  normalizeReturnValue,
  timeoutResult,
  type NormalizedResult,
  type OutputLimits,
} from './internal/normalizeOutcome';
import {
  MAX_TIMER_MS,
  TIMEOUT_MS,
  invalidHealthOption,
  optionalClock,
  optionalObject,
  optionalScheduler,
  optionalThreshold,
  readComponent,
  readGroups,
} from './internal/options';
import { parseSnapshot, type HealthSnapshot } from './snapshot';
import { applyResult, initialThresholdState, type ThresholdState, type Thresholds } from './thresholds';
import { requireName } from './validateName';

/** What a check may return: a full HealthCheck, a partial one, or a boolean (true = healthy). */
export type HealthCheckReturn = HealthCheck | HealthCheckPartial | boolean;

/** The short form of a check result; the monitor fills name, timestamp and durationMs. */
export interface HealthCheckPartial {
  status: HealthStatus;
  message?: string;
  details?: Record<string, unknown>;
}

/**
 * A health check: sync or async. It receives an AbortSignal that is aborted
 * when the check times out, so it can cancel its own I/O.
 */
export type HealthCheckFunction = (signal: AbortSignal) => HealthCheckReturn | PromiseLike<HealthCheckReturn>;

/** Per-check options of `registerCheck`. */
export interface HealthCheckOptions extends HealthJsonComponent {
  /** Time allowed per run; default the monitor's `checkTimeoutMs`. */
  timeoutMs?: number;
  /** An unhealthy critical check makes the service UNHEALTHY; a non-critical one only DEGRADED. Default true. */
  critical?: boolean;
  /** Groups the check belongs to, e.g. `['liveness', 'readiness']`. Any name is allowed. */
  groups?: readonly string[];
  /** Consecutive failures before the reported status turns UNHEALTHY; default the monitor's. */
  failureThreshold?: number;
  /** Consecutive passes before the reported status recovers; default the monitor's. */
  successThreshold?: number;
}

/** Options of `createHealthMonitor`. */
export interface HealthMonitorConfig {
  /** Default time allowed per check run, ms. Default 5000. */
  checkTimeoutMs?: number;
  /** Period of `start()`ed runs, seconds. Default 30. */
  healthCheckIntervalSeconds?: number;
  /** Source of timestamps and durations. Default the system clock. */
  clock?: Clock;
  /** Scheduler for periodic runs and timeouts. Default RxJS `asyncScheduler`. */
  scheduler?: SchedulerLike;
  /** Most checks that may be registered. Default 100. */
  maxChecks?: number;
  /** Longer messages are cut (and counted). Default 1024 characters. */
  maxMessageLength?: number;
  /** Larger details (as JSON) are replaced by a marker (and counted). Default 16384 characters. */
  maxDetailsBytes?: number;
  /** Default failure threshold of every check. Default 1. */
  failureThreshold?: number;
  /** Default success threshold of every check. Default 1. */
  successThreshold?: number;
  /** The `source` of emitted events. Default 'health'. */
  source?: string;
}

/** Everything known about one registered check. */
export interface HealthCheckState {
  readonly name: string;
  /** The status after thresholds: the one aggregation and health+json use. */
  readonly status: HealthStatus;
  /** The last raw result, as the check reported it. */
  readonly lastResult: HealthCheck | undefined;
  readonly consecutiveFailures: number;
  readonly consecutiveSuccesses: number;
  readonly critical: boolean;
  readonly groups: readonly string[];
  readonly timeoutMs: number;
  readonly failureThreshold: number;
  readonly successThreshold: number;
  /** Whether a run of this check is in progress. */
  readonly running: boolean;
}

/** Counters of everything the monitor dropped, cut or survived. */
export interface HealthMonitorStats {
  checks: number;
  runs: number;
  errors: number;
  timeouts: number;
  invalidResults: number;
  /** Results that arrived after their check had timed out (ignored). */
  lateResults: number;
  truncatedMessages: number;
  truncatedDetails: number;
  /** Periodic runs skipped because the previous one was still going. */
  skippedRuns: number;
}

/** What `restore` applied. */
export interface HealthRestoreResult {
  /** Checks whose state was restored. */
  restored: string[];
  /** Names in the snapshot that are not registered now (ignored). */
  unknown: string[];
}

interface CheckEntry {
  readonly name: string;
  readonly fn: HealthCheckFunction;
  readonly timeoutMs: number;
  readonly critical: boolean;
  readonly groups: readonly string[];
  readonly thresholds: Thresholds;
  readonly component: HealthJsonComponent;
  state: ThresholdState;
  lastResult: HealthCheck | undefined;
  inFlight: Promise<HealthCheck> | undefined;
}

/**
 * Runs health checks and reports the state of a service the way Kubernetes
 * probes and `application/health+json` endpoints expect.
 *
 * @example
 * const health = createHealthMonitor({ checkTimeoutMs: 2000 });
 * health.registerCheck('database', async () => ({ status: HealthStatus.HEALTHY, message: 'Connected' }),
 *   { groups: ['readiness'] });
 * await health.runAllChecks();
 * health.getOverallStatus(); // 'healthy'
 */
export class HealthMonitor {
  private readonly clock: Clock;
  private readonly scheduler: SchedulerLike;
  private readonly checkTimeoutMs: number;
  private readonly intervalMs: number;
  private readonly maxChecks: number;
  private readonly limits: OutputLimits;
  private readonly defaultThresholds: Thresholds;
  private readonly source: string;
  private readonly bus = new EventBus<HealthEvent>();
  private readonly checks = new Map<string, CheckEntry>();
  private overall: HealthStatus = HealthStatus.UNKNOWN;
  private periodic: Subscription | undefined;
  private periodicRunStartedAt: number | undefined;
  private disposed = false;
  private readonly counters: Omit<HealthMonitorStats, 'checks'> = {
    runs: 0,
    errors: 0,
    timeouts: 0,
    invalidResults: 0,
    lateResults: 0,
    truncatedMessages: 0,
    truncatedDetails: 0,
    skippedRuns: 0,
  };

  /** Every health event; see HealthEvent. Never errors; completes on `dispose()`. */
  readonly events$: Observable<HealthEvent>;

  constructor(config: HealthMonitorConfig = {}) {
    const c = optionalObject(config, 'HealthMonitor config');
    this.checkTimeoutMs = optionalNumber(c['checkTimeoutMs'], 'checkTimeoutMs', 5000, TIMEOUT_MS, invalidHealthOption);
    this.intervalMs =
      optionalNumber(
        c['healthCheckIntervalSeconds'],
        'healthCheckIntervalSeconds',
        30,
        { min: 0.001, max: MAX_TIMER_MS / 1000 },
        invalidHealthOption,
      ) * 1000;
    this.clock = optionalClock(c['clock']) ?? systemClock;
    this.scheduler = optionalScheduler(c['scheduler']) ?? asyncScheduler;
    this.maxChecks = optionalNumber(
      c['maxChecks'],
      'maxChecks',
      100,
      { min: 1, max: 100_000, integer: true },
      invalidHealthOption,
    );
    this.limits = {
      maxMessageLength: optionalNumber(
        c['maxMessageLength'],
        'maxMessageLength',
        1024,
        { min: 16, max: 1_000_000, integer: true },
        invalidHealthOption,
      ),
      maxDetailsBytes: optionalNumber(
        c['maxDetailsBytes'],
        'maxDetailsBytes',
        16_384,
        { min: 64, max: 10_000_000, integer: true },
        invalidHealthOption,
      ),
    };
    this.defaultThresholds = {
      failureThreshold: optionalThreshold(c['failureThreshold'], 'failureThreshold', 1),
      successThreshold: optionalThreshold(c['successThreshold'], 'successThreshold', 1),
    };
    this.source = c['source'] === undefined ? 'health' : requireName(c['source'], 'source');
    this.events$ = this.bus.events$;
  }

  /**
   * Adds a check, or replaces the check of that name (its state starts over).
   * Throws HealthValidationError on a bad name, function or option, and
   * HealthLimitError when `maxChecks` are registered already.
   */
  registerCheck(name: string, fn: HealthCheckFunction, options?: HealthCheckOptions): void {
    const checkName = requireName(name, 'check name');
    if (typeof fn !== 'function') {
      throw new HealthValidationError(
        'INVALID_CHECK',
        `check ${JSON.stringify(checkName)} must be a function, got ${describeValue(fn)}`,
      );
    }
    const o = optionalObject(options, 'check options');
    const entry: CheckEntry = {
      name: checkName,
      fn,
      timeoutMs: optionalNumber(o['timeoutMs'], 'timeoutMs', this.checkTimeoutMs, TIMEOUT_MS, invalidHealthOption),
      critical: optionalBoolean(o['critical'], 'critical', true, invalidHealthOption),
      groups: readGroups(o['groups']),
      thresholds: {
        failureThreshold: optionalThreshold(
          o['failureThreshold'],
          'failureThreshold',
          this.defaultThresholds.failureThreshold,
        ),
        successThreshold: optionalThreshold(
          o['successThreshold'],
          'successThreshold',
          this.defaultThresholds.successThreshold,
        ),
      },
      component: readComponent(o),
      state: initialThresholdState,
      lastResult: undefined,
      inFlight: undefined,
    };
    const previous = this.checks.get(checkName);
    if (!previous && this.checks.size >= this.maxChecks) {
      throw new HealthLimitError(
        `cannot register ${JSON.stringify(checkName)}: ${this.maxChecks} checks are registered (maxChecks)`,
        this.maxChecks,
      );
    }
    this.checks.set(checkName, entry);
    if (previous && previous.state.reported !== HealthStatus.UNKNOWN)
      this.emitCheckChanged(checkName, previous.state.reported, HealthStatus.UNKNOWN, undefined);
    this.refreshOverall(undefined);
  }

  /** Removes a check; true if it existed. A run in progress finishes but is not recorded. */
  unregisterCheck(name: string): boolean {
    const entry = this.checks.get(this.lookupName(name));
    if (!entry) return false;
    this.checks.delete(entry.name);
    this.refreshOverall(undefined);
    return true;
  }

  /**
   * Runs one check now and resolves to its raw result, or undefined if no such
   * check exists. Never rejects. If that check is already running, returns the
   * run in progress instead of starting a second one.
   */
  runCheck(name: string): Promise<HealthCheck | undefined> {
    const entry = this.checks.get(this.lookupName(name));
    return entry ? this.execute(entry) : Promise.resolve(undefined);
  }

  /** Runs every check concurrently and resolves to their raw results by name. Never rejects. */
  async runAllChecks(): Promise<Record<string, HealthCheck>> {
    const entries = [...this.checks.values()];
    const results = await Promise.all(entries.map((entry) => this.execute(entry)));
    const out: Record<string, HealthCheck> = {};
    // defineProperty: a check named "__proto__" must be a key, not a prototype.
    entries.forEach((entry, i) =>
      Object.defineProperty(out, entry.name, {
        value: results[i],
        enumerable: true,
        writable: true,
        configurable: true,
      }),
    );
    return out;
  }

  /** The status of the service after thresholds (see `aggregateStatus` for the rules). */
  getOverallStatus(): HealthStatus {
    return aggregateStatus(this.aggregateInputs(undefined));
  }

  /** The status of the checks in one group, e.g. 'readiness'; UNKNOWN if the group has no checks. */
  getGroupStatus(group: string): HealthStatus {
    return aggregateStatus(this.aggregateInputs(requireName(group, 'group name')));
  }

  /** The last raw result of a check, or undefined (no such check, or not run yet). */
  getCheckResult(name: string): HealthCheck | undefined {
    return this.checks.get(this.lookupName(name))?.lastResult;
  }

  /** The reported status of a check (after thresholds), or undefined if no such check. */
  getCheckStatus(name: string): HealthStatus | undefined {
    return this.checks.get(this.lookupName(name))?.state.reported;
  }

  /** Everything known about one check, or undefined. */
  getCheckState(name: string): HealthCheckState | undefined {
    const entry = this.checks.get(this.lookupName(name));
    if (!entry) return undefined;
    return {
      name: entry.name,
      status: entry.state.reported,
      lastResult: entry.lastResult,
      consecutiveFailures: entry.state.consecutiveFailures,
      consecutiveSuccesses: entry.state.consecutiveSuccesses,
      critical: entry.critical,
      groups: entry.groups,
      timeoutMs: entry.timeoutMs,
      failureThreshold: entry.thresholds.failureThreshold,
      successThreshold: entry.thresholds.successThreshold,
      running: entry.inFlight !== undefined,
    };
  }

  /** Names of the registered checks, in registration order. */
  listChecks(): string[] {
    return [...this.checks.keys()];
  }

  /** Names of every group some check belongs to, sorted. */
  listGroups(): string[] {
    const groups = new Set<string>();
    for (const entry of this.checks.values()) for (const g of entry.groups) groups.add(g);
    return [...groups].sort();
  }

  /** Counters of runs, failures, drops and truncations. */
  stats(): HealthMonitorStats {
    return { checks: this.checks.size, ...this.counters };
  }

  /**
   * The `application/health+json` response for the whole service, or for one
   * group. Pass `{ includeDetails: false }` for unauthenticated callers.
   */
  toHealthJson(group?: string, options?: HealthJsonOptions): HealthJsonResponse {
    const g = group === undefined ? undefined : requireName(group, 'group name');
    const o = optionalObject(options, 'toHealthJson options');
    const unknownAs = o['unknownAs'];
    if (unknownAs !== undefined && unknownAs !== 'pass' && unknownAs !== 'warn' && unknownAs !== 'fail') {
      throw new HealthValidationError(
        'INVALID_OPTION',
        `unknownAs must be 'pass', 'warn' or 'fail', got ${describeValue(unknownAs)}`,
      );
    }
    for (const key of ['description', 'serviceId', 'version', 'releaseId'] as const) {
      if (o[key] !== undefined && typeof o[key] !== 'string') {
        throw new HealthValidationError('INVALID_OPTION', `${key} must be a string, got ${describeValue(o[key])}`);
      }
    }
    optionalBoolean(o['includeDetails'], 'includeDetails', true, invalidHealthOption);
    optionalBoolean(o['includeChecks'], 'includeChecks', true, invalidHealthOption);
    const entries = [...this.checks.values()].filter((e) => g === undefined || e.groups.includes(g));
    const status = g === undefined ? this.getOverallStatus() : this.getGroupStatus(g);
    return buildHealthJson(
      status,
      entries.map((e) => ({
        name: e.name,
        reported: e.state.reported,
        lastResult: e.lastResult,
        component: e.component,
      })),
      o as HealthJsonOptions,
    );
  }

  /**
   * Runs all checks now and then every `healthCheckIntervalSeconds` on the
   * scheduler. A run that is still going when the next is due makes that next
   * one skip (counted, and a 'health/run-skipped' event). Starting twice is a no-op.
   */
  start(): void {
    if (this.disposed) throw new ObsError('DISPOSED', 'this HealthMonitor was disposed');
    if (this.periodic) return;
    this.periodic = timer(0, this.intervalMs, this.scheduler).subscribe(() => this.tick());
  }

  /** Stops periodic runs. A run in progress completes. Stopping twice is a no-op. */
  stop(): void {
    this.periodic?.unsubscribe();
    this.periodic = undefined;
  }

  /** Whether periodic runs are on. */
  get isRunning(): boolean {
    return this.periodic !== undefined;
  }

  /** Stops periodic runs and completes `events$`. The monitor can still be queried. */
  dispose(): void {
    this.stop();
    this.disposed = true;
    this.bus.complete();
  }

  /** The last results and threshold counters, JSON-serializable (for persistence across restarts). */
  snapshot(): HealthSnapshot {
    return {
      version: 1,
      checks: [...this.checks.values()].map((e) => ({
        name: e.name,
        status: e.state.reported,
        consecutiveFailures: e.state.consecutiveFailures,
        consecutiveSuccesses: e.state.consecutiveSuccesses,
        lastResult: e.lastResult ? { ...e.lastResult, details: { ...e.lastResult.details } } : null,
      })),
    };
  }

  /**
   * Restores results and counters for the checks registered now (register
   * checks first). Validates the whole snapshot first: on a bad one it throws
   * HealthSnapshotError and changes nothing. Emits no events.
   */
  restore(snapshot: unknown): HealthRestoreResult {
    const parsed = parseSnapshot(snapshot, this.maxChecks, this.limits);
    const restored: string[] = [];
    const unknown: string[] = [];
    for (const s of parsed.checks) {
      const entry = this.checks.get(s.name);
      if (!entry) {
        unknown.push(s.name);
        continue;
      }
      entry.state = {
        reported: s.status,
        consecutiveFailures: s.consecutiveFailures,
        consecutiveSuccesses: s.consecutiveSuccesses,
      };
      entry.lastResult = s.lastResult ? deepFreeze(s.lastResult) : undefined;
      restored.push(s.name);
    }
    this.overall = this.getOverallStatus();
    return { restored, unknown };
  }

  private lookupName(name: unknown): string {
    if (typeof name !== 'string')
      throw new HealthValidationError('INVALID_NAME', `check name must be a string, got ${describeValue(name)}`);
    return name;
  }

  private *aggregateInputs(group: string | undefined): Iterable<{ status: HealthStatus; critical: boolean }> {
    for (const entry of this.checks.values()) {
      if (group === undefined || entry.groups.includes(group))
        yield { status: entry.state.reported, critical: entry.critical };
    }
  }

  private tick(): void {
    if (this.periodicRunStartedAt !== undefined) {
      this.counters.skippedRuns++;
      const now = this.clock.now();
      if (this.bus.observed)
        this.bus.emit({
          type: 'health/run-skipped',
          ts: now,
          source: this.source,
          runningForMs: Math.max(0, now - this.periodicRunStartedAt),
        });
      return;
    }
    this.periodicRunStartedAt = this.clock.now();
    // runAllChecks never rejects; the catch only keeps a bug from becoming an unhandled rejection.
    this.runAllChecks()
      .catch(() => undefined)
      .finally(() => {
        this.periodicRunStartedAt = undefined;
      });
  }

  private execute(entry: CheckEntry): Promise<HealthCheck> {
    if (entry.inFlight) return entry.inFlight;
    const run = this.runOnce(entry).finally(() => {
      if (entry.inFlight === run) entry.inFlight = undefined;
    });
    entry.inFlight = run;
    return run;
  }

  /** One run: calls the check synchronously, races it against its timeout, never rejects. */
  private runOnce(entry: CheckEntry): Promise<HealthCheck> {
    const started = this.clock.now();
    const controller = new AbortController();
    return new Promise<HealthCheck>((resolve) => {
      let settled = false;
      const settle = (result: NormalizedResult): boolean => {
        if (settled) return false;
        settled = true;
        // settle runs only after `timeout` below is assigned (the check is called after scheduling it)
        timeout.unsubscribe();
        resolve(this.record(entry, result, started));
        return true;
      };
      const late = (): void => {
        this.counters.lateResults++;
      };
      const timeout = this.scheduler.schedule(() => {
        if (settled) return;
        controller.abort(
          new ObsError('CHECK_TIMEOUT', `check ${JSON.stringify(entry.name)} timed out after ${entry.timeoutMs} ms`),
        );
        settle(timeoutResult(entry.timeoutMs, this.limits));
      }, entry.timeoutMs);
      let value: unknown;
      try {
        value = entry.fn.call(undefined, controller.signal);
      } catch (error) {
        settle(errorResult(error, this.limits));
        return;
      }
      if (isThenable(value)) {
        // Promise.resolve adopts any thenable; a throwing `then` becomes a rejection.
        Promise.resolve(value).then(
          (v) => {
            if (!settled) settle(normalizeReturnValue(v, this.limits));
            else late();
          },
          (error: unknown) => {
            if (!settled) settle(errorResult(error, this.limits));
            else late();
          },
        );
      } else {
        settle(normalizeReturnValue(value, this.limits));
      }
    });
  }

  /** Stores a finished run (unless the check was removed or replaced meanwhile) and emits its events. */
  private record(entry: CheckEntry, n: NormalizedResult, started: number): HealthCheck {
    const finished = this.clock.now();
    // Frozen: the same object goes to the caller, to getCheckResult and to event subscribers.
    const result: HealthCheck = Object.freeze({
      name: entry.name,
      status: n.status,
      message: n.message,
      timestamp: finished,
      durationMs: Math.max(0, finished - started),
      details: deepFreeze(n.details),
    });
    this.counters.runs++;
    if (n.outcome === 'error') this.counters.errors++;
    else if (n.outcome === 'timeout') this.counters.timeouts++;
    else if (n.outcome === 'invalid') this.counters.invalidResults++;
    if (n.messageTruncated) this.counters.truncatedMessages++;
    if (n.detailsTruncated) this.counters.truncatedDetails++;
    if (this.checks.get(entry.name) !== entry) return result;
    const previous = entry.state.reported;
    entry.state = applyResult(entry.state, n.status, entry.thresholds);
    entry.lastResult = result;
    if (this.bus.observed) {
      this.bus.emit({
        type: 'health/check-completed',
        ts: finished,
        source: this.source,
        name: entry.name,
        result,
        reportedStatus: entry.state.reported,
        outcome: n.outcome,
      });
    }
    if (entry.state.reported !== previous) this.emitCheckChanged(entry.name, previous, entry.state.reported, result);
    this.refreshOverall(result);
    return result;
  }

  private emitCheckChanged(
    name: string,
    previous: HealthStatus,
    current: HealthStatus,
    result: HealthCheck | undefined,
  ): void {
    if (!this.bus.observed) return;
    const event: HealthChangedEvent = {
      type: 'health/changed',
      ts: this.clock.now(),
      source: this.source,
      scope: 'check',
      name,
      previous,
      current,
      result,
    };
    this.bus.emit(event);
  }

  private refreshOverall(result: HealthCheck | undefined): void {
    const current = this.getOverallStatus();
    const previous = this.overall;
    if (current === previous) return;
    this.overall = current;
    if (this.bus.observed) {
      this.bus.emit({
        type: 'health/changed',
        ts: this.clock.now(),
        source: this.source,
        scope: 'overall',
        name: undefined,
        previous,
        current,
        result,
      });
    }
  }
}

/** Freezes our own JSON copy of details (plain objects and arrays only, bounded in size). */
function deepFreeze<T>(value: T): T {
  if (typeof value === 'object' && value !== null && !Object.isFrozen(value)) {
    Object.freeze(value);
    for (const child of Object.values(value)) deepFreeze(child);
  }
  return value;
}

/** Creates a HealthMonitor; see HealthMonitorConfig for the options and their defaults. */
export function createHealthMonitor(config?: HealthMonitorConfig): HealthMonitor {
  return new HealthMonitor(config);
}
