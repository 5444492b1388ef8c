import { ManualClock } from '@obs/core';
import { describe, expect, it } from 'vitest';
import { TracingValidationError } from './errors';
import { toOtlpSpan } from './otlp/otlpJson';
import { traceLogFields } from './logCorrelation';
import { createTraceManager } from './TraceManager';

const TRACE = '4bf92f3577b34da6a3ce929d0e0e4736';
const SPAN = '00f067aa0ba902b7';

describe('TraceManager API for integrations', () => {
  it('withContext makes a frame active: its parent parents new spans, getActiveContext returns the frame', () => {
    const tm = createTraceManager({ traceSampleRate: 1, reaperIntervalMs: 0 });
    const remote = { traceId: TRACE, spanId: SPAN, sampled: true, baggage: {} };
    const frame = { parent: remote, extra: 'mine' };
    tm.withContext(frame, () => {
      expect(tm.getActiveContext()).toBe(frame);
      expect(tm.getActiveSpan()).toBeUndefined();
      const child = tm.startSpan('child', 'svc');
      expect(child.context).toMatchObject({ traceId: TRACE, parentSpanId: SPAN });
      tm.withSpan(child, () => {
        expect(tm.getActiveContext()).toBe(child);
        expect(tm.getActiveSpan()).toBe(child);
      });
      child.finish();
    });
    const span = tm.startSpan('local', 'svc');
    tm.withContext({ parent: span }, () => {
      expect(tm.getActiveSpan()).toBe(span);
      expect(tm.startSpan('c', 'svc').context.parentSpanId).toBe(span.context.spanId);
    });
    tm.withSpan(span, () =>
      tm.withContext({ parent: undefined }, () => {
        expect(tm.startSpan('root', 'svc').context.parentSpanId).toBeUndefined();
      }),
    );
    expect(tm.withContext({ parent: undefined }, (a: number, b: number) => a + b, 1, 2)).toBe(3);
  });

  it('withContext rejects a bad frame with a typed error', () => {
    const tm = createTraceManager({ reaperIntervalMs: 0 });
    for (const bad of [null, 1, { parent: { traceId: 'x' } }, { parent: 'span' }]) {
      expect(() => tm.withContext(bad as never, () => 1)).toThrow(TracingValidationError);
    }
    expect(() => tm.enterSpan({} as never)).toThrow(TracingValidationError);
  });

  it('enterSpan makes a span active for the rest of the synchronous execution and what it schedules', async () => {
    const tm = createTraceManager({ traceSampleRate: 1, reaperIntervalMs: 0 });
    const span = tm.startSpan('server', 'svc');
    await new Promise<void>((resolve) =>
      setImmediate(() => {
        tm.enterSpan(span);
        expect(tm.getActiveSpan()).toBe(span);
        setTimeout(() => {
          expect(tm.getActiveSpan()).toBe(span);
          resolve();
        }, 1);
      }),
    );
    expect(tm.getActiveSpan()).toBeUndefined();
  });

  it('explicit start and end times, timestamped logs, renames and links', () => {
    const clock = new ManualClock(10_000);
    const tm = createTraceManager({ traceSampleRate: 1, reaperIntervalMs: 0, clock });
    const span = tm.startSpan('GET', 'svc', undefined, { 'span.kind': 'server' }, { startTime: 9_000 });
    expect(span.startTime).toBe(9_000);
    span
      .updateName('GET /users/:id')
      .log('event', { a: 1 }, 9_500)
      .addLink({ traceId: TRACE, spanId: SPAN, sampled: true, baggage: {}, traceState: 'a=1' }, { k: 'v' });
    span.addLink({ traceId: 'bad' } as never);
    span.finish(undefined, 9_800);
    expect(span).toMatchObject({ operationName: 'GET /users/:id', endTime: 9_800, durationMs: 800 });
    expect(span.logs[0]).toMatchObject({ timestamp: 9_500, message: 'event' });
    expect(span.links).toEqual([
      { traceId: TRACE, spanId: SPAN, sampled: true, traceState: 'a=1', attributes: { k: 'v' } },
    ]);
    expect(() => span.updateName('late')).not.toThrow();
    expect(span.operationName).toBe('GET /users/:id');
    const otlp = toOtlpSpan(span);
    expect(otlp.links).toEqual([
      {
        traceId: TRACE,
        spanId: SPAN,
        traceState: 'a=1',
        flags: 1,
        attributes: [{ key: 'k', value: { stringValue: 'v' } }],
      },
    ]);
    expect(otlp.droppedLinksCount).toBe(1);
    const early = tm.startSpan('x', 'svc');
    early.finish(undefined, 1); // before the start: clamped
    expect(early.durationMs).toBe(0);
    expect(() => tm.startSpan('x', 'svc', undefined, undefined, { startTime: NaN })).toThrow(TracingValidationError);
    expect(() => tm.startSpan('x', 'svc').finish(undefined, Infinity)).toThrow(TracingValidationError);
    expect(tm.startSpan('after', 'svc').startTime).toBe(10_000); // a failed explicit start time leaves no trace
  });
});

describe('traceLogFields', () => {
  it('gives trace_id, span_id and trace_flags of the active span, {} outside one', () => {
    const tm = createTraceManager({ traceSampleRate: 1, reaperIntervalMs: 0 });
    const fields = traceLogFields(tm);
    expect(fields()).toEqual({});
    const span = tm.startSpan('op', 'svc');
    tm.withSpan(span, () =>
      expect(fields()).toEqual({ trace_id: span.context.traceId, span_id: span.context.spanId, trace_flags: '01' }),
    );
    const off = createTraceManager({ traceSampleRate: 0, reaperIntervalMs: 0 });
    const unsampled = off.startSpan('op', 'svc');
    off.withSpan(unsampled, () =>
      expect(traceLogFields(off)()).toMatchObject({ trace_flags: '00', trace_id: unsampled.context.traceId }),
    );
    expect(() => traceLogFields({} as never)).toThrow(TypeError);
  });
});
