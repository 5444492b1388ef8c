import { DEFAULT_METRICS_LIST, GC_METRIC, RUNTIME_METRICS, RuntimeReads } from '../runtime/definitions';
import { RuntimeSampler } from '../runtime/RuntimeSampler';
import { Counter } from './Counter';
import { Gauge } from './Gauge';
import { Histogram } from './Histogram';
import type { Registry, RegistryContentType } from './Registry';
import { isObject } from './validation';

export interface DefaultMetricsCollectorConfiguration<T extends RegistryContentType = RegistryContentType> {
  register?: Registry<T>;
  prefix?: string;
  gcDurationBuckets?: number[];
  /** Event-loop delay sampling period in ms (default 10). */
  eventLoopMonitoringPrecision?: number;
  labels?: object;
}

/**
 * prom-client's `collectDefaultMetrics`: the same metric names, help texts, labels and
 * aggregators (see the @obs/metrics README for the list), read at scrape time from one
 * shared sampler: each source is read once per scrape, event-loop delay quantiles come
 * from a sliding-window sketch. Like prom-client, calling it twice on one registry throws
 * "already registered".
 */
function collectDefaultMetricsImpl<T extends RegistryContentType>(
  config?: DefaultMetricsCollectorConfiguration<T> | null,
): void {
  if (config !== null && config !== undefined && !isObject(config))
    throw new TypeError('config must be null, undefined, or an object');
  const {
    register,
    prefix = '',
    labels = {},
    gcDurationBuckets,
    eventLoopMonitoringPrecision = 10,
  }: DefaultMetricsCollectorConfiguration<T> = config ?? {};
  const staticLabels = labels as Record<string, string | number>;
  const staticNames = Object.keys(staticLabels);
  const registers = register ? [register as unknown as Registry] : undefined;
  const sampler = new RuntimeSampler({ eventLoopResolutionMs: eventLoopMonitoringPrecision });
  const reads = new RuntimeReads(sampler, false);
  for (const def of RUNTIME_METRICS) {
    if (def.extra || (def.linuxOnly && process.platform !== 'linux')) continue;
    const common = {
      name: prefix + def.name,
      help: def.help,
      labelNames: [...def.labelNames, ...staticNames],
      aggregator: def.aggregator,
      registers,
    };
    if (def.type === 'counter') {
      let last: number | undefined;
      new Counter({
        ...common,
        collect(this: Counter<string>) {
          const value = def.read(reads);
          if (typeof value !== 'number') return;
          // prom-client's CPU counters add the usage since the previous scrape.
          this.inc(staticLabels, Math.max(0, value - (last ?? 0)));
          last = value;
        },
      });
      continue;
    }
    // Label sets written by the previous scrape: those missing now (a handle type that is gone) are removed.
    let previous = new Map<string, Record<string, unknown>>();
    let current = new Map<string, Record<string, unknown>>();
    new Gauge({
      ...common,
      collect(this: Gauge<string>) {
        const value = def.read(reads);
        if (value === undefined) return;
        if (typeof value === 'number') {
          this.set(staticLabels, value);
          return;
        }
        for (const sample of value) {
          const labels = staticNames.length === 0 ? sample.labels : { ...sample.labels, ...staticLabels };
          this.set(labels, sample.value);
          current.set(Object.values(sample.labels).join('\u0000'), labels);
        }
        for (const [key, labels] of previous) if (!current.has(key)) this.remove(labels as Record<string, string>);
        [previous, current] = [current, previous];
        current.clear();
      },
    });
  }
  const gc = new Histogram({
    name: prefix + GC_METRIC.name,
    help: GC_METRIC.help,
    labelNames: ['kind', ...staticNames],
    buckets: gcDurationBuckets ?? [...GC_METRIC.buckets],
    registers,
  });
  sampler.onGc((kind, seconds) => gc.observe({ kind, ...staticLabels }, seconds));
}

export const collectDefaultMetrics: typeof collectDefaultMetricsImpl & { metricsList: string[] } = Object.assign(
  collectDefaultMetricsImpl,
  {
    metricsList: [...DEFAULT_METRICS_LIST],
  },
);
