import { EventBus, ObsError, describeValue, optionalNumber, systemClock, type Clock } from '@obs/core';
import { asyncScheduler, BehaviorSubject, Observable, type SchedulerLike, type Subscription } from 'rxjs';
import { HealthLimitError, HealthValidationError } from './errors';
import { buildHealthJson, type HealthJsonOptions, type HealthJsonResponse } from './healthJson';
import type { HealthMonitor } from './HealthMonitor';
import { HealthGroup, HealthStatus } from './HealthStatus';
import { Beacons } from './internal/Beacons';
import {
  DELAY_MS,
  TIMEOUT_MS,
  invalidHealthOption,
  optionalClock,
  optionalObject,
  optionalScheduler,
} from './internal/options';
import { runStep, type LifecycleHandler } from './internal/runStep';
import type { LifecycleEvent, LifecycleStepResult, ShutdownReport } from './lifecycleEvents';
import { LifecyclePhase } from './LifecyclePhase';
import { isPassing } from './thresholds';
import { requireName } from './validateName';

export type { LifecycleHandler };

/** Where signals come from: `process`, or any EventEmitter-like object (tests pass an EventEmitter). */
export interface SignalSource {
  on(event: string, listener: (signal: string) => void): unknown;
  removeListener(event: string, listener: (signal: string) => void): unknown;
}

/** Options of `createLifecycle`. */
export interface LifecycleConfig {
  /**
   * The health monitor whose `startup` group gates `ready()` and whose
   * `readiness` group answers the readiness probe while the service is ready.
   */
  health?: HealthMonitor;
  /** Group of the startup checks. Default 'startup'. */
  startupGroup?: string;
  /** Group of the readiness checks. Default 'readiness' (the overall status when no check is in it). */
  readinessGroup?: string;
  /**
   * How long readiness fails while the service still serves, so that load
   * balancers stop sending traffic (match the readiness probe's period ×
   * failure threshold; Kubernetes users set 5–15 s). Skipped when the service
   * never was ready. Default 5000.
   */
  shutdownDelayMs?: number;
  /** Longest wait for beacons and drain handlers after the delay. Default 30 000. */
  drainTimeoutMs?: number;
  /** Default time allowed to each shutdown handler. Default 5000. */
  handlerTimeoutMs?: number;
  /**
   * The whole shutdown's bound: past it the exit function is called with 1.
   * `Infinity` for none. Default 60 000.
   */
  shutdownTimeoutMs?: number;
  /** Signals that start a shutdown (a second one forces exit). Default `['SIGTERM', 'SIGINT']`; `[]` for none. */
  signals?: readonly string[];
  /** Where signals are listened for. Default the global `process`. */
  process?: SignalSource;
  /** Ends the process on a forced exit. Default `process.exit`. */
  exit?: (code: number) => void;
  /** Source of timestamps and durations. Default the system clock. */
  clock?: Clock;
  /** Scheduler of the delay and timeouts. Default RxJS `asyncScheduler`. */
  scheduler?: SchedulerLike;
  /** Distinct beacon names counted apart; more are counted as '(other)'. Default 1000. */
  maxBeaconNames?: number;
  /** Most drain plus shutdown handlers. Default 100. */
  maxHandlers?: number;
  /** The `source` of emitted events. Default 'lifecycle'. */
  source?: string;
}

/** Options of one shutdown handler. */
export interface ShutdownHandlerOptions {
  /** Time allowed to this handler; default the lifecycle's `handlerTimeoutMs`. */
  timeoutMs?: number;
}

/** Which probe `toHealthJson` answers. */
export type LifecycleProbe = 'startup' | 'readiness';

interface HandlerEntry {
  readonly name: string;
  readonly fn: LifecycleHandler;
  readonly timeoutMs: number;
}

const DEFAULT_SIGNALS: readonly string[] = ['SIGTERM', 'SIGINT'];
const MAX_SIGNALS = 16;
/** The code passed to `exit` when the process is made to exit before the shutdown finished. */
export const FORCED_EXIT_CODE = 1;

/**
 * A service's life as Kubernetes sees it: starting, ready, and a graceful
 * shutdown (the semantics of terminus and lightship). On SIGTERM/SIGINT or
 * `shutdown()` it fails readiness at once, keeps serving for
 * `shutdownDelayMs` while load balancers notice, then calls the drain
 * handlers (stop taking work) and waits for them and for every open beacon
 * (work in flight), at most `drainTimeoutMs`, then runs the shutdown handlers
 * in order, each with its own timeout, and resolves with a report. A throwing
 * or hanging handler is reported and the next one still runs. A second signal
 * during shutdown, or a shutdown longer than `shutdownTimeoutMs`, calls
 * `exit(1)`. Signal listeners are removed once stopped (or on `dispose()`).
 *
 * @example
 * const lifecycle = createLifecycle({ health, shutdownDelayMs: 10_000 });
 * lifecycle.onDrain('http', () => new Promise((resolve) => server.close(() => resolve())));
 * lifecycle.onShutdown('database', () => pool.end(), { timeoutMs: 3000 });
 * server.listen(8080, () => lifecycle.ready());
 * // in a request handler:
 * const done = lifecycle.beacon('upload');
 * try { await store(upload); } finally { done(); }
 */
export class Lifecycle {
  private readonly health: HealthMonitor | undefined;
  private readonly startupGroup: string;
  private readonly readinessGroup: string;
  private readonly shutdownDelayMs: number;
  private readonly drainTimeoutMs: number;
  private readonly handlerTimeoutMs: number;
  private readonly shutdownTimeoutMs: number;
  private readonly maxHandlers: number;
  private readonly signals: readonly string[];
  private readonly signalSource: SignalSource | undefined;
  private readonly exitFn: (code: number) => void;
  private readonly clock: Clock;
  private readonly scheduler: SchedulerLike;
  private readonly source: string;
  private readonly bus = new EventBus<LifecycleEvent>();
  private readonly phaseSubject: BehaviorSubject<LifecyclePhase>;
  private readonly beacons: Beacons;
  private readonly drainHandlers = new Map<symbol, HandlerEntry>();
  private readonly shutdownHandlers = new Map<symbol, HandlerEntry>();
  private readonly signalListener = (signal: string) => this.onSignal(signal);
  private currentPhase: LifecyclePhase = LifecyclePhase.STARTING;
  private listening = false;
  private readyRequested = false;
  private drainStarted = false;
  private startupWatch: Subscription | undefined;
  private shutdownPromise: Promise<ShutdownReport> | undefined;
  private resolveStopped!: (report: ShutdownReport) => void;
  private readonly stoppedPromise: Promise<ShutdownReport>;
  private disposed = false;

  /** Every lifecycle event; see LifecycleEvent. Never errors; completes once stopped or disposed. */
  readonly events$: Observable<LifecycleEvent>;
  /** The current phase, then every change. Completes once stopped or disposed. */
  readonly phase$: Observable<LifecyclePhase>;

  constructor(config: LifecycleConfig = {}) {
    const c = optionalObject(config, 'Lifecycle config');
    const health = c['health'];
    if (
      health !== undefined &&
      (typeof health !== 'object' ||
        health === null ||
        typeof (health as HealthMonitor).getGroupStatus !== 'function' ||
        typeof (health as HealthMonitor).toHealthJson !== 'function')
    ) {
      throw new HealthValidationError('INVALID_OPTION', `health must be a HealthMonitor, got ${describeValue(health)}`);
    }
    this.health = health as HealthMonitor | undefined;
    this.startupGroup =
      c['startupGroup'] === undefined ? HealthGroup.STARTUP : requireName(c['startupGroup'], 'startupGroup');
    this.readinessGroup =
      c['readinessGroup'] === undefined ? HealthGroup.READINESS : requireName(c['readinessGroup'], 'readinessGroup');
    this.shutdownDelayMs = optionalNumber(c['shutdownDelayMs'], 'shutdownDelayMs', 5000, DELAY_MS, invalidHealthOption);
    this.drainTimeoutMs = optionalNumber(c['drainTimeoutMs'], 'drainTimeoutMs', 30_000, DELAY_MS, invalidHealthOption);
    this.handlerTimeoutMs = optionalNumber(
      c['handlerTimeoutMs'],
      'handlerTimeoutMs',
      5000,
      TIMEOUT_MS,
      invalidHealthOption,
    );
    this.shutdownTimeoutMs =
      c['shutdownTimeoutMs'] === Infinity
        ? Infinity
        : optionalNumber(c['shutdownTimeoutMs'], 'shutdownTimeoutMs', 60_000, TIMEOUT_MS, invalidHealthOption);
    this.maxHandlers = optionalNumber(
      c['maxHandlers'],
      'maxHandlers',
      100,
      { min: 1, max: 10_000, integer: true },
      invalidHealthOption,
    );
    this.beacons = new Beacons(
      optionalNumber(
        c['maxBeaconNames'],
        'maxBeaconNames',
        1000,
        { min: 1, max: 100_000, integer: true },
        invalidHealthOption,
      ),
    );
    this.signals = readSignals(c['signals']);
    this.signalSource = this.signals.length === 0 ? undefined : readSignalSource(c['process']);
    this.exitFn = readExit(c['exit']);
    this.clock = optionalClock(c['clock']) ?? systemClock;
    this.scheduler = optionalScheduler(c['scheduler']) ?? asyncScheduler;
    this.source = c['source'] === undefined ? 'lifecycle' : requireName(c['source'], 'source');
    this.events$ = this.bus.events$;
    const phases = (this.phaseSubject = new BehaviorSubject<LifecyclePhase>(LifecyclePhase.STARTING));
    this.phase$ = new Observable<LifecyclePhase>((subscriber) => phases.subscribe(subscriber));
    this.stoppedPromise = new Promise((resolve) => (this.resolveStopped = resolve));
    if (this.signalSource) {
      for (const signal of this.signals) this.signalSource.on(signal, this.signalListener);
      this.listening = true;
    }
  }

  /** The current phase. */
  get phase(): LifecyclePhase {
    return this.currentPhase;
  }

  /** Whether the service takes traffic: phase `ready`. */
  get isReady(): boolean {
    return this.phase === LifecyclePhase.READY;
  }

  /** Whether startup is over (the startup probe passes): any phase but `starting`. */
  get isStarted(): boolean {
    return this.phase !== LifecyclePhase.STARTING;
  }

  /** Whether a shutdown has begun. */
  get isShuttingDown(): boolean {
    return this.shutdownPromise !== undefined;
  }

  /**
   * Says the service has started. It becomes `ready` as soon as its startup
   * checks pass (the health monitor's `startup` group; at once when there are
   * none, or no monitor). Returns whether it is ready now. Ignored once a
   * shutdown has begun.
   */
  ready(): boolean {
    if (this.isShuttingDown || this.disposed) return false;
    if (this.isReady) return true;
    this.readyRequested = true;
    if (this.startupPassed()) {
      this.becomeReady();
      return true;
    }
    const health = this.health;
    if (health && !this.startupWatch) {
      this.startupWatch = health.events$.subscribe((event) => {
        if (event.type !== 'health/run-skipped' && this.phase === LifecyclePhase.STARTING && this.startupPassed())
          this.becomeReady();
      });
    }
    return false;
  }

  /**
   * Opens a beacon for work in flight (an upload, a job); call the returned
   * function when it ends (again does nothing). Shutdown waits for every open
   * beacon, at most `drainTimeoutMs`. Beacons may be opened in any phase.
   */
  beacon(name = 'work'): () => void {
    return this.beacons.add(requireName(name, 'beacon name'));
  }

  /** Open beacons by name. */
  openBeacons(): Record<string, number> {
    return this.beacons.byName();
  }

  /**
   * Adds a drain handler: called when the shutdown delay ends, to stop taking
   * new work (close the listening socket, pause a consumer); it resolves when
   * the work it had taken is done. Drain handlers run together and share
   * `drainTimeoutMs`. Returns a function that removes it.
   */
  onDrain(name: string, fn: LifecycleHandler): () => void {
    return this.addHandler(this.drainHandlers, name, fn, this.drainTimeoutMs, 'drain');
  }

  /**
   * Adds a shutdown handler. Shutdown handlers run one after another in the
   * order they were added, after the drain, each within its own timeout.
   * Returns a function that removes it. Throws once the handlers are running.
   */
  onShutdown(name: string, fn: LifecycleHandler, options?: ShutdownHandlerOptions): () => void {
    const o = optionalObject(options, 'shutdown handler options');
    const timeoutMs = optionalNumber(
      o['timeoutMs'],
      'timeoutMs',
      this.handlerTimeoutMs,
      TIMEOUT_MS,
      invalidHealthOption,
    );
    return this.addHandler(this.shutdownHandlers, name, fn, timeoutMs, 'shutdown');
  }

  /**
   * Starts the shutdown (or returns the one in progress) and resolves with its
   * report once stopped. Never rejects. `reason` names it in the report.
   */
  shutdown(reason = 'shutdown()'): Promise<ShutdownReport> {
    this.shutdownPromise ??= this.runShutdown(typeof reason === 'string' ? reason.slice(0, 128) : 'shutdown()');
    return this.shutdownPromise;
  }

  /** Resolves with the report once a shutdown (started by a signal or a call) has finished. */
  whenStopped(): Promise<ShutdownReport> {
    return this.stoppedPromise;
  }

  /**
   * The `application/health+json` answer of a probe:
   * - `'startup'`: fail (503) while `starting`, then pass (200) for good, as a Kubernetes startup probe expects;
   * - `'readiness'`: fail while not `ready` (starting or shutting down, saying which in `output`), else the
   *   monitor's readiness group (or overall status when that group is empty).
   */
  toHealthJson(probe: LifecycleProbe, options: HealthJsonOptions = {}): HealthJsonResponse {
    if (probe !== 'startup' && probe !== 'readiness')
      throw new HealthValidationError(
        'INVALID_OPTION',
        `probe must be 'startup' or 'readiness', got ${describeValue(probe)}`,
      );
    const health = this.health;
    const groupOf = (group: string) => (health?.listGroups().includes(group) ? group : undefined);
    if (probe === 'startup') {
      if (this.isStarted) return buildHealthJson(HealthStatus.HEALTHY, [], { ...options, includeChecks: false });
      // A startup group without checks is UNKNOWN, hence failing, like an unstarted service.
      const base = health
        ? health.toHealthJson(this.startupGroup, options)
        : buildHealthJson(HealthStatus.UNKNOWN, [], options);
      const why = this.readyRequested ? 'startup checks have not passed yet' : 'the service has not started yet';
      return failed(base, why, options);
    }
    const base = health
      ? health.toHealthJson(groupOf(this.readinessGroup), options)
      : buildHealthJson(HealthStatus.HEALTHY, [], options);
    if (this.isReady) return base;
    return failed(
      base,
      this.isShuttingDown ? `shutting down (${this.phase})` : 'the service has not started yet',
      options,
    );
  }

  /** Removes the signal listeners and completes the streams. A shutdown in progress goes on. */
  dispose(): void {
    if (this.disposed) return;
    this.disposed = true;
    this.detach();
  }

  private addHandler(
    into: Map<symbol, HandlerEntry>,
    name: string,
    fn: LifecycleHandler,
    timeoutMs: number,
    kind: 'drain' | 'shutdown',
  ): () => void {
    const handlerName = requireName(name, `${kind} handler name`);
    if (typeof fn !== 'function') {
      throw new HealthValidationError(
        'INVALID_HANDLER',
        `${kind} handler ${JSON.stringify(handlerName)} must be a function, got ${describeValue(fn)}`,
      );
    }
    const started = kind === 'drain' ? this.drainStarted : this.phase === LifecyclePhase.STOPPING || this.isStopped;
    if (started) {
      throw new ObsError(
        'LIFECYCLE_STOPPING',
        `cannot add ${kind} handler ${JSON.stringify(handlerName)}: those handlers are already running`,
      );
    }
    if (this.drainHandlers.size + this.shutdownHandlers.size >= this.maxHandlers) {
      throw new HealthLimitError(
        `cannot add ${kind} handler ${JSON.stringify(handlerName)}: ${this.maxHandlers} handlers exist (maxHandlers)`,
        this.maxHandlers,
      );
    }
    const key = Symbol(handlerName);
    into.set(key, { name: handlerName, fn, timeoutMs });
    return () => {
      into.delete(key);
    };
  }

  private get isStopped(): boolean {
    return this.phase === LifecyclePhase.STOPPED;
  }

  private startupPassed(): boolean {
    const health = this.health;
    if (!health || !health.listGroups().includes(this.startupGroup)) return true;
    return isPassing(health.getGroupStatus(this.startupGroup));
  }

  private becomeReady(): void {
    this.startupWatch?.unsubscribe();
    this.startupWatch = undefined;
    this.setPhase(LifecyclePhase.READY);
  }

  private setPhase(next: LifecyclePhase): void {
    const previous = this.phase;
    if (previous === next) return;
    this.currentPhase = next;
    this.phaseSubject.next(next);
    this.emit({ type: 'lifecycle/phase-changed', ts: this.clock.now(), source: this.source, previous, current: next });
  }

  private emit(event: LifecycleEvent): void {
    this.bus.emit(event);
  }

  private onSignal(signal: string): void {
    const name = typeof signal === 'string' ? signal.slice(0, 32) : 'signal';
    if (this.isShuttingDown) {
      this.emit({ type: 'lifecycle/signal', ts: this.clock.now(), source: this.source, signal: name, forced: true });
      this.forceExit('second-signal');
      return;
    }
    this.emit({ type: 'lifecycle/signal', ts: this.clock.now(), source: this.source, signal: name, forced: false });
    void this.shutdown(name);
  }

  private forceExit(reason: 'second-signal' | 'timeout'): void {
    this.emit({
      type: 'lifecycle/forced-exit',
      ts: this.clock.now(),
      source: this.source,
      reason,
      code: FORCED_EXIT_CODE,
      phase: this.phase,
    });
    try {
      this.exitFn(FORCED_EXIT_CODE);
    } catch {
      // An exit function that throws (a test double, a sandbox) must not break the shutdown.
    }
  }

  private async runShutdown(reason: string): Promise<ShutdownReport> {
    const startedAt = this.clock.now();
    const wasReady = this.isReady;
    this.startupWatch?.unsubscribe();
    this.startupWatch = undefined;
    // Readiness fails from here on (isReady is false in `draining`).
    this.setPhase(LifecyclePhase.DRAINING);
    const watchdog = Number.isFinite(this.shutdownTimeoutMs)
      ? this.scheduler.schedule(() => this.forceExit('timeout'), this.shutdownTimeoutMs)
      : undefined;

    // A service that never was ready got no traffic from load balancers: nothing to wait for.
    const delayMs = wasReady ? this.shutdownDelayMs : 0;
    if (delayMs > 0) await this.sleep(delayMs);

    const steps: LifecycleStepResult[] = [];
    const drain = await this.drain(steps);

    this.setPhase(LifecyclePhase.STOPPING);
    for (const handler of [...this.shutdownHandlers.values()]) {
      const step = await runStep(handler.name, 'shutdown', handler.fn, handler.timeoutMs, this.scheduler, this.clock);
      steps.push(step);
      this.emit({ type: 'lifecycle/step-completed', ts: this.clock.now(), source: this.source, step });
    }

    watchdog?.unsubscribe();
    const report: ShutdownReport = {
      reason,
      startedAt,
      durationMs: Math.max(0, this.clock.now() - startedAt),
      delayMs,
      drained: drain.drained,
      remainingBeacons: drain.remainingBeacons,
      steps,
      ok: drain.drained && steps.every((s) => s.outcome === 'ok'),
    };
    this.setPhase(LifecyclePhase.STOPPED);
    this.emit({ type: 'lifecycle/stopped', ts: this.clock.now(), source: this.source, report });
    this.detach();
    this.resolveStopped(report);
    return report;
  }

  /** Calls the drain handlers and waits for them and for the beacons, at most drainTimeoutMs. */
  private async drain(
    steps: LifecycleStepResult[],
  ): Promise<{ drained: boolean; remainingBeacons: Record<string, number> }> {
    this.drainStarted = true;
    const started = this.clock.now();
    this.emit({
      type: 'lifecycle/drain-started',
      ts: started,
      source: this.source,
      beacons: this.beacons.byName(),
    });
    const runs = [...this.drainHandlers.values()].map((h) =>
      runStep(h.name, 'drain', h.fn, this.drainTimeoutMs, this.scheduler, this.clock).then((step) => {
        this.emit({ type: 'lifecycle/step-completed', ts: this.clock.now(), source: this.source, step });
        return step;
      }),
    );
    let cancelBeacons: () => void = () => undefined;
    const beaconsClosed = new Promise<void>((resolve) => (cancelBeacons = this.beacons.whenEmpty(resolve)));
    let deadline: Subscription | undefined;
    const deadlinePassed = new Promise<void>((resolve) => {
      deadline = this.scheduler.schedule(() => resolve(), this.drainTimeoutMs);
    });
    await Promise.race([Promise.all([Promise.all(runs), beaconsClosed]), deadlinePassed]);
    deadline?.unsubscribe();
    cancelBeacons();
    // Drain handlers time out at drainTimeoutMs themselves, so every run has settled by now or does at once.
    const drainSteps = await Promise.all(runs);
    steps.push(...drainSteps);
    const remainingBeacons = this.beacons.byName();
    const pendingHandlers = drainSteps.filter((s) => s.outcome === 'timeout').map((s) => s.name);
    const timedOut = this.beacons.size > 0 || pendingHandlers.length > 0;
    const drained = !timedOut && drainSteps.every((s) => s.outcome === 'ok');
    this.emit({
      type: 'lifecycle/drained',
      ts: this.clock.now(),
      source: this.source,
      durationMs: Math.max(0, this.clock.now() - started),
      timedOut,
      remainingBeacons,
      pendingHandlers,
    });
    return { drained, remainingBeacons };
  }

  private sleep(ms: number): Promise<void> {
    return new Promise((resolve) => this.scheduler.schedule(() => resolve(), ms));
  }

  private detach(): void {
    if (this.listening && this.signalSource) {
      for (const signal of this.signals) this.signalSource.removeListener(signal, this.signalListener);
    }
    this.listening = false;
    this.startupWatch?.unsubscribe();
    this.startupWatch = undefined;
    this.phaseSubject.complete();
    this.bus.complete();
  }
}

/** A probe answer turned to fail (503), saying why in `output` when details are allowed. */
function failed(base: HealthJsonResponse, why: string, options: HealthJsonOptions): HealthJsonResponse {
  const body = { ...base.body, status: 'fail' as const };
  if (options.includeDetails !== false) body.output = base.body.output ? `${why}; ${base.body.output}` : why;
  return { ...base, status: 'fail', body, httpStatus: 503 };
}

function readSignals(value: unknown): readonly string[] {
  if (value === undefined) return DEFAULT_SIGNALS;
  if (
    !Array.isArray(value) ||
    value.length > MAX_SIGNALS ||
    !value.every((s) => typeof s === 'string' && /^SIG[A-Z0-9]{1,16}$/.test(s))
  ) {
    throw new HealthValidationError(
      'INVALID_OPTION',
      `signals must be an array of at most ${MAX_SIGNALS} signal names like 'SIGTERM', got ${describeValue(value)}`,
    );
  }
  return [...new Set(value as string[])];
}

function readSignalSource(value: unknown): SignalSource {
  const source = value === undefined ? (globalThis as { process?: unknown }).process : value;
  if (
    typeof source !== 'object' ||
    source === null ||
    typeof (source as SignalSource).on !== 'function' ||
    typeof (source as SignalSource).removeListener !== 'function'
  ) {
    throw new HealthValidationError(
      'INVALID_OPTION',
      `process must have on() and removeListener() (an EventEmitter), got ${describeValue(source)}`,
    );
  }
  return source as SignalSource;
}

function readExit(value: unknown): (code: number) => void {
  if (value === undefined) {
    return (code) => {
      (globalThis as { process?: { exit(code: number): void } }).process?.exit(code);
    };
  }
  if (typeof value !== 'function')
    throw new HealthValidationError('INVALID_OPTION', `exit must be a function, got ${describeValue(value)}`);
  return value as (code: number) => void;
}

/** Creates a Lifecycle; see LifecycleConfig for the options and their defaults. */
export function createLifecycle(config?: LifecycleConfig): Lifecycle {
  return new Lifecycle(config);
}
