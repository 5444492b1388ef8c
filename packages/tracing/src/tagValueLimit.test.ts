import { describe, expect, it } from 'vitest';
import { createTraceManager } from './index';

describe('tag value length limit', () => {
  it('truncates long string values (also inside arrays and span creation tags) and counts each', () => {
    const tm = createTraceManager({ traceSampleRate: 1, maxTagValueLength: 5, reaperIntervalMs: 0 });
    const span = tm.startSpan('op', 'svc', undefined, { a: 'abcdefgh', b: 'ok' });
    span.setTag('c', ['123456', 'x']);
    span.setTags({ d: 'yyyyyyyy', e: 42 });
    expect(span.tags).toMatchObject({ a: 'abcde', b: 'ok', c: ['12345', 'x'], d: 'yyyyy', e: 42 });
    expect(tm.stats().truncatedTagValues).toBe(3);
    expect(tm.stats().droppedAttributes).toBe(0);
    tm.finishSpan(span);
  });

  it('defaults to 2048 characters', () => {
    const tm = createTraceManager({ traceSampleRate: 1, reaperIntervalMs: 0 });
    const span = tm.startSpan('op', 'svc').setTag('big', 'v'.repeat(1_000_000));
    expect((span.tags['big'] as string).length).toBe(2048);
    expect(tm.stats().truncatedTagValues).toBe(1);
    tm.finishSpan(span);
  });
});
