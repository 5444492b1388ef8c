import type { Labels } from '@obs/core';
import { InvalidConfigError } from '../errors';
import type { MetricsCollector } from '../MetricsCollector';
import type { ObservableResult } from '../observables';
import { GC_METRIC, RUNTIME_METRICS, RuntimeReads, type RuntimeValue } from './definitions';
import { RuntimeSampler } from './RuntimeSampler';

export interface RuntimeMetricsOptions {
  /** Prepended to every metric name (default none). */
  readonly prefix?: string;
  /** Static labels added to every runtime series (e.g. `{ service: 'api' }`). */
  readonly labels?: Labels;
  /** GC pause histogram bounds in seconds (default prom-client's `[0.001, 0.01, 0.1, 1, 2, 5]`). */
  readonly gcDurationBuckets?: readonly number[];
  /** Event-loop delay sampling period in ms (default 10). */
  readonly eventLoopResolutionMs?: number;
  /** Window of the event-loop delay statistics in seconds (default 60). */
  readonly eventLoopWindowSeconds?: number;
}

/** Adds the static labels; merged label objects are kept per source object (those are kept across scrapes too). */
function withLabels(
  value: RuntimeValue,
  labels: Labels | undefined,
  merged: WeakMap<object, Labels>,
): ObservableResult {
  if (value === undefined) return [];
  if (typeof value === 'number') return labels === undefined ? value : [{ labels, value }];
  if (labels === undefined) return value;
  return value.map((s) => {
    let both = merged.get(s.labels);
    if (both === undefined) merged.set(s.labels, (both = { ...s.labels, ...labels }));
    return { labels: both, value: s.value };
  });
}

/**
 * Records the process's runtime metrics in `collector` under prom-client's
 * `collectDefaultMetrics` names and labels (see README for the list): callback gauges and
 * counters read at scrape time (and by `getGauge`), plus the GC pause histogram. Event-loop
 * delay is kept in a sliding-window sketch, so its p50/p90/p99 are quantiles of the last
 * `eventLoopWindowSeconds`, not averages. Returns a function that stops collection and
 * removes the metrics.
 *
 * @example
 * const stop = collectRuntimeMetrics(metrics, { labels: { service: 'api' } });
 * metrics.getGauge('nodejs_eventloop_lag_p99_seconds', { service: 'api' });
 */
export function collectRuntimeMetrics(collector: MetricsCollector, options: RuntimeMetricsOptions = {}): () => void {
  if (typeof options !== 'object' || options === null) throw new InvalidConfigError('options must be an object');
  const prefix = options.prefix ?? '';
  if (typeof prefix !== 'string') throw new InvalidConfigError('prefix must be a string');
  const labels =
    options.labels !== undefined && Object.keys(options.labels).length > 0 ? { ...options.labels } : undefined;
  const sampler = new RuntimeSampler(options);
  const reads = new RuntimeReads(sampler);
  const merged = new WeakMap<object, Labels>();
  const stops: (() => void)[] = [];
  const stopAll = () => {
    for (const stop of stops.splice(0).reverse()) {
      try {
        stop();
      } catch {
        // Keep stopping the rest.
      }
    }
    sampler.stop();
  };
  try {
    for (const def of RUNTIME_METRICS) {
      if (def.linuxOnly && process.platform !== 'linux') continue;
      const name = prefix + def.name;
      collector.describe(name, {
        help: def.help,
        unit:
          name.endsWith('_seconds') || name.endsWith('_seconds_total')
            ? 'seconds'
            : name.endsWith('_bytes')
              ? 'bytes'
              : undefined,
      });
      const read = () => withLabels(def.read(reads), labels, merged);
      stops.push(
        def.type === 'counter' ? collector.observableCounter(name, read) : collector.observableGauge(name, read),
      );
    }
    const gcName = prefix + GC_METRIC.name;
    collector.describe(gcName, {
      help: GC_METRIC.help,
      unit: 'seconds',
      buckets: options.gcDurationBuckets ?? GC_METRIC.buckets,
    });
    const handles = new Map<string, ReturnType<MetricsCollector['histogram']>>();
    stops.push(
      sampler.onGc((kind, seconds) => {
        let handle = handles.get(kind);
        if (handle === undefined) handles.set(kind, (handle = collector.histogram(gcName, { ...labels, kind })));
        handle.observe(seconds);
      }),
    );
    stops.push(() => collector.removeMetric(gcName));
  } catch (err) {
    stopAll();
    throw err;
  }
  return stopAll;
}
