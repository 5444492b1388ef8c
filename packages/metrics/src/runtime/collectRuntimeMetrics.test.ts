import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { afterEach, describe, expect, it } from 'vitest';
import { serialize } from '../exposition/serialize';
import { MetricsCollector } from '../MetricsCollector';
import { parseExposition } from '../testing/openMetricsParser';
import { collectRuntimeMetrics } from './collectRuntimeMetrics';
import { GC_METRIC, RUNTIME_METRICS } from './definitions';

setFlagsFromString('--expose-gc');
const gc = runInNewContext('gc') as () => void;

const stops: (() => void)[] = [];
afterEach(() => {
  for (const stop of stops.splice(0)) stop();
});

function collect(m: MetricsCollector, options?: Parameters<typeof collectRuntimeMetrics>[1]) {
  const stop = collectRuntimeMetrics(m, options);
  stops.push(stop);
  return stop;
}

function busy(ms: number): void {
  const until = performance.now() + ms;
  while (performance.now() < until) {
    // block the event loop
  }
}

describe('collectRuntimeMetrics', () => {
  it("exposes prom-client's default metric names (plus the documented extras) at scrape time", () => {
    const m = new MetricsCollector();
    collect(m);
    const text = serialize(m).body;
    for (const def of RUNTIME_METRICS) {
      if (def.linuxOnly && process.platform !== 'linux') continue;
      // A per-type metric with nothing to count (no active requests) has no series, so no lines.
      if (def.labelNames.includes('type')) continue;
      expect(text, def.name).toContain(`# TYPE ${def.name} ${def.type}`);
    }
    expect(text).toMatch(/nodejs_heap_space_size_used_bytes\{space="new"\} \d+/);
    expect(text).toMatch(/nodejs_version_info\{major="\d+",minor="\d+",patch="\d+",version="v[\d.]+"\} 1/);
    expect(m.getGauge('process_resident_memory_bytes')).toBeGreaterThan(1e6);
    expect(m.getCounter('process_cpu_seconds_total')).toBeGreaterThan(0);
    expect(m.getGauge('nodejs_active_handles_total')).toBeGreaterThanOrEqual(0);
    if (process.platform === 'linux') {
      expect(m.getGauge('process_open_fds')).toBeGreaterThan(2);
      expect(m.getGauge('process_max_fds')).toBeGreaterThan(m.getGauge('process_open_fds')!);
    }
    // The strict OpenMetrics parser accepts the whole exposition.
    expect(() => parseExposition(serialize(m, 'application/openmetrics-text').body)).not.toThrow();
    expect(() => parseExposition(text, { prometheus: true })).not.toThrow();
  });

  it('keeps event-loop delay in a sketch: a blocked loop shows in p99 and max, in order', async () => {
    const m = new MetricsCollector();
    collect(m, { eventLoopResolutionMs: 5 });
    for (let i = 0; i < 20; i++) {
      await new Promise((resolve) => setTimeout(resolve, 5));
      if (i % 5 === 4) busy(40);
    }
    const p50 = m.getGauge('nodejs_eventloop_lag_p50_seconds')!;
    const p99 = m.getGauge('nodejs_eventloop_lag_p99_seconds')!;
    const max = m.getGauge('nodejs_eventloop_lag_max_seconds')!;
    const min = m.getGauge('nodejs_eventloop_lag_min_seconds')!;
    expect(min).toBeGreaterThan(0);
    expect(p50).toBeGreaterThanOrEqual(min);
    expect(p99).toBeGreaterThanOrEqual(p50);
    expect(max).toBeGreaterThanOrEqual(p99);
    expect(max).toBeGreaterThan(0.03);
    expect(m.getGauge('nodejs_eventloop_lag_mean_seconds')).toBeGreaterThan(0);
    const utilization = m.getGauge('nodejs_eventloop_utilization_ratio')!;
    expect(utilization).toBeGreaterThanOrEqual(0);
    expect(utilization).toBeLessThanOrEqual(1);
  });

  it('records GC pauses by kind in the GC histogram', async () => {
    const m = new MetricsCollector();
    collect(m, { labels: { service: 'api' } });
    gc();
    await new Promise((resolve) => setTimeout(resolve, 50));
    const stats = m.getHistogramStats(GC_METRIC.name, { kind: 'major', service: 'api' });
    expect(stats.count).toBeGreaterThanOrEqual(1);
    expect(serialize(m).body).toMatch(/nodejs_gc_duration_seconds_bucket\{kind="major",service="api",le="0.001"\}/);
  });

  it('adds static labels and a prefix, and stop() removes everything', () => {
    const m = new MetricsCollector();
    const stop = collect(m, { prefix: 'app_', labels: { service: 'api' } });
    expect(m.getGauge('app_nodejs_heap_size_used_bytes', { service: 'api' })).toBeGreaterThan(0);
    expect(m.getGauge('app_nodejs_heap_space_size_used_bytes', { space: 'old', service: 'api' })).toBeGreaterThan(0);
    stop();
    expect(m.listMetrics().filter((n) => n.startsWith('app_'))).toEqual([]);
  });

  it('rejects bad options with a typed error', () => {
    const m = new MetricsCollector();
    expect(() => collectRuntimeMetrics(m, 5 as never)).toThrow(/options must be an object/);
    expect(() => collectRuntimeMetrics(m, { prefix: 3 as never })).toThrow(/prefix/);
    expect(() => collectRuntimeMetrics(m, { eventLoopWindowSeconds: -1 })).toThrow(/eventLoopWindowSeconds/);
    expect(m.listMetrics()).toEqual([]);
  });
});
