import { ManualClock, ObsError } from '@obs/core';
import { describe, expect, it } from 'vitest';
import { ImageTooLargeError, VisionInputError } from './errors';
import type { VisionEvent } from './events';
import { ObservableVisionProvider, VISION_METRICS } from './ObservableVisionProvider';
import { FakeHub } from './testing/FakeHub';
import type { VisionDescription, VisionProvider } from './VisionProvider';

class UpstreamDown extends ObsError {}

/** A provider whose latency and outcome each call decides, in virtual time. */
class ScriptedProvider implements VisionProvider {
  readonly providerName = 'scripted';
  next: { latencyMs?: number; error?: unknown; confidence?: number } = {};
  constructor(private readonly clock: ManualClock) {}
  async analyzeImage(imageData: Uint8Array, includeDescription = true): Promise<VisionDescription> {
    const { latencyMs = 10, error, confidence = 0.9 } = this.next;
    this.clock.advance(latencyMs);
    if (error !== undefined) throw error;
    return { summary: includeDescription ? 'long' : 'short', details: { bytes: imageData.length }, confidence };
  }
}

function setup(config: ConstructorParameters<typeof ObservableVisionProvider>[2] = {}) {
  const clock = new ManualClock(1_000_000);
  const hub = new FakeHub();
  const base = new ScriptedProvider(clock);
  const provider = new ObservableVisionProvider(base, hub, { clock, ...config });
  const events: VisionEvent[] = [];
  provider.events$.subscribe((e) => events.push(e));
  return { clock, hub, base, provider, events };
}

const image = new Uint8Array([1, 2, 3, 4]);

describe('ObservableVisionProvider', () => {
  it('is named after its base provider', () => {
    const { provider } = setup();
    expect(provider.providerName).toBe('observable_scripted');
  });

  it('records a successful request: counters, histogram, confidence, span, SLO events', async () => {
    const { hub, base, provider, events } = setup();
    base.next = { latencyMs: 42, confidence: 0.75 };
    const result = await provider.analyzeImage(image, false);
    expect(result).toEqual({ summary: 'short', details: { bytes: 4 }, confidence: 0.75 });
    const labels = { provider: 'scripted' };
    expect(hub.count('increment', VISION_METRICS.REQUESTS_TOTAL, labels)).toBe(1);
    expect(hub.count('increment', VISION_METRICS.REQUESTS_SUCCESS, labels)).toBe(1);
    expect(hub.count('increment', VISION_METRICS.REQUESTS_ERROR)).toBe(0);
    expect(hub.calls.find((c) => c.name === VISION_METRICS.REQUEST_DURATION_MS)).toMatchObject({
      method: 'histogram',
      value: 42,
      labels,
    });
    expect(hub.calls.find((c) => c.name === VISION_METRICS.CONFIDENCE)).toMatchObject({
      method: 'gauge',
      value: 0.75,
      labels,
    });
    expect(hub.spans).toHaveLength(1);
    expect(hub.spans[0]).toMatchObject({
      operationName: 'vision.analyze_image',
      serviceName: 'vision',
      status: 'ok',
      tags: { provider: 'scripted', 'image.bytes': 4, include_description: false },
    });
    expect([...hub.slos.keys()]).toEqual(['vision-availability-scripted', 'vision-latency-scripted']);
    expect(hub.slos.get('vision-availability-scripted')).toMatchObject({ target: 99.5, windowDays: 30, labels });
    expect(hub.sloEvents).toEqual([
      { sloId: 'vision-availability-scripted', good: true },
      { sloId: 'vision-latency-scripted', good: true },
    ]);
    expect(events).toEqual([
      expect.objectContaining({
        type: 'vision/request-completed',
        durationMs: 42,
        confidence: 0.75,
        imageBytes: 4,
        traceId: hub.spans[0]!.context.traceId,
      }),
    ]);
  });

  it('records a failure with its error type, rethrows the very same error, and counts its latency', async () => {
    const { hub, base, provider, events } = setup();
    const boom = new UpstreamDown('UPSTREAM_UNAVAILABLE', 'down');
    base.next = { latencyMs: 700, error: boom };
    await expect(provider.analyzeImage(image)).rejects.toBe(boom);
    expect(hub.count('increment', VISION_METRICS.REQUESTS_TOTAL)).toBe(1);
    expect(hub.count('increment', VISION_METRICS.REQUESTS_SUCCESS)).toBe(0);
    expect(
      hub.count('increment', VISION_METRICS.REQUESTS_ERROR, {
        provider: 'scripted',
        error_type: 'upstream_unavailable',
      }),
    ).toBe(1);
    expect(hub.calls.find((c) => c.name === VISION_METRICS.REQUEST_DURATION_MS)?.value).toBe(700);
    expect(hub.calls.some((c) => c.name === VISION_METRICS.CONFIDENCE)).toBe(false);
    expect(hub.spans[0]?.status).toBe('error');
    expect(hub.spans[0]?.logs[0]).toMatchObject({
      message: 'error',
      fields: { error_type: 'upstream_unavailable', client_error: false },
    });
    expect(hub.sloEvents).toEqual([
      { sloId: 'vision-availability-scripted', good: false },
      { sloId: 'vision-latency-scripted', good: false },
    ]);
    expect(events[0]).toMatchObject({
      type: 'vision/request-failed',
      errorType: 'upstream_unavailable',
      clientError: false,
      durationMs: 700,
    });
  });

  it('passes non-Error rejections and synchronous throws through unchanged', async () => {
    const { hub, provider } = setup();
    const weird = { not: 'an error' };
    const throwing = new ObservableVisionProvider(
      {
        providerName: 'sync',
        analyzeImage: () => {
          throw weird;
        },
      },
      hub,
    );
    await expect(throwing.analyzeImage(image)).rejects.toBe(weird);
    expect(hub.count('increment', VISION_METRICS.REQUESTS_ERROR, { provider: 'sync', error_type: 'object' })).toBe(1);
    expect(provider).toBeDefined();
  });

  it('counts bad input as an error but not against the SLOs or the alert', async () => {
    const { hub, base, provider, events } = setup({ errorAlert: { minRequests: 2, errorRatio: 0.5 } });
    for (let i = 0; i < 5; i++) {
      base.next = {
        error:
          i % 2
            ? new ImageTooLargeError('IMAGE_TOO_MANY_BYTES', 'big', 1, 2)
            : new VisionInputError('CORRUPT_IMAGE', 'bad'),
      };
      await expect(provider.analyzeImage(image)).rejects.toBeInstanceOf(VisionInputError);
    }
    expect(
      hub.count('increment', VISION_METRICS.REQUESTS_ERROR, { provider: 'scripted', error_type: 'corrupt_image' }),
    ).toBe(3);
    expect(
      hub.count('increment', VISION_METRICS.REQUESTS_ERROR, {
        provider: 'scripted',
        error_type: 'image_too_many_bytes',
      }),
    ).toBe(2);
    expect(hub.sloEvents).toEqual([]);
    expect(hub.alertStore.size).toBe(0);
    expect(events.every((e) => e.type === 'vision/request-failed' && e.clientError)).toBe(true);
  });

  it('marks slow requests bad for the latency SLO only', async () => {
    const { hub, base, provider } = setup({ latencyThresholdMs: 100 });
    base.next = { latencyMs: 101 };
    await provider.analyzeImage(image);
    expect(hub.sloEvents).toEqual([
      { sloId: 'vision-availability-scripted', good: true },
      { sloId: 'vision-latency-scripted', good: false },
    ]);
  });

  it('defines its SLOs once, and not at all when the hub already has them (restored state)', async () => {
    const { hub, provider } = setup();
    await provider.analyzeImage(image);
    await provider.analyzeImage(image);
    expect(hub.slos.size).toBe(2);
    const restored = new FakeHub();
    restored.slos.set('vision-availability-scripted', { ...hub.slos.get('vision-availability-scripted')!, target: 90 });
    const again = new ObservableVisionProvider(new ScriptedProvider(new ManualClock()), restored);
    await again.analyzeImage(image);
    expect(restored.slos.get('vision-availability-scripted')?.target).toBe(90);
    expect(restored.slos.has('vision-latency-scripted')).toBe(true);
  });

  it('reports latency anomalies from the detector on the span and as an event', async () => {
    const { hub, base, provider, events } = setup();
    hub.anomalyFor = (value) =>
      value > 100 ? { anomalyId: 'a1', anomalyType: 'spike', expectedValue: 10, actualValue: value } : undefined;
    base.next = { latencyMs: 10 };
    await provider.analyzeImage(image);
    base.next = { latencyMs: 900 };
    await provider.analyzeImage(image);
    expect(events.filter((e) => e.type === 'vision/latency-anomaly')).toEqual([
      expect.objectContaining({ anomalyId: 'a1', expectedMs: 10, actualMs: 900 }),
    ]);
    expect(hub.spans[1]?.logs.map((l) => l.message)).toContain('latency anomaly');
  });

  it('fires an alert while errors persist and resolves it after recovery', async () => {
    const { clock, hub, base, provider, events } = setup({
      errorAlert: { windowMs: 10_000, minRequests: 10, errorRatio: 0.3 },
    });
    const run = async (n: number, fail: boolean) => {
      for (let i = 0; i < n; i++) {
        base.next = fail ? { error: new UpstreamDown('DOWN', 'down') } : {};
        await provider.analyzeImage(image).catch(() => undefined);
        clock.advance(100);
      }
    };
    await run(10, false);
    await run(2, true); // 2 of 12: below 30%
    expect(hub.alertStore.size).toBe(0);
    await run(4, true); // 6 of 16
    const alert = hub.alertStore.get(provider.errorAlertId);
    expect(alert).toMatchObject({
      state: 'firing',
      name: 'VisionProviderErrors',
      severity: 'error',
      labels: { provider: 'scripted' },
    });
    expect(alert?.message).toMatch(/of the last \d+ requests to vision provider scripted failed/);
    expect(events.some((e) => e.type === 'vision/error-alert-fired')).toBe(true);
    // Errors continue: refreshed at most once a second of virtual time.
    await run(10, true);
    expect(hub.alertStore.get(provider.errorAlertId)!.fired).toBeLessThanOrEqual(3);
    // Recovery: the window slides past the errors.
    clock.advance(10_001);
    await run(20, false);
    expect(hub.alertStore.get(provider.errorAlertId)?.state).toBe('resolved');
    expect(events.some((e) => e.type === 'vision/error-alert-resolved')).toBe(true);
  });

  it('never fails a request because the hub throws', async () => {
    for (const broken of [
      'increment',
      'histogram',
      'gauge',
      'startSpan',
      'finishSpan',
      'defineSLO',
      'recordEvent',
      'detect',
      'fireAlert',
    ]) {
      const { hub, base, provider, events } = setup({ errorAlert: { minRequests: 1 } });
      hub.throwIn.add(broken);
      base.next = {};
      await expect(provider.analyzeImage(image)).resolves.toMatchObject({ confidence: 0.9 });
      const boom = new UpstreamDown('DOWN', 'down');
      base.next = { error: boom };
      await expect(provider.analyzeImage(image)).rejects.toBe(boom);
      expect(events.some((e) => e.type === 'vision/instrumentation-failed')).toBe(true);
    }
  });

  it('keeps error_type labels bounded', async () => {
    const { hub, base, provider } = setup({ errorAlert: false });
    for (let i = 0; i < 50; i++) {
      const error = new Error('x');
      error.name = `Error${i}`;
      base.next = { error };
      await provider.analyzeImage(image).catch(() => undefined);
    }
    const types = new Set(
      hub.calls.filter((c) => c.name === VISION_METRICS.REQUESTS_ERROR).map((c) => c.labels['error_type']),
    );
    expect(types.size).toBe(33);
    expect(types.has('other')).toBe(true);
  });

  it('links the span to a given parent and hands it to onSpan', async () => {
    const { hub, provider } = setup();
    const parent = { traceId: 'a'.repeat(32), spanId: 'b'.repeat(16) };
    let seen: unknown;
    await provider.analyzeImage(image, true, { parent, onSpan: (span) => (seen = span) });
    expect(hub.spans[0]?.parent).toBe(parent);
    expect(seen).toBe(hub.spans[0]);
  });

  it('rejects bad construction with typed errors', () => {
    const hub = new FakeHub();
    expect(() => new ObservableVisionProvider(null as unknown as VisionProvider, hub)).toThrow(ObsError);
    expect(() => new ObservableVisionProvider({ providerName: 'x' } as VisionProvider, hub)).toThrow(ObsError);
    expect(
      () =>
        new ObservableVisionProvider(
          { providerName: 'x', analyzeImage: async () => ({ summary: '', details: {}, confidence: 1 }) },
          {} as FakeHub,
        ),
    ).toThrow(ObsError);
    const base = new ScriptedProvider(new ManualClock());
    expect(() => new ObservableVisionProvider(base, hub, { availabilityTarget: 100 })).toThrow(ObsError);
    expect(() => new ObservableVisionProvider(base, hub, { latencyThresholdMs: Number.NaN })).toThrow(ObsError);
    expect(() => new ObservableVisionProvider(base, hub, { errorAlert: { errorRatio: 2 } })).toThrow(ObsError);
    for (const bad of [
      { serviceName: '' },
      { serviceName: 'x'.repeat(1_000_000) },
      { serviceName: 'a\r\nb' },
      { serviceName: 42 },
      { clock: {} },
      { isClientError: 'yes' },
      { anomalyDetection: 'on' },
      { errorAlert: { severity: 'loud' } },
      { errorAlert: null },
      { availabilityTarget: Number.POSITIVE_INFINITY },
      { sloWindowDays: -1 },
    ]) {
      expect(() => new ObservableVisionProvider(base, hub, bad as never), JSON.stringify(bad)).toThrow(ObsError);
    }
    expect(() => new ObservableVisionProvider(base, hub, null as never)).toThrow(ObsError);
  });

  it('ignores per-call options that are not an object and survives a throwing onSpan', async () => {
    const { hub, provider, events } = setup();
    await expect(provider.analyzeImage(image, true, null as never)).resolves.toMatchObject({ confidence: 0.9 });
    await expect(provider.analyzeImage(image, true, 'x' as never)).resolves.toMatchObject({ confidence: 0.9 });
    await expect(
      provider.analyzeImage(image, true, {
        onSpan: () => {
          throw new Error('callback bug');
        },
      }),
    ).resolves.toMatchObject({ confidence: 0.9 });
    expect(events.some((e) => e.type === 'vision/instrumentation-failed' && e.message === 'callback bug')).toBe(true);
    expect(hub.count('increment', VISION_METRICS.REQUESTS_SUCCESS)).toBe(3);
  });

  it('records wrong input types as failures of the base provider, with zero image bytes', async () => {
    const hub = new FakeHub();
    const provider = new ObservableVisionProvider(
      new (await import('./local/LocalImageProvider')).LocalImageProvider(),
      hub,
    );
    await expect(provider.analyzeImage('not bytes' as never)).rejects.toMatchObject({ code: 'INVALID_INPUT_TYPE' });
    expect(hub.spans[0]?.tags).toMatchObject({ 'image.bytes': 0 });
    expect(
      hub.count('increment', VISION_METRICS.REQUESTS_ERROR, { provider: 'local', error_type: 'invalid_input_type' }),
    ).toBe(1);
  });

  it('uses a safe SLO id for any provider name', async () => {
    const hub = new FakeHub();
    const odd = new ObservableVisionProvider(
      { providerName: 'my provider/v2 ☃', analyzeImage: async () => ({ summary: '', details: {}, confidence: 1 }) },
      hub,
    );
    await odd.analyzeImage(image);
    expect(odd.sloIds.availability).toMatch(/^[A-Za-z0-9][A-Za-z0-9_.:-]{0,127}$/);
    expect(odd.providerName).toBe('observable_my provider/v2 ☃');
  });
});
