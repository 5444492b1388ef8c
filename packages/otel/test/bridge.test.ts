import {
  ROOT_CONTEXT,
  SpanKind,
  SpanStatusCode,
  context,
  defaultTextMapGetter,
  defaultTextMapSetter,
  metrics as otelMetrics,
  propagation,
  trace,
} from '@opentelemetry/api';
import { ObsError } from '@obs/core';
import { createMetricsCollector, serialize } from '@obs/metrics';
import { createTraceManager, type TraceManager } from '@obs/tracing';
import { afterEach, describe, expect, it } from 'vitest';
import { registerObs, type UnregisterObs } from '../src';

let unregister: UnregisterObs | undefined;
afterEach(() => {
  unregister?.();
  unregister = undefined;
});

function setup(sampleRate = 1): { traces: TraceManager; metrics: ReturnType<typeof createMetricsCollector> } {
  const traces = createTraceManager({ traceSampleRate: sampleRate, reaperIntervalMs: 0 });
  const metrics = createMetricsCollector();
  unregister = registerObs({ traces, metrics, serviceName: 'svc', collectIntervalMs: 0 });
  return { traces, metrics };
}

const TP = '00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01';

describe('traces through the OpenTelemetry API', () => {
  it('a span lands in the TraceManager with attributes, kind, events, links, status and scope', () => {
    const { traces } = setup();
    const tracer = trace.getTracer('my-lib', '1.2.3');
    const link = {
      context: { traceId: '4bf92f3577b34da6a3ce929d0e0e4736', spanId: '00f067aa0ba902b7', traceFlags: 1 },
      attributes: { why: 'batch' },
    };
    const span = tracer.startSpan('GET', {
      kind: SpanKind.SERVER,
      attributes: { 'http.request.method': 'GET', skipped: undefined },
      links: [link],
    });
    span.setAttribute('http.response.status_code', 500).setAttributes({ a: [1, 2] });
    span.addEvent('retry', { attempt: 2 });
    span.recordException(new TypeError('boom'));
    span.setStatus({ code: SpanStatusCode.ERROR, message: 'server error' });
    span.updateName('GET /users/:id');
    expect(span.isRecording()).toBe(true);
    span.end();
    expect(span.isRecording()).toBe(false);
    const { traceId, spanId } = span.spanContext();
    const [stored] = traces.getTrace(traceId);
    expect(stored).toMatchObject({ operationName: 'GET /users/:id', serviceName: 'svc', status: 'error' });
    expect(stored!.context.spanId).toBe(spanId);
    expect({ ...stored!.tags }).toMatchObject({
      'span.kind': 'server',
      'http.request.method': 'GET',
      'http.response.status_code': 500,
      a: [1, 2],
      'otel.scope.name': 'my-lib',
      'otel.scope.version': '1.2.3',
      'otel.status_description': 'server error',
    });
    expect(stored!.logs.map((l) => l.message)).toEqual(['retry', 'exception']);
    expect(stored!.logs[1]!.fields).toMatchObject({ 'exception.type': 'TypeError', 'exception.message': 'boom' });
    expect(stored!.links).toHaveLength(1);
  });

  it('a span whose status was never set ends UNSET; OK stays OK', () => {
    const { traces } = setup();
    const tracer = trace.getTracer('t');
    const a = tracer.startSpan('a');
    a.end();
    const b = tracer.startSpan('b');
    b.setStatus({ code: SpanStatusCode.OK });
    b.end();
    expect(traces.getTrace(a.spanContext().traceId)[0]!.status).toBe('unset');
    expect(traces.getTrace(b.spanContext().traceId)[0]!.status).toBe('ok');
  });

  it('one active context for both APIs, both ways', async () => {
    const { traces } = setup();
    const tracer = trace.getTracer('t');
    await tracer.startActiveSpan('otel-parent', async (parent) => {
      await Promise.resolve();
      // An @obs span started inside an OTel active span is its child ...
      const obsChild = traces.startSpan('obs-child', 'svc');
      expect(obsChild.context.parentSpanId).toBe(parent.spanContext().spanId);
      expect(traces.getActiveSpan()?.context.spanId).toBe(parent.spanContext().spanId);
      // ... and an OTel span started inside traces.withSpan is the @obs span's child.
      await traces.withSpan(obsChild, async () => {
        await new Promise((r) => setTimeout(r, 1));
        expect(trace.getActiveSpan()?.spanContext().spanId).toBe(obsChild.context.spanId);
        const otelGrandchild = tracer.startSpan('otel-grandchild');
        const [stored] =
          (otelGrandchild.end(),
          traces.getTrace(parent.spanContext().traceId).filter((s) => s.operationName === 'otel-grandchild'));
        expect(stored!.context.parentSpanId).toBe(obsChild.context.spanId);
      });
      obsChild.finish();
      parent.end();
    });
    expect(trace.getActiveSpan()).toBeUndefined();
    expect(traces.getActiveSpan()).toBeUndefined();
    // root: true and an empty context start new traces.
    context.with(trace.setSpan(ROOT_CONTEXT, tracer.startSpan('x')), () => {
      expect(tracer.startSpan('r', { root: true }).spanContext().traceId).not.toBe(
        trace.getActiveSpan()!.spanContext().traceId,
      );
      expect(traces.startSpan('in', 'svc').context.traceId).toBe(trace.getActiveSpan()!.spanContext().traceId);
      context.with(ROOT_CONTEXT, () => expect(traces.startSpan('root', 'svc').context.parentSpanId).toBeUndefined());
    });
  });

  it('context.bind binds functions and event emitters', async () => {
    setup();
    const { EventEmitter } = await import('node:events');
    const tracer = trace.getTracer('t');
    const span = tracer.startSpan('bound');
    const ctx = trace.setSpan(ROOT_CONTEXT, span);
    const fn = context.bind(ctx, () => trace.getActiveSpan());
    expect(fn()).toBe(span);
    const ee = context.bind(ctx, new EventEmitter());
    let seen: unknown;
    const listener = () => (seen = trace.getActiveSpan());
    ee.on('x', listener);
    ee.emit('x');
    expect(seen).toBe(span);
    ee.off('x', listener);
    expect(ee.listenerCount('x')).toBe(0);
  });

  it('the propagator injects and extracts W3C headers through @obs/tracing, tracestate duplicates included', () => {
    setup();
    for (const tracestate of ['foo=1,foo=1', 'foo=1,foo=2']) {
      const ctx = propagation.extract(
        ROOT_CONTEXT,
        { traceparent: TP, tracestate, baggage: 'k=v%201;p=1' },
        defaultTextMapGetter,
      );
      const sc = trace.getSpanContext(ctx)!;
      expect(sc).toMatchObject({
        traceId: '4bf92f3577b34da6a3ce929d0e0e4736',
        spanId: '00f067aa0ba902b7',
        isRemote: true,
        traceFlags: 1,
      });
      expect(sc.traceState?.serialize()).toBe('foo=1');
      expect(propagation.getBaggage(ctx)?.getEntry('k')?.value).toBe('v 1');
      const child = trace.getTracer('t').startSpan('child', {}, ctx);
      expect(child.spanContext().traceId).toBe(sc.traceId);
      const out: Record<string, string> = {};
      propagation.inject(trace.setSpan(ctx, child), out, defaultTextMapSetter);
      expect(out['traceparent']).toMatch(new RegExp(`^00-${sc.traceId}-${child.spanContext().spanId}-0[13]$`));
      expect(out['tracestate']).toBe('foo=1');
      expect(out['baggage']).toBe('k=v%201;p=1');
    }
    expect(propagation.fields()).toEqual(['traceparent', 'tracestate', 'baggage']);
    expect(
      trace.getSpanContext(propagation.extract(ROOT_CONTEXT, { traceparent: 'junk' }, defaultTextMapGetter)),
    ).toBeUndefined();
    const hostile = {
      get: () => {
        throw new Error('no');
      },
      keys: () => [],
    };
    expect(() => propagation.extract(ROOT_CONTEXT, {}, hostile)).not.toThrow();
  });

  it('unsampled roots propagate with the sampled flag off', () => {
    setup(0);
    const span = trace.getTracer('t').startSpan('op');
    expect(span.isRecording()).toBe(false);
    expect(span.spanContext().traceFlags & 1).toBe(0);
    const out: Record<string, string> = {};
    propagation.inject(trace.setSpan(ROOT_CONTEXT, span), out, defaultTextMapSetter);
    expect(out['traceparent']).toMatch(/-0[02]$/);
  });

  it('registerObs refuses a second registration without installing anything, and unregister restores the no-ops', () => {
    const { traces } = setup();
    expect(() => registerObs({ traces })).toThrow(ObsError);
    expect(trace.getTracer('t').startSpan('still-ours').isRecording()).toBe(true);
    unregister!();
    unregister = undefined;
    expect(trace.getTracer('t').startSpan('noop').isRecording()).toBe(false);
    expect(() => registerObs({} as never)).toThrow(ObsError);
  });
});

describe('metrics through the OpenTelemetry API', () => {
  it('instruments record into @obs/metrics with Prometheus names', async () => {
    const { metrics } = setup();
    const meter = otelMetrics.getMeter('m');
    meter.createCounter('http.requests', { unit: '{request}' }).add(2, { 'http.request.method': 'GET' });
    meter.createCounter('http.requests', { unit: '{request}' }).add(-1); // dropped, as in OpenTelemetry
    meter
      .createHistogram('http.server.request.duration', { unit: 's', advice: { explicitBucketBoundaries: [0.1, 1] } })
      .record(0.25, { 'http.response.status_code': 200 });
    const updown = meter.createUpDownCounter('queue.size', { unit: '{item}' });
    updown.add(5);
    updown.add(-2);
    meter.createGauge('cpu.utilization', { unit: '1' }).record(0.5);
    let total = 10;
    meter
      .createObservableCounter('process.cpu.time', { unit: 's' })
      .addCallback((r) => r.observe(total, { mode: 'user' }));
    meter.createObservableGauge('heap.used', { unit: 'By' }).addCallback((r) => r.observe(1234));
    const batchGauge = meter.createObservableUpDownCounter('connections');
    meter.addBatchObservableCallback((r) => r.observe(batchGauge, 3), [batchGauge]);
    meter.createObservableGauge('broken').addCallback(() => {
      throw new Error('callback failed');
    });
    await unregister!.meterProvider!.collect();
    total = 15;
    await unregister!.meterProvider!.collect();
    expect(metrics.getCounter('http_requests_total', { http_request_method: 'GET' })).toBe(2);
    expect(
      metrics.getHistogramStats('http_server_request_duration_seconds', { http_response_status_code: '200' }).count,
    ).toBe(1);
    expect(metrics.getGauge('queue_size')).toBe(3);
    expect(metrics.getGauge('cpu_utilization_ratio')).toBe(0.5);
    expect(metrics.getCounter('process_cpu_time_seconds_total', { mode: 'user' })).toBe(15);
    expect(metrics.getGauge('heap_used_bytes')).toBe(1234);
    expect(metrics.getGauge('connections')).toBe(3);
    expect(unregister!.meterProvider!.stats()).toEqual({ droppedRecordings: 1, callbackErrors: 2 }); // the broken callback, once per collection
    const text = serialize(metrics).body;
    expect(text).toContain('http_server_request_duration_seconds_bucket{http_response_status_code="200",le="0.1"} 0');
    expect(text).toContain('http_server_request_duration_seconds_bucket{http_response_status_code="200",le="1"} 1');
  });

  it('a type conflict with an existing @obs metric is a counted drop, never a throw', () => {
    const { metrics } = setup();
    metrics.gauge('jobs_total', 1);
    const counter = otelMetrics.getMeter('m').createCounter('jobs');
    expect(() => counter.add(1)).not.toThrow();
    expect(unregister!.meterProvider!.stats().droppedRecordings).toBe(1);
  });
});
