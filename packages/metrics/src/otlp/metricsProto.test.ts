import { fc, test } from '@fast-check/vitest';
import { describe, expect, it } from 'vitest';
import { createMetricsCollector } from '../MetricsCollector';
import { MetricType } from '../MetricType';
import { LogHistogram } from '../sketch/LogHistogram';
import { collected, counterFamily, gaugeFamily, histogramFamily, histogramSeries } from '../testing/collectedFixtures';
import { decodeOtlpMetrics, readOtlpMetricsJson } from '../testing/otlpProto';
import { toOtlpMetricsJson } from './metricsJson';
import { encodeMetricsProto } from './metricsProto';
import type { OtlpMetricsEncoding } from './options';

const enc: OtlpMetricsEncoding = {
  resource: { 'service.name': 'svc', 'service.instance.id': 7, region: ['eu', 'us'] },
  temporality: 'cumulative',
  histogram: 'exponential',
};
const NANOS = (ms: number) => (BigInt(ms) * 1_000_000n).toString();

function metricsOf(decoded: { resourceMetrics: Array<{ scopeMetrics: Array<{ metrics: unknown[] }> }> }) {
  return decoded.resourceMetrics[0]!.scopeMetrics[0]!.metrics as Array<Record<string, any>>; // eslint-disable-line @typescript-eslint/no-explicit-any
}

describe('OTLP metrics protobuf, read back with the official generated classes', () => {
  it('writes resource, scope, monotonic cumulative Sums, Gauges and ExponentialHistograms with every field', () => {
    const h = histogramSeries({ route: '/x' }, [0, 0.25, 1.5, 3, 3, 1000, -2], [1, 10]);
    const body = encodeMetricsProto(
      collected([
        counterFamily('requests', [[{ code: '200' }, 12]]),
        gaugeFamily('temp', [[{}, -1.5]]),
        histogramFamily('latency', [1, 10], [h], MetricType.TIMER),
      ]),
      enc,
    );
    const d = decodeOtlpMetrics(body);
    const rm = d.resourceMetrics[0];
    expect(rm.resource.attributes).toEqual([
      { key: 'service.name', value: { stringValue: 'svc' } },
      { key: 'service.instance.id', value: { intValue: '7' } },
      { key: 'region', value: { arrayValue: { values: [{ stringValue: 'eu' }, { stringValue: 'us' }] } } },
    ]);
    expect(rm.scopeMetrics[0].scope).toMatchObject({ name: '@obs/metrics', version: '0.0.0' });
    const [requests, temp, latency] = metricsOf(d);
    expect(requests).toEqual({
      name: 'requests',
      description: 'requests help',
      sum: {
        aggregationTemporality: 2,
        isMonotonic: true,
        dataPoints: [
          {
            attributes: [{ key: 'code', value: { stringValue: '200' } }],
            startTimeUnixNano: NANOS(1_700_000_000_000),
            timeUnixNano: NANOS(1_700_000_002_000),
            asDouble: 12,
            exemplars: [],
          },
        ],
      },
    });
    expect(temp!.gauge.dataPoints[0].asDouble).toBe(-1.5);
    expect(latency!.unit).toBe('ms');
    const p = latency!.exponentialHistogram.dataPoints[0];
    const snap = h.histogram!;
    expect(latency!.exponentialHistogram.aggregationTemporality).toBe(2);
    expect(p).toMatchObject({ count: '7', sum: snap.sum, scale: 6, zeroCount: '1', min: -2, max: 1000 });
    expect(p.positive).toEqual({ offset: snap.positive.offset, bucketCounts: snap.positive.counts.map(String) });
    expect(p.negative).toEqual({ offset: snap.negative.offset, bucketCounts: snap.negative.counts.map(String) });
  });

  it('the JSON encoding says the same as the protobuf one', () => {
    const h = histogramSeries({ a: 'b' }, [1, 2, 3, 400], [5, 50]);
    for (const histogram of ['exponential', 'explicit'] as const) {
      const data = collected([
        counterFamily('c', [[{ x: 'y' }, 3]]),
        gaugeFamily('g', [[{}, 2.5]]),
        histogramFamily('h', [5, 50], [h]),
      ]);
      const options = { ...enc, histogram };
      expect(readOtlpMetricsJson(toOtlpMetricsJson(data, options))).toEqual(
        decodeOtlpMetrics(encodeMetricsProto(data, options)),
      );
    }
  });

  it('explicit-bucket Histograms carry the classic bounds and per-bucket counts', () => {
    const h = histogramSeries({}, [0.5, 2, 2, 7, 70], [1, 5, 10]);
    const d = decodeOtlpMetrics(
      encodeMetricsProto(collected([histogramFamily('h', [1, 5, 10], [h])]), { ...enc, histogram: 'explicit' }),
    );
    const p = metricsOf(d)[0]!.histogram.dataPoints[0];
    expect(p).toMatchObject({
      count: '5',
      sum: 81.5,
      bucketCounts: ['1', '2', '1', '1'],
      explicitBounds: [1, 5, 10],
      min: 0.5,
      max: 70,
    });
  });

  test.prop([
    fc.array(fc.double({ min: 1e-6, max: 1e9, noNaN: true }), { minLength: 1, maxLength: 500 }),
    fc.array(fc.double({ min: -1e3, max: 0, noNaN: true }), { maxLength: 50 }),
  ])('the exponential histogram read back rebuilds the sketch: same quantiles', (positives, negatives) => {
    const h = histogramSeries({}, [...positives, ...negatives], []);
    const d = decodeOtlpMetrics(encodeMetricsProto(collected([histogramFamily('h', [], [h])]), enc));
    const p = metricsOf(d)[0]!.exponentialHistogram.dataPoints[0];
    const store = (b: { offset?: number; bucketCounts?: string[] } | undefined) => ({
      offset: b?.offset ?? 0,
      counts: (b?.bucketCounts ?? []).map(Number),
    });
    const rebuilt = LogHistogram.fromSnapshot({
      scale: p.scale,
      count: Number(p.count),
      sum: p.sum,
      min: p.min,
      max: p.max,
      zeroCount: Number(p.zeroCount ?? 0),
      positive: store(p.positive),
      negative: store(p.negative),
    });
    for (const q of [0, 0.01, 0.1, 0.25, 0.5, 0.75, 0.9, 0.99, 0.999, 1])
      expect(rebuilt.quantile(q)).toBe(h.sketch.quantile(q));
    expect(rebuilt.count).toBe(h.sketch.count);
  });

  const labelName = fc.stringMatching(/^[a-z_][a-z0-9_]{0,10}$/);
  test.prop([
    fc.array(
      fc.tuple(fc.dictionary(labelName, fc.string({ maxLength: 30 }), { maxKeys: 4 }), fc.double({ noNaN: true })),
      { minLength: 1, maxLength: 40 },
    ),
  ])('every gauge point decodes to its attributes and exact value', (series) => {
    const d = decodeOtlpMetrics(encodeMetricsProto(collected([gaugeFamily('g', series)]), enc));
    const points = metricsOf(d)[0]!.gauge.dataPoints as Array<{
      attributes: Array<{ key: string; value: { stringValue?: string } }>;
      asDouble: number;
    }>;
    expect(points).toHaveLength(series.length);
    points.forEach((p, i) => {
      const [labels, value] = series[i]!;
      expect(Object.fromEntries(p.attributes.map((a) => [a.key, a.value.stringValue ?? '']))).toEqual(labels);
      expect(Object.is(p.asDouble, value) || (p.asDouble === 0 && value === 0)).toBe(true);
    });
  });

  test.prop([
    fc.array(
      fc.dictionary(
        fc.stringMatching(/^[a-z][a-z0-9_]{0,10}$/),
        fc.string({ unit: fc.constantFrom('a', '\\', '"', '\n', ',', '=', 'é'), maxLength: 8 }),
        { maxKeys: 4 },
      ),
      {
        minLength: 1,
        maxLength: 20,
      },
    ),
  ])("attributes read from a collector's label text (escapes included) decode to the recorded labels", (labelSets) => {
    const collector = createMetricsCollector();
    labelSets.forEach((labels, i) => collector.gauge('g', i, labels));
    const collectedNow = collector.collect();
    const points = metricsOf(decodeOtlpMetrics(encodeMetricsProto(collectedNow, enc)))[0]!.gauge.dataPoints as Array<{
      attributes: Array<{ key: string; value: { stringValue?: string } }>;
    }>;
    const expected = collectedNow.families[0]!.series.map((s) => ({ ...s.labels }));
    expect(points.map((p) => Object.fromEntries(p.attributes.map((a) => [a.key, a.value.stringValue ?? ''])))).toEqual(
      expected,
    );
    for (const labels of labelSets) expect(expected).toContainEqual(labels);
  });

  it("a collector's series export the same bytes from their cached attributes, export after export, in every form", () => {
    const collector = createMetricsCollector();
    collector.increment('requests', 3, { route: '/a', code: '200' });
    collector.increment('requests', 1, { route: 'q"uote\\slash\nline', code: '500' });
    collector.increment('requests', 1, { route: '/b', code: '200' });
    collector.gauge('temp', -1, {});
    for (const v of [0.5, 3, 30]) collector.histogram('latency', v, { route: '/a', unit: 'ü' });
    const forms = ['explicit', 'exponential', 'explicit', 'exponential', 'explicit'] as const;
    forms.forEach((form, n) => {
      collector.increment('requests', 1, { route: '/a', code: '200' });
      // A series removed: those after it move up one place in the cache's order.
      if (n === 2) collector.removeSeries('requests', { route: 'q"uote\\slash\nline', code: '500' });
      const now = collector.collect();
      // The same data without label text: attributes written from the label objects, no cache.
      const plain = JSON.parse(JSON.stringify(now)) as typeof now;
      for (const fam of plain.families) for (const s of fam.series) delete (s as { labelText?: string }).labelText;
      const options = { ...enc, histogram: form };
      expect(Buffer.from(encodeMetricsProto(now, options))).toEqual(Buffer.from(encodeMetricsProto(plain, options)));
    });
  });

  it('leaves out metrics with no points (gauges never set)', () => {
    const d = decodeOtlpMetrics(
      encodeMetricsProto(collected([{ ...gaugeFamily('g', []), series: [{ labels: {}, timestamp: 0 }] }]), enc),
    );
    expect(d.resourceMetrics[0].scopeMetrics[0].metrics).toEqual([]);
  });
});
