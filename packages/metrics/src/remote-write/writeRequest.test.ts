import { fc, test } from '@fast-check/vitest';
import SnappyJS from 'snappyjs';
import { describe, expect, it } from 'vitest';
import { collected, counterFamily, gaugeFamily, histogramFamily, histogramSeries } from '../testing/collectedFixtures';
import { decodeWriteRequest } from '../testing/remoteWriteProto';
import { createMetricsCollector } from '../MetricsCollector';
import { WriteRequestEncoder } from './writeRequest';

const decode = (body: Uint8Array) => decodeWriteRequest(body, false);

describe('WriteRequestEncoder', () => {
  it('writes counters as _total, gauges, classic histograms, external labels and metadata', () => {
    const h = histogramSeries({ route: '/a' }, [0.5, 3, 3, 70, 1000], [1, 5, 100]);
    const enc = new WriteRequestEncoder({ externalLabels: { cluster: 'eu', route: 'ignored-when-present' } });
    const [req, ...rest] = enc.encode(
      collected([
        counterFamily('http_requests', [[{ method: 'GET', code: '200' }, 42]]),
        counterFamily('jobs_total', [[{}, 7]]),
        gaugeFamily('temperature', [[{ Zone: 'b' }, -3.5]]),
        histogramFamily('latency', [1, 5, 100], [h]),
      ]),
    );
    expect(rest).toEqual([]);
    const d = decode(req!.body);
    expect(req!.samples).toBe(3 + 4 + 2);
    const byName = (n: string) => d.timeseries.filter((s) => s.labels.__name__ === n);
    expect(byName('http_requests_total')[0]).toEqual({
      labels: {
        __name__: 'http_requests_total',
        code: '200',
        method: 'GET',
        cluster: 'eu',
        route: 'ignored-when-present',
      },
      labelOrder: ['__name__', 'cluster', 'code', 'method', 'route'],
      samples: [{ value: 42, timestamp: 1_700_000_002_000 }],
    });
    expect(byName('jobs_total')[0]!.samples[0]!.value).toBe(7);
    // Upper-case names sort before `__name__` (byte order).
    expect(byName('temperature')[0]!.labelOrder).toEqual(['Zone', '__name__', 'cluster', 'route']);
    const buckets = byName('latency_bucket').map((s) => [s.labels.le, s.samples[0]!.value, s.labels.route]);
    expect(buckets).toEqual([
      ['1', 1, '/a'],
      ['5', 3, '/a'],
      ['100', 4, '/a'],
      ['+Inf', 5, '/a'],
    ]);
    expect(byName('latency_bucket')[0]!.labelOrder).toEqual(['__name__', 'cluster', 'le', 'route']);
    expect(byName('latency_sum')[0]!.samples[0]!.value).toBe(1076.5);
    expect(byName('latency_count')[0]!.samples[0]!.value).toBe(5);
    expect(d.metadata.map((m) => [m.type, m.metric_family_name])).toEqual([
      ['COUNTER', 'http_requests_total'],
      ['COUNTER', 'jobs_total'],
      ['GAUGE', 'temperature'],
      ['HISTOGRAM', 'latency'],
    ]);
  });

  it('cuts a push into requests of at most maxSamplesPerRequest samples', () => {
    const series = Array.from({ length: 25 }, (_, i) => [{ i: String(i) }, i] as [Record<string, string>, number]);
    const reqs = new WriteRequestEncoder({ maxSamplesPerRequest: 10, sendMetadata: false }).encode(
      collected([counterFamily('c', series)]),
    );
    expect(reqs.map((r) => r.samples)).toEqual([10, 10, 5]);
    const values = reqs.flatMap((r) => decode(r.body).timeseries.map((s) => s.samples[0]!.value));
    expect(values).toEqual(series.map(([, v]) => v));
  });

  it('leaves out unset gauges and writes nothing for an empty collection', () => {
    const enc = new WriteRequestEncoder({ sendMetadata: false });
    expect(enc.encode(collected([]))).toEqual([]);
    expect(enc.encode(collected([{ ...gaugeFamily('g', []), series: [{ labels: {}, timestamp: 0 }] }]))).toEqual([]);
  });

  const labelName = fc.stringMatching(/^[a-zA-Z_][a-zA-Z0-9_]{0,12}$/).filter((n) => n !== '__name__' && n !== 'le');
  const labelsArb = fc.dictionary(labelName, fc.string({ maxLength: 20 }), { maxKeys: 5 });
  const valueArb = fc.double({ noNaN: true });

  test.prop([
    fc.array(fc.tuple(labelsArb, valueArb), { minLength: 1, maxLength: 30 }),
    fc.dictionary(labelName, fc.string({ maxLength: 8 }), { maxKeys: 3 }),
  ])(
    'every gauge sample decodes to its labels (sorted, external added where absent) and exact value',
    (series, external) => {
      const reqs = new WriteRequestEncoder({
        externalLabels: external,
        sendMetadata: false,
        maxSamplesPerRequest: 7,
      }).encode(collected([gaugeFamily('g', series)]));
      const decoded = reqs.flatMap((r) => decode(r.body).timeseries);
      expect(decoded).toHaveLength(series.length);
      decoded.forEach((d, i) => {
        const [labels, value] = series[i]!;
        expect(d.labels).toEqual({ ...external, ...labels, __name__: 'g' });
        expect([...d.labelOrder].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0))).toEqual(d.labelOrder);
        expect(Object.is(d.samples[0]!.value, value)).toBe(true);
      });
    },
  );

  test.prop([
    fc.array(fc.double({ min: -1e6, max: 1e6, noNaN: true }), { maxLength: 200 }),
    fc.uniqueArray(fc.integer({ min: -1000, max: 1000 }), { maxLength: 8 }),
  ])('classic buckets are cumulative, end at the count, and agree with the values', (values, rawBounds) => {
    const bounds = [...rawBounds].sort((a, b) => a - b);
    const s = histogramSeries({}, values, bounds);
    const [req] = new WriteRequestEncoder({ sendMetadata: false }).encode(
      collected([histogramFamily('h', bounds, [s])]),
    );
    const d = decode(req!.body).timeseries;
    const buckets = d.filter((x) => x.labels.__name__ === 'h_bucket');
    expect(buckets).toHaveLength(bounds.length + 1);
    buckets.forEach((b, j) => {
      const le = j < bounds.length ? bounds[j]! : Infinity;
      expect(b.samples[0]!.value).toBe(values.filter((v) => v <= le).length);
    });
    expect(d.find((x) => x.labels.__name__ === 'h_count')!.samples[0]!.value).toBe(values.length);
  });

  const escapingValue = fc.string({
    unit: fc.constantFrom('a', 'Z', '\\', '"', '\n', ',', '=', 'é', 'le'),
    maxLength: 8,
  });
  test.prop([
    fc.array(fc.dictionary(labelName, escapingValue, { maxKeys: 4 }), { minLength: 1, maxLength: 12 }),
    fc.dictionary(fc.oneof(labelName, fc.constant('le')), fc.string({ maxLength: 6 }), { maxKeys: 3 }),
  ])(
    "from a collector's label text (escapes included): every sample of counters and histograms has its labels, sorted",
    (labelSets, external) => {
      const collector = createMetricsCollector();
      labelSets.forEach((labels, i) => {
        collector.increment('c_total', i + 1, labels);
        collector.histogram('h', i + 0.5, labels);
      });
      const collectedNow = collector.collect();
      const decoded = new WriteRequestEncoder({
        externalLabels: external,
        sendMetadata: false,
        maxSamplesPerRequest: 5,
      })
        .encode(collectedNow)
        .flatMap((r) => decode(r.body).timeseries);
      const sorted = (order: string[]) => [...order].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
      for (const d of decoded) expect(d.labelOrder).toEqual(sorted(d.labelOrder));
      const labelsOf = decoded.map((x) => x.labels);
      const { le: _externalLe, ...externalWithoutLe } = external;
      let expectedSamples = 0;
      for (const fam of collectedNow.families) {
        for (const s of fam.series) {
          const own = { ...s.labels };
          if (fam.type === 'counter') {
            expectedSamples++;
            expect(labelsOf).toContainEqual({ ...external, ...own, __name__: 'c_total' });
          } else {
            const les = [...fam.bounds!.map(String), '+Inf'];
            expectedSamples += les.length + 2;
            for (const le of les)
              expect(labelsOf).toContainEqual({ ...externalWithoutLe, ...own, __name__: 'h_bucket', le });
            expect(labelsOf).toContainEqual({ ...external, ...own, __name__: 'h_sum' });
            expect(labelsOf).toContainEqual({ ...external, ...own, __name__: 'h_count' });
          }
        }
      }
      expect(decoded).toHaveLength(expectedSamples);
    },
  );

  test.prop([
    fc.array(fc.dictionary(labelName, fc.string({ maxLength: 6 }), { maxKeys: 4 }), { minLength: 1, maxLength: 8 }),
    fc.dictionary(fc.oneof(labelName, fc.constantFrom('le', 'A', 'z', '__name__')), fc.string({ maxLength: 4 }), {
      maxKeys: 3,
    }),
  ])(
    "a collector's series write the same bytes from their cached labels as from their label objects, push after push",
    (labelSets, external) => {
      const collector = createMetricsCollector();
      labelSets.forEach((labels, i) => {
        collector.increment('c_total', i + 1, labels);
        collector.gauge('g', -1 - i, labels);
        collector.histogram('h', i + 0.5, labels);
      });
      // Two encoders with different external labels take turns on the same series' caches.
      const encoders = [
        new WriteRequestEncoder({ externalLabels: external, maxSamplesPerRequest: 7 }),
        new WriteRequestEncoder({ sendMetadata: false }),
      ];
      for (let push = 0; push < 4; push++) {
        // A series removed: those after it move up one place in the cache's order.
        if (push === 2) collector.removeSeries('c_total', labelSets[0]);
        const now = collector.collect();
        // The same data without label text: labels merged from the label objects, no cache.
        const plain = JSON.parse(JSON.stringify(now)) as typeof now;
        for (const fam of plain.families) for (const s of fam.series) delete (s as { labelText?: string }).labelText;
        const encoder = encoders[push % 2]!;
        const bodies = (c: typeof now) => encoder.encode(c).map((r) => Buffer.from(r.body));
        const expected = bodies(plain);
        expect(bodies(now)).toEqual(expected);
        // What the exporter sends: the same requests, Snappy-compressed.
        const sent = encoder.encodeCompressed(now);
        expect(sent.map((r) => Buffer.from(SnappyJS.uncompress(r.body)))).toEqual(expected);
      }
    },
  );
});
