import { BoundedMap, errorMessage, ofType, type Clock } from '@obs/core';
import { createAlertManager, type AlertContext, type AlertManager } from '@obs/alerts';
import { createAnomalyDetector, type AnomalyDetector } from '@obs/anomaly';
import { createHealthMonitor, type HealthMonitor } from '@obs/health';
import { createMetricsCollector, type ExemplarSource, type MetricsCollector } from '@obs/metrics';
import { createSLOTracker, type SLOTracker } from '@obs/slo';
import { createTraceManager, type TraceManager } from '@obs/tracing';
import { filter, interval, map, merge, Subject, Subscription, type Observable } from 'rxjs';
import { resolveHubConfig, type HubOptions, type MetricsPushExporter, type ResolvedHubConfig } from './config';
import { buildDashboardData, type DashboardCounters } from './dashboard/buildDashboardData';
import { DashboardSampler } from './dashboard/DashboardSampler';
import { MetricExplorer } from './dashboard/MetricExplorer';
import type { DashboardData } from './dashboard/DashboardTypes';
import { HubError, HubValidationError } from './errors';
import { HUB_SOURCE, type HubEvent, type ObsEvent } from './events';
import { EventDelivery } from './internal/EventDelivery';
import type { DeliveryStats } from './DeliveryStats';
import { keepRejectedPart } from './persistence/keepRejectedPart';
import { sanitizeState } from './persistence/sanitizeState';
import { SnapshotFile } from './persistence/SnapshotFile';
import { anomalyAlerts } from './processors/anomalyAlerts';
import { healthAlerts } from './processors/healthAlerts';
import { sloAlerts } from './processors/sloAlerts';
import { supervise, type ProcessorFailure } from './processors/supervise';

/** The parts of the hub's state written to the snapshot file, by component. */
export interface HubSnapshot {
  readonly metrics?: unknown;
  readonly alerts?: unknown;
  readonly slo?: unknown;
  readonly anomaly?: unknown;
  readonly health?: unknown;
}

/** What `persistNow()` did. */
export interface PersistResult {
  readonly file: string;
  readonly bytes: number;
  readonly savedAt: number;
}

/** Counters of the hub itself (see also each component's `stats()`). */
export interface HubStats {
  readonly running: boolean;
  readonly delivery: DeliveryStats;
  readonly processorErrors: number;
  readonly persists: number;
  readonly persistErrors: number;
  readonly restoreErrors: number;
  readonly lastPersistedAt: number | undefined;
}

type SnapshotComponent = keyof HubSnapshot;
const ALL_DOMAINS: ReadonlySet<string> = new Set(['metrics', 'traces', 'health', 'alerts', 'slo', 'anomaly', 'hub']);

const SNAPSHOT_COMPONENTS: readonly SnapshotComponent[] = ['metrics', 'alerts', 'slo', 'anomaly', 'health'];

/**
 * The @obs pipeline in one object: every component, wired together by RxJS
 * streams, with a lifecycle, persistence and dashboard data. Create it with
 * {@link createObservabilityHub}.
 *
 * Flows are wired at construction (so alerts follow anomalies, health and SLOs
 * even before `start()`); `start()` adds the periodic work: health checks,
 * alert rules, SLO evaluation, chart samples and snapshots.
 */
export class ObservabilityHub {
  readonly config: ResolvedHubConfig;
  readonly metrics: MetricsCollector;
  readonly traces: TraceManager;
  readonly health: HealthMonitor;
  readonly alerts: AlertManager;
  readonly sloTracker: SLOTracker;
  readonly anomalyDetector: AnomalyDetector;
  /**
   * Every component's events plus the hub's own (`hub/*`), delivered
   * asynchronously in order through a bounded queue. A subscriber that throws is
   * isolated (counted, reported as `hub/subscriber-error`); a slow one never
   * slows recording. Completes after `stop()`.
   */
  readonly events$: Observable<ObsEvent>;

  private readonly clock: Clock;
  private readonly own = new Subject<HubEvent>();
  private readonly delivery: EventDelivery<ObsEvent>;
  private readonly deliveries: EventDelivery<ObsEvent>[] = [];
  private readonly selections = new BoundedMap<string, Observable<ObsEvent>>(64);
  private readonly flows = new Subscription();
  private periodic: Subscription | undefined;
  private readonly sampler: DashboardSampler;
  /**
   * The dashboard's metric explorer: searchable metric names and live queries
   * (rates, gauge sums, histogram quantiles per sample interval), served by
   * `createHttpHandler` under `/api/metrics`.
   */
  readonly explorer: MetricExplorer;
  private readonly snapshotFile: SnapshotFile<HubSnapshot> | undefined;
  private persistChain: Promise<unknown> = Promise.resolve();
  private startPromise: Promise<void> | undefined;
  private stopPromise: Promise<void> | undefined;
  private startedAt: number | undefined;
  /** Whether this hub read its snapshot file (or never had to): only then may it overwrite it. */
  private restoreAttempted = false;
  /** Metric push exporters from `exporters`: attached on start, shut down on stop. */
  private readonly metricExporters: MetricsPushExporter[] = [];
  private readonly counters = {
    processorErrors: 0,
    persists: 0,
    persistErrors: 0,
    restoreErrors: 0,
    lastPersistedAt: undefined as number | undefined,
  };

  constructor(options: HubOptions = {}) {
    const config = resolveHubConfig(options);
    this.config = config;
    const clock = config.clock;
    this.clock = clock;
    const scheduler = config.scheduler;
    // Components keep their own fast clocks unless a clock was injected.
    const injected = options.clock !== undefined ? { clock } : {};

    this.metrics = createMetricsCollector({
      ...options.metrics,
      ...injected,
      metricsRetentionHours: config.metricsRetentionHours,
    });
    this.traces = createTraceManager({ ...options.tracing, ...injected, traceSampleRate: config.traceSampleRate });
    if (options.metrics?.exemplars === undefined) this.metrics.setExemplarSource(activeSampledSpan(this.traces));
    this.health = createHealthMonitor({
      ...options.health,
      clock,
      scheduler,
      healthCheckIntervalSeconds: config.healthCheckIntervalSeconds,
    });
    this.alerts = createAlertManager({
      ...options.alerts,
      clock,
      scheduler,
      alertEvaluationIntervalSeconds: config.alertEvaluationIntervalSeconds,
    });
    this.sloTracker = createSLOTracker({
      ...options.slo,
      clock,
      scheduler,
      evaluationIntervalMs: config.sloEvaluationIntervalSeconds * 1000,
    });
    this.anomalyDetector = createAnomalyDetector({ ...options.anomaly, clock });
    this.takeExporters(options.exporters);

    this.delivery = this.createDelivery(() => true, ALL_DOMAINS);
    this.events$ = this.delivery.events$;

    this.sampler = new DashboardSampler(this.metrics, config, (sample) =>
      this.emit({ type: 'hub/sample', ts: sample.ts, source: HUB_SOURCE, sample }),
    );
    this.explorer = new MetricExplorer(this.metrics, clock, { historySize: config.dashboard.historySize });
    this.snapshotFile = config.persistence
      ? new SnapshotFile<HubSnapshot>(config.persistence.path, { maxFileBytes: config.persistence.maxFileBytes })
      : undefined;
    this.wireFlows();
  }

  /** Whether `start()` has run and `stop()` has not. */
  get running(): boolean {
    return this.startedAt !== undefined && this.stopPromise === undefined;
  }

  /** Whether `stop()` has been called (the hub cannot be started again). */
  get isStopped(): boolean {
    return this.stopPromise !== undefined;
  }

  /** Whether the default latency flow feeds `metricName` to the anomaly detector (so callers need not call `detect` themselves). */
  watchesLatency(metricName: string): boolean {
    return (
      this.config.flows.latencyAnomalies &&
      typeof metricName === 'string' &&
      this.config.latencyMetricPattern.test(metricName)
    );
  }

  /**
   * Restores persisted state (if configured), then starts the periodic work.
   * Calling it again returns the same promise; after `stop()` it rejects.
   */
  start(): Promise<void> {
    if (this.stopPromise) return Promise.reject(new HubError('HUB_STOPPED', 'this hub was stopped; create a new one'));
    this.startPromise ??= this.doStart();
    return this.startPromise;
  }

  /**
   * Stops every timer and subscription, writes a last snapshot (if configured),
   * flushes span exporters and alert handlers, emits `hub/stopped` and completes
   * `events$`. Idempotent. Afterwards nothing keeps the process alive.
   */
  stop(): Promise<void> {
    this.stopPromise ??= this.doStop();
    return this.stopPromise;
  }

  /** The dashboard's data as plain JSON. */
  getDashboardData(): DashboardData {
    const counters: DashboardCounters = {
      hubEvents: this.deliveries.reduce((sum, d) => sum + d.stats().dropped, 0),
      subscriberErrors: this.deliveries.reduce((sum, d) => sum + d.stats().subscriberErrors, 0),
      processorErrors: this.counters.processorErrors,
      persistErrors: this.counters.persistErrors,
    };
    return buildDashboardData(this, this.sampler, counters, this.startedAt, this.running);
  }

  stats(): HubStats {
    return {
      running: this.running,
      delivery: this.delivery.stats(),
      processorErrors: this.counters.processorErrors,
      persists: this.counters.persists,
      persistErrors: this.counters.persistErrors,
      restoreErrors: this.counters.restoreErrors,
      lastPersistedAt: this.counters.lastPersistedAt,
    };
  }

  /** The state that persistence writes: each component's `snapshot()`. */
  snapshot(): HubSnapshot {
    return {
      metrics: this.metrics.snapshot(),
      alerts: this.alerts.snapshot(),
      slo: this.sloTracker.snapshot(),
      anomaly: this.anomalyDetector.snapshot(),
      health: this.health.snapshot(),
    };
  }

  /**
   * Writes a snapshot now (writes are serialized). Resolves undefined when
   * persistence is not configured; a failed write is reported as
   * `hub/persist-error` and rejects. Before `start()` has restored the saved
   * state this would replace it with the current (fresh) one; `stop()` and the
   * periodic writes never do that.
   */
  persistNow(): Promise<PersistResult | undefined> {
    const file = this.snapshotFile;
    if (!file) return Promise.resolve(undefined);
    const run = this.persistChain.then(async () => {
      const started = performance.now();
      const savedAt = this.clock.now();
      try {
        const bytes = await file.write(this.snapshot(), savedAt);
        this.counters.persists++;
        this.counters.lastPersistedAt = savedAt;
        this.emit({
          type: 'hub/persisted',
          ts: this.clock.now(),
          source: HUB_SOURCE,
          file: file.path,
          bytes,
          durationMs: performance.now() - started,
          components: SNAPSHOT_COMPONENTS,
        });
        return { file: file.path, bytes, savedAt };
      } catch (error) {
        this.counters.persistErrors++;
        this.emit({
          type: 'hub/persist-error',
          ts: this.clock.now(),
          source: HUB_SOURCE,
          file: file.path,
          error: errorMessage(error),
        });
        throw error;
      }
    });
    this.persistChain = run.catch(() => undefined);
    return run;
  }

  /**
   * Reads the snapshot file and restores each component from the newest
   * generation whose part it accepts. Every problem becomes a `hub/restore-error`
   * event; nothing throws. Returns whether anything was restored.
   */
  async restore(): Promise<boolean> {
    const file = this.snapshotFile;
    if (!file) return false;
    this.restoreAttempted = true;
    const result = await file.load();
    for (const problem of result.problems) {
      this.counters.restoreErrors++;
      const isCurrent = problem.file === file.path;
      this.emit({
        type: 'hub/restore-error',
        ts: this.clock.now(),
        source: HUB_SOURCE,
        file: problem.file,
        code: problem.code,
        error: problem.message,
        component: undefined,
        fallback: isCurrent && result.loaded?.generation === 'previous' ? 'previous' : 'none',
        quarantinedTo: isCurrent ? result.quarantined : undefined,
        keptAt: undefined,
      });
    }
    const primary = result.loaded;
    if (!primary) return false;
    const maxAbs = this.config.persistence?.maxAbsValue ?? 1e15;
    if (!primary.savedAtValid) {
      this.restoreProblem(
        primary.file,
        'VALUE_OUT_OF_RANGE',
        `savedAt is not a valid time; restoring the state without it`,
        undefined,
        'none',
        undefined,
      );
    }
    const restored: SnapshotComponent[] = [];
    for (const component of SNAPSHOT_COMPONENTS) {
      const candidates = [primary, result.fallback].filter((g) => g !== undefined && g.state[component] !== undefined);
      for (let i = 0; i < candidates.length; i++) {
        const generation = candidates[i] as NonNullable<typeof primary>;
        const fallback = i + 1 < candidates.length ? 'previous' : 'none';
        const part = generation.state[component];
        // Absurd numbers (1e308) are refused field by field; the component judges the rest.
        const sane = sanitizeState(part, maxAbs);
        if (sane.refusedCount > 0) {
          const listed = sane.refused.map((r) => `${component}.${r.path} = ${r.value}`).join(', ');
          this.restoreProblem(
            generation.file,
            'VALUE_OUT_OF_RANGE',
            `${sane.refusedCount} value(s) beyond ±${maxAbs} refused: ${listed}${sane.refusedCount > sane.refused.length ? ', …' : ''}`,
            component,
            'none',
            undefined,
          );
        }
        try {
          this.restoreComponent(component, sane.value);
          restored.push(component);
          break;
        } catch (error) {
          // Never lose it: the rejected part is kept beside the file for an operator to inspect or repair.
          const keptAt = await keepRejectedPart(file.path, component, generation, part, error);
          this.restoreProblem(
            generation.file,
            (error as { code?: string }).code ?? 'RESTORE_FAILED',
            errorMessage(error) + (keptAt ? ` (the part is kept in ${keptAt})` : ''),
            component,
            fallback,
            keptAt,
          );
        }
      }
    }
    this.emit({
      type: 'hub/restored',
      ts: this.clock.now(),
      source: HUB_SOURCE,
      file: primary.file,
      generation: primary.generation,
      savedAt: primary.savedAt,
      components: restored,
    });
    return restored.length > 0;
  }

  private restoreProblem(
    file: string,
    code: string,
    error: string,
    component: SnapshotComponent | undefined,
    fallback: 'previous' | 'none',
    keptAt: string | undefined,
  ): void {
    this.counters.restoreErrors++;
    this.emit({
      type: 'hub/restore-error',
      ts: this.clock.now(),
      source: HUB_SOURCE,
      file,
      code,
      error,
      component,
      fallback,
      quarantinedTo: undefined,
      keptAt,
    });
  }

  private restoreComponent(component: SnapshotComponent, state: unknown): void {
    switch (component) {
      case 'metrics':
        this.metrics.restore(state);
        return;
      case 'alerts':
        this.alerts.restore(state);
        return;
      case 'slo':
        this.sloTracker.restore(state);
        return;
      case 'anomaly':
        this.anomalyDetector.restore(state);
        return;
      case 'health':
        this.health.restore(state);
        return;
    }
  }

  private takeExporters(exporters: HubOptions['exporters']): void {
    if (exporters === undefined) return;
    if (!Array.isArray(exporters)) throw new HubValidationError('INVALID_CONFIG', 'exporters must be an array');
    for (const exporter of exporters as readonly unknown[]) {
      const e = exporter as Partial<MetricsPushExporter> & { onEnd?: unknown };
      if (e !== null && typeof e === 'object' && typeof e.onEnd === 'function')
        this.traces.addExporter(exporter as Parameters<TraceManager['addExporter']>[0]);
      else if (
        e !== null &&
        typeof e === 'object' &&
        typeof e.attach === 'function' &&
        typeof e.shutdown === 'function'
      )
        this.metricExporters.push(e as MetricsPushExporter);
      else
        throw new HubValidationError(
          'INVALID_CONFIG',
          'each exporter must be a span exporter (onEnd) or a metrics push exporter (attach, shutdown)',
        );
    }
  }

  private async doStart(): Promise<void> {
    const restored = this.config.persistence?.restoreOnStart ? await this.restore() : false;
    if (this.stopPromise) return;
    const { config } = this;
    const periodic = new Subscription();
    this.health.start();
    this.alerts.start(() => this.alertContext());
    if (config.sloTrackingEnabled) this.sloTracker.start();
    if (config.flows.dashboard) {
      periodic.add(
        interval(config.dashboard.sampleIntervalSeconds * 1000, config.scheduler).subscribe(() => {
          // The explorer samples first so its points share the tick that `hub/sample` announces.
          this.explorer.sample();
          this.sampler.sample();
        }),
      );
    }
    if (config.persistence) {
      periodic.add(
        interval(config.persistence.intervalSeconds * 1000, config.scheduler).subscribe(() => {
          this.persistNow().catch(() => undefined);
        }),
      );
    }
    this.periodic = periodic;
    for (const exporter of this.metricExporters) exporter.attach(this.metrics);
    this.startedAt = this.clock.now();
    this.sampler.reset();
    this.emit({ type: 'hub/started', ts: this.clock.now(), source: HUB_SOURCE, restored });
  }

  private async doStop(): Promise<void> {
    await this.startPromise?.catch(() => undefined);
    this.periodic?.unsubscribe();
    this.periodic = undefined;
    this.health.stop();
    this.alerts.stop();
    this.sloTracker.stop();
    let persisted = false;
    // A hub that never started (and so never restored) must not overwrite the saved state with a blank one.
    const mayPersist =
      this.startedAt !== undefined && (this.restoreAttempted || !this.config.persistence?.restoreOnStart);
    if (this.snapshotFile && mayPersist) persisted = (await this.persistNow().catch(() => undefined)) !== undefined;
    // A last push of every metric exporter, then span exporters flush.
    await Promise.all(
      this.metricExporters.map((e) =>
        Promise.resolve()
          .then(() => e.shutdown())
          .catch(() => undefined),
      ),
    );
    await this.traces.shutdown().catch(() => undefined);
    await this.alerts.drain().catch(() => undefined);
    this.flows.unsubscribe();
    this.emit({ type: 'hub/stopped', ts: this.clock.now(), source: HUB_SOURCE, persisted });
    for (const delivery of this.deliveries) delivery.complete();
    this.own.complete();
    this.alerts.dispose();
    this.sloTracker.dispose();
    this.health.dispose();
  }

  private wireFlows(): void {
    const { config } = this;
    const report = (failure: ProcessorFailure) => {
      this.counters.processorErrors++;
      this.emit({
        type: 'hub/processor-error',
        ts: this.clock.now(),
        source: HUB_SOURCE,
        processor: failure.processor,
        error: errorMessage(failure.error),
        restarts: failure.restarts,
        gaveUp: failure.gaveUp,
      });
    };
    const points$ = this.metrics.events$.pipe(
      ofType('metrics/point'),
      map((event) => event.point),
    );
    if (config.flows.latencyAnomalies) {
      const pattern = config.latencyMetricPattern;
      const latency$ = points$.pipe(
        filter((p) => (p.metricType === 'histogram' || p.metricType === 'timer') && pattern.test(p.name)),
      );
      // The detector reports anomalies as `anomaly/detected` events, which the alert flow consumes.
      // watch() never throws inside its observer: a point it cannot score becomes an
      // `anomaly/point-rejected` event, and a source error reaches supervise() as an error.
      this.flows.add(supervise('latency-anomalies', () => this.anomalyDetector.watch(latency$), report).subscribe());
    }
    if (config.flows.anomalyAlerts) {
      const flow = anomalyAlerts({
        resolveAfterMs: config.anomalyAlertResolveAfterSeconds * 1000,
        severity: config.anomalyAlertSeverity,
        scheduler: config.scheduler,
      });
      this.flows.add(
        this.alerts.connect(supervise('anomaly-alerts', () => flow(this.anomalyDetector.events$), report)),
      );
    }
    if (config.flows.healthAlerts) {
      const flow = healthAlerts();
      this.flows.add(this.alerts.connect(supervise('health-alerts', () => flow(this.health.events$), report)));
    }
    if (config.flows.sloAlerts) {
      const flow = sloAlerts();
      this.flows.add(this.alerts.connect(supervise('slo-alerts', () => flow(this.sloTracker.events$), report)));
    }
    if (config.flows.dashboard) {
      const names = this.sampler.names;
      this.flows.add(
        supervise(
          'dashboard',
          () =>
            points$.pipe(
              filter((p) => p.name === names.latency || p.name === names.confidence || this.explorer.wants(p.name)),
            ),
          report,
        ).subscribe((point) => {
          this.sampler.observe(point);
          if (this.explorer.wants(point.name)) this.explorer.observe(point);
        }),
      );
    }
  }

  /**
   * Alert rule context: each counter's total over its label sets by `name`, and
   * each series' latest value by `name` (no labels) or `name{label="value",…}`.
   * Bounded to 10 000 entries so a rule evaluation stays cheap.
   */
  private alertContext(): AlertContext {
    const context: Record<string, number | undefined> = Object.create(null) as Record<string, number | undefined>;
    let budget = 10_000;
    for (const name of this.metrics.listMetrics()) {
      let counter = false;
      for (const series of this.metrics.series(name)) {
        if (budget-- <= 0) return context;
        const latest = series.getLatest();
        if (!latest) continue;
        counter = latest.metricType === 'counter';
        const labels = Object.entries(latest.labels);
        if (labels.length === 0) context[name] = latest.value;
        else context[`${name}{${labels.map(([k, v]) => `${k}=${JSON.stringify(v)}`).join(',')}}`] = latest.value;
      }
      // Once per metric (it walks every series of the metric).
      if (counter) context[name] = this.metrics.getCounterTotal(name);
    }
    return context;
  }

  /**
   * A stream of only the selected events: a selector is a domain (`'alerts'`)
   * or an event type (`'metrics/cardinality-limit'`). Components whose events are
   * not selected are not even subscribed, so `hub.eventsOf('alerts', 'slo')`
   * costs nothing on the metrics hot path (unlike filtering `events$`, which
   * makes every recorded value an event). Delivery works as for `events$`, with
   * its own queue. The same selectors return the same stream.
   */
  eventsOf(...selectors: string[]): Observable<ObsEvent> {
    if (selectors.length === 0 || selectors.some((s) => typeof s !== 'string' || s.length === 0 || s.length > 128)) {
      throw new HubValidationError('INVALID_SELECTOR', 'eventsOf needs one or more domain names or event types');
    }
    const key = [...new Set(selectors)].sort().join(',');
    const cached = this.selections.get(key);
    if (cached) return cached;
    const sourceDomains = new Set<string>();
    const wholeDomains = new Set<string>();
    const types = new Set<string>();
    for (const selector of selectors) {
      const slash = selector.indexOf('/');
      if (slash < 0) wholeDomains.add(selector);
      else types.add(selector);
      sourceDomains.add(slash < 0 ? selector : selector.slice(0, slash));
    }
    const wanted = (type: string) => types.has(type) || wholeDomains.has(type.slice(0, type.indexOf('/')));
    const events$ = this.createDelivery(wanted, sourceDomains).events$;
    this.selections.set(key, events$);
    return events$;
  }

  private createDelivery(wanted: (type: string) => boolean, domains: ReadonlySet<string>): EventDelivery<ObsEvent> {
    const streams: Record<string, Observable<ObsEvent>> = {
      metrics: this.metrics.events$,
      traces: this.traces.events$,
      health: this.health.events$,
      alerts: this.alerts.events$,
      slo: this.sloTracker.events$,
      anomaly: this.anomalyDetector.events$,
      hub: this.own,
    };
    const sources = Object.keys(streams)
      .filter((domain) => domains.has(domain))
      .map((domain) => streams[domain] as Observable<ObsEvent>);
    const delivery = new EventDelivery<ObsEvent>({
      source: merge(...sources).pipe(filter((event) => wanted(event.type))),
      scheduler: this.config.scheduler,
      capacity: this.config.events.queueCapacity,
      batchBudgetMs: this.config.events.batchBudgetMs,
      subscriberErrorEvent: (error, event) =>
        // An error while delivering an error report is only counted, so a subscriber that always throws cannot loop.
        event?.type === 'hub/subscriber-error'
          ? undefined
          : {
              type: 'hub/subscriber-error',
              ts: this.clock.now(),
              source: HUB_SOURCE,
              error: errorMessage(error),
              eventType: event?.type,
            },
      droppedEvent: (count) => ({ type: 'hub/events-dropped', ts: this.clock.now(), source: HUB_SOURCE, count }),
    });
    this.deliveries.push(delivery);
    return delivery;
  }

  private emit(event: HubEvent): void {
    this.own.next(event);
  }
}

/**
 * Creates an {@link ObservabilityHub}: every component with the contract's
 * defaults, the default flows wired, nothing running until `start()`.
 *
 * @example
 * const hub = createObservabilityHub({ traceSampleRate: 1, persistence: { path: './obs-state.json' } });
 * await hub.start();
 * hub.metrics.increment('jobs_total');
 * // On SIGTERM: fail readiness, drain, then stop the hub (writes the last snapshot).
 * const lifecycle = createLifecycle({ health: hub.health, shutdownDelayMs: 5000 });
 * lifecycle.onShutdown('hub', () => hub.stop());
 */
export function createObservabilityHub(options?: HubOptions): ObservabilityHub {
  return new ObservabilityHub(options);
}

/**
 * The exemplar source the hub gives its metrics: the sampled span active where a value is
 * recorded. Cheap while no span was ever made active (the trace manager skips its
 * async-context lookup until then), so recording outside traces costs one call.
 */
function activeSampledSpan(traces: TraceManager): ExemplarSource {
  return () => {
    const span = traces.getActiveSpan();
    return span !== undefined && span.context.sampled ? span.context : undefined;
  };
}
