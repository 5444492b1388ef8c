import { describe, expect, it } from 'vitest';
import {
  TracingValidationError,
  createRatioThreshold,
  createTraceManager,
  extractTraceContext,
  getHeaderValues,
  isTraceIdSampled,
  msToUnixNanoString,
  parseBaggage,
  parseTraceparent,
  parseTracestate,
  percentDecode,
  percentEncode,
  serializeBaggage,
  serializeTraceparent,
  serializeTracestate,
  toAnyValue,
  toOtlpRequest,
  toOtlpSpan,
  type Span,
  type TagValue,
} from './index';
import { parseRetryAfter } from './otlp/index';

// Wrong types, NaN, huge strings and prototype keys for every public function:
// a typed error, or a documented neutral result, never an internal TypeError.
const junk: unknown[] = [
  undefined,
  null,
  NaN,
  -1,
  1e308,
  '',
  'x'.repeat(100_000),
  {},
  [],
  () => 1,
  Symbol('s'),
  JSON.parse('{"__proto__":{"x":1}}'),
];

describe('bad input', () => {
  it('parsers return "nothing" for anything', () => {
    for (const value of junk) {
      expect(parseTraceparent(value)).toBeUndefined();
      expect(parseTracestate(value) ?? []).toEqual(expect.any(Array));
      expect(parseBaggage(value).entries).toEqual([]);
      expect(extractTraceContext(value)).toBeUndefined();
      expect(getHeaderValues(value, 'traceparent')).toEqual([]);
      expect(parseRetryAfter(value, 0)).toBeUndefined();
      expect(msToUnixNanoString(value as number)).toEqual(expect.any(String));
    }
  });

  it('serializers skip what is invalid', () => {
    for (const value of junk) {
      expect(serializeTraceparent(value as string, value as string, value as number)).toBeUndefined();
      expect(serializeTracestate(value as [])).toBe('');
      expect(serializeBaggage(value as [])).toBe('');
    }
  });

  it('helpers throw typed errors for wrong types', () => {
    for (const value of [undefined, null, 42, {}, []]) {
      expect(() => percentEncode(value as string)).toThrow(TracingValidationError);
      expect(() => percentDecode(value as string)).toThrow(TracingValidationError);
      expect(() => isTraceIdSampled('a'.repeat(32), value as ReturnType<typeof createRatioThreshold>)).toThrow(
        TracingValidationError,
      );
      expect(() => toOtlpSpan(value as Span)).toThrow(TracingValidationError);
    }
    for (const value of [undefined, null, {}, NaN, Infinity, () => 1])
      expect(() => toAnyValue(value as TagValue)).toThrow(TracingValidationError);
    expect(() => toOtlpRequest('spans' as unknown as Span[])).toThrow(TracingValidationError);
    expect(toOtlpRequest([])).toEqual({ resourceSpans: [] });
  });

  it('spans report to their own manager only; no internal hooks are public', () => {
    const tm = createTraceManager({ traceSampleRate: 1, reaperIntervalMs: 0 });
    const other = createTraceManager({ traceSampleRate: 1, reaperIntervalMs: 0 });
    for (const hook of ['onSpanEnd', 'countDroppedAttributes', 'now']) expect(hook in tm).toBe(false);
    const span = other.startSpan('op', 'svc');
    expect(tm.stats()).toMatchObject({ storedSpans: 0, activeSpans: 0, droppedAttributes: 0 });
    expect(other.stats().activeSpans).toBe(1);
    span.setTag('', 'x').finish();
    expect(tm.stats()).toMatchObject({ storedSpans: 0, activeSpans: 0, droppedAttributes: 0 });
    expect(other.stats()).toMatchObject({ storedSpans: 1, activeSpans: 0, droppedAttributes: 1 });
  });

  it('a span survives junk tags, logs and statuses', () => {
    const tm = createTraceManager({ traceSampleRate: 1, reaperIntervalMs: 0 });
    const span = tm.startSpan('op', 'svc', undefined, JSON.parse('{"__proto__":"p","constructor":"c"}'));
    for (const value of junk) {
      span.setTag(value as string, value as TagValue);
      span.setTag('k', value as TagValue);
      span.setTags(value as Record<string, unknown>);
      span.log(value as string, value as Record<string, unknown>);
      expect(() => span.setStatus(value as 'ok')).toThrow(TracingValidationError);
    }
    span.finish();
    expect(Object.getPrototypeOf(span.tags)).toBeNull();
    expect(span.tags['__proto__']).toBe('p');
    expect(span.tags['k']).toEqual([]); // the last valid junk value
    const before = tm.stats().truncatedTagValues;
    const long = tm.startSpan('op', 'svc').setTag('k', 'x'.repeat(100_000));
    expect(long.tags['k']).toBe('x'.repeat(2048)); // the default limit, 2 KiB
    expect(tm.stats().truncatedTagValues).toBe(before + 1);
    expect(tm.stats().droppedAttributes).toBeGreaterThan(0);
    expect(tm.getTrace(span.context.traceId)).toEqual([span]);
  });
});
