import { monitorEventLoopDelay } from 'node:perf_hooks';
import { ProviderBusyError, type VisionProvider } from '@obs/vision';
import { phaseAt } from './demo/trafficPlan';

/** A 1×1 white PNG: the provider check decodes it end to end. */
const PROBE_PNG = Buffer.from(
  'iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAAC0lEQVR4AWP4DwQACfsD/c8LaHIAAAAASUVORK5CYII=',
  'base64',
);

type CheckResult = { status: 'healthy' | 'degraded' | 'unhealthy'; message: string; details?: Record<string, unknown> };

/** Decodes a tiny image with the real (un-instrumented) provider: proves the decoders load and work. */
export function providerCheck(provider: VisionProvider): () => Promise<CheckResult> {
  return async () => {
    let result;
    try {
      result = await provider.analyzeImage(PROBE_PNG, false);
    } catch (error) {
      // Every worker busy: working, but at capacity.
      if (error instanceof ProviderBusyError)
        return { status: 'degraded', message: `${provider.providerName} is at capacity: ${error.message}` };
      throw error;
    }
    return {
      status: 'healthy',
      message: `${provider.providerName} decoded a probe image`,
      details: { confidence: result.confidence },
    };
  };
}

/** Event-loop delay p99 over the last interval: degraded above 100 ms, unhealthy above 1 s. */
export function eventLoopCheck(): { check: () => CheckResult; stop: () => void } {
  const histogram = monitorEventLoopDelay({ resolution: 20 });
  histogram.enable();
  return {
    check: () => {
      const p99 = histogram.percentile(99) / 1e6;
      histogram.reset();
      const status = p99 > 1000 ? 'unhealthy' : p99 > 100 ? 'degraded' : 'healthy';
      return {
        status,
        message: `event loop delay p99 ${p99.toFixed(1)} ms`,
        details: { p99Ms: Math.round(p99 * 10) / 10 },
      };
    },
    stop: () => histogram.disable(),
  };
}

/** Demo only: reports the simulated upstream as the traffic plan says it is. */
export function demoUpstreamCheck(startedAt: number, now: () => number): () => CheckResult {
  return () => {
    const phase = phaseAt(now() - startedAt);
    if (phase.failureShare >= 0.2) return { status: 'unhealthy', message: `simulated upstream outage (${phase.name})` };
    if (phase.spikeShare >= 0.3) return { status: 'degraded', message: `simulated upstream is slow (${phase.name})` };
    return { status: 'healthy', message: `simulated upstream is fine (${phase.name})` };
  };
}
