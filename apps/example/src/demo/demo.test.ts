import { ManualClock } from '@obs/hub';
import type { VisionDescription, VisionProvider } from '@obs/vision';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { ChaosProvider, DemoUpstreamError } from './ChaosProvider';
import { TrafficGenerator } from './TrafficGenerator';
import { DEMO_CYCLE_MS, phaseAt } from './trafficPlan';

class CountingProvider implements VisionProvider {
  readonly providerName = 'counting';
  calls: Uint8Array[] = [];
  async analyzeImage(imageData: Uint8Array): Promise<VisionDescription> {
    this.calls.push(imageData);
    return { summary: 'ok', details: {}, confidence: 1 };
  }
}

afterEach(() => vi.useRealTimers());

describe('the demo traffic plan', () => {
  it('shows a spike, then an outage, then recovery within the first minute, and repeats', () => {
    const names = Array.from({ length: 60 }, (_, s) => phaseAt(s * 1000).name);
    expect(names.indexOf('latency-spike')).toBeGreaterThan(5);
    expect(names.indexOf('outage')).toBeGreaterThan(names.indexOf('latency-spike'));
    expect(names.indexOf('outage')).toBeLessThan(40);
    expect(names.at(-1)).toBe('recovery');
    expect(phaseAt(DEMO_CYCLE_MS + 25_000)).toEqual(phaseAt(25_000));
    expect(phaseAt(-5)).toEqual(phaseAt(0));
  });
});

describe('ChaosProvider', () => {
  it('fails as an upstream outage during the outage phase and passes through otherwise', async () => {
    const clock = new ManualClock(0);
    const base = new CountingProvider();
    const sleeps: number[] = [];
    const chaos = new ChaosProvider(base, { clock, random: () => 0, sleep: async (ms) => void sleeps.push(ms) });
    expect(chaos.providerName).toBe('counting');
    await expect(chaos.analyzeImage(new Uint8Array([1]))).resolves.toMatchObject({ summary: 'ok' }); // warm-up: no failures
    clock.set(35_000);
    await expect(chaos.analyzeImage(new Uint8Array([1]))).rejects.toBeInstanceOf(DemoUpstreamError);
    const spikeClock = new ManualClock(0);
    const spiking = new ChaosProvider(base, {
      clock: spikeClock,
      random: () => 0.5,
      sleep: async (ms) => void sleeps.push(ms),
    });
    spikeClock.set(25_000);
    await spiking.analyzeImage(new Uint8Array([1]));
    expect(sleeps.at(-1)).toBe(500);
  });
});

describe('TrafficGenerator', () => {
  it('sends at the plan rate, mixes in broken images and waits for requests on stop', async () => {
    vi.useFakeTimers();
    const clock = { now: () => Date.now() };
    const provider = new CountingProvider();
    const samples = [{ name: 'a.png', bytes: new Uint8Array(100).fill(7) }];
    const traffic = new TrafficGenerator({ provider, samples, clock, random: () => 0.5 });
    traffic.start();
    await vi.advanceTimersByTimeAsync(10_000); // 10 s of warm-up at 8 req/s
    await traffic.stop();
    expect(traffic.stats.sent).toBeGreaterThanOrEqual(78);
    expect(traffic.stats.sent).toBeLessThanOrEqual(81);
    expect(traffic.stats.succeeded).toBe(traffic.stats.sent);
    expect(traffic.stats.inFlight).toBe(0);
    expect(provider.calls.every((c) => c.length === 100)).toBe(true);
    expect(traffic.running).toBe(false);
  });

  it('sends a truncated image when the dice say bad input', async () => {
    const provider = new CountingProvider();
    const traffic = new TrafficGenerator({
      provider,
      samples: [{ name: 'a', bytes: new Uint8Array(100) }],
      clock: new ManualClock(0),
      random: () => 0.01,
    });
    for (let i = 0; i < 10; i++) traffic.tick();
    await traffic.stop();
    expect(provider.calls.length).toBe(8);
    expect(provider.calls.every((c) => c.length === 50)).toBe(true);
  });

  it('drops and counts requests beyond its in-flight limit', () => {
    const stuck: VisionProvider = { providerName: 'stuck', analyzeImage: () => new Promise(() => undefined) };
    const traffic = new TrafficGenerator({
      provider: stuck,
      samples: [{ name: 'a', bytes: new Uint8Array(4) }],
      maxInFlight: 3,
      clock: new ManualClock(0),
      random: () => 0.9,
    });
    for (let i = 0; i < 10; i++) traffic.tick();
    expect(traffic.stats.inFlight).toBe(3);
    expect(traffic.stats.sent).toBe(3);
    expect(traffic.stats.dropped).toBe(5);
  });

  it('keeps its samples whole when the provider transfers (detaches) each input, even for Buffer samples', async () => {
    const detaching: VisionProvider = {
      providerName: 'detaching',
      // What a worker pool with transferInput does: the input's ArrayBuffer moves to another thread.
      analyzeImage: async (imageData) => {
        structuredClone(imageData.buffer, { transfer: [imageData.buffer as ArrayBuffer] });
        return { summary: 'ok', details: {}, confidence: 1 };
      },
    };
    const bytes = Buffer.alloc(64 * 1024, 1); // its own ArrayBuffer; Buffer#slice would be a view of it
    let roll = 0;
    const traffic = new TrafficGenerator({
      provider: detaching,
      samples: [{ name: 'a', bytes }],
      clock: new ManualClock(0),
      random: () => (roll++ % 2 ? 0.9 : 0.01),
    });
    for (let i = 0; i < 30; i++) {
      traffic.tick();
      await Promise.resolve();
      await new Promise((resolve) => setImmediate(resolve));
    }
    await traffic.stop();
    expect(bytes.byteLength).toBe(64 * 1024);
    expect(traffic.stats.failed).toBe(0);
    expect(traffic.stats.succeeded).toBe(traffic.stats.sent);
  });

  it('needs at least one sample', () => {
    expect(() => new TrafficGenerator({ provider: new CountingProvider(), samples: [] })).toThrow();
  });
});
