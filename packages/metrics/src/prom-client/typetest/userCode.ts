/**
 * Typical prom-client user code (from prom-client's README and index.d.ts), compiled
 * against this module by `pnpm typecheck` and against prom-client 15.1.3's own types by
 * userCode.test.ts, which rewrites the import. It is a type test: it is never run.
 */
import client, {
  AggregatorRegistry,
  Counter,
  Gauge,
  Histogram,
  Pushgateway,
  Registry,
  Summary,
  collectDefaultMetrics,
  register,
} from '../index';
import type { LabelValues, Metric, OpenMetricsContentType, RegistryContentType } from '../index';

export async function userCode(): Promise<string> {
  collectDefaultMetrics();
  collectDefaultMetrics({
    prefix: 'my_',
    gcDurationBuckets: [0.001, 0.01],
    eventLoopMonitoringPrecision: 10,
    labels: { app: 'x' },
  });
  const registry = new Registry();
  client.collectDefaultMetrics({ register: registry });

  const counter = new Counter({
    name: 'http_requests_total',
    help: 'Requests',
    labelNames: ['method', 'code'] as const,
  });
  counter.inc();
  counter.inc(2);
  counter.inc({ method: 'GET', code: 200 });
  counter.inc({ method: 'GET' }, 5);
  counter.labels('GET', '200').inc();
  counter.labels({ method: 'POST' }).inc(3);
  counter.remove('GET', '200');
  counter.remove({ method: 'POST' });
  counter.reset();
  const counterData = await counter.get();
  const firstValue: number | undefined = counterData.values[0]?.value;

  const gauge = new Gauge<'queue'>({
    name: 'queue_size',
    help: 'Queue size',
    labelNames: ['queue'],
    collect() {
      this.set({ queue: 'a' }, 10);
    },
  });
  gauge.set(10);
  gauge.set({ queue: 'b' }, 3);
  gauge.inc();
  gauge.inc({ queue: 'b' }, 2);
  gauge.dec(1);
  gauge.setToCurrentTime();
  gauge.setToCurrentTime({ queue: 'b' });
  const endGauge = gauge.startTimer({ queue: 'b' });
  const seconds: number = endGauge();
  gauge.labels('c').set(1);
  gauge.labels({ queue: 'c' }).inc();

  const histogram = new Histogram({
    name: 'request_duration_seconds',
    help: 'Duration',
    labelNames: ['route'],
    buckets: client.exponentialBuckets(0.001, 2, 10),
  });
  histogram.observe(0.2);
  histogram.observe({ route: '/' }, 0.1);
  const end = histogram.startTimer({ route: '/' });
  end({ route: '/x' });
  histogram.labels('/').observe(1);
  histogram.labels({ route: '/' }).startTimer()();
  histogram.zero({ route: '/' });
  const openMetricsRegistry = new Registry<OpenMetricsContentType>();
  openMetricsRegistry.setContentType(client.openMetricsContentType);
  const exemplars = new Histogram({ name: 'ex', help: 'ex', enableExemplars: true, registers: [openMetricsRegistry] });
  exemplars.observe({ value: 0.1, labels: {}, exemplarLabels: {} });

  const summary = new Summary({
    name: 'summary',
    help: 's',
    percentiles: [0.5, 0.99],
    maxAgeSeconds: 600,
    ageBuckets: 5,
    pruneAgedBuckets: false,
  });
  summary.observe(3);
  summary.labels().observe(1);
  summary.startTimer()();

  const labels: LabelValues<'route'> = { route: '/' };
  const metric: Metric | undefined = register.getSingleMetric('summary');
  void [labels, metric, firstValue, seconds];

  register.setDefaultLabels({ service: 'api' });
  const om = new Registry<RegistryContentType>();
  om.setContentType(Registry.OPENMETRICS_CONTENT_TYPE);
  const merged = Registry.merge([register, registry]);
  const json = await merged.getMetricsAsJSON();
  void json.map((m) => m.name);
  register.removeSingleMetric('summary');
  register.resetMetrics();
  const one: string = await register.getSingleMetricAsString('queue_size');
  const contentType: string = register.contentType;

  const gateway = new Pushgateway('http://127.0.0.1:9091', { timeout: 5000 }, registry);
  await gateway.pushAdd({ jobName: 'test', groupings: { instance: 'a' } });
  await gateway.push({ jobName: 'test' });
  await gateway.delete({ jobName: 'test' });

  const aggregator = new AggregatorRegistry();
  const clusterText: string = await aggregator.clusterMetrics();
  AggregatorRegistry.setRegistries([registry]);
  const aggregated = AggregatorRegistry.aggregate([json]);
  void client.linearBuckets(0, 1, 5);
  void client.validateMetricName('x');
  void client.prometheusContentType;
  void client.contentType;
  return (await register.metrics()) + one + contentType + clusterText + (await aggregated.metrics());
}
