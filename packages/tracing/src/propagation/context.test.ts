import { fc, test } from '@fast-check/vitest';
import {
  ROOT_CONTEXT,
  defaultTextMapGetter,
  defaultTextMapSetter,
  propagation,
  trace,
  baggageEntryMetadataFromString,
} from '@opentelemetry/api';
import { TraceState, W3CBaggagePropagator, W3CTraceContextPropagator } from '@opentelemetry/core';
import { describe, expect, it } from 'vitest';
import { TracingValidationError } from '../errors';
import { createTraceManager } from '../TraceManager';
import type { SpanContext } from '../Span';
import { BAGGAGE_PATTERN } from './baggage';
import { extractTraceContext } from './context';
import { getHeaderValues, readTraceHeaders } from './headers';
import { TRACEPARENT_V00_PATTERN } from './traceparent';
import { TRACESTATE_PATTERN } from './tracestate';

const TRACE = '4bf92f3577b34da6a3ce929d0e0e4736';
const SPAN = '00f067aa0ba902b7';
const TP = `00-${TRACE}-${SPAN}-01`;
const manager = () => createTraceManager({ traceSampleRate: 1, reaperIntervalMs: 0 });

describe('extractContext', () => {
  it('reads Node IncomingHttpHeaders, plain records with any case, and WHATWG Headers', () => {
    const expected = { traceId: TRACE, spanId: SPAN, sampled: true, traceFlags: 1, isRemote: true };
    expect(extractTraceContext({ traceparent: TP, host: 'x' })).toMatchObject(expected);
    expect(extractTraceContext({ TraceParent: TP })).toMatchObject(expected);
    expect(extractTraceContext({ traceparent: [TP] })).toMatchObject(expected);
    expect(extractTraceContext(new Headers({ TRACEPARENT: TP, TraceState: 'a=1' }))).toMatchObject({
      ...expected,
      traceState: 'a=1',
    });
  });

  it('treats a duplicated traceparent as absent (array, two casings, or combined by a proxy)', () => {
    expect(extractTraceContext({ traceparent: [TP, TP] })).toBeUndefined();
    expect(extractTraceContext({ traceparent: TP, Traceparent: TP })).toBeUndefined();
    const headers = new Headers();
    headers.append('traceparent', TP);
    headers.append('traceparent', TP);
    expect(extractTraceContext(headers)).toBeUndefined();
  });

  it('inherits a tracestate with duplicated keys (W3C test_tracestate_duplicated_keys)', () => {
    const tm = createTraceManager({ traceSampleRate: 1, reaperIntervalMs: 0 });
    for (const tracestate of ['foo=1,foo=1', 'foo=1,foo=2']) {
      const parent = extractTraceContext({ traceparent: TP, tracestate });
      expect(parent?.traceState).toBe('foo=1');
      const child = tm.startSpan('op', 'svc', parent);
      expect(tm.injectContext(child).tracestate).toBe('foo=1');
    }
  });

  it('combines multiple tracestate and baggage headers', () => {
    const ctx = extractTraceContext({ traceparent: TP, tracestate: ['a=1', 'b=2'], baggage: ['k1=v1', 'k2=v%202;p'] });
    expect(ctx?.traceState).toBe('a=1,b=2');
    expect({ ...ctx?.baggage }).toEqual({ k1: 'v1', k2: 'v 2' });
    expect({ ...ctx?.baggageMetadata }).toEqual({ k2: 'p' });
  });

  it('drops an invalid tracestate as a whole but keeps the traceparent', () => {
    const ctx = extractTraceContext({ traceparent: TP, tracestate: 'a=1,B=2' });
    expect(ctx?.traceId).toBe(TRACE);
    expect(ctx?.traceState).toBeUndefined();
  });

  it('does not read tracestate or baggage without a valid traceparent', () => {
    expect(extractTraceContext({ traceparent: 'garbage', tracestate: 'a=1', baggage: 'k=v' })).toBeUndefined();
    expect(extractTraceContext({ tracestate: 'a=1' })).toBeUndefined();
  });

  it('keeps __proto__ baggage as data without polluting prototypes', () => {
    const ctx = extractTraceContext({ traceparent: TP, baggage: '__proto__=evil,constructor=x' })!;
    expect(Object.getPrototypeOf(ctx.baggage)).toBeNull();
    expect(ctx.baggage['__proto__']).toBe('evil');
    expect(({} as Record<string, unknown>).evil).toBeUndefined();
  });

  it('never throws on hostile or wrong carriers', () => {
    const throwing = new Proxy(
      {},
      {
        ownKeys: () => {
          throw new Error('boom');
        },
      },
    );
    const getter = {
      get traceparent(): string {
        throw new Error('boom');
      },
    };
    const badGet = {
      get: () => {
        throw new Error('boom');
      },
    };
    for (const bad of [
      undefined,
      null,
      42,
      'traceparent',
      [TP],
      throwing,
      getter,
      badGet,
      { traceparent: 7 },
      { traceparent: NaN },
    ]) {
      expect(extractTraceContext(bad)).toBeUndefined();
    }
    expect(readTraceHeaders(throwing)).toEqual({ traceparent: undefined, tracestate: undefined, baggage: undefined });
    expect(getHeaderValues({ A: 'x', a: ['y', 1] }, 'a')).toEqual(['x', 'y']);
    expect(getHeaderValues(new Headers({ a: 'x' }), 'a')).toEqual(['x']);
    expect(getHeaderValues(null, 'a')).toEqual([]);
  });
});

describe('injectContext', () => {
  it('writes traceparent with SAMPLED and RANDOM for a sampled root, and child ids', () => {
    const tm = manager();
    const root = tm.startSpan('root', 'svc');
    const headers = tm.injectContext(root);
    expect(headers).toEqual({ traceparent: `00-${root.context.traceId}-${root.context.spanId}-03` });
    const child = tm.startSpan('child', 'svc', tm.extractContext(headers));
    expect(child.context.traceId).toBe(root.context.traceId);
    expect(child.context.parentSpanId).toBe(root.context.spanId);
  });

  it('forwards tracestate and baggage from the parent, re-validated', () => {
    const tm = manager();
    const parent = tm.extractContext({
      traceparent: `00-${TRACE}-${SPAN}-01`,
      tracestate: 'congo=t61rcWkgMzE',
      baggage: 'user=alice;p=1',
    })!;
    const span = tm.startSpan('op', 'svc', parent);
    expect(tm.injectContext(span)).toEqual({
      traceparent: `00-${TRACE}-${span.context.spanId}-01`,
      tracestate: 'congo=t61rcWkgMzE',
      baggage: 'user=alice;p=1',
    });
  });

  it('never emits CR/LF or oversized headers from a hand-made context', () => {
    const tm = manager();
    const ctx: SpanContext = {
      traceId: TRACE,
      spanId: SPAN,
      sampled: false,
      traceState: 'a=1\r\nset-cookie: x',
      baggage: { k: 'v\r\nx', big: 'x'.repeat(10_000), 'bad key': 'v' },
    };
    const headers = tm.injectContext(ctx);
    expect(headers.traceparent).toBe(`00-${TRACE}-${SPAN}-00`);
    expect(headers.tracestate).toBeUndefined();
    expect(headers.baggage).toBe('k=v%0D%0Ax');
    for (const value of Object.values(headers)) expect(value).not.toMatch(/[\r\n]/);
  });

  it('rejects what is not a context with a typed error', () => {
    const tm = manager();
    for (const bad of [
      undefined,
      null,
      42,
      'x',
      {},
      { traceId: 'nope', spanId: SPAN },
      { traceId: TRACE, spanId: '0'.repeat(16) },
    ]) {
      expect(() => tm.injectContext(bad as unknown as SpanContext)).toThrow(TracingValidationError);
    }
  });

  const hex = (n: number) =>
    fc.stringMatching(new RegExp(`^[0-9a-f]{${n}}$`)).map((s) => (/^0+$/.test(s) ? s.slice(1) + '1' : s));
  const tracestate = fc.uniqueArray(
    fc.record({
      key: fc.stringMatching(/^[a-z0-9][a-z0-9_\-*/@]{0,10}$/),
      value: fc.stringMatching(/^[\x20-\x2b\x2d-\x3c\x3e-\x7e]{0,10}[\x21-\x2b\x2d-\x3c\x3e-\x7e]$/),
    }),
    { selector: (e) => e.key, maxLength: 32 },
  );
  const baggage = fc.dictionary(
    fc.stringMatching(/^[!#$%&'*+\-.^_`|~0-9A-Za-z]{1,10}$/),
    fc.string({ unit: 'grapheme', maxLength: 20 }),
    { maxKeys: 20 },
  );

  test.prop([hex(32), hex(16), fc.boolean(), fc.boolean(), tracestate, baggage])(
    'extract(inject(ctx)) round-trips every valid context; headers match the W3C grammar',
    (traceId, spanId, sampled, random, state, bag) => {
      const tm = manager();
      const traceState = state.map((e) => `${e.key}=${e.value}`).join(',');
      const ctx: SpanContext = {
        traceId,
        spanId,
        sampled,
        traceFlags: random ? 2 : 0,
        baggage: bag,
        ...(traceState ? { traceState } : {}),
      };
      const headers = tm.injectContext(ctx);
      expect(headers.traceparent).toMatch(TRACEPARENT_V00_PATTERN);
      if (headers.tracestate !== undefined) expect(headers.tracestate).toMatch(TRACESTATE_PATTERN);
      if (headers.baggage !== undefined) expect(headers.baggage).toMatch(BAGGAGE_PATTERN);
      const back = tm.extractContext(headers)!;
      expect(back.traceId).toBe(traceId);
      expect(back.spanId).toBe(spanId);
      expect(back.sampled).toBe(sampled);
      expect(back.traceFlags).toBe((random ? 2 : 0) | (sampled ? 1 : 0));
      expect(back.traceState).toBe(traceState || undefined);
      expect({ ...back.baggage }).toEqual({ ...bag });
    },
  );
});

describe('interoperability with @opentelemetry/core', () => {
  const otelTrace = new W3CTraceContextPropagator();
  const otelBaggage = new W3CBaggagePropagator();

  it('OpenTelemetry extracts what we inject: ids, flags, tracestate and baggage', () => {
    const tm = manager();
    const parent = tm.extractContext({
      traceparent: `00-${TRACE}-${SPAN}-01`,
      tracestate: 'rojo=00f067aa0ba902b7,congo=t61rcWkgMzE',
    })!;
    const span = tm.startSpan('op', 'svc', { ...parent, baggage: { user: 'alice smith', 'tenant.id': 'ü-42' } });
    const headers = tm.injectContext(span);
    const ctx = otelBaggage.extract(
      otelTrace.extract(ROOT_CONTEXT, headers, defaultTextMapGetter),
      headers,
      defaultTextMapGetter,
    );
    const sc = trace.getSpanContext(ctx)!;
    expect(sc.traceId).toBe(TRACE);
    expect(sc.spanId).toBe(span.context.spanId);
    expect(sc.traceFlags).toBe(1);
    expect(sc.traceState?.serialize()).toBe('rojo=00f067aa0ba902b7,congo=t61rcWkgMzE');
    const entries = Object.fromEntries(
      propagation
        .getBaggage(ctx)!
        .getAllEntries()
        .map(([k, v]) => [k, v.value]),
    );
    expect(entries).toEqual({ user: 'alice smith', 'tenant.id': 'ü-42' });
  });

  it('OpenTelemetry keeps our Level 2 random flag', () => {
    const tm = manager();
    const root = tm.startSpan('root', 'svc');
    const sc = trace.getSpanContext(otelTrace.extract(ROOT_CONTEXT, tm.injectContext(root), defaultTextMapGetter))!;
    expect(sc.traceFlags).toBe(3);
    expect(sc.traceId).toBe(root.context.traceId);
  });

  it('we extract what OpenTelemetry injects', () => {
    const tm = manager();
    let ctx = trace.setSpanContext(ROOT_CONTEXT, {
      traceId: TRACE,
      spanId: SPAN,
      traceFlags: 1,
      traceState: new TraceState('a=1,b=2'),
    });
    ctx = propagation.setBaggage(
      ctx,
      propagation.createBaggage({
        user: { value: 'alice smith' },
        note: { value: '50%,ok;x', metadata: baggageEntryMetadataFromString('p=1') },
      }),
    );
    const carrier: Record<string, string> = {};
    otelTrace.inject(ctx, carrier, defaultTextMapSetter);
    otelBaggage.inject(ctx, carrier, defaultTextMapSetter);
    const ours = tm.extractContext(carrier)!;
    expect(ours).toMatchObject({ traceId: TRACE, spanId: SPAN, sampled: true, traceFlags: 1, traceState: 'a=1,b=2' });
    expect({ ...ours.baggage }).toEqual({ user: 'alice smith', note: '50%,ok;x' });
    expect(ours.baggageMetadata?.note).toBe('p=1');
  });

  const nonZero = (n: number) =>
    fc.stringMatching(new RegExp(`^[0-9a-f]{${n}}$`)).map((s) => (/^0+$/.test(s) ? s.slice(1) + '1' : s));
  test.prop([nonZero(32), nonZero(16), fc.integer({ min: 0, max: 3 })])(
    'both directions agree on ids and flags for any context',
    (traceId, spanId, flags) => {
      const tm = manager();
      const carrier: Record<string, string> = {};
      otelTrace.inject(
        trace.setSpanContext(ROOT_CONTEXT, { traceId, spanId, traceFlags: flags }),
        carrier,
        defaultTextMapSetter,
      );
      const ours = tm.extractContext(carrier)!;
      expect([ours.traceId, ours.spanId, ours.traceFlags]).toEqual([traceId, spanId, flags]);
      const back = trace.getSpanContext(otelTrace.extract(ROOT_CONTEXT, tm.injectContext(ours), defaultTextMapGetter))!;
      expect([back.traceId, back.spanId, back.traceFlags]).toEqual([traceId, spanId, flags]);
    },
  );
});
