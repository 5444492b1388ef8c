import {
  NODE_VERSION,
  PROCESS_START_TIME_SECONDS,
  maxFileDescriptors,
  type EventLoopStats,
  type HeapSample,
  type HeapSpace,
  type ProcStatus,
  type RuntimeSampler,
} from './RuntimeSampler';

/** A value of one runtime metric: a number, or one number per label set. */
export type RuntimeValue = number | { labels: Record<string, string>; value: number }[] | undefined;

/** One runtime metric, with prom-client's `collectDefaultMetrics` name, help, labels and cluster aggregator. */
export interface RuntimeMetricDefinition {
  readonly name: string;
  readonly help: string;
  readonly type: 'counter' | 'gauge';
  /** Label names besides the configured static labels. */
  readonly labelNames: readonly string[];
  readonly aggregator: 'sum' | 'average' | 'min' | 'max' | 'first' | 'omit';
  /** prom-client's group name (its `collectDefaultMetrics.metricsList`). */
  readonly group: string;
  /** Linux only in prom-client (and here). */
  readonly linuxOnly?: boolean;
  /** Not in prom-client: added by @obs. */
  readonly extra?: boolean;
  read(reads: RuntimeReads): RuntimeValue;
}

// The sources a pass reads, each at most once.
const CPU = 0;
const HEAP = 1;
const RSS = 2;
const STATUS = 3;
const LOOP = 4;
const UTILIZATION = 5;
const SPACES = 6;
const HANDLES = 7;
const REQUESTS = 8;
const RESOURCES = 9;
const FDS = 10;
const SOURCE_COUNT = 11;

/**
 * One collection pass over the sampler: each source is read at most once per pass
 * (a scrape reads ~30 metrics from ~8 sources). A pass ends when the current
 * synchronous stretch ends, so two scrapes never share stale values.
 */
export class RuntimeReads {
  /** The current pass; a source read in an earlier pass is read again. */
  private pass = 1;
  private passScheduled = false;
  /** Per source: the pass its value was read in (0: never), and the value. */
  private readonly readIn = new Int32Array(SOURCE_COUNT);
  private readonly values: unknown[] = new Array<unknown>(SOURCE_COUNT).fill(undefined);
  private immediateLag = 0;
  private lagPending = false;

  /**
   * @param withArrayBuffers whether `nodejs_array_buffers_bytes` is read: then the heap
   * figures come from the same `process.memoryUsage()` call instead of `v8.getHeapStatistics()`.
   */
  constructor(
    readonly sampler: RuntimeSampler,
    private readonly withArrayBuffers = true,
  ) {}

  /**
   * Whether `source` needs reading in this pass (then the caller stores it with `keep`).
   * A plain stamp per source, not a map of closures: a scrape makes ~40 reads.
   */
  private stale(source: number): boolean {
    if (!this.passScheduled) {
      this.passScheduled = true;
      queueMicrotask(this.endPass);
    }
    return this.readIn[source] !== this.pass;
  }

  private readonly endPass = (): void => {
    this.pass++;
    this.passScheduled = false;
  };

  private keep<T>(source: number, value: T): T {
    this.readIn[source] = this.pass;
    this.values[source] = value;
    return value;
  }

  get cpu(): { user: number; system: number } {
    return this.stale(CPU)
      ? this.keep(CPU, this.sampler.cpuSeconds())
      : (this.values[CPU] as { user: number; system: number });
  }
  get heap(): HeapSample {
    if (!this.stale(HEAP)) return this.values[HEAP] as HeapSample;
    const sampler = this.sampler;
    return this.keep(HEAP, this.withArrayBuffers ? (sampler.memory() ?? sampler.heap()) : sampler.heap());
  }
  /** RSS from /proc/self/status on Linux (prom-client's source), else from libuv. */
  get rss(): number | undefined {
    if (!this.stale(RSS)) return this.values[RSS] as number | undefined;
    return this.keep(RSS, this.status?.residentBytes ?? this.sampler.rss());
  }
  get status(): ProcStatus | undefined {
    return this.stale(STATUS)
      ? this.keep(STATUS, this.sampler.procStatus())
      : (this.values[STATUS] as ProcStatus | undefined);
  }
  get loop(): EventLoopStats | undefined {
    return this.stale(LOOP)
      ? this.keep(LOOP, this.sampler.eventLoopDelay())
      : (this.values[LOOP] as EventLoopStats | undefined);
  }
  get utilization(): number {
    return this.stale(UTILIZATION)
      ? this.keep(UTILIZATION, this.sampler.eventLoopUtilization())
      : (this.values[UTILIZATION] as number);
  }
  get spaces(): HeapSpace[] {
    return this.stale(SPACES) ? this.keep(SPACES, this.sampler.heapSpaces()) : (this.values[SPACES] as HeapSpace[]);
  }
  get handles(): Map<string, number> | undefined {
    return this.stale(HANDLES)
      ? this.keep(HANDLES, this.sampler.activeHandles())
      : (this.values[HANDLES] as Map<string, number> | undefined);
  }
  get requests(): Map<string, number> | undefined {
    return this.stale(REQUESTS)
      ? this.keep(REQUESTS, this.sampler.activeRequests())
      : (this.values[REQUESTS] as Map<string, number> | undefined);
  }
  get resources(): Map<string, number> | undefined {
    return this.stale(RESOURCES)
      ? this.keep(RESOURCES, this.sampler.activeResources())
      : (this.values[RESOURCES] as Map<string, number> | undefined);
  }
  get openFds(): number | undefined {
    return this.stale(FDS)
      ? this.keep(FDS, this.sampler.openFileDescriptors())
      : (this.values[FDS] as number | undefined);
  }

  /**
   * prom-client's `nodejs_eventloop_lag_seconds`: how late a setImmediate scheduled at
   * the previous read ran (so each read reports the lag measured after the one before).
   */
  immediateLagSeconds(): number {
    if (!this.lagPending) {
      this.lagPending = true;
      const start = performance.now();
      setImmediate(() => {
        this.immediateLag = (performance.now() - start) / 1000;
        this.lagPending = false;
      });
    }
    return this.immediateLag;
  }
}

/**
 * One label object per label value, kept across scrapes: the collector finds a series from
 * a label object it has seen before without building a key. Bounded (handle and space names
 * are a small fixed set; past the bound the cache starts over).
 */
class LabelObjects {
  private readonly byValue = new Map<string, Record<string, string>>();

  constructor(private readonly name: string) {}

  get(value: string): Record<string, string> {
    let labels = this.byValue.get(value);
    if (labels === undefined) {
      if (this.byValue.size >= 256) this.byValue.clear();
      this.byValue.set(value, (labels = { [this.name]: value }));
    }
    return labels;
  }
}

const typeLabels = new LabelObjects('type');
const spaceLabels = new LabelObjects('space');

function byType(counts: Map<string, number> | undefined): RuntimeValue {
  if (counts === undefined) return undefined;
  const out: { labels: Record<string, string>; value: number }[] = [];
  for (const [type, value] of counts) out.push({ labels: typeLabels.get(type), value });
  return out;
}

function total(counts: Map<string, number> | undefined): number | undefined {
  if (counts === undefined) return undefined;
  let n = 0;
  for (const v of counts.values()) n += v;
  return n;
}

function spaces(reads: RuntimeReads, field: 'size' | 'used' | 'available'): RuntimeValue {
  return reads.spaces.map((s) => ({ labels: spaceLabels.get(s.space), value: s[field] }));
}

const VERSION_INFO = [
  {
    labels: {
      version: NODE_VERSION.version,
      major: NODE_VERSION.major,
      minor: NODE_VERSION.minor,
      patch: NODE_VERSION.patch,
    },
    value: 1,
  },
];

const loopStat = (field: 'min' | 'max' | 'mean' | 'stddev' | 'p50' | 'p90' | 'p99') => (reads: RuntimeReads) =>
  reads.loop?.[field];

const d = (
  group: string,
  name: string,
  type: 'counter' | 'gauge',
  help: string,
  read: (reads: RuntimeReads) => RuntimeValue,
  extra: Partial<Pick<RuntimeMetricDefinition, 'labelNames' | 'aggregator' | 'linuxOnly' | 'extra'>> = {},
): RuntimeMetricDefinition => ({
  group,
  name,
  type,
  help,
  read,
  labelNames: extra.labelNames ?? [],
  aggregator: extra.aggregator ?? 'sum',
  linuxOnly: extra.linuxOnly,
  extra: extra.extra,
});

/** Every runtime metric, in prom-client's order. The GC histogram is defined beside it (see GC_METRIC). */
export const RUNTIME_METRICS: readonly RuntimeMetricDefinition[] = [
  d(
    'processCpuTotal',
    'process_cpu_user_seconds_total',
    'counter',
    'Total user CPU time spent in seconds.',
    (r) => r.cpu.user,
  ),
  d(
    'processCpuTotal',
    'process_cpu_system_seconds_total',
    'counter',
    'Total system CPU time spent in seconds.',
    (r) => r.cpu.system,
  ),
  d(
    'processCpuTotal',
    'process_cpu_seconds_total',
    'counter',
    'Total user and system CPU time spent in seconds.',
    (r) => r.cpu.user + r.cpu.system,
  ),
  d(
    'processStartTime',
    'process_start_time_seconds',
    'gauge',
    'Start time of the process since unix epoch in seconds.',
    () => PROCESS_START_TIME_SECONDS,
    { aggregator: 'omit' },
  ),
  d('osMemoryHeap', 'process_resident_memory_bytes', 'gauge', 'Resident memory size in bytes.', (r) => r.rss),
  d(
    'osMemoryHeap',
    'process_virtual_memory_bytes',
    'gauge',
    'Virtual memory size in bytes.',
    (r) => r.status?.virtualBytes,
    { linuxOnly: true },
  ),
  d('osMemoryHeap', 'process_heap_bytes', 'gauge', 'Process heap size in bytes.', (r) => r.status?.dataBytes, {
    linuxOnly: true,
  }),
  d('processOpenFileDescriptors', 'process_open_fds', 'gauge', 'Number of open file descriptors.', (r) => r.openFds, {
    linuxOnly: true,
  }),
  d(
    'processMaxFileDescriptors',
    'process_max_fds',
    'gauge',
    'Maximum number of open file descriptors.',
    () => maxFileDescriptors(),
    { linuxOnly: true },
  ),
  d(
    'eventLoopLag',
    'nodejs_eventloop_lag_seconds',
    'gauge',
    'Lag of event loop in seconds.',
    (r) => r.immediateLagSeconds(),
    { aggregator: 'average' },
  ),
  d(
    'eventLoopLag',
    'nodejs_eventloop_lag_min_seconds',
    'gauge',
    'The minimum recorded event loop delay.',
    loopStat('min'),
    { aggregator: 'min' },
  ),
  d(
    'eventLoopLag',
    'nodejs_eventloop_lag_max_seconds',
    'gauge',
    'The maximum recorded event loop delay.',
    loopStat('max'),
    { aggregator: 'max' },
  ),
  d(
    'eventLoopLag',
    'nodejs_eventloop_lag_mean_seconds',
    'gauge',
    'The mean of the recorded event loop delays.',
    loopStat('mean'),
    { aggregator: 'average' },
  ),
  d(
    'eventLoopLag',
    'nodejs_eventloop_lag_stddev_seconds',
    'gauge',
    'The standard deviation of the recorded event loop delays.',
    loopStat('stddev'),
    { aggregator: 'average' },
  ),
  d(
    'eventLoopLag',
    'nodejs_eventloop_lag_p50_seconds',
    'gauge',
    'The 50th percentile of the recorded event loop delays.',
    loopStat('p50'),
    { aggregator: 'average' },
  ),
  d(
    'eventLoopLag',
    'nodejs_eventloop_lag_p90_seconds',
    'gauge',
    'The 90th percentile of the recorded event loop delays.',
    loopStat('p90'),
    { aggregator: 'average' },
  ),
  d(
    'eventLoopLag',
    'nodejs_eventloop_lag_p99_seconds',
    'gauge',
    'The 99th percentile of the recorded event loop delays.',
    loopStat('p99'),
    { aggregator: 'average' },
  ),
  d(
    'eventLoopLag',
    'nodejs_eventloop_utilization_ratio',
    'gauge',
    'Event loop utilization (0..1) since the previous collection.',
    (r) => r.utilization,
    { aggregator: 'average', extra: true },
  ),
  d(
    'processResources',
    'nodejs_active_resources',
    'gauge',
    'Number of active resources that are currently keeping the event loop alive, grouped by async resource type.',
    (r) => byType(r.resources),
    { labelNames: ['type'] },
  ),
  d('processResources', 'nodejs_active_resources_total', 'gauge', 'Total number of active resources.', (r) =>
    total(r.resources),
  ),
  d(
    'processHandles',
    'nodejs_active_handles',
    'gauge',
    'Number of active libuv handles grouped by handle type. Every handle type is C++ class name.',
    (r) => byType(r.handles),
    { labelNames: ['type'] },
  ),
  d('processHandles', 'nodejs_active_handles_total', 'gauge', 'Total number of active handles.', (r) =>
    total(r.handles),
  ),
  d(
    'processRequests',
    'nodejs_active_requests',
    'gauge',
    'Number of active libuv requests grouped by request type. Every request type is C++ class name.',
    (r) => byType(r.requests),
    { labelNames: ['type'] },
  ),
  d('processRequests', 'nodejs_active_requests_total', 'gauge', 'Total number of active requests.', (r) =>
    total(r.requests),
  ),
  d(
    'heapSizeAndUsed',
    'nodejs_heap_size_total_bytes',
    'gauge',
    'Process heap size from Node.js in bytes.',
    (r) => r.heap.heapTotal,
  ),
  d(
    'heapSizeAndUsed',
    'nodejs_heap_size_used_bytes',
    'gauge',
    'Process heap size used from Node.js in bytes.',
    (r) => r.heap.heapUsed,
  ),
  d(
    'heapSizeAndUsed',
    'nodejs_external_memory_bytes',
    'gauge',
    'Node.js external memory size in bytes.',
    (r) => r.heap.external,
  ),
  d(
    'heapSizeAndUsed',
    'nodejs_array_buffers_bytes',
    'gauge',
    'Memory allocated for ArrayBuffers and SharedArrayBuffers in bytes.',
    (r) => r.heap.arrayBuffers,
    { extra: true },
  ),
  d(
    'heapSpacesSizeAndUsed',
    'nodejs_heap_space_size_total_bytes',
    'gauge',
    'Process heap space size total from Node.js in bytes.',
    (r) => spaces(r, 'size'),
    { labelNames: ['space'] },
  ),
  d(
    'heapSpacesSizeAndUsed',
    'nodejs_heap_space_size_used_bytes',
    'gauge',
    'Process heap space size used from Node.js in bytes.',
    (r) => spaces(r, 'used'),
    { labelNames: ['space'] },
  ),
  d(
    'heapSpacesSizeAndUsed',
    'nodejs_heap_space_size_available_bytes',
    'gauge',
    'Process heap space size available from Node.js in bytes.',
    (r) => spaces(r, 'available'),
    { labelNames: ['space'] },
  ),
  d('version', 'nodejs_version_info', 'gauge', 'Node.js version info.', () => VERSION_INFO, {
    labelNames: ['version', 'major', 'minor', 'patch'],
    aggregator: 'first',
  }),
];

/** The GC histogram: pauses by kind (major, minor, incremental, weakcb), in seconds. */
export const GC_METRIC = {
  group: 'gc',
  name: 'nodejs_gc_duration_seconds',
  help: 'Garbage collection duration by kind, one of major, minor, incremental or weakcb.',
  buckets: [0.001, 0.01, 0.1, 1, 2, 5] as readonly number[],
};

/** prom-client's `collectDefaultMetrics.metricsList`. */
export const DEFAULT_METRICS_LIST: readonly string[] = Object.freeze([
  ...new Set([...RUNTIME_METRICS.map((m) => m.group), GC_METRIC.group]),
]);
