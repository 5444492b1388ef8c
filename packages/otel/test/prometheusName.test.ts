import { fc, test } from '@fast-check/vitest';
import { isValidMetricName } from '@obs/metrics';
import { describe, expect, it } from 'vitest';
import { prometheusName } from '../src';

describe('prometheusName (the OpenTelemetry specification Prometheus mapping)', () => {
  it('maps names, units and counter suffixes', () => {
    expect(prometheusName('http.server.request.duration', 's', 'histogram')).toBe(
      'http_server_request_duration_seconds',
    );
    expect(prometheusName('http.client.request.body.size', 'By', 'histogram')).toBe(
      'http_client_request_body_size_bytes',
    );
    expect(prometheusName('http.requests', '{request}', 'counter')).toBe('http_requests_total');
    expect(prometheusName('process.cpu.time', 's', 'counter')).toBe('process_cpu_time_seconds_total');
    expect(prometheusName('requests_total', undefined, 'counter')).toBe('requests_total');
    expect(prometheusName('cpu.utilization', '1', 'gauge')).toBe('cpu_utilization_ratio');
    expect(prometheusName('cpu.utilization', '1', 'counter')).toBe('cpu_utilization_total');
    expect(prometheusName('speed', 'm/s', 'gauge')).toBe('speed_meters_per_second');
    expect(prometheusName('latency_seconds', 's', 'histogram')).toBe('latency_seconds');
    expect(prometheusName('db..ops--count', '', 'gauge')).toBe('db_ops_count');
    expect(prometheusName('9lives', undefined, 'gauge')).toBe('_9lives');
    expect(prometheusName('', 's', 'gauge')).toBe('');
    expect(prometheusName('...', undefined, 'gauge')).toBe('');
  });

  test.prop([
    fc.string({ maxLength: 80 }),
    fc.option(fc.string({ maxLength: 20 }), { nil: undefined }),
    fc.constantFrom('counter' as const, 'gauge' as const, 'histogram' as const),
  ])('always a valid Prometheus name, or empty', (name, unit, kind) => {
    const out = prometheusName(name, unit, kind);
    expect(out === '' || isValidMetricName(out)).toBe(true);
    if (kind === 'counter' && out !== '') expect(out.endsWith('_total')).toBe(true);
  });
});
