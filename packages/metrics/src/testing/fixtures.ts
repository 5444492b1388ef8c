import { ManualClock } from '@obs/core';
import { createMetricsCollector, type MetricsCollector } from '../index';

/** A registry with everything hard: escapes, unicode, overflow, histograms, negative values, unset gauges. */
export function trickyRegistry(): MetricsCollector {
  const m = createMetricsCollector({ clock: new ManualClock(0), maxSeriesPerMetric: 2 });
  m.describe('http_requests_total', { help: 'Requests with "quotes", a \\ backslash\nand a newline.' });
  m.increment('http_requests_total', 1, { path: '/a"b', method: 'GET' });
  m.increment('http_requests_total', 2, { path: 'C:\\dir\\', method: 'POST' });
  m.increment('http_requests_total', 3, { path: 'line1\nline2', method: 'PUT' }); // overflow
  m.increment('http_requests_total', 4, { path: 'ünïcødé ✓', method: 'GET' }); // overflow
  m.describe('queue_depth', { help: 'Depth.' });
  m.gauge('queue_depth', -3.25, { queue: '' });
  m.gauge('queue_depth', {}); // unset: no sample
  m.describe('request_duration_seconds', { help: 'Duration.', unit: 'seconds', buckets: [0.005, 0.1, 1, 10] });
  [0.001, 0.05, 0.1, 0.7, 20, -1, 0].forEach((v) => m.histogram('request_duration_seconds', v, { route: '{x}' }));
  m.histogram('request_duration_seconds', { route: 'empty' });
  m.timer('job_ms', 12.5);
  m.increment('jobs'); // counter without _total gets it appended
  m.gauge('big', 1e300);
  m.gauge('tiny', -5e-324);
  return m;
}
