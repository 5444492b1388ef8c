import { createObservabilityHub, ManualClock, type ObservabilityHub } from '@obs/hub';
import { afterEach, describe, expect, it } from 'vitest';
import { createObservableProvider } from './hub';
import { VisionInputError } from './errors';
import { LocalImageProvider } from './local/LocalImageProvider';
import { checkerboard, pngBytes } from './testing/images';
import type { VisionHub } from './VisionHub';
import type { VisionProvider } from './VisionProvider';

// The real hub satisfies the structural type the wrapper needs (a compile-time check).
const _fits: (hub: ObservabilityHub) => VisionHub = (hub) => hub;
void _fits;

const hubs: ObservabilityHub[] = [];
afterEach(async () => {
  for (const hub of hubs.splice(0)) await hub.stop();
});

describe('ObservableVisionProvider with the real ObservabilityHub', () => {
  it('records inside the request span, so the latency keeps that trace as its exemplar', async () => {
    const hub = createObservabilityHub({ traceSampleRate: 1 });
    hubs.push(hub);
    const provider = createObservableProvider(new LocalImageProvider(), hub);
    let traceId: string | undefined;
    let spanId: string | undefined;
    await provider.analyzeImage(pngBytes(16, 16, checkerboard), true, {
      onSpan: (span) => ({ traceId, spanId } = span.context),
    });
    const latency = hub.metrics.collect().families.find((f) => f.name === 'vision_request_duration_ms')!;
    const exemplars = latency.series[0]!.exemplars!.filter((e) => e !== undefined);
    expect(exemplars).toHaveLength(1);
    expect(exemplars[0]!.labels).toEqual({ trace_id: traceId, span_id: spanId });
    expect(hub.traces.getActiveSpan()).toBeUndefined(); // nothing stays active afterwards
  });

  it('creates a default hub when none is given and records into it', async () => {
    const provider = createObservableProvider(new LocalImageProvider());
    hubs.push(provider.hub);
    expect(provider.providerName).toBe('observable_local');
    const result = await provider.analyzeImage(pngBytes(16, 16, checkerboard));
    expect(result.details).toMatchObject({ width: 16, height: 16 });
    await expect(provider.analyzeImage(new Uint8Array([1, 2, 3]))).rejects.toBeInstanceOf(VisionInputError);

    const metrics = provider.hub.metrics;
    expect(metrics.getCounter('vision_requests_total', { provider: 'local' })).toBe(2);
    expect(metrics.getCounter('vision_requests_success', { provider: 'local' })).toBe(1);
    expect(metrics.getCounter('vision_requests_error', { provider: 'local', error_type: 'unsupported_format' })).toBe(
      1,
    );
    expect(metrics.getHistogramStats('vision_request_duration_ms', { provider: 'local' }).count).toBe(2);
    expect(metrics.getGauge('vision_confidence', { provider: 'local' })).toBe(result.confidence);
    expect(
      provider.hub.sloTracker
        .listSLOs()
        .map((s) => s.sloId)
        .sort(),
    ).toEqual(['vision-availability-local', 'vision-latency-local']);
    // The client error does not count against availability.
    expect(provider.hub.sloTracker.getSLOStatus('vision-availability-local').currentValue).toBe(100);
  });

  it('fires a real alert while upstream errors persist, and the hub exposes the metrics', async () => {
    const clock = new ManualClock(Date.UTC(2026, 10, 29));
    const hub = createObservabilityHub({ clock, traceSampleRate: 1 });
    hubs.push(hub);
    let fail = false;
    const flaky: VisionProvider = {
      providerName: 'flaky',
      analyzeImage: async () => {
        clock.advance(20);
        if (fail) throw new Error('upstream down');
        return { summary: 'ok', details: {}, confidence: 0.8 };
      },
    };
    const provider = createObservableProvider(flaky, hub, { errorAlert: { minRequests: 10, errorRatio: 0.3 } });
    for (let i = 0; i < 10; i++) await provider.analyzeImage(new Uint8Array(1));
    fail = true;
    for (let i = 0; i < 10; i++) await provider.analyzeImage(new Uint8Array(1)).catch(() => undefined);
    const firing = hub.alerts.getFiringAlerts().filter((a) => a.name === 'VisionProviderErrors');
    expect(firing).toHaveLength(1);
    expect(firing[0]).toMatchObject({ severity: 'error', labels: { provider: 'flaky' } });
    expect(hub.metrics.getCounter('vision_requests_error', { provider: 'flaky', error_type: 'error' })).toBe(10);
    // Spans were recorded and finished with the right status.
    const spans = hub.traces.getTrace(hub.getDashboardData().traces.recent[0]!.traceId);
    expect(spans[0]?.operationName).toBe('vision.analyze_image');
    const dashboard = hub.getDashboardData();
    expect(dashboard.metrics.requestsTotal).toBe(20);
    expect(dashboard.alerts.firingCount).toBeGreaterThanOrEqual(1);
  });
});
