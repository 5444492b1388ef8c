import { describe, expect, it } from 'vitest';
import { serializeFormat } from '@obs/metrics';
import { createObservabilityHub } from './index';

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
