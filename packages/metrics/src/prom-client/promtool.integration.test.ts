import { describe, expect, it } from 'vitest';
import { promtoolCheckMetrics, requireBinary } from '@obs/testing';
import { serialize } from '../exposition/serialize';
import { MetricsCollector } from '../MetricsCollector';
import { collectRuntimeMetrics } from '../runtime/collectRuntimeMetrics';
import { parseExposition } from '../testing/openMetricsParser';
import * as client from './index';

const promtool = requireBinary('promtool');

/** promtool's verdict: parse errors exit 1; lint findings (exit 3) are listed one per line. */
const check = (text: string) => promtoolCheckMetrics(promtool!, text);

async function everyKindOfRegistry(contentType: client.RegistryContentType): Promise<string> {
  const r = new client.Registry<client.RegistryContentType>(contentType);
  const exemplars = contentType === client.openMetricsContentType;
  const counter = new client.Counter({
    name: 'http_requests_total',
    help: 'Requests with "quotes" and \\ backslash\nnewline.',
    labelNames: ['method', 'code'],
    registers: [r],
    enableExemplars: exemplars,
  });
  if (exemplars) counter.inc({ labels: { method: 'GET', code: 200 }, value: 2, exemplarLabels: { trace_id: 'abc' } });
  else counter.inc({ method: 'GET', code: 200 }, 2);
  new client.Counter({ name: 'jobs_total', help: 'Jobs.', registers: [r] }).inc();
  const gauge = new client.Gauge({ name: 'queue_depth', help: 'Depth.', labelNames: ['queue'], registers: [r] });
  gauge.set({ queue: 'a"b\\c\nd' }, 3);
  gauge.set({ queue: 'nan' }, NaN);
  gauge.set({ queue: 'inf' }, Infinity);
  const h = new client.Histogram({
    name: 'request_duration_seconds',
    help: 'Latency.',
    labelNames: ['route'],
    registers: [r],
  });
  h.observe({ route: '/' }, 0.2);
  h.zero({ route: '/empty' });
  const s = new client.Summary({
    name: 'payload_bytes',
    help: 'Sizes.',
    labelNames: ['route'],
    maxAgeSeconds: 60,
    ageBuckets: 3,
    registers: [r],
  });
  s.observe({ route: '/' }, 512);
  client.collectDefaultMetrics({ register: r });
  r.setDefaultLabels({ instance: 'i-1' });
  return r.metrics();
}

describe.skipIf(!promtool)('promtool check metrics on every exposition (real Prometheus tooling)', () => {
  it('parses the drop-in Prometheus text: every metric type, escapes, NaN/Inf, default metrics, default labels', async () => {
    const result = check(await everyKindOfRegistry(client.prometheusContentType));
    expect(result.output).not.toMatch(/error while linting|parsing error/i);
    // Only lint advice remains, about prom-client's own conventions (e.g. its counters without `_total`).
    for (const line of result.findings)
      expect(line).toMatch(
        /^[a-zA-Z_:][a-zA-Z0-9_:]* (counter metrics should have "_total" suffix|non-counter metrics should not have "_total" suffix|non-histogram and non-summary metrics should not have "_\w+" suffix)$/,
      );
    expect([0, 3]).toContain(result.status);
  });

  it('the drop-in OpenMetrics text passes the strict OpenMetrics parser (promtool reads text 0.0.4 only)', async () => {
    const text = await everyKindOfRegistry(client.openMetricsContentType);
    expect(text).toMatch(
      /http_requests_total\{method="GET",code="200",instance="i-1"\} 2 # \{trace_id="abc"\} 2 [\d.]+\n/,
    );
    // Our strict parser does not read exemplars: it checks the rest of the text.
    const withoutExemplars = text.replace(/ # \{[^}]*\} \S+ \S+/g, '');
    expect(() => parseExposition(withoutExemplars)).not.toThrow();
  });

  it('parses collectRuntimeMetrics in both formats', async () => {
    const m = new MetricsCollector();
    const stop = collectRuntimeMetrics(m, { labels: { service: 'api' } });
    try {
      await new Promise((resolve) => setTimeout(resolve, 20));
      for (const accept of [undefined, 'application/openmetrics-text']) {
        const result = check(serialize(m, accept).body);
        expect(result.output, accept).not.toMatch(/error while linting|parsing error/i);
      }
    } finally {
      stop();
    }
  });

  it('parses an AggregatorRegistry result', async () => {
    const r = new client.Registry();
    new client.Histogram({ name: 'lat_seconds', help: 'Latency.', buckets: [0.1, 1], registers: [r] }).observe(0.5);
    new client.Gauge({ name: 'up_count', help: 'Up.', aggregator: 'max', registers: [r] }).set(1);
    const json = await r.getMetricsAsJSON();
    const text = await client.AggregatorRegistry.aggregate([json, json]).metrics();
    expect(text).toContain('lat_seconds_bucket{le="1"} 2');
    expect(text).toContain('up_count 1');
    expect(check(text).output).not.toMatch(/error while linting|parsing error/i);
  });
});
