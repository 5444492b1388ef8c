import { closeSync, openSync, readFileSync, readSync, readdirSync } from 'node:fs';
import {
  PerformanceObserver,
  constants as perfConstants,
  monitorEventLoopDelay,
  performance,
  type EventLoopUtilization,
  type IntervalHistogram,
} from 'node:perf_hooks';
import { getHeapSpaceStatistics, getHeapStatistics } from 'node:v8';
import { SlidingWindowSketch } from '../sketch/SlidingWindowSketch';

/** GC kinds by perf_hooks constant, with prom-client's names. */
const GC_KINDS: Record<number, string> = {
  [perfConstants.NODE_PERFORMANCE_GC_MAJOR]: 'major',
  [perfConstants.NODE_PERFORMANCE_GC_MINOR]: 'minor',
  [perfConstants.NODE_PERFORMANCE_GC_INCREMENTAL]: 'incremental',
  [perfConstants.NODE_PERFORMANCE_GC_WEAKCB]: 'weakcb',
};

/**
 * Quantiles read from Node's event-loop delay histogram (HdrHistogram) at each drain.
 * Each value stands for the observations between the previous quantile and itself; one
 * `percentile()` call costs a few µs where `mean`/`stddev` walk the whole histogram.
 */
const DRAIN_QUANTILES = [50, 75, 90, 99, 99.9];
const LOOP_QUANTILES = [0.5, 0.9, 0.99];

export interface RuntimeSamplerOptions {
  /** Sampling period of the event-loop delay monitor in ms (default 10, as prom-client). */
  readonly eventLoopResolutionMs?: number;
  /** Window of the event-loop delay statistics in seconds (default 60). */
  readonly eventLoopWindowSeconds?: number;
}

export interface HeapSample {
  readonly heapTotal: number;
  readonly heapUsed: number;
  readonly external: number;
  /** Only from {@link RuntimeSampler.memory}. */
  readonly arrayBuffers?: number;
}

export interface ProcStatus {
  readonly residentBytes: number;
  readonly virtualBytes: number;
  readonly dataBytes: number;
}

export interface EventLoopStats {
  readonly count: number;
  readonly min: number;
  readonly max: number;
  readonly mean: number;
  readonly stddev: number;
  readonly p50: number;
  readonly p90: number;
  readonly p99: number;
}

export interface HeapSpace {
  readonly space: string;
  readonly size: number;
  readonly used: number;
  readonly available: number;
}

/** Seconds since the epoch at which this process started (rounded, as prom-client). */
export const PROCESS_START_TIME_SECONDS = Math.round(Date.now() / 1000 - process.uptime());

const versionParts = process.version.slice(1).split('.');
export const NODE_VERSION = {
  version: process.version,
  major: versionParts[0] ?? '',
  minor: versionParts[1] ?? '',
  patch: versionParts[2] ?? '',
};

let cachedMaxFds: number | undefined | null = null;

/** `Max open files` soft limit from /proc/self/limits, read once (undefined off Linux). */
export function maxFileDescriptors(): number | undefined {
  if (cachedMaxFds !== null) return cachedMaxFds;
  cachedMaxFds = undefined;
  try {
    const line = readFileSync('/proc/self/limits', 'utf8')
      .split('\n')
      .find((l) => l.startsWith('Max open files'));
    const value = line === undefined ? NaN : Number(line.split(/ {2,}/)[1]);
    if (Number.isFinite(value)) cachedMaxFds = value;
  } catch {
    // Not Linux.
  }
  return cachedMaxFds;
}

/** Counts of objects by constructor name (prom-client's grouping of handles and requests). */
function countByConstructor(list: readonly unknown[]): Map<string, number> {
  const out = new Map<string, number>();
  for (const item of list) {
    const name = (item as { constructor?: { name?: string } } | null)?.constructor?.name;
    if (name === undefined) continue;
    out.set(name, (out.get(name) ?? 0) + 1);
  }
  return out;
}

function countStrings(list: readonly string[]): Map<string, number> {
  const out = new Map<string, number>();
  for (const item of list) out.set(item, (out.get(item) ?? 0) + 1);
  return out;
}

type ProcessInternals = NodeJS.Process & { _getActiveHandles?: () => unknown[]; _getActiveRequests?: () => unknown[] };

/**
 * Reads the process's runtime state as cheaply as Node allows, for both
 * `collectRuntimeMetrics` and the prom-client `collectDefaultMetrics`: one read per
 * source per scrape, /proc/self/status re-read through a kept file descriptor, the
 * event-loop delay histogram drained into a sliding-window sketch with a handful of
 * percentile reads (never its O(buckets) `mean`/`stddev`), and GC entries delivered to
 * listeners as they come.
 */
export class RuntimeSampler {
  private readonly loopDelay: IntervalHistogram | undefined;
  private readonly window: SlidingWindowSketch;
  private lastUtilization: EventLoopUtilization | undefined;
  private statusFd: number | undefined | null = null;
  private readonly statusBuffer = Buffer.alloc(4096);
  private gcObserver: PerformanceObserver | undefined;
  private readonly gcListeners = new Set<(kind: string, seconds: number) => void>();
  private stopped = false;

  constructor(options: RuntimeSamplerOptions = {}) {
    const resolution = options.eventLoopResolutionMs ?? 10;
    const windowSeconds = options.eventLoopWindowSeconds ?? 60;
    if (!(resolution >= 1) || !Number.isFinite(resolution))
      throw new TypeError('eventLoopResolutionMs must be a number >= 1');
    if (!(windowSeconds > 0) || !Number.isFinite(windowSeconds))
      throw new TypeError('eventLoopWindowSeconds must be a positive number');
    this.window = new SlidingWindowSketch(windowSeconds, 6);
    try {
      this.loopDelay = monitorEventLoopDelay({ resolution: Math.round(resolution) });
      this.loopDelay.enable();
    } catch {
      this.loopDelay = undefined; // runtimes without the monitor (Bun)
    }
  }

  /** Stops the event-loop monitor and the GC observer, closes the /proc file. */
  stop(): void {
    if (this.stopped) return;
    this.stopped = true;
    this.loopDelay?.disable();
    this.gcObserver?.disconnect();
    this.gcObserver = undefined;
    this.gcListeners.clear();
    if (typeof this.statusFd === 'number') closeSync(this.statusFd);
    this.statusFd = undefined;
  }

  /** Total user and system CPU seconds of the process. */
  cpuSeconds(): { user: number; system: number } {
    const usage = process.cpuUsage();
    return { user: usage.user / 1e6, system: usage.system / 1e6 };
  }

  /**
   * V8 heap totals and external memory. From `v8.getHeapStatistics()`, which is what
   * `process.memoryUsage()` reads besides the RSS (a /proc read of its own, several times dearer).
   */
  heap(): HeapSample {
    const s = getHeapStatistics();
    return { heapTotal: s.total_heap_size, heapUsed: s.used_heap_size, external: s.external_memory };
  }

  /** Resident set size in bytes (libuv's reading of /proc on Linux). */
  rss(): number | undefined {
    try {
      return process.memoryUsage.rss();
    } catch {
      return undefined;
    }
  }

  /** Heap figures plus ArrayBuffer bytes, which only `process.memoryUsage()` tells (at the price of its RSS read). */
  memory(): HeapSample | undefined {
    try {
      return process.memoryUsage();
    } catch {
      return undefined;
    }
  }

  /** VmRSS, VmSize and VmData from /proc/self/status (undefined off Linux). */
  procStatus(): ProcStatus | undefined {
    if (this.statusFd === null) {
      try {
        this.statusFd = openSync('/proc/self/status', 'r');
      } catch {
        this.statusFd = undefined;
      }
    }
    if (this.statusFd === undefined) return undefined;
    let text: string;
    try {
      const n = readSync(this.statusFd, this.statusBuffer, 0, this.statusBuffer.length, 0);
      text = this.statusBuffer.toString('latin1', 0, n);
    } catch {
      return undefined;
    }
    const kb = (field: string): number => {
      const at = text.indexOf(field);
      if (at < 0) return NaN;
      return parseInt(text.slice(at + field.length, text.indexOf('\n', at)), 10) * 1024;
    };
    return { residentBytes: kb('VmRSS:'), virtualBytes: kb('VmSize:'), dataBytes: kb('VmData:') };
  }

  /** Open file descriptors (Linux), not counting the one used to list them. */
  openFileDescriptors(): number | undefined {
    if (process.platform !== 'linux') return undefined;
    try {
      return readdirSync('/proc/self/fd').length - 1;
    } catch {
      return undefined;
    }
  }

  heapSpaces(): HeapSpace[] {
    return getHeapSpaceStatistics().map((s) => ({
      space: s.space_name.endsWith('_space') ? s.space_name.slice(0, -'_space'.length) : s.space_name,
      size: s.space_size,
      used: s.space_used_size,
      available: s.space_available_size,
    }));
  }

  /** Active libuv handles and requests by C++ class name, and active resources by type. */
  activeHandles(): Map<string, number> | undefined {
    const fn = (process as ProcessInternals)._getActiveHandles;
    return typeof fn === 'function' ? countByConstructor(fn.call(process)) : undefined;
  }

  activeRequests(): Map<string, number> | undefined {
    const fn = (process as ProcessInternals)._getActiveRequests;
    return typeof fn === 'function' ? countByConstructor(fn.call(process)) : undefined;
  }

  activeResources(): Map<string, number> | undefined {
    return typeof process.getActiveResourcesInfo === 'function'
      ? countStrings(process.getActiveResourcesInfo())
      : undefined;
  }

  /** Event-loop utilisation (0..1) since the previous call (since start the first time). */
  eventLoopUtilization(): number {
    const now = performance.eventLoopUtilization();
    const delta =
      this.lastUtilization === undefined ? now : performance.eventLoopUtilization(now, this.lastUtilization);
    this.lastUtilization = now;
    return delta.utilization;
  }

  /**
   * Moves what the event-loop delay monitor saw since the last drain into the window
   * sketch, and returns the window's statistics in seconds (undefined without a monitor).
   */
  eventLoopDelay(): EventLoopStats | undefined {
    const h = this.loopDelay;
    if (h === undefined) return undefined;
    const count = h.count;
    if (count > 0) {
      const min = h.min;
      const max = h.max;
      // Each quantile's value stands for the observations since the previous quantile
      // (rounded); the exact min and max are kept once each, the max takes the rest.
      let previous = 0;
      const values = [min];
      const weights = [1];
      let assigned = 1;
      for (const q of DRAIN_QUANTILES) {
        const share = Math.round(((q - previous) / 100) * count);
        previous = q;
        values.push(h.percentile(q));
        weights.push(share);
        assigned += share;
      }
      values.push(max);
      weights.push(Math.max(count - assigned, count > 1 ? 1 : 0));
      for (let i = 0; i < values.length; i++) {
        const v = values[i]!;
        if (weights[i]! > 0 && Number.isFinite(v)) this.window.record(v / 1e9, weights[i]);
      }
      h.reset();
    }
    const { count: n, sum, min, max } = this.window.totals();
    if (n === 0) return { count: 0, min: 0, max: 0, mean: 0, stddev: 0, p50: 0, p90: 0, p99: 0 };
    const [p50, p90, p99] = this.window.quantiles(LOOP_QUANTILES) as [number, number, number];
    return { count: n, min, max, mean: sum / n, stddev: this.window.stddev(), p50, p90, p99 };
  }

  /** Calls `listener(kind, seconds)` for every garbage collection until the returned function is called. */
  onGc(listener: (kind: string, seconds: number) => void): () => void {
    this.gcListeners.add(listener);
    if (this.gcObserver === undefined && !this.stopped) {
      this.gcObserver = new PerformanceObserver((list) => {
        for (const entry of list.getEntries()) {
          const kind = GC_KINDS[(entry as { detail?: { kind?: number } }).detail?.kind ?? -1] ?? 'unknown';
          for (const fn of this.gcListeners) {
            try {
              fn(kind, entry.duration / 1000);
            } catch {
              // One failing listener must not stop the others.
            }
          }
        }
      });
      this.gcObserver.observe({ entryTypes: ['gc'] });
    }
    return () => {
      this.gcListeners.delete(listener);
    };
  }
}
