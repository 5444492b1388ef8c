import { fc, test } from '@fast-check/vitest';
import { ManualClock } from '@obs/core';
import { describe, expect, it } from 'vitest';
import { createTraceManager } from '../TraceManager';
import { TraceStatus } from '../TraceStatus';
import { msToUnixNanoString, toAnyValue, toOtlpRequest } from './otlpJson';
import { validateOtlpTraceRequest } from './otlpValidator.test-helper';

describe('OTLP JSON mapping', () => {
  it('writes nanosecond timestamps as exact decimal strings', () => {
    expect(msToUnixNanoString(1_700_000_000_123)).toBe('1700000000123000000');
    expect(msToUnixNanoString(1_700_000_000_123.456789)).toMatch(/^1700000000123456\d{3}$/);
    expect(msToUnixNanoString(0.5)).toBe('500000');
    expect(msToUnixNanoString(1.9999999999)).toBe('2000000');
    for (const bad of [0, -5, NaN, Infinity]) expect(msToUnixNanoString(bad)).toBe('0');
  });

  test.prop([fc.integer({ min: 1, max: 4_102_444_800_000 }), fc.integer({ min: 0, max: 999_999 })])(
    'is exact for whole nanoseconds',
    (ms, ns) => {
      const value = ms + ns / 1e6;
      const nanos = BigInt(msToUnixNanoString(value));
      // The double holding `value` is within 1 µs of ms + ns at these magnitudes.
      const expected = BigInt(ms) * 1_000_000n + BigInt(ns);
      const diff = nanos > expected ? nanos - expected : expected - nanos;
      expect(diff <= 1000n).toBe(true);
    },
  );

  it('types attribute values as OTLP AnyValue', () => {
    expect(toAnyValue('s')).toEqual({ stringValue: 's' });
    expect(toAnyValue(true)).toEqual({ boolValue: true });
    expect(toAnyValue(42)).toEqual({ intValue: '42' });
    expect(toAnyValue(-7)).toEqual({ intValue: '-7' });
    expect(toAnyValue(1.5)).toEqual({ doubleValue: 1.5 });
    expect(toAnyValue(2 ** 60)).toEqual({ doubleValue: 2 ** 60 });
    expect(toAnyValue(['a', 'b'])).toEqual({ arrayValue: { values: [{ stringValue: 'a' }, { stringValue: 'b' }] } });
  });

  it('maps spans: resource per service, scope, ids, kind, status, attributes and events', () => {
    const clock = new ManualClock(1_700_000_000_000);
    const tm = createTraceManager({ traceSampleRate: 1, reaperIntervalMs: 0, clock });
    const parent = tm.extractContext({
      traceparent: '00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01',
      tracestate: 'congo=x',
    })!;
    const server = tm.startSpan('GET /', 'web', parent, {
      'span.kind': 'server',
      'http.status_code': 500,
      ratio: 0.25,
      cached: false,
      ['__proto__']: 'p',
    });
    clock.advance(1.5);
    const db = tm.startSpan('query', 'pg', server);
    db.log('rows', { count: 3 });
    clock.advance(2);
    db.finish();
    try {
      tm.trace(
        'failing',
        'web',
        () => {
          throw new TypeError('boom');
        },
        { parent: server },
      );
    } catch {
      // expected
    }
    server.finish(TraceStatus.ERROR);
    const request = toOtlpRequest(tm.getTrace('4bf92f3577b34da6a3ce929d0e0e4736'), {
      'deployment.environment': 'test',
    });
    expect(validateOtlpTraceRequest(JSON.parse(JSON.stringify(request)))).toEqual([]);
    expect(request.resourceSpans.map((r) => r.resource.attributes[0]!.value)).toEqual([
      { stringValue: 'web' },
      { stringValue: 'pg' },
    ]);
    expect(request.resourceSpans[0]!.resource.attributes[1]).toEqual({
      key: 'deployment.environment',
      value: { stringValue: 'test' },
    });
    expect(request.resourceSpans[0]!.scopeSpans[0]!.scope).toEqual({ name: '@obs/tracing', version: '0.0.0' });
    const [otlpServer, failing] = request.resourceSpans[0]!.scopeSpans[0]!.spans;
    expect(otlpServer).toMatchObject({
      traceId: '4bf92f3577b34da6a3ce929d0e0e4736',
      parentSpanId: '00f067aa0ba902b7',
      traceState: 'congo=x',
      flags: 1,
      name: 'GET /',
      kind: 2,
      startTimeUnixNano: '1700000000000000000',
      endTimeUnixNano: '1700000000003500000',
      status: { code: 2 },
    });
    expect(otlpServer!.attributes).toEqual([
      { key: 'http.status_code', value: { intValue: '500' } },
      { key: 'ratio', value: { doubleValue: 0.25 } },
      { key: 'cached', value: { boolValue: false } },
      { key: '__proto__', value: { stringValue: 'p' } },
    ]);
    expect(failing).toMatchObject({ kind: 1, status: { code: 2, message: 'boom' } });
    expect(failing!.events[0]).toMatchObject({
      name: 'exception',
      attributes: expect.arrayContaining([{ key: 'exception.type', value: { stringValue: 'TypeError' } }]),
    });
    const otlpDb = request.resourceSpans[1]!.scopeSpans[0]!.spans[0]!;
    expect(otlpDb).toMatchObject({
      status: { code: 1 },
      events: [
        { timeUnixNano: '1700000000001500000', name: 'rows', attributes: [{ key: 'count', value: { intValue: '3' } }] },
      ],
    });
  });

  it('the validator catches what breaks the OTLP JSON rules', () => {
    const good = {
      traceId: '4bf92f3577b34da6a3ce929d0e0e4736',
      spanId: '00f067aa0ba902b7',
      name: 'x',
      kind: 1,
      startTimeUnixNano: '1',
      endTimeUnixNano: '2',
      status: { code: 0 },
    };
    const wrap = (span: object) => ({
      resourceSpans: [
        {
          resource: { attributes: [{ key: 'service.name', value: { stringValue: 's' } }] },
          scopeSpans: [{ scope: { name: 'n' }, spans: [span] }],
        },
      ],
    });
    expect(validateOtlpTraceRequest(wrap(good))).toEqual([]);
    for (const bad of [
      { ...good, traceId: 'S/kvNXezTaajzpKdDg5HNg==' },
      { ...good, startTimeUnixNano: 1 },
      { ...good, endTimeUnixNano: '0' },
      { ...good, kind: 'SPAN_KIND_SERVER' },
      { ...good, status: { code: 3 } },
      { ...good, attributes: [{ key: 'a', value: { intValue: 5 } }] },
      { ...good, attributes: [{ key: 'a', value: { stringValue: 'x', boolValue: true } }] },
      { ...good, trace_id: 'x' },
    ]) {
      expect(validateOtlpTraceRequest(wrap(bad)).length, JSON.stringify(bad)).toBeGreaterThan(0);
    }
  });
});
