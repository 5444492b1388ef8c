import { ManualClock } from '@obs/core';
import { fc, test } from '@fast-check/vitest';
import { describe, expect, it } from 'vitest';
import { createMetricsCollector } from '../index';
import { trickyRegistry } from '../testing/fixtures';
import { parseExposition } from '../testing/openMetricsParser';
import { OPENMETRICS_CONTENT_TYPE, PROMETHEUS_CONTENT_TYPE } from './negotiateFormat';
import { formatValue, serialize, serializeAsync, serializeFormat } from './serialize';

const OM = 'application/openmetrics-text; version=1.0.0';

describe('serialize', () => {
  it('chooses the format by Accept header', () => {
    const m = trickyRegistry();
    expect(serialize(m).contentType).toBe(PROMETHEUS_CONTENT_TYPE);
    expect(serialize(m, OM).contentType).toBe(OPENMETRICS_CONTENT_TYPE);
    expect(serialize(m, OM).body.endsWith('# EOF\n')).toBe(true);
    expect(serialize(m, 'text/plain').body).not.toContain('# EOF');
  });

  it('passes the strict OpenMetrics parser and keeps every value and label', () => {
    const families = parseExposition(serialize(trickyRegistry(), OM).body);
    const requests = families.find((f) => f.name === 'http_requests')!;
    expect(requests.type).toBe('counter');
    expect(requests.help).toBe('Requests with "quotes", a \\ backslash\nand a newline.');
    expect(requests.samples).toEqual([
      { name: 'http_requests_total', labels: { method: 'GET', path: '/a"b' }, value: 1 },
      { name: 'http_requests_total', labels: { method: 'POST', path: 'C:\\dir\\' }, value: 2 },
      { name: 'http_requests_total', labels: { otel_metric_overflow: 'true' }, value: 7 },
    ]);
    const duration = families.find((f) => f.name === 'request_duration_seconds')!;
    expect(duration.unit).toBe('seconds');
    const buckets = duration.samples
      .filter((s) => s.labels.route === '{x}' && s.name.endsWith('_bucket'))
      .map((s) => [s.labels.le, s.value]);
    expect(buckets).toEqual([
      ['0.005', 3],
      ['0.1', 5],
      ['1', 6],
      ['10', 6],
      ['+Inf', 7],
    ]);
    expect(
      duration.samples.find((s) => s.name === 'request_duration_seconds_sum' && s.labels.route === '{x}')!.value,
    ).toBeCloseTo(19.851, 10);
    expect(families.find((f) => f.name === 'queue_depth')!.samples).toEqual([
      { name: 'queue_depth', labels: { queue: '' }, value: -3.25 },
    ]);
    expect(families.find((f) => f.name === 'job_ms')!.type).toBe('histogram');
    expect(families.find((f) => f.name === 'jobs')!.samples[0]!.name).toBe('jobs_total');
  });

  it('passes the 0.0.4 parser with counters named with _total in TYPE', () => {
    const families = parseExposition(serialize(trickyRegistry()).body, { prometheus: true });
    expect(families.find((f) => f.name === 'http_requests_total')!.type).toBe('counter');
    expect(families.find((f) => f.name === 'http_requests_total')!.help).toBe(
      'Requests with "quotes", a \\ backslash\nand a newline.',
    );
    expect(families.find((f) => f.name === 'jobs_total')!.samples[0]!.value).toBe(1);
  });

  test.prop([
    fc.array(fc.tuple(fc.string({ unit: 'binary', maxLength: 20 }), fc.string({ unit: 'grapheme', maxLength: 20 })), {
      minLength: 1,
      maxLength: 10,
    }),
  ])('label values round-trip through both formats', (pairs) => {
    const m = createMetricsCollector({ clock: new ManualClock(0) });
    pairs.forEach(([a, b], i) => m.gauge('g', i, { a, b }));
    const expected = new Map(pairs.map(([a, b], i) => [JSON.stringify([a, b]), i]));
    for (const [format, prometheus] of [
      ['openmetrics', false],
      ['prometheus', true],
    ] as const) {
      const family = parseExposition(serializeFormat(m, format).body, { prometheus }).find((f) => f.name === 'g')!;
      const got = new Map(family.samples.map((s) => [JSON.stringify([s.labels.a, s.labels.b]), s.value]));
      expect(got).toEqual(expected);
    }
  });

  test.prop([fc.double({ noNaN: true })])('numbers are written in a form both parsers read back exactly', (v) => {
    const m = createMetricsCollector({ clock: new ManualClock(0) });
    m.gauge('g', v === -Infinity || v === Infinity ? 0 : v);
    const sample = parseExposition(serializeFormat(m, 'openmetrics').body)[0]!.samples[0]!;
    expect(sample.value).toBe(v === -Infinity || v === Infinity ? 0 : v === 0 ? 0 : v);
    expect(formatValue(Infinity)).toBe('+Inf');
    expect(formatValue(-Infinity)).toBe('-Inf');
  });

  it('renders an empty collector', () => {
    const m = createMetricsCollector();
    expect(serialize(m).body).toBe('');
    expect(serialize(m, OM).body).toBe('# EOF\n');
  });

  it('serializeAsync gives the same text and yields to the event loop on big registries', async () => {
    const m = createMetricsCollector({ clock: new ManualClock(0), maxSeriesPerMetric: 20_000 });
    for (let i = 0; i < 20_000; i++) m.increment('x_total', 1, { id: String(i) });
    let ticks = 0;
    const timer = setInterval(() => ticks++, 0);
    const result = await serializeAsync(m, OM, { sliceMs: 0.01 });
    clearInterval(timer);
    expect(result.body).toBe(serialize(m, OM).body);
    expect(result.chunks.length).toBeGreaterThan(1);
    expect(result.chunks.join('')).toBe(result.body);
    expect(result.contentType).toBe(OPENMETRICS_CONTENT_TYPE);
    expect(ticks).toBeGreaterThan(0);
    expect((await serializeAsync(trickyRegistry())).body).toBe(serialize(trickyRegistry()).body);
    await expect(serializeAsync(m, OM, { sliceMs: 0 })).rejects.toThrow();
  });

  it('serializeAsync skips series removed while it runs', async () => {
    const m = createMetricsCollector({ clock: new ManualClock(0), maxSeriesPerMetric: 5000 });
    for (let i = 0; i < 5000; i++) m.increment('x_total', 1, { id: String(i) });
    const pending = serializeAsync(m, OM, { sliceMs: 0.01 });
    for (let i = 0; i < 5000; i += 2) m.removeSeries('x_total', { id: String(i) });
    const { body } = await pending;
    expect(() => parseExposition(body)).not.toThrow();
  });
});
