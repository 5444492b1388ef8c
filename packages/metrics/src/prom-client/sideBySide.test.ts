import { createRequire } from 'node:module';
import { describe, expect, it } from 'vitest';
import * as ours from './index';

// prom-client 15.1.3 itself, as the reference: every scenario runs against both and must give the same result.
const require = createRequire(import.meta.url);
const theirs = require('prom-client') as typeof ours;

type Client = typeof ours;

async function both(scenario: (client: Client) => unknown | Promise<unknown>): Promise<[unknown, unknown]> {
  const run = async (client: Client) => {
    try {
      return { ok: await scenario(client) };
    } catch (err) {
      return { threw: (err as Error).constructor.name, message: (err as Error).message };
    }
  };
  return [await run(ours), await run(theirs)];
}

async function same(scenario: (client: Client) => unknown | Promise<unknown>): Promise<unknown> {
  const [a, b] = await both(scenario);
  expect(a).toEqual(b);
  return a;
}

describe('prom-client drop-in: same results as prom-client 15.1.3', () => {
  it('counter text, labels in the order given, default labels, escaping', async () => {
    await same(async (c) => {
      const r = new c.Registry();
      const ctr = new c.Counter({
        name: 'req_total',
        help: 'Requests\nwith "quotes" \\ and more',
        labelNames: ['method', 'code'],
        registers: [r],
      });
      ctr.inc({ code: 200, method: 'GET' });
      ctr.labels('POST', '500').inc(2);
      ctr.inc({ method: 'GET', code: '200' }, 3);
      ctr.inc({ method: 'a"b\\c\nd' });
      const text1 = await r.metrics();
      r.setDefaultLabels({ app: 'x', method: 'ignored' });
      return [text1, await r.metrics(), await r.getMetricsAsJSON()];
    });
  });

  it('unlabeled metrics, empty labeled metrics and NaN gauges', async () => {
    await same(async (c) => {
      const r = new c.Registry();
      new c.Counter({ name: 'a', help: 'a', registers: [r] });
      new c.Counter({ name: 'b', help: 'b', labelNames: ['x'], registers: [r] });
      const g = new c.Gauge({ name: 'g', help: 'g', registers: [r] });
      const h = new c.Gauge({ name: 'h', help: 'h', labelNames: ['k'], registers: [r] });
      g.set(NaN);
      h.set({ k: 'inf' }, Infinity);
      h.set({ k: 'minf' }, -Infinity);
      h.inc({ k: 'one' });
      h.dec({ k: 'one' }, 3);
      h.labels('two').set(2);
      h.labels({ k: 'two' }).inc(0.5);
      return [await r.metrics(), await r.getMetricsAsJSON()];
    });
  });

  it('histogram buckets, sum, count, zero(), reset() and get()', async () => {
    await same(async (c) => {
      const r = new c.Registry();
      const h = new c.Histogram({
        name: 'lat_seconds',
        help: 'latency',
        labelNames: ['m'],
        buckets: [0.1, 0.5, 1],
        registers: [r],
      });
      h.observe({ m: 'a' }, 0.5);
      h.observe({ m: 'a' }, 0.05);
      h.labels('b').observe(7);
      h.zero({ m: 'z' });
      const u = new c.Histogram({ name: 'u', help: 'unlabeled', registers: [r] });
      u.observe(0.3);
      r.setDefaultLabels({ env: 'prod' });
      const before = [await r.metrics(), await h.get(), await r.getMetricsAsJSON()];
      u.reset();
      return [before, await r.metrics()];
    });
  });

  it('summary quantiles, sum and count', async () => {
    await same(async (c) => {
      const r = new c.Registry();
      const s = new c.Summary({ name: 's', help: 's', percentiles: [0.5, 0.9], labelNames: ['x'], registers: [r] });
      for (const v of [1, 1, 1, 1, 1]) s.observe({ x: 'a' }, v);
      s.labels('b').observe(4);
      const u = new c.Summary({ name: 'u', help: 'u', registers: [r] });
      return [await r.metrics(), await s.get(), await u.get()];
    });
  });

  it('openmetrics: counter names, EOF, exemplars', async () => {
    const [a, b] = await both(async (c) => {
      const r = new c.Registry(c.openMetricsContentType);
      const ctr = new c.Counter({
        name: 'jobs_total',
        help: 'jobs',
        labelNames: ['q'],
        registers: [r],
        enableExemplars: true,
      });
      ctr.inc({ labels: { q: 'x' }, value: 2, exemplarLabels: { trace_id: 'abc' } as never });
      const h = new c.Histogram({ name: 'd', help: 'd', buckets: [1], registers: [r], enableExemplars: true });
      h.observe({ value: 0.5, exemplarLabels: { trace_id: 'def' } });
      return (await r.metrics()).replace(/ \d+(\.\d+)?\n/g, ' <ts>\n');
    });
    expect(a).toEqual(b);
  });

  it('validation errors: same class and message', async () => {
    const cases: ((c: Client) => unknown)[] = [
      (c) => new c.Counter({ name: 'bad name', help: 'x', registers: [] }),
      (c) => new c.Counter({ name: 'x', help: '', registers: [] } as never),
      (c) => new c.Counter({ help: 'x', registers: [] } as never),
      (c) => new c.Counter({ name: 'x', help: 'x', labelNames: ['bad-label'], registers: [] }),
      (c) => new c.Counter('x' as never),
      (c) => new c.Counter({ name: 'x', help: 'x', collect: 5, registers: [] } as never),
      (c) => new c.Histogram({ name: 'x', help: 'x', labelNames: ['le'], registers: [] }),
      (c) => new c.Summary({ name: 'x', help: 'x', labelNames: ['quantile'], registers: [] }),
      (c) => new c.Counter({ name: 'x', help: 'x', enableExemplars: true, registers: [new c.Registry()] }),
      (c) => new c.Counter({ name: 'x', help: 'x', labelNames: ['a'], registers: [] }).inc({ b: 'x' } as never),
      (c) => new c.Counter({ name: 'x', help: 'x', labelNames: ['a', 'b'], registers: [] }).labels('1'),
      (c) => new c.Counter({ name: 'x', help: 'x', registers: [] }).inc(-1),
      (c) => new c.Counter({ name: 'x', help: 'x', registers: [] }).inc(Infinity),
      (c) => new c.Counter({ name: 'x', help: 'x', registers: [] }).inc('3' as never),
      (c) => new c.Gauge({ name: 'x', help: 'x', registers: [] }).set('3' as never),
      (c) => new c.Gauge({ name: 'x', help: 'x', registers: [] }).inc('3' as never),
      (c) => new c.Histogram({ name: 'x', help: 'x', registers: [] }).observe(NaN),
      (c) => new c.Summary({ name: 'x', help: 'x', registers: [] }).observe('a' as never),
      (c) => new c.Histogram({ name: 'x', help: 'x', labelNames: ['a'], registers: [] }).labels({ b: '1' } as never),
      (c) => {
        const r = new c.Registry();
        new c.Counter({ name: 'dup', help: 'x', registers: [r] });
        new c.Gauge({ name: 'dup', help: 'x', registers: [r] });
      },
      (c) => new c.Registry('text/html' as never),
      (c) => new c.Registry().setContentType('text/html' as never),
      (c) => c.Registry.merge([new c.Registry(), new c.Registry(c.openMetricsContentType) as never]),
      (c) => c.linearBuckets(0, 1, 0),
      (c) => c.exponentialBuckets(0, 2, 3),
      (c) => c.exponentialBuckets(1, 1, 3),
      (c) => c.exponentialBuckets(1, 2, 0),
      (c) => new c.Pushgateway('http://127.0.0.1:1').push({} as never),
      (c) =>
        c.AggregatorRegistry.aggregate([
          [{ name: 'x', help: 'x', type: 'gauge', values: [], aggregator: 'nope' }],
        ] as never),
      (c) => c.AggregatorRegistry.setRegistries([{}] as never),
      (c) => c.collectDefaultMetrics(5 as never),
    ];
    for (const scenario of cases) {
      const [a, b] = await both(scenario);
      expect(a, scenario.toString()).toEqual(b);
      expect((b as { threw?: string }).threw, scenario.toString()).toBeDefined();
    }
  });

  it('bucket generators, registry bookkeeping, merge and aggregate', async () => {
    await same(async (c) => {
      const r1 = new c.Registry();
      const r2 = new c.Registry();
      const g = new c.Gauge({ name: 'g1', help: 'g', registers: [r1, r2] });
      g.set(3);
      new c.Counter({ name: 'c2', help: 'c', registers: [r2] }).inc(5);
      const merged = c.Registry.merge([r1, new c.Registry()]);
      const out = [
        c.linearBuckets(1, 2, 4),
        c.exponentialBuckets(1, 3, 4),
        await merged.metrics(),
        r1.getSingleMetric('g1') === g,
        await r2.getSingleMetricAsString('c2'),
      ];
      r2.removeSingleMetric('c2');
      r2.resetMetrics();
      out.push(await r2.metrics(), r1.contentType);
      const agg = c.AggregatorRegistry.aggregate([await r1.getMetricsAsJSON(), await r1.getMetricsAsJSON()]);
      out.push(await agg.metrics());
      r1.clear();
      out.push(await r1.metrics(), c.validateMetricName('a:b'), c.validateMetricName('1a'));
      return out;
    });
  });

  it('collect callbacks run before reading, sync or async', async () => {
    await same(async (c) => {
      const r = new c.Registry();
      let n = 0;
      new c.Gauge({
        name: 'cb',
        help: 'cb',
        registers: [r],
        collect() {
          this.set(++n);
        },
      });
      new c.Gauge({
        name: 'cb_async',
        help: 'cb',
        registers: [r],
        async collect() {
          await new Promise((resolve) => setTimeout(resolve, 1));
          this.set(++n * 10);
        },
      });
      return [await r.metrics(), await r.getMetricsAsJSON()];
    });
  });

  it('remove() and child handles after remove and reset', async () => {
    await same(async (c) => {
      const r = new c.Registry();
      const ctr = new c.Counter({ name: 'c', help: 'c', labelNames: ['a'], registers: [r] });
      const child = ctr.labels('x');
      child.inc();
      ctr.labels('y').inc(2);
      ctr.remove('x');
      const afterRemove = await r.metrics();
      child.inc(5);
      ctr.reset();
      const afterReset = await r.metrics();
      child.inc(7);
      ctr.remove({ a: 'y' });
      return [afterRemove, afterReset, await r.metrics()];
    });
  });
});
