import { ManualClock } from '@obs/core';
import { describe, expect, it } from 'vitest';
import { promtoolCheckMetrics, requireBinary } from '@obs/testing';
import { createMetricsCollector } from '../index';
import { serialize } from './serialize';
import { trickyRegistry } from '../testing/fixtures';

const promtool = requireBinary('promtool');

const check = (text: string) => promtoolCheckMetrics(promtool!, text);

describe.skipIf(!promtool)('promtool check metrics (real Prometheus tooling)', () => {
  it('accepts a plain registry without a single lint problem', () => {
    const m = createMetricsCollector({ clock: new ManualClock(0) });
    m.describe('http_requests_total', { help: 'HTTP requests.' });
    m.describe('process_open_connections', { help: 'Open connections.' });
    m.describe('http_request_duration_seconds', { help: 'Request duration.', buckets: [0.01, 0.1, 1] });
    m.increment('http_requests_total', 1, { code: '200', method: 'get' });
    m.gauge('process_open_connections', 3);
    m.histogram('http_request_duration_seconds', 0.2, { method: 'get' });
    const result = check(serialize(m).body);
    expect(result.output).toBe('');
    expect(result.status).toBe(0);
  });

  it('parses the tricky registry (escapes, unicode, overflow, histograms) without errors', () => {
    const result = check(serialize(trickyRegistry()).body);
    // Parse errors exit 1 with "error while linting: text format parsing error…"; lint findings
    // (missing help, an abbreviated unit in `job_ms`) exit 3 and are printed as "<metric> <finding>".
    expect(result.output).not.toMatch(/error while linting|parsing error/i);
    expect(result.status).toBe(3);
    const findings = result.output.trim().split('\n');
    for (const line of findings)
      expect(line).toMatch(
        /^[a-zA-Z_:][a-zA-Z0-9_:]* (no help text|metric names should not contain abbreviated units)$/,
      );
  });

  it('reports a broken exposition (the check can fail)', () => {
    const result = check('bad metric{a="b} 1\n');
    expect(result.status).toBe(1);
    expect(result.output).toMatch(/parsing error/);
  });
});
