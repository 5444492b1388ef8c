import { fc, test } from '@fast-check/vitest';
import { ManualClock } from '@obs/core';
import { createRequire } from 'node:module';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { TracingError, TracingValidationError } from './errors';
import type { TracingEvent } from './events';
import { createRatioThreshold, isTraceIdSampled } from './sampling';
import type { Span, SpanContext } from './Span';
import type { SpanExporter } from './SpanExporter';
import { createTraceManager, type TraceManagerConfig } from './TraceManager';
import { TraceStatus } from './TraceStatus';

const TRACE = '4bf92f3577b34da6a3ce929d0e0e4736';
const SPAN = '00f067aa0ba902b7';

function setup(config: TraceManagerConfig = {}) {
  const clock = new ManualClock(1_000_000);
  const tm = createTraceManager({ traceSampleRate: 1, reaperIntervalMs: 0, clock, ...config });
  const events: TracingEvent[] = [];
  const sub = tm.events$.subscribe((e) => events.push(e));
  return { tm, clock, events, sub };
}

// @obs/core's EventBus loads rxjs through require (CommonJS) under vitest, so
// its global config is that instance's.
const { config } = createRequire(import.meta.url)('rxjs') as typeof import('rxjs');

afterEach(() => {
  vi.useRealTimers();
});

describe('spans', () => {
  it('starts a sampled root with W3C ids, the random flag and clock time', () => {
    const { tm } = setup();
    const span = tm.startSpan('GET /', 'web', undefined, { 'http.method': 'GET' });
    expect(span.context).toMatchObject({ sampled: true, traceFlags: 3 });
    expect(span.context.traceId).toMatch(/^[0-9a-f]{32}$/);
    expect(span.context.spanId).toMatch(/^[0-9a-f]{16}$/);
    expect(span.context.parentSpanId).toBeUndefined();
    expect(span).toMatchObject({
      operationName: 'GET /',
      serviceName: 'web',
      startTime: 1_000_000,
      status: 'unset',
      isRecording: true,
      ended: false,
    });
    expect(span.endTime).toBeUndefined();
    expect(span.durationMs).toBeUndefined();
    expect({ ...span.tags }).toEqual({ 'http.method': 'GET' });
  });

  it('finishes with OK by default, measures duration, and a second finish is a no-op', () => {
    const { tm, clock, events } = setup();
    const span = tm.startSpan('op', 'svc');
    clock.advance(25);
    span.finish();
    clock.advance(100);
    span.finish(TraceStatus.ERROR);
    tm.finishSpan(span, TraceStatus.ERROR);
    expect(span.status).toBe('ok');
    expect(span.endTime).toBe(1_000_025);
    expect(span.durationMs).toBe(25);
    expect(events.filter((e) => e.type === 'traces/span-ended')).toHaveLength(1);
  });

  it('finishSpan defaults to OK and keeps an ERROR set earlier', () => {
    const { tm } = setup();
    const a = tm.startSpan('a', 'svc');
    tm.finishSpan(a);
    expect(a.status).toBe('ok');
    const b = tm.startSpan('b', 'svc').setStatus(TraceStatus.ERROR);
    b.finish();
    expect(b.status).toBe('error');
  });

  it('records tags and logs, dropping and counting invalid ones', () => {
    const { tm, clock } = setup({ maxTagsPerSpan: 4, maxLogsPerSpan: 2, maxTagValueLength: 8 });
    const span = tm.startSpan('op', 'svc');
    span.setTag('n', 1).setTag('s', 'x'.repeat(100)).setTag('arr', [1, 2]).setTag('__proto__', 'data');
    span
      .setTag('nan', NaN)
      .setTag('obj', {} as unknown as string)
      .setTag('', 'x')
      .setTag('mixed', [1, 'a'] as unknown as number[]);
    span.setTag('fifth', true);
    clock.advance(5);
    span
      .log('one', { k: 'v', bad: Symbol('x') as unknown as string })
      .log('two')
      .log('three');
    expect({ ...span.tags }).toEqual({ n: 1, s: 'xxxxxxxx', arr: [1, 2], ['__proto__']: 'data' });
    expect(Object.getPrototypeOf(span.tags)).toBeNull();
    expect(({} as Record<string, unknown>).data).toBeUndefined();
    expect(span.logs).toEqual([
      { timestamp: 1_000_005, message: 'one', fields: expect.objectContaining({ k: 'v' }) },
      { timestamp: 1_000_005, message: 'two', fields: {} },
    ]);
    expect(tm.stats().droppedAttributes).toBe(5 + 1 + 1);
    span.finish();
    span.setTag('late', 1).log('late');
    expect(span.tags['late']).toBeUndefined();
    expect(span.logs).toHaveLength(2);
  });

  it('setTags and log survive hostile objects', () => {
    const { tm } = setup();
    const span = tm.startSpan('op', 'svc');
    const hostile = new Proxy(
      {},
      {
        ownKeys: () => {
          throw new Error('boom');
        },
      },
    );
    expect(() => span.setTags(hostile)).not.toThrow();
    expect(() => span.log('x', hostile)).not.toThrow();
    expect(() => span.setTags(JSON.parse('{"__proto__": {"polluted": true}}'))).not.toThrow();
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });

  it('rejects bad names, parents and statuses with typed errors, leaving state untouched', () => {
    const { tm } = setup();
    for (const bad of ['', 42, null, undefined, 'x'.repeat(2000)]) {
      expect(() => tm.startSpan(bad as string, 'svc')).toThrow(TracingValidationError);
      expect(() => tm.startSpan('op', bad as string)).toThrow(TracingValidationError);
    }
    for (const bad of [42, 'ctx', { traceId: 'x', spanId: SPAN }, { traceId: TRACE, spanId: SPAN, sampled: 'yes' }]) {
      expect(() => tm.startSpan('op', 'svc', bad as unknown as SpanContext)).toThrow(TracingValidationError);
    }
    const span = tm.startSpan('op', 'svc');
    expect(() => span.finish('done' as TraceStatus)).toThrow(TracingValidationError);
    expect(() => span.setStatus(NaN as unknown as TraceStatus)).toThrow(TracingValidationError);
    expect(span.ended).toBe(false);
    expect(() => tm.finishSpan({} as Span)).toThrow(TracingValidationError);
    expect(tm.stats().activeSpans).toBe(1);
  });

  it('rejects bad config with typed errors', () => {
    for (const bad of [
      { traceSampleRate: 2 },
      { traceSampleRate: NaN },
      { maxTraces: 0 },
      { maxSpansPerTrace: 1.5 },
      { traceRetentionMs: -1 },
      { maxSpanAgeMs: Infinity },
      { reaperIntervalMs: -5 },
      { clock: {} },
      { exporters: 'x' },
    ]) {
      expect(() => createTraceManager(bad as TraceManagerConfig), JSON.stringify(bad)).toThrow(TracingValidationError);
    }
    expect(() => createTraceManager(null as unknown as TraceManagerConfig)).toThrow(TracingValidationError);
    expect(createTraceManager().sampleRate).toBe(0.1);
  });
});

describe('sampling', () => {
  it('decides roots from the trace id, consistently with TraceIdRatioBased', () => {
    const tm = createTraceManager({ traceSampleRate: 0.3, reaperIntervalMs: 0 });
    const threshold = createRatioThreshold(0.3);
    let sampled = 0;
    for (let i = 0; i < 3000; i++) {
      const span = tm.startSpan('op', 'svc');
      expect(span.isRecording).toBe(isTraceIdSampled(span.context.traceId, threshold));
      expect(span.context.sampled).toBe(span.isRecording);
      if (span.isRecording) sampled++;
      span.finish();
    }
    expect(sampled / 3000).toBeGreaterThan(0.25);
    expect(sampled / 3000).toBeLessThan(0.35);
  });

  it('children follow the parent (parent-based), local or remote', () => {
    const tm = createTraceManager({ traceSampleRate: 0, reaperIntervalMs: 0 });
    const remoteSampled = tm.extractContext({ traceparent: `00-${TRACE}-${SPAN}-01` })!;
    const remoteUnsampled = tm.extractContext({ traceparent: `00-${TRACE}-${SPAN}-00` })!;
    const a = tm.startSpan('a', 'svc', remoteSampled);
    const b = tm.startSpan('b', 'svc', remoteUnsampled);
    expect([a.isRecording, b.isRecording]).toEqual([true, false]);
    expect(tm.startSpan('a1', 'svc', a).isRecording).toBe(true);
    expect(tm.startSpan('b1', 'svc', b).isRecording).toBe(false);
    expect(a.context).toMatchObject({ traceId: TRACE, parentSpanId: SPAN, traceFlags: 1 });
    expect(tm.injectContext(b).traceparent).toMatch(new RegExp(`^00-${TRACE}-[0-9a-f]{16}-00$`));
  });

  it('unsampled spans propagate but store nothing and emit nothing', () => {
    const { tm, events } = setup({ traceSampleRate: 0 });
    const root = tm.startSpan('root', 'svc');
    const child = tm.startSpan('child', 'svc', root);
    child.setTag('k', 'v').log('x');
    child.finish();
    root.finish(TraceStatus.ERROR);
    root.finish();
    expect(root).toMatchObject({
      isRecording: false,
      ended: true,
      status: 'error',
      startTime: 0,
      endTime: undefined,
      durationMs: undefined,
    });
    expect(child.tags).toEqual({});
    expect(child.logs).toEqual([]);
    expect(child.context.parentSpanId).toBe(root.context.spanId);
    expect(root.context).toMatchObject({ sampled: false, traceFlags: 2 });
    expect(events).toEqual([]);
    expect(tm.getActiveSpans()).toEqual([]);
    expect(tm.getTrace(root.context.traceId)).toEqual([]);
    expect(tm.getRecentTraces()).toEqual([]);
  });
});

describe('events', () => {
  it('emits span-started and span-ended only while observed', () => {
    const { tm, events, sub } = setup();
    const span = tm.startSpan('op', 'svc');
    span.finish();
    expect(events.map((e) => e.type)).toEqual(['traces/span-started', 'traces/span-ended']);
    expect(events[1]).toMatchObject({
      source: 'traces',
      span,
      traceId: span.context.traceId,
      status: 'ok',
      durationMs: 0,
      abandoned: false,
    });
    sub.unsubscribe();
    tm.startSpan('quiet', 'svc').finish();
    expect(events).toHaveLength(2);
  });

  it('a throwing subscriber does not break recording or other subscribers', async () => {
    const { tm, events } = setup();
    const previous = config.onUnhandledError;
    const reported: unknown[] = [];
    config.onUnhandledError = (error) => reported.push(error);
    try {
      tm.events$.subscribe(() => {
        throw new Error('bad subscriber');
      });
      const span = tm.startSpan('op', 'svc');
      expect(() => span.finish()).not.toThrow();
      expect(events.map((e) => e.type)).toEqual(['traces/span-started', 'traces/span-ended']);
      expect(tm.getTrace(span.context.traceId)).toHaveLength(1);
      // RxJS reports a subscriber's error on a later macrotask.
      await new Promise((resolve) => setTimeout(resolve, 5));
      expect(reported).toHaveLength(2);
    } finally {
      config.onUnhandledError = previous;
    }
  });
});

describe('storage', () => {
  it('returns a trace ordered by start time', () => {
    const { tm, clock } = setup();
    const root = tm.startSpan('root', 'svc');
    clock.advance(1);
    const b = tm.startSpan('b', 'svc', root);
    clock.advance(1);
    const a = tm.startSpan('a', 'svc', root);
    a.finish();
    b.finish();
    root.finish();
    expect(tm.getTrace(root.context.traceId).map((s) => s.operationName)).toEqual(['root', 'b', 'a']);
    expect(tm.getTrace('unknown')).toEqual([]);
    expect(() => tm.getTrace(42 as unknown as string)).toThrow(TracingValidationError);
  });

  it('joins spans of a remote parent to the stored trace', () => {
    const { tm } = setup();
    const parent = tm.extractContext({ traceparent: `00-${TRACE}-${SPAN}-01` })!;
    tm.startSpan('first', 'svc', parent).finish();
    tm.startSpan('second', 'svc', parent).finish();
    const both = [tm.startSpan('x', 'svc', parent), tm.startSpan('y', 'svc', parent)];
    both.forEach((s) => s.finish());
    expect(tm.getTrace(TRACE).map((s) => s.operationName)).toEqual(['first', 'second', 'x', 'y']);
    expect(tm.getRecentTraces()).toHaveLength(1);
  });

  it('evicts the oldest trace beyond maxTraces', () => {
    const { tm } = setup({ maxTraces: 3 });
    const ids: string[] = [];
    for (let i = 0; i < 5; i++) {
      const span = tm.startSpan(`op${i}`, 'svc');
      ids.push(span.context.traceId);
      span.finish();
    }
    expect(ids.map((id) => tm.getTrace(id).length)).toEqual([0, 0, 1, 1, 1]);
    expect(tm.stats()).toMatchObject({ storedTraces: 3, evictedTraces: 2, storedSpans: 3 });
  });

  it('drops and counts spans beyond maxSpansPerTrace', () => {
    const { tm, events } = setup({ maxSpansPerTrace: 2 });
    const root = tm.startSpan('root', 'svc');
    for (let i = 0; i < 3; i++) tm.startSpan('c', 'svc', root).finish();
    root.finish();
    expect(tm.getTrace(root.context.traceId)).toHaveLength(2);
    expect(tm.stats().droppedSpans).toBe(2);
    expect(events.filter((e) => e.type === 'traces/spans-dropped')).toHaveLength(2);
  });

  it('forgets traces after the retention', () => {
    const { tm, clock } = setup({ traceRetentionMs: 1000 });
    const span = tm.startSpan('op', 'svc');
    span.finish();
    clock.advance(999);
    expect(tm.getTrace(span.context.traceId)).toHaveLength(1);
    clock.advance(2);
    expect(tm.getTrace(span.context.traceId)).toEqual([]);
    expect(tm.getRecentTraces()).toEqual([]);
  });

  it('a span finishing after its trace was evicted starts a fresh record', () => {
    const { tm } = setup({ maxTraces: 1 });
    const root = tm.startSpan('root', 'svc');
    tm.startSpan('early', 'svc', root).finish();
    const late = tm.startSpan('late', 'svc', root);
    tm.startSpan('other', 'svc').finish();
    late.finish();
    root.finish();
    expect(
      tm
        .getTrace(root.context.traceId)
        .map((s) => s.operationName)
        .sort(),
    ).toEqual(['late', 'root']);
    expect(tm.stats().storedTraces).toBe(1);
  });

  it('summarizes recent traces for a dashboard, newest first', () => {
    const { tm, clock } = setup();
    const root = tm.startSpan('GET /a', 'web');
    clock.advance(5);
    const child = tm.startSpan('db', 'pg', root);
    clock.advance(10);
    child.finish(TraceStatus.ERROR);
    clock.advance(5);
    root.finish();
    tm.startSpan('GET /b', 'web').finish();
    const [newest, older] = tm.getRecentTraces(10);
    expect(newest).toMatchObject({ rootOperation: 'GET /b', spanCount: 1, hasError: false });
    expect(older).toEqual({
      traceId: root.context.traceId,
      rootOperation: 'GET /a',
      serviceName: 'web',
      startTime: 1_000_000,
      durationMs: 20,
      spanCount: 2,
      hasError: true,
      services: ['pg', 'web'],
    });
    expect(tm.getRecentTraces(1)).toHaveLength(1);
    expect(tm.getRecentTraces(0)).toEqual([]);
    for (const bad of [-1, 1.5, NaN, '3'])
      expect(() => tm.getRecentTraces(bad as number)).toThrow(TracingValidationError);
  });

  test.prop([
    fc.array(fc.tuple(fc.nat(9), fc.nat(5)), { maxLength: 200 }),
    fc.integer({ min: 1, max: 4 }),
    fc.integer({ min: 1, max: 3 }),
  ])('never holds more than maxTraces traces or maxSpansPerTrace spans each', (ops, maxTraces, maxSpansPerTrace) => {
    const { tm } = setup({ maxTraces, maxSpansPerTrace });
    const roots = Array.from({ length: 10 }, (_, i) => tm.startSpan(`root${i}`, 'svc'));
    for (const [root, n] of ops) for (let i = 0; i < n; i++) tm.startSpan('c', 'svc', roots[root]).finish();
    roots.forEach((r) => r.finish());
    const stats = tm.stats();
    expect(stats.storedTraces).toBeLessThanOrEqual(maxTraces);
    const recent = tm.getRecentTraces(100);
    expect(recent.length).toBe(stats.storedTraces);
    expect(recent.reduce((sum, t) => sum + t.spanCount, 0)).toBe(stats.storedSpans);
    for (const t of recent) expect(t.spanCount).toBeLessThanOrEqual(maxSpansPerTrace);
  });
});

describe('abandoned spans', () => {
  it('ends spans older than maxSpanAgeMs on the reaper timer, tagged and with an event', async () => {
    vi.useFakeTimers();
    const clock = new ManualClock(0);
    const tm = createTraceManager({ traceSampleRate: 1, clock, maxSpanAgeMs: 1000, reaperIntervalMs: 500 });
    const events: TracingEvent[] = [];
    tm.events$.subscribe((e) => events.push(e));
    const old = tm.startSpan('old', 'svc');
    clock.advance(600);
    const young = tm.startSpan('young', 'svc');
    clock.advance(500);
    vi.advanceTimersByTime(500);
    expect(old.ended).toBe(true);
    expect(old.tags['obs.span.abandoned']).toBe(true);
    expect(old.status).toBe('unset');
    expect(old.endTime).toBe(1100);
    expect(young.ended).toBe(false);
    expect(events.find((e) => e.type === 'traces/span-ended')).toMatchObject({ abandoned: true, span: old });
    expect(tm.stats()).toMatchObject({ abandonedSpans: 1, activeSpans: 1 });
    old.finish();
    expect(old.endTime).toBe(1100);
    expect(vi.getTimerCount()).toBe(1);
    await tm.shutdown();
    expect(vi.getTimerCount()).toBe(0);
  });

  it('reaps lazily when spans start, without a timer', () => {
    const { tm, clock } = setup({ maxSpanAgeMs: 100 });
    const old = tm.startSpan('old', 'svc');
    clock.advance(100);
    tm.startSpan('new', 'svc');
    expect(old.ended).toBe(true);
    expect(tm.getActiveSpans().map((s) => s.operationName)).toEqual(['new']);
    expect(tm.reapAbandoned()).toBe(0);
  });

  it('abandons the oldest span beyond maxActiveSpans', () => {
    const { tm } = setup({ maxActiveSpans: 2 });
    const spans = [tm.startSpan('a', 'svc'), tm.startSpan('b', 'svc'), tm.startSpan('c', 'svc')];
    expect(spans.map((s) => s.ended)).toEqual([true, false, false]);
    expect(tm.getActiveSpans()).toEqual([spans[1], spans[2]]);
  });

  it('keeps the active list consistent when spans finish in any order', () => {
    const { tm } = setup();
    const spans = Array.from({ length: 6 }, (_, i) => tm.startSpan(`s${i}`, 'svc'));
    for (const i of [3, 0, 5, 1]) spans[i]!.finish();
    expect(tm.getActiveSpans().map((s) => s.operationName)).toEqual(['s2', 's4']);
    spans[2]!.finish();
    spans[4]!.finish();
    expect(tm.getActiveSpans()).toEqual([]);
    expect(tm.stats().activeSpans).toBe(0);
  });
});

describe('exporters and lifecycle', () => {
  it('hands finished sampled spans to exporters, isolating a throwing one', async () => {
    const { tm, events } = setup();
    const received: Span[] = [];
    const good: SpanExporter = {
      name: 'good',
      onEnd: (s) => received.push(s),
      forceFlush: async () => undefined,
      shutdown: vi.fn(async () => undefined),
    };
    const bad: SpanExporter = {
      name: 'bad',
      onEnd: () => {
        throw new Error('exporter broke');
      },
      forceFlush: async () => undefined,
      shutdown: async () => {
        throw new Error('no');
      },
    };
    tm.addExporter(bad);
    const remove = tm.addExporter(good);
    const span = tm.startSpan('op', 'svc');
    span.finish();
    expect(received).toEqual([span]);
    expect(tm.stats().exporterErrors).toBe(1);
    expect(events.find((e) => e.type === 'traces/exporter-error')).toMatchObject({
      exporter: 'bad',
      error: 'Error: exporter broke',
    });
    remove();
    tm.startSpan('op2', 'svc').finish();
    expect(received).toHaveLength(1);
    tm.addExporter(good);
    await tm.flush();
    await tm.shutdown();
    await tm.shutdown();
    expect(good.shutdown).toHaveBeenCalledTimes(1);
    expect(() => tm.addExporter(good)).toThrow(TracingError);
    expect(() => tm.addExporter({} as SpanExporter)).toThrow(TracingValidationError);
  });
});
