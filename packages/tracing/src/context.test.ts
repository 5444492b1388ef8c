import { EventEmitter, once } from 'node:events';
import { setTimeout as sleep } from 'node:timers/promises';
import { describe, expect, it } from 'vitest';
import { TracingValidationError } from './errors';
import type { Span } from './Span';
import { createTraceManager } from './TraceManager';
import { TraceStatus } from './TraceStatus';

const manager = () => createTraceManager({ traceSampleRate: 1, reaperIntervalMs: 0 });

describe('active context (AsyncLocalStorage)', () => {
  it('makes spans started inside withSpan children, and none outside', () => {
    const tm = manager();
    const parent = tm.startSpan('parent', 'svc');
    const child = tm.withSpan(parent, () => tm.startSpan('child', 'svc'));
    expect(child.context.parentSpanId).toBe(parent.context.spanId);
    expect(child.context.traceId).toBe(parent.context.traceId);
    expect(tm.startSpan('other', 'svc').context.parentSpanId).toBeUndefined();
    expect(tm.withSpan(parent, () => tm.startSpan('root', 'svc', null)).context.parentSpanId).toBeUndefined();
  });

  it('survives await', async () => {
    const tm = manager();
    await tm.trace('parent', 'svc', async (parent) => {
      await sleep(1);
      await Promise.resolve();
      expect(tm.getActiveSpan()).toBe(parent);
      expect(tm.startSpan('child', 'svc').context.parentSpanId).toBe(parent.context.spanId);
    });
    expect(tm.getActiveSpan()).toBeUndefined();
  });

  it('survives setTimeout and setImmediate', async () => {
    const tm = manager();
    const parent = tm.startSpan('parent', 'svc');
    const seen = await tm.withSpan(
      parent,
      () =>
        new Promise<(Span | undefined)[]>((resolve) => {
          setTimeout(() => {
            const a = tm.getActiveSpan();
            setImmediate(() => resolve([a, tm.getActiveSpan()]));
          }, 1);
        }),
    );
    expect(seen).toEqual([parent, parent]);
  });

  it('survives promise chains', async () => {
    const tm = manager();
    const parent = tm.startSpan('parent', 'svc');
    const child = await tm.withSpan(parent, () =>
      Promise.resolve(1)
        .then((v) => v + 1)
        .then(() => new Promise((r) => setTimeout(r, 1)))
        .then(() => tm.startSpan('child', 'svc')),
    );
    expect(child.context.parentSpanId).toBe(parent.context.spanId);
  });

  it('survives EventEmitter callbacks emitted inside the context, and bind() carries it elsewhere', async () => {
    const tm = manager();
    const emitter = new EventEmitter();
    const seen: (Span | undefined)[] = [];
    emitter.on('inside', () => seen.push(tm.getActiveSpan()));
    const parent = tm.startSpan('parent', 'svc');
    tm.withSpan(parent, () => setImmediate(() => emitter.emit('inside')));
    await once(emitter, 'inside');
    const bound = tm.withSpan(parent, () => tm.bind(() => tm.getActiveSpan()));
    emitter.on('outside', () => seen.push(bound()));
    emitter.emit('outside');
    const unbound = tm.bind(() => tm.getActiveSpan());
    expect(tm.withSpan(parent, unbound)).toBeUndefined();
    expect(seen).toEqual([parent, parent]);
  });

  it('keeps concurrent async traces apart', async () => {
    const tm = manager();
    const results = await Promise.all(
      [5, 1, 3].map((delay, i) =>
        tm.trace(`op${i}`, 'svc', async (span) => {
          await sleep(delay);
          return tm.getActiveSpan() === span && tm.startSpan('c', 'svc').context.parentSpanId === span.context.spanId;
        }),
      ),
    );
    expect(results).toEqual([true, true, true]);
  });

  it('propagates through unsampled spans', () => {
    const tm = createTraceManager({ traceSampleRate: 0, reaperIntervalMs: 0 });
    tm.trace('root', 'svc', (root) => {
      expect(root.isRecording).toBe(false);
      const child = tm.startSpan('child', 'svc');
      expect(child.isRecording).toBe(false);
      expect(child.context.traceId).toBe(root.context.traceId);
      expect(child.context.parentSpanId).toBe(root.context.spanId);
    });
  });
});

describe('trace()', () => {
  it('finishes OK and returns the value of a sync function', () => {
    const tm = manager();
    let span: Span | undefined;
    expect(tm.trace('op', 'svc', (s) => ((span = s), 42))).toBe(42);
    expect(span!.status).toBe(TraceStatus.OK);
    expect(span!.ended).toBe(true);
  });

  it('records a thrown error as ERROR with an exception log, and rethrows it', () => {
    const tm = manager();
    let span: Span | undefined;
    const error = new RangeError('bad thing');
    expect(() =>
      tm.trace('op', 'svc', (s) => {
        span = s;
        throw error;
      }),
    ).toThrow(error);
    expect(span!.status).toBe(TraceStatus.ERROR);
    expect(span!.logs[0]).toMatchObject({
      message: 'exception',
      fields: { 'exception.type': 'RangeError', 'exception.message': 'bad thing' },
    });
    expect(span!.logs[0]!.fields['exception.stacktrace']).toContain('bad thing');
  });

  it('records a rejection as ERROR and rejects with the same reason; resolves OK otherwise', async () => {
    const tm = manager();
    const spans: Span[] = [];
    await expect(
      tm.trace('op', 'svc', async (s) => {
        spans.push(s);
        await sleep(1);
        throw 'plain string';
      }),
    ).rejects.toBe('plain string');
    await expect(tm.trace('ok', 'svc', async (s) => (spans.push(s), 'v'))).resolves.toBe('v');
    expect(spans.map((s) => s.status)).toEqual([TraceStatus.ERROR, TraceStatus.OK]);
    expect(spans[0]!.logs[0]!.fields).toMatchObject({
      'exception.type': 'string',
      'exception.message': 'plain string',
    });
  });

  it('keeps an ERROR set inside the function', () => {
    const tm = manager();
    const span = tm.trace('op', 'svc', (s) => s.setStatus(TraceStatus.ERROR));
    expect(span.status).toBe(TraceStatus.ERROR);
  });

  it('rejects bad arguments with typed errors', () => {
    const tm = manager();
    expect(() => tm.trace('op', 'svc', 'nope' as unknown as () => void)).toThrow(TracingValidationError);
    expect(() => tm.trace('', 'svc', () => 1)).toThrow(TracingValidationError);
    expect(() => tm.withSpan({} as Span, () => 1)).toThrow(TracingValidationError);
    expect(() => tm.withSpan(tm.startSpan('a', 'b'), 5 as unknown as () => void)).toThrow(TracingValidationError);
    expect(() => tm.bind(null as unknown as () => void)).toThrow(TracingValidationError);
    expect(tm.trace('op', 'svc', () => 7, null as unknown as undefined)).toBe(7);
  });
});
