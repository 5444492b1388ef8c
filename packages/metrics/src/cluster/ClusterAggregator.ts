import cluster from 'node:cluster';
import {
  EventBus,
  POSITIVE_INTEGER,
  describeValue,
  isValidLabelName,
  optionalNumber,
  requireOneOf,
  systemClock,
} from '@obs/core';
import { invalidConfig } from '../internal/validate';
import type { Observable } from 'rxjs';
import { InvalidConfigError } from '../errors';
import { MetricsCollector } from '../MetricsCollector';
import type { CollectedMetrics, MetricsProducer } from '../MetricsProducer';
import type { MetricsSnapshot } from '../snapshot';
import { serializeFormat, type Exposition } from '../exposition/serialize';
import { negotiateFormat } from '../exposition/negotiateFormat';
import { collectorOf } from './aggregateSnapshots';
import { ClusterState, GAUGE_POLICIES, type GaugePolicy, type MergeReport } from './ClusterState';
import { isClusterSource, readSource, type ClusterSource } from './connectToPrimary';
import type { ClusterEvent } from './events';
import { indexWire } from './indexSnapshot';
import { collectedToSnapshot } from './collectedToSnapshot';
import { linkFor, type WorkerLink, type WorkerTarget } from './links';
import { collectMessage, envelopeProblem, isTagged, type StateMessage } from './protocol';

export interface ClusterAggregatorConfig {
  /** How gauges of several workers are combined (default `'per-worker'`: one series per worker, nothing is lost). */
  readonly gaugePolicy?: GaugePolicy;
  /** Per-metric overrides of `gaugePolicy`, e.g. `{ queue_depth: 'sum', config_version: 'max' }`. */
  readonly gaugePolicies?: Readonly<Record<string, GaugePolicy>>;
  /** Label that tells workers apart under the `per-worker` policy (default `'worker'`). */
  readonly workerLabel?: string;
  /** How long `collect()` / `metrics()` wait for every worker's answer before using its last state (default 2000 ms). */
  readonly collectTimeoutMs?: number;
  /** The primary's own collector (anything with `collect()`), merged in as worker `primary`. */
  readonly local?: ClusterSource;
  /** Workers tracked at once (default 1024); more are refused. */
  readonly maxWorkers?: number;
  /** Series per metric in the merged view (default 10000); more are dropped and counted. */
  readonly maxSeriesPerMetric?: number;
  /** Metric names per worker state and in the merged view (default 10000). */
  readonly maxMetrics?: number;
}

/** One tracked worker, from {@link ClusterAggregator.addWorker}. */
export interface WorkerHandle {
  readonly id: string;
  /** Stops tracking it; its counters and histograms stay in the totals. */
  remove(): void;
}

export interface ClusterWorkerInfo {
  readonly id: string;
  /** Live collector instances reporting through this worker (usually 1; 0 before its first state). */
  readonly instances: number;
  /** Epoch ms of its last state at the primary, undefined before the first. */
  readonly lastStateAt: number | undefined;
}

export interface ClusterAggregatorStats {
  /** Workers tracked now. */
  readonly workers: number;
  /** Live collector instances (workers that have sent a state, plus `local`). */
  readonly instances: number;
  /** State messages accepted. */
  readonly states: number;
  /** Tagged messages refused as a whole (bad envelope, unknown version) plus invalid metrics and series inside accepted ones. */
  readonly rejected: number;
  /** Series kept from workers that left or reset (their totals still count). */
  readonly retiredSeries: number;
  /** Series whose totals could not be kept when they left, because of limits or a conflicting definition. */
  readonly lostOnRetire: number;
  /** From the last merge. */
  readonly lastMerge: MergeReport;
  /** From the last `collect()`: workers that answered and that did not answer in time. */
  readonly lastCollect: { readonly answered: number; readonly timedOut: number };
}

export interface CollectOptions {
  readonly timeoutMs?: number;
}

interface TrackedWorker {
  readonly link: WorkerLink;
  readonly instances: Set<string>;
  lastStateAt: number | undefined;
  stop: () => void;
}

interface PendingAsk {
  readonly waiting: Set<TrackedWorker>;
  readonly offer: (tracked: TrackedWorker, message: unknown) => void;
  readonly done: () => void;
}

/** What {@link ClusterAggregator.ask} resolves with. */
export interface AskResult<T> {
  /** Workers the message was sent to. */
  readonly asked: number;
  /** One answer per worker that answered, in the order they arrived. */
  readonly answers: T[];
  /** Workers asked that neither answered in time nor exited. */
  readonly timedOut: number;
}

interface PendingCollect {
  readonly waiting: Set<TrackedWorker>;
  answered: number;
  readonly done: () => void;
}

const SOURCE = 'metrics';

/**
 * The primary's side of cluster aggregation: tracks workers (node:cluster workers,
 * worker_threads workers, MessagePorts), keeps the latest metric state each one sent,
 * and serves one merged view: counters summed (never going backwards when a worker dies
 * or restarts), histogram sketches and classic buckets merged exactly, gauges by policy.
 *
 * @example
 * // primary
 * const aggregator = createClusterAggregator({ gaugePolicies: { jobs_in_flight: 'sum' } });
 * aggregator.attachCluster();
 * http.createServer(async (req, res) => {
 *   const { contentType, body } = await aggregator.metrics(req.headers.accept);
 *   res.writeHead(200, { 'Content-Type': contentType }).end(body);
 * }).listen(9100);
 * // each worker
 * connectToPrimary(metrics);
 */
export class ClusterAggregator {
  readonly events$: Observable<ClusterEvent>;

  private readonly bus = new EventBus<ClusterEvent>();
  private readonly state: ClusterState;
  private readonly workers = new Map<WorkerLink, TrackedWorker>();
  private readonly lastSeq = new Map<string, number>();
  private readonly pending = new Map<number, PendingCollect>();
  private readonly asks = new Set<PendingAsk>();
  private readonly collectTimeoutMs: number;
  private readonly maxWorkers: number;
  private readonly maxSeriesPerMetric: number;
  private readonly maxMetrics: number;
  private readonly local: ClusterSource | undefined;
  private readonly limits: { maxMetrics: number; maxSeriesPerMetric: number };
  private requestSeq = 0;
  private threadCount = 0;
  private states = 0;
  private rejected = 0;
  private lastMerge: MergeReport = { conflicts: 0, droppedSeries: 0, invalidSketches: 0 };
  private lastCollect = { answered: 0, timedOut: 0 };
  private detachCluster: (() => void) | undefined;
  private closed = false;

  constructor(config: ClusterAggregatorConfig = {}) {
    if (typeof config !== 'object' || config === null) throw new InvalidConfigError('config must be an object');
    const defaultPolicy =
      config.gaugePolicy === undefined
        ? 'per-worker'
        : requireOneOf(config.gaugePolicy, 'gaugePolicy', GAUGE_POLICIES, invalidConfig);
    const overrides = new Map<string, GaugePolicy>();
    if (config.gaugePolicies !== undefined) {
      if (typeof config.gaugePolicies !== 'object' || config.gaugePolicies === null)
        throw new InvalidConfigError('gaugePolicies must be an object');
      for (const [name, p] of Object.entries(config.gaugePolicies))
        overrides.set(name, requireOneOf(p, `gaugePolicies.${name}`, GAUGE_POLICIES, invalidConfig));
    }
    const workerLabel = config.workerLabel ?? 'worker';
    if (!isValidLabelName(workerLabel) || workerLabel === 'le')
      throw new InvalidConfigError(`workerLabel must be a label name, got ${describeValue(workerLabel)}`);
    this.collectTimeoutMs = optionalNumber(
      config.collectTimeoutMs,
      'collectTimeoutMs',
      2000,
      POSITIVE_INTEGER,
      invalidConfig,
    );
    this.maxWorkers = optionalNumber(config.maxWorkers, 'maxWorkers', 1024, POSITIVE_INTEGER, invalidConfig);
    this.maxSeriesPerMetric = optionalNumber(
      config.maxSeriesPerMetric,
      'maxSeriesPerMetric',
      10_000,
      POSITIVE_INTEGER,
      invalidConfig,
    );
    this.maxMetrics = optionalNumber(config.maxMetrics, 'maxMetrics', 10_000, POSITIVE_INTEGER, invalidConfig);
    if (config.local !== undefined && !isClusterSource(config.local)) {
      throw new InvalidConfigError('local must be a MetricsCollector (something with collect())');
    }
    this.local = config.local;
    this.limits = { maxMetrics: this.maxMetrics, maxSeriesPerMetric: this.maxSeriesPerMetric };
    this.state = new ClusterState({
      maxMetrics: this.maxMetrics,
      maxSeriesPerMetric: this.maxSeriesPerMetric,
      workerLabel,
      policyOf: (name) => overrides.get(name) ?? defaultPolicy,
    });
    this.events$ = this.bus.events$;
  }

  /**
   * Tracks every node:cluster worker, those forked already and those forked later
   * (call it in the primary). Returns a function that stops tracking new ones.
   */
  attachCluster(
    clusterModule: {
      workers?: NodeJS.Dict<unknown>;
      on(event: 'fork', fn: (w: unknown) => void): unknown;
      off(event: 'fork', fn: (w: unknown) => void): unknown;
    } = cluster,
  ): () => void {
    this.assertOpen();
    this.detachCluster?.();
    const onFork = (worker: unknown) => {
      try {
        this.addWorker(worker as WorkerTarget);
      } catch {
        // Past maxWorkers: the worker runs, its metrics are not aggregated (see stats.workers).
      }
    };
    for (const worker of Object.values(clusterModule.workers ?? {})) if (worker) onFork(worker);
    clusterModule.on('fork', onFork);
    const detach = () => {
      clusterModule.off('fork', onFork);
      if (this.detachCluster === detach) this.detachCluster = undefined;
    };
    this.detachCluster = detach;
    return detach;
  }

  /**
   * Tracks one worker: a node:cluster `Worker`, a worker_threads `Worker`, or a
   * `MessagePort` whose other end a worker passed to `connectToPrimary`. `id` names it
   * in the `worker` label (default: the cluster worker id, or the thread id).
   */
  addWorker(target: WorkerTarget, options: { id?: string } = {}): WorkerHandle {
    this.assertOpen();
    if (
      options.id !== undefined &&
      (typeof options.id !== 'string' || options.id.length === 0 || options.id.length > 128)
    ) {
      throw new InvalidConfigError('worker id must be a non-empty string of at most 128 characters');
    }
    const link = linkFor(target, options.id ?? (isPortOnly(target) ? `port-${++this.threadCount}` : undefined));
    if (!link)
      throw new InvalidConfigError('addWorker() takes a node:cluster Worker, a worker_threads Worker or a MessagePort');
    for (const tracked of this.workers.values()) {
      if (tracked.link.id === link.id) throw new InvalidConfigError(`a worker with id ${link.id} is already tracked`);
    }
    if (this.workers.size >= this.maxWorkers)
      throw new InvalidConfigError(`at most ${this.maxWorkers} workers are tracked`);
    const tracked: TrackedWorker = { link, instances: new Set(), lastStateAt: undefined, stop: () => undefined };
    this.workers.set(link, tracked);
    tracked.stop = link.listen(
      (message) => this.onMessage(tracked, message),
      () => this.drop(tracked, 'exit'),
    );
    return { id: link.id, remove: () => this.drop(tracked, 'removed') };
  }

  /** Tracked workers. */
  listWorkers(): ClusterWorkerInfo[] {
    return [...this.workers.values()].map((w) => ({
      id: w.link.id,
      instances: w.instances.size,
      lastStateAt: w.lastStateAt,
    }));
  }

  /**
   * Asks every worker for its state now and resolves with the merged view once all have
   * answered, or after `timeoutMs` with the last state of those that did not (a busy
   * worker never holds a scrape for longer than that).
   */
  async collect(options: CollectOptions = {}): Promise<MetricsSnapshot> {
    await this.gather(options);
    return this.snapshot();
  }

  /** {@link collect}, resolving with the merged view in the form of `MetricsCollector.collect()`. */
  async collectMerged(options: CollectOptions = {}): Promise<CollectedMetrics> {
    await this.gather(options);
    return this.merged();
  }

  private timeoutOf(options: CollectOptions): number {
    return optionalNumber(options.timeoutMs, 'timeoutMs', this.collectTimeoutMs, POSITIVE_INTEGER, invalidConfig);
  }

  /** Asks every worker for its state and waits for the answers (or the timeout). */
  private async gather(options: CollectOptions): Promise<void> {
    this.assertOpen();
    const timeoutMs = this.timeoutOf(options);
    const id = ++this.requestSeq;
    const waiting = new Set<TrackedWorker>();
    for (const tracked of this.workers.values()) if (tracked.link.send(collectMessage(id))) waiting.add(tracked);
    if (waiting.size > 0) {
      let answered = 0;
      await new Promise<void>((resolve) => {
        const timer = setTimeout(done, timeoutMs);
        const pending: PendingCollect = { waiting, answered: 0, done };
        this.pending.set(id, pending);
        function done() {
          clearTimeout(timer);
          answered = pending.answered;
          resolve();
        }
      });
      this.pending.delete(id);
      this.lastCollect = { answered, timedOut: waiting.size };
    } else this.lastCollect = { answered: 0, timedOut: 0 };
  }

  /**
   * Sends an application message to every tracked worker and gathers one answer from each:
   * the first message of that worker (not one of the aggregator's own) for which
   * `answerOf` returns something. Resolves once every worker has answered or exited, or
   * after `timeoutMs` with what arrived. For protocols of other libraries over the same
   * channels (the prom-client drop-in's AggregatorRegistry speaks prom-client's this way),
   * with the aggregator's worker tracking.
   */
  async ask<T>(
    message: object,
    answerOf: (reply: unknown) => T | undefined,
    options: CollectOptions = {},
  ): Promise<AskResult<T>> {
    this.assertOpen();
    const timeoutMs = this.timeoutOf(options);
    const answers: T[] = [];
    const waiting = new Set<TrackedWorker>();
    for (const tracked of this.workers.values()) if (tracked.link.send(message)) waiting.add(tracked);
    const asked = waiting.size;
    if (waiting.size === 0) return { asked: 0, answers, timedOut: 0 };
    await new Promise<void>((resolve) => {
      const ask: PendingAsk = {
        waiting,
        offer: (tracked, reply) => {
          if (!waiting.has(tracked)) return;
          let answer: T | undefined;
          try {
            answer = answerOf(reply);
          } catch {
            answer = undefined; // a throwing matcher must not take the aggregator's listener down
          }
          if (answer === undefined) return;
          answers.push(answer);
          waiting.delete(tracked);
          if (waiting.size === 0) ask.done();
        },
        done: () => {
          clearTimeout(timer);
          this.asks.delete(ask);
          resolve();
        },
      };
      const timer = setTimeout(ask.done, timeoutMs);
      this.asks.add(ask);
    });
    return { asked, answers, timedOut: waiting.size };
  }

  /** The merged view of the states received so far (no round trip), as a snapshot. */
  snapshot(): MetricsSnapshot {
    return collectedToSnapshot(this.merged());
  }

  /**
   * The merged view of the states received so far (no round trip) in the form of
   * `MetricsCollector.collect()`: what `serialize()` and the exporters read.
   */
  merged(): CollectedMetrics {
    if (this.local) {
      try {
        const { index } = indexWire(readSource(this.local), this.limits, Date.now());
        this.state.ingest('\0local', 'primary', index);
      } catch {
        this.rejected++;
      }
    }
    const { collected, report } = this.state.merge(Date.now());
    this.lastMerge = report;
    return collected;
  }

  /** The merged view as a producer (`serialize()`, exporters): each `collect()` merges the states received so far. */
  get producer(): MetricsProducer {
    return { collect: () => this.merged() };
  }

  /** {@link collect}, then the merged view as Prometheus text or OpenMetrics (by `accept`), for `GET /metrics`. */
  async metrics(accept?: string | readonly string[] | null, options: CollectOptions = {}): Promise<Exposition> {
    const collected = await this.collectMerged(options);
    return serializeFormat({ collect: () => collected }, negotiateFormat(accept));
  }

  /** The merged view of the states received so far, rendered (no round trip). */
  serialize(accept?: string | readonly string[] | null): Exposition {
    const collected = this.merged();
    return serializeFormat({ collect: () => collected }, negotiateFormat(accept));
  }

  /**
   * A collector holding the merged view (for `getHistogramStats`, `getQuantile`, … across
   * the cluster): the current one, or a snapshot or collected state given.
   */
  toCollector(state: MetricsSnapshot | CollectedMetrics = this.merged()): MetricsCollector {
    const limits = { maxSeriesPerMetric: this.maxSeriesPerMetric, maxMetrics: this.maxMetrics };
    if ((state as MetricsSnapshot).version === 1) {
      const collector = new MetricsCollector(limits);
      collector.restore(state);
      return collector;
    }
    return collectorOf(state as CollectedMetrics, limits);
  }

  get stats(): ClusterAggregatorStats {
    let instances = this.local ? 1 : 0;
    for (const w of this.workers.values()) instances += w.instances.size;
    return {
      workers: this.workers.size,
      instances,
      states: this.states,
      rejected: this.rejected,
      retiredSeries: this.state.retiredSeries,
      lostOnRetire: this.state.lostOnRetire,
      lastMerge: this.lastMerge,
      lastCollect: this.lastCollect,
    };
  }

  /** Stops listening to every worker and ends `events$`. Pending collects resolve with what they have. */
  close(): void {
    if (this.closed) return;
    this.detachCluster?.();
    for (const tracked of [...this.workers.values()]) tracked.stop();
    this.workers.clear();
    for (const p of this.pending.values()) p.done();
    for (const a of [...this.asks]) a.done();
    this.closed = true;
    this.bus.complete();
  }

  private onMessage(tracked: TrackedWorker, message: unknown): void {
    if (!isTagged(message)) {
      for (const ask of [...this.asks]) ask.offer(tracked, message);
      return;
    }
    const problem = envelopeProblem(message as never);
    if (problem !== undefined) return this.reject(tracked, problem);
    if (message.kind !== 'state') return;
    const state = message as unknown as StateMessage;
    const memberKey = tracked.link.id + '\0' + state.instance;
    const last = this.lastSeq.get(memberKey);
    if (last !== undefined && state.seq <= last) return; // stale or duplicated
    if (last === undefined && !tracked.instances.has(state.instance) && tracked.instances.size >= 64) {
      return this.reject(tracked, 'too many collector instances in one worker');
    }
    const { index, rejected } = indexWire(state.metrics, this.limits, state.at);
    if (rejected > 0) {
      this.rejected += rejected;
      this.bus.emit({
        type: 'metrics/cluster-message-rejected',
        ts: systemClock.now(),
        source: SOURCE,
        worker: tracked.link.id,
        reason: `${rejected} invalid metric(s) or series skipped`,
      });
    }
    this.states++;
    tracked.lastStateAt = systemClock.now();
    this.lastSeq.set(memberKey, state.seq);
    this.state.ingest(memberKey, tracked.link.id, index);
    if (!tracked.instances.has(state.instance)) {
      tracked.instances.add(state.instance);
      this.bus.emit({
        type: 'metrics/cluster-worker-joined',
        ts: systemClock.now(),
        source: SOURCE,
        worker: tracked.link.id,
        instance: state.instance,
      });
    }
    if (state.replyTo !== undefined) {
      const pending = this.pending.get(state.replyTo);
      if (pending?.waiting.delete(tracked)) {
        pending.answered++;
        if (pending.waiting.size === 0) pending.done();
      }
    }
    if (state.final === true) {
      tracked.instances.delete(state.instance);
      this.retireInstance(tracked, state.instance, 'final');
    }
  }

  private retireInstance(tracked: TrackedWorker, instance: string, reason: 'exit' | 'final' | 'removed'): void {
    const memberKey = tracked.link.id + '\0' + instance;
    this.state.remove(memberKey);
    // Its sequence number is kept, so a late duplicate of an old message cannot bring it back.
    this.bus.emit({
      type: 'metrics/cluster-worker-left',
      ts: systemClock.now(),
      source: SOURCE,
      worker: tracked.link.id,
      instance,
      reason,
    });
  }

  private drop(tracked: TrackedWorker, reason: 'exit' | 'removed'): void {
    if (this.workers.get(tracked.link) !== tracked) return;
    tracked.stop();
    this.workers.delete(tracked.link);
    for (const instance of tracked.instances) this.retireInstance(tracked, instance, reason);
    tracked.instances.clear();
    for (const p of this.pending.values()) {
      if (p.waiting.delete(tracked) && p.waiting.size === 0) p.done();
    }
    for (const a of [...this.asks]) {
      if (a.waiting.delete(tracked) && a.waiting.size === 0) a.done();
    }
  }

  private reject(tracked: TrackedWorker, reason: string): void {
    this.rejected++;
    this.bus.emit({
      type: 'metrics/cluster-message-rejected',
      ts: systemClock.now(),
      source: SOURCE,
      worker: tracked.link.id,
      reason,
    });
  }

  private assertOpen(): void {
    if (this.closed) throw new InvalidConfigError('this ClusterAggregator is closed');
  }
}

function isPortOnly(target: unknown): boolean {
  const t = target as { threadId?: unknown; isConnected?: unknown };
  return typeof t === 'object' && t !== null && typeof t.threadId !== 'number' && typeof t.isConnected !== 'function';
}

/** Creates the primary's aggregator; see {@link ClusterAggregator}. */
export function createClusterAggregator(config?: ClusterAggregatorConfig): ClusterAggregator {
  return new ClusterAggregator(config);
}
