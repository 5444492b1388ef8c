import { ObsError, systemClock, type Clock } from '@obs/hub';
import type { VisionDescription, VisionProvider } from '@obs/vision';
import { phaseAt } from './trafficPlan';

/** The simulated upstream failure the demo injects (not a client error). */
export class DemoUpstreamError extends ObsError {
  override readonly name: string = 'DemoUpstreamError';
}

export interface ChaosProviderOptions {
  readonly clock?: Clock;
  /** Source of randomness in [0, 1) (injectable for tests). */
  readonly random?: () => number;
  /** Waits `ms` (injectable for tests). */
  readonly sleep?: (ms: number) => Promise<void>;
}

const realSleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/**
 * Wraps a real provider and, following the demo's traffic plan, adds latency
 * spikes and simulated outages, so the dashboard has something to show. Used
 * only with `--demo`; it keeps the base provider's name.
 */
export class ChaosProvider implements VisionProvider {
  readonly providerName: string;
  private readonly clock: Clock;
  private readonly random: () => number;
  private readonly sleep: (ms: number) => Promise<void>;
  private readonly startedAt: number;

  constructor(
    private readonly base: VisionProvider,
    options: ChaosProviderOptions = {},
  ) {
    this.providerName = base.providerName;
    this.clock = options.clock ?? systemClock;
    this.random = options.random ?? Math.random;
    this.sleep = options.sleep ?? realSleep;
    this.startedAt = this.clock.now();
  }

  async analyzeImage(imageData: Uint8Array, includeDescription?: boolean): Promise<VisionDescription> {
    const phase = phaseAt(this.clock.now() - this.startedAt);
    if (this.random() < phase.spikeShare) {
      const [low, high] = phase.spikeMs;
      await this.sleep(low + this.random() * (high - low));
    }
    if (this.random() < phase.failureShare) {
      throw new DemoUpstreamError('UPSTREAM_UNAVAILABLE', `simulated upstream outage (${phase.name})`);
    }
    return this.base.analyzeImage(imageData, includeDescription);
  }
}
