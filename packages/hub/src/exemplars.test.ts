import { describe, expect, it } from 'vitest';
import { serializeFormat } from '@obs/metrics';
import { createObservabilityHub } from './index';
import { settle, virtualTime } from '@obs/testing';

describe('hub: exemplars from the active span', () => {
  it('links histogram and counter values recorded inside a sampled span to that span, and nothing outside', () => {
    const hub = createObservabilityHub({ traceSampleRate: 1 });
    hub.metrics.describe('work_seconds', { buckets: [0.1, 1] });
    hub.metrics.histogram('work_seconds', 0.05); // no active span
    const span = hub.traces.startSpan('work', 'test');
    hub.traces.withSpan(span, () => {
      hub.metrics.histogram('work_seconds', 0.5);
      hub.metrics.increment('work_total');
    });
    span.finish();
    hub.metrics.increment('work_total'); // outside again: the exemplar stays the one from the span
    const [h, c] = hub.metrics.collect().families;
    const ids = { trace_id: span.context.traceId, span_id: span.context.spanId };
    expect(h!.series[0]!.exemplars).toEqual([
      undefined,
      { labels: ids, value: 0.5, timestamp: expect.any(Number) },
      undefined,
    ]);
    expect(c!.series[0]!.exemplars).toEqual([{ labels: ids, value: 1, timestamp: expect.any(Number) }]);
    expect(serializeFormat(hub.metrics, 'openmetrics').body).toContain(
      `# {trace_id="${ids.trace_id}",span_id="${ids.span_id}"} 0.5`,
    );
  });

  it('keeps no exemplar for an unsampled span, and respects a source given in the options', () => {
    const hub = createObservabilityHub({ traceSampleRate: 0 });
    const span = hub.traces.startSpan('work', 'test');
    hub.traces.withSpan(span, () => hub.metrics.histogram('h', 1));
    expect(hub.metrics.collect().families[0]!.series[0]!.exemplars).toBeUndefined();

    const own = createObservabilityHub({
      metrics: { exemplars: () => ({ traceId: 'a'.repeat(32), spanId: 'b'.repeat(16) }) },
    });
    own.metrics.histogram('h', 1);
    expect(
      own.metrics.collect().families[0]!.series[0]!.exemplars!.some((e) => e?.labels.trace_id === 'a'.repeat(32)),
    ).toBe(true);
  });
});

describe('hub: latency exemplars on the dashboard', () => {
  it("keeps the latency metric's exemplars over the chart's span, each once, with the trace they point to", async () => {
    const time = virtualTime();
    const hub = createObservabilityHub({ clock: time.clock, scheduler: time.scheduler, traceSampleRate: 1 });
    try {
      hub.metrics.describe('vision_request_duration_ms', { buckets: [10, 100] });
      await hub.start();
      time.advance(0);
      await settle();
      const record = (ms: number) => {
        const span = hub.traces.startSpan('vision.analyze_image', 'vision');
        hub.traces.withSpan(span, () => hub.metrics.histogram('vision_request_duration_ms', ms, { provider: 'x' }));
        span.finish();
        return span.context;
      };
      const first = record(5);
      hub.metrics.histogram('vision_request_duration_ms', 50, { provider: 'x' }); // outside a span: no exemplar
      time.advance(1000);
      await settle();
      const second = record(500);
      time.advance(1000);
      await settle();
      time.advance(1000); // nothing new: nothing repeated
      await settle();
      const { exemplars } = hub.getDashboardData();
      expect(exemplars.map((e) => [e.traceId, e.spanId, e.value])).toEqual([
        [first.traceId, first.spanId, 5],
        [second.traceId, second.spanId, 500],
      ]);
      expect(exemplars[0]!.labels).toEqual({ provider: 'x' });
      expect(typeof exemplars[0]!.timestamp).toBe('number');
    } finally {
      await hub.stop();
    }
  });
});
