import { ManualClock } from '@obs/core';
import { fc, test } from '@fast-check/vitest';
import { describe, expect, it } from 'vitest';
import { InvalidConfigError, createMetricsCollector, serializeFormat, type ExemplarContext } from './index';
import { parseExposition } from './testing/openMetricsParser';

const TRACE = '4bf92f3577b34da6a3ce929d0e0e4736';
const SPAN = '00f067aa0ba902b7';

/** A collector whose exemplar source returns whatever `active.ctx` holds. */
function withSource(clock = new ManualClock(1_700_000_000_000)) {
  const active: { ctx: ExemplarContext | undefined } = { ctx: undefined };
  const m = createMetricsCollector({ clock, exemplars: () => active.ctx });
  return { m, active, clock };
}

describe('exemplars', () => {
  it('keeps the latest value per classic bucket while a sampled span is active, none otherwise', () => {
    const { m, active, clock } = withSource();
    m.describe('lat_seconds', { buckets: [0.1, 1] });
    m.histogram('lat_seconds', 0.05); // no span: no exemplar
    active.ctx = { traceId: TRACE, spanId: SPAN };
    m.histogram('lat_seconds', 0.5);
    clock.advance(1500);
    m.histogram('lat_seconds', 0.7); // same bucket, later: replaces
    m.histogram('lat_seconds', 5);
    active.ctx = undefined;
    m.histogram('lat_seconds', 0.6); // no span: the bucket keeps its exemplar
    const series = m.collect().families[0]!.series[0]!;
    expect(series.exemplars).toEqual([
      undefined,
      { labels: { trace_id: TRACE, span_id: SPAN }, value: 0.7, timestamp: 1_700_000_001_500 },
      { labels: { trace_id: TRACE, span_id: SPAN }, value: 5, timestamp: 1_700_000_001_500 },
    ]);
  });

  it('keeps one exemplar per counter series (the increment), and none on gauges', () => {
    const { m, active } = withSource();
    m.increment('jobs_total', 1, { q: 'a' });
    active.ctx = { traceId: TRACE, spanId: SPAN };
    m.increment('jobs_total', 3, { q: 'a' });
    m.gauge('temp', 3);
    const [jobs, temp] = m.collect().families;
    expect(jobs!.series[0]!.exemplars).toEqual([
      { labels: { trace_id: TRACE, span_id: SPAN }, value: 3, timestamp: 1_700_000_000_000 },
    ]);
    expect(temp!.series[0]!.exemplars).toBeUndefined();
  });

  it('writes exemplars in OpenMetrics (strictly parsed), never in Prometheus 0.0.4', () => {
    const { m, active } = withSource();
    m.describe('lat_seconds', { help: 'Latency.', unit: 'seconds', buckets: [0.1, 1] });
    active.ctx = { traceId: TRACE, spanId: SPAN };
    m.histogram('lat_seconds', 0.25, { route: '/a"b' });
    m.increment('jobs_total', 2);
    const om = serializeFormat(m, 'openmetrics').body;
    expect(om).toContain(
      `lat_seconds_bucket{route="/a\\"b",le="1"} 1 # {trace_id="${TRACE}",span_id="${SPAN}"} 0.25 1700000000\n`,
    );
    expect(om).toContain(`jobs_total 2 # {trace_id="${TRACE}",span_id="${SPAN}"} 2 1700000000\n`);
    const families = parseExposition(om);
    const bucket = families.find((f) => f.name === 'lat_seconds')!.samples.find((s) => s.exemplar)!;
    expect(bucket.exemplar).toEqual({
      labels: { trace_id: TRACE, span_id: SPAN },
      value: 0.25,
      timestamp: 1_700_000_000,
    });
    const prom = serializeFormat(m, 'prometheus').body;
    expect(prom).not.toContain('#  {');
    expect(prom).not.toContain('trace_id');
    expect(() => parseExposition(prom, { prometheus: true })).not.toThrow();
  });

  test.prop([fc.array(fc.tuple(fc.double({ min: -100, max: 100, noNaN: true }), fc.boolean()), { maxLength: 60 })])(
    'every exemplar lies within its bucket and is the last value recorded there under a span',
    (ops) => {
      const { m, active } = withSource();
      m.describe('h', { buckets: [-10, 0, 1, 10, 50] });
      const last = new Map<number, number>();
      const bounds = [-10, 0, 1, 10, 50];
      for (const [v, sampled] of ops) {
        active.ctx = sampled ? { traceId: TRACE, spanId: SPAN } : undefined;
        m.histogram('h', v);
        if (sampled) last.set(bounds.filter((b) => b < v).length, v);
      }
      const s = m.collect().families[0]?.series[0];
      (s?.exemplars ?? []).forEach((ex, slot) => expect(ex?.value).toBe(last.get(slot)));
      if (s) expect(() => parseExposition(serializeFormat(m, 'openmetrics').body)).not.toThrow();
    },
  );

  it('survives a throwing or malformed source: recording goes on, the failure is counted', () => {
    const { m, active } = withSource();
    m.setExemplarSource(() => {
      throw new Error('boom');
    });
    m.histogram('h', 1);
    m.setExemplarSource(() => ({ traceId: 42, spanId: SPAN }) as unknown as ExemplarContext);
    m.increment('c_total');
    expect(m.getHistogramStats('h').count).toBe(1);
    expect(m.getCounter('c_total')).toBe(1);
    expect(m.exemplarSourceErrors).toBe(2);
    m.setExemplarSource(undefined);
    active.ctx = { traceId: TRACE, spanId: SPAN };
    m.histogram('h', 2);
    expect(m.collect().families[0]!.series[0]!.exemplars).toBeUndefined();
    expect(() => m.setExemplarSource('x' as never)).toThrow(InvalidConfigError);
    expect(() => createMetricsCollector({ exemplars: 1 as never })).toThrow(InvalidConfigError);
  });

  it('merges exemplars with the state they came with (newer wins per bucket)', () => {
    const a = withSource(new ManualClock(1000));
    const b = withSource(new ManualClock(2000));
    for (const { m, active } of [a, b]) {
      m.describe('h', { buckets: [1] });
      active.ctx = { traceId: TRACE, spanId: m === a.m ? 'aaaaaaaaaaaaaaaa' : 'bbbbbbbbbbbbbbbb' };
      m.histogram('h', 0.5);
      m.increment('c_total');
    }
    a.m.histogram('h', 3); // only a has an exemplar in +Inf
    const merged = createMetricsCollector({ clock: new ManualClock(0) });
    merged.mergeFrom(JSON.parse(JSON.stringify(b.m.collect())));
    merged.mergeFrom(JSON.parse(JSON.stringify(a.m.collect())));
    const [h, c] = merged.collect().families;
    expect(h!.series[0]!.exemplars!.map((e) => e?.labels.span_id)).toEqual(['bbbbbbbbbbbbbbbb', 'aaaaaaaaaaaaaaaa']);
    expect(c!.series[0]!.exemplars![0]!.labels.span_id).toBe('bbbbbbbbbbbbbbbb');
  });
});
