import { ManualClock } from '@obs/core';
import { fc, test } from '@fast-check/vitest';
import { describe, expect, it } from 'vitest';
import {
  DEFAULT_MAX_LABEL_VALUE_LENGTH,
  InvalidConfigError,
  createMetricsCollector,
  serializeFormat,
  type MetricsEvent,
} from './index';
import { truncateLabelValue } from './internal/validate';

/** No lone surrogates (String.prototype.isWellFormed, which the es2022 lib does not type). */
const wellFormed = (s: string) => !/[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/.test(s);

describe('label value length limit', () => {
  it('truncates values past 2 KiB by default, keeps the recording and counts it', () => {
    expect(DEFAULT_MAX_LABEL_VALUE_LENGTH).toBe(2048);
    const m = createMetricsCollector({ clock: new ManualClock(0) });
    const events: MetricsEvent[] = [];
    m.events$.subscribe((e) => events.push(e));
    const huge = 'x'.repeat(1024 * 1024);
    m.increment('req_total', 1, { path: huge, method: 'GET' });
    m.increment('req_total', 2, { path: huge, method: 'GET' });
    m.histogram('lat_ms', 5, { path: huge });
    m.gauge('g', 1, { ok: 'short' });
    const kept = 'x'.repeat(2048);
    expect(m.getCounter('req_total', { path: kept, method: 'GET' })).toBe(3);
    // Reads with the original value find the same series (truncated the same way), without counting.
    expect(m.getCounter('req_total', { path: huge, method: 'GET' })).toBe(3);
    expect(m.getTruncatedLabelValues('req_total')).toBe(2);
    expect(m.getTruncatedLabelValues('lat_ms')).toBe(1);
    expect(m.getTruncatedLabelValues('g')).toBe(0);
    expect(m.getMetric('req_total', { path: kept, method: 'GET' })!.labels.path!.length).toBe(2048);
    expect(serializeFormat(m, 'prometheus').body.length).toBeLessThan(20 * 2048); // not megabytes
    const truncated = events.filter((e) => e.type === 'metrics/label-value-truncated');
    expect(truncated).toEqual([
      {
        type: 'metrics/label-value-truncated',
        ts: 0,
        source: 'metrics',
        name: 'req_total',
        label: 'path',
        length: 1024 * 1024,
        limit: 2048,
      },
      {
        type: 'metrics/label-value-truncated',
        ts: 0,
        source: 'metrics',
        name: 'lat_ms',
        label: 'path',
        length: 1024 * 1024,
        limit: 2048,
      },
    ]);
  });

  it('applies to handles and merged state, and is configurable', () => {
    const m = createMetricsCollector({ clock: new ManualClock(0), maxLabelValueLength: 4 });
    m.counter('c_total', { k: 'abcdefgh' }).inc(2);
    m.gauge('g', { k: 'abcdefgh' }).set(7);
    m.histogram('h', { k: 'abcdefgh' }).observe(1);
    expect(m.getCounter('c_total', { k: 'abcd' })).toBe(2);
    expect(m.getGauge('g', { k: 'abcd' })).toBe(7);
    expect(m.getHistogramStats('h', { k: 'abcd' }).count).toBe(1);
    const w = createMetricsCollector({ clock: new ManualClock(0) });
    w.increment('c_total', 5, { k: 'abcdefgh' });
    m.mergeFrom(w.collect());
    expect(m.getCounter('c_total', { k: 'abcd' })).toBe(7);
    expect(m.getTruncatedLabelValues('c_total')).toBe(2);
    for (const bad of [0, -1, 1.5, NaN, '10']) {
      expect(() => createMetricsCollector({ maxLabelValueLength: bad as number })).toThrow(InvalidConfigError);
    }
  });

  it('leaves values at the limit alone and is cheap on the fast path', () => {
    const m = createMetricsCollector({ clock: new ManualClock(0), maxLabelValueLength: 3 });
    for (let i = 0; i < 5; i++) m.increment('c_total', 1, { k: 'abc' });
    expect(m.getCounter('c_total', { k: 'abc' })).toBe(5);
    expect(m.getTruncatedLabelValues('c_total')).toBe(0);
  });

  test.prop([fc.string({ unit: 'binary', maxLength: 40 }), fc.integer({ min: 1, max: 30 })])(
    'truncation keeps a prefix of at most max code units and never splits a surrogate pair',
    (value, max) => {
      const out = truncateLabelValue(value, max);
      expect(value.startsWith(out)).toBe(true);
      expect(out.length).toBeLessThanOrEqual(max);
      if (value.length <= max) expect(out).toBe(value);
      else expect(out.length).toBeGreaterThanOrEqual(max - 1);
      // A well-formed input stays well-formed.
      if (wellFormed(value)) expect(wellFormed(out)).toBe(true);
    },
  );
});
