import { POSITIVE_NUMBER, describeValue, isThenable, requireNumber, type Labels } from '@obs/core';
import { invalidConfig } from './internal/validate';
import { InvalidConfigError } from './errors';
import { validateMetricName } from './names';

/** What an observable callback returns: one value, or one value per label set. */
export type ObservableResult = number | readonly ObservableSample[];

export interface ObservableSample {
  readonly labels?: Labels;
  readonly value: number;
}

/** Read at scrape time and by `getGauge`/`getCounter`; may return a promise (see README). */
export type ObservableCallback = () => ObservableResult | PromiseLike<ObservableResult>;

export interface ObservableOptions {
  /**
   * Longest a callback may take (default 1000 ms). A promise that has not settled by then
   * is abandoned; a synchronous callback that ran longer is counted and then skipped for ten
   * times this long (its last values stay), so one slow callback cannot slow every scrape.
   */
  readonly timeoutMs?: number;
}

/** The counter that records callback failures, labelled `metric` and `reason` (`error`, `timeout`, `invalid`). */
export const CALLBACK_FAILURES_METRIC = 'obs_metrics_callback_failures_total';

/** The part of MetricsCollector the instruments write through (its public API). */
export interface ObservableTarget {
  gauge(name: string, value: number, labels?: Labels): void;
  increment(name: string, value?: number, labels?: Labels): void;
  getCounterUnobserved(name: string, labels?: Labels): number;
  removeSeries(name: string, labels?: Labels): boolean;
  removeMetric(name: string): boolean;
}

type Kind = 'gauge' | 'counter';

interface Instrument {
  readonly kind: Kind;
  readonly name: string;
  readonly callback: ObservableCallback;
  readonly timeoutMs: number;
  /** Generation of the promise in flight (0: none); a late settlement of an abandoned one is ignored. */
  inFlight: number;
  skipUntil: number;
  /** Label sets written by the last successful run, by canonical key, so vanished ones are removed. */
  written: Map<string, Labels | undefined>;
  /** The map the next run fills (the two are swapped, so a scrape allocates none). */
  spare: Map<string, Labels | undefined>;
}

const DEFAULT_TIMEOUT_MS = 1000;
const MAX_SAMPLES = 10_000;

/** Identity of a label set independent of key order (names cannot contain the separators). */
function sampleKey(labels: Labels | undefined): string {
  if (labels === undefined) return '';
  // One label (the common case: a type, a space, a route) needs no name list or sort.
  let only: string | undefined;
  let count = 0;
  for (const name in labels) {
    only = name;
    if (++count > 1) break;
  }
  if (count === 0) return '';
  if (count === 1) return only! + '\u0000' + String(labels[only!]) + '\u0001';
  const names = Object.keys(labels);
  if (names.length > 1) names.sort();
  let key = '';
  for (const name of names) key += name + '\u0000' + String(labels[name]) + '\u0001';
  return key;
}

/**
 * Callback (observable) gauges and counters of one collector. Callbacks run before
 * every exposition and before a `getGauge`/`getCounter` of their metric; their values
 * are written into ordinary series, so every reader sees them. A callback that throws,
 * returns something invalid or is too slow is counted in {@link CALLBACK_FAILURES_METRIC}
 * and never breaks the read: the metric keeps its last good values.
 */
export class Observables {
  private readonly instruments = new Map<string, Instrument>();
  private generation = 0;
  private running: Instrument | undefined;

  constructor(
    private readonly target: ObservableTarget,
    private readonly now: () => number = () => performance.now(),
  ) {}

  get size(): number {
    return this.instruments.size;
  }

  add(kind: Kind, name: string, callback: ObservableCallback, options: ObservableOptions = {}): () => void {
    validateMetricName(name);
    if (typeof callback !== 'function')
      throw new InvalidConfigError(`the callback of ${name} must be a function, got ${describeValue(callback)}`);
    if (this.instruments.has(name)) throw new InvalidConfigError(`metric ${name} already has a callback`);
    const timeoutMs = requireNumber(
      options.timeoutMs ?? DEFAULT_TIMEOUT_MS,
      'timeoutMs',
      POSITIVE_NUMBER,
      invalidConfig,
    );
    const instrument: Instrument = {
      kind,
      name,
      callback,
      timeoutMs,
      inFlight: 0,
      skipUntil: -Infinity,
      written: new Map(),
      spare: new Map(),
    };
    this.instruments.set(name, instrument);
    return () => {
      if (this.instruments.get(name) !== instrument) return;
      this.instruments.delete(name);
      instrument.inFlight = 0;
      this.target.removeMetric(name);
    };
  }

  /** Runs every callback (before an exposition or export). */
  runAll(): void {
    // One clock read per callback: each one's end is the next one's start (a clock read can
    // cost more than a simple callback).
    let now = this.now();
    for (const instrument of [...this.instruments.values()]) now = this.runOne(instrument, now);
  }

  /** Runs the callback of `name`, if it has one. */
  run(name: string): void {
    const instrument = this.instruments.get(name);
    if (instrument !== undefined) this.runOne(instrument, this.now());
  }

  /** Runs one callback that starts at `started`; returns the time it ended. */
  private runOne(instrument: Instrument, started: number): number {
    // A callback that reads its own metric must not run itself again.
    if (this.running !== undefined || instrument.inFlight !== 0 || started < instrument.skipUntil) return started;
    let result: ObservableResult | PromiseLike<ObservableResult>;
    this.running = instrument;
    try {
      result = instrument.callback();
    } catch {
      this.running = undefined;
      this.fail(instrument, 'error');
      return this.now();
    }
    this.running = undefined;
    const ended = this.now();
    const took = ended - started;
    if (took > instrument.timeoutMs) {
      this.fail(instrument, 'timeout');
      instrument.skipUntil = ended + 10 * instrument.timeoutMs;
    }
    if (isThenable(result)) this.await(instrument, result as PromiseLike<ObservableResult>);
    else this.apply(instrument, result);
    return ended;
  }

  private await(instrument: Instrument, promise: PromiseLike<ObservableResult>): void {
    const generation = ++this.generation;
    instrument.inFlight = generation;
    const timer = setTimeout(() => {
      if (instrument.inFlight !== generation) return;
      instrument.inFlight = 0;
      this.fail(instrument, 'timeout');
    }, instrument.timeoutMs);
    timer.unref?.();
    Promise.resolve(promise).then(
      (value) => {
        if (instrument.inFlight !== generation) return;
        clearTimeout(timer);
        instrument.inFlight = 0;
        if (this.instruments.get(instrument.name) === instrument) this.apply(instrument, value);
      },
      () => {
        if (instrument.inFlight !== generation) return;
        clearTimeout(timer);
        instrument.inFlight = 0;
        this.fail(instrument, 'error');
      },
    );
  }

  private apply(instrument: Instrument, result: unknown): void {
    if (typeof result === 'number') {
      this.applyOne(instrument, result);
      return;
    }
    const samples = Array.isArray(result) && result.length <= MAX_SAMPLES ? (result as ObservableSample[]) : undefined;
    if (samples === undefined) {
      this.fail(instrument, 'invalid');
      return;
    }
    const written = instrument.spare;
    written.clear();
    let invalid = false;
    for (const sample of samples) {
      if (typeof sample !== 'object' || sample === null) {
        invalid = true;
        continue;
      }
      try {
        this.write(instrument, sample.value, sample.labels);
        written.set(sampleKey(sample.labels), sample.labels);
      } catch {
        invalid = true;
      }
    }
    if (invalid) {
      // A partly bad result removes nothing: the series it failed to write keep their last good values.
      this.fail(instrument, 'invalid');
      for (const [key, labels] of written) instrument.written.set(key, labels);
      return;
    }
    for (const [key, labels] of instrument.written) {
      if (!written.has(key)) this.target.removeSeries(instrument.name, labels);
    }
    instrument.spare = instrument.written;
    instrument.written = written;
  }

  /** A single unlabeled value: no sample objects, no key map churn. */
  private applyOne(instrument: Instrument, value: number): void {
    try {
      this.write(instrument, value, undefined);
    } catch {
      this.fail(instrument, 'invalid');
      return;
    }
    const written = instrument.written;
    if (written.size === 1 && written.has('')) return;
    for (const [key, labels] of written) if (key !== '') this.target.removeSeries(instrument.name, labels);
    written.clear();
    written.set('', undefined);
  }

  private write(instrument: Instrument, value: number, labels: Labels | undefined): void {
    if (instrument.kind === 'gauge') {
      this.target.gauge(instrument.name, value, labels);
      return;
    }
    if (typeof value !== 'number' || !(value >= 0) || value === Infinity)
      throw new InvalidConfigError('a counter callback must return finite totals >= 0');
    const current = this.target.getCounterUnobserved(instrument.name, labels);
    if (value >= current) this.target.increment(instrument.name, value - current, labels);
    else {
      // The total went down: the source restarted, so the counter restarts too (a reset, as Prometheus sees it).
      this.target.removeSeries(instrument.name, labels);
      this.target.increment(instrument.name, value, labels);
    }
  }

  private fail(instrument: Instrument, reason: 'error' | 'timeout' | 'invalid'): void {
    try {
      this.target.increment(CALLBACK_FAILURES_METRIC, 1, { metric: instrument.name, reason });
    } catch {
      // The failure counter itself hit a limit: nothing more to record.
    }
  }
}
