import { ManualClock } from '@obs/core';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { serialize, serializeAsync } from './exposition/serialize';
import { MetricsCollector } from './MetricsCollector';
import { CALLBACK_FAILURES_METRIC } from './observables';

afterEach(() => {
  vi.useRealTimers();
});

const failures = (m: MetricsCollector, metric: string, reason: string) =>
  m.getCounter(CALLBACK_FAILURES_METRIC, { metric, reason });

describe('observable (callback) gauges and counters', () => {
  it('are read at scrape time and by getGauge, one value or one per label set', () => {
    const m = new MetricsCollector({ clock: new ManualClock(0) });
    let depth = 3;
    m.observableGauge('queue_depth', () => depth);
    m.observableGauge('pool_size', () => [
      { labels: { pool: 'a' }, value: 1 },
      { labels: { pool: 'b' }, value: depth },
    ]);
    expect(m.getGauge('queue_depth')).toBe(3);
    depth = 7;
    expect(m.getGauge('queue_depth')).toBe(7);
    expect(m.getGauge('pool_size', { pool: 'b' })).toBe(7);
    depth = 9;
    const text = serialize(m).body;
    expect(text).toContain('queue_depth 9\n');
    expect(text).toContain('pool_size{pool="b"} 9\n');
  });

  it('removes label sets that a later result no longer has', () => {
    const m = new MetricsCollector({ clock: new ManualClock(0) });
    let pools = ['a', 'b'];
    m.observableGauge('pools', () => pools.map((pool) => ({ labels: { pool }, value: 1 })));
    expect(serialize(m).body).toContain('pools{pool="b"} 1');
    pools = ['a'];
    expect(serialize(m).body).not.toContain('pool="b"');
    expect(m.getGauge('pools', { pool: 'a' })).toBe(1);
  });

  it('counter callbacks return totals; a total that goes down restarts the series', () => {
    const m = new MetricsCollector({ clock: new ManualClock(0) });
    let total = 5;
    m.observableCounter('jobs_total', () => total);
    expect(m.getCounter('jobs_total')).toBe(5);
    total = 12;
    expect(m.getCounter('jobs_total')).toBe(12);
    total = 2;
    expect(m.getCounter('jobs_total')).toBe(2);
    total = -1;
    expect(m.getCounter('jobs_total')).toBe(2);
    expect(failures(m, 'jobs_total', 'invalid')).toBe(1);
  });

  it('a throwing or invalid callback is counted and never breaks the scrape; the last good value stays', () => {
    const m = new MetricsCollector({ clock: new ManualClock(0) });
    let mode: 'ok' | 'throw' | 'nan' | 'junk' = 'ok';
    m.observableGauge('flaky', () => {
      if (mode === 'throw') throw new Error('boom');
      if (mode === 'nan') return NaN;
      if (mode === 'junk') return 'seven' as unknown as number;
      return 4;
    });
    m.observableGauge('steady', () => 1);
    expect(m.getGauge('flaky')).toBe(4);
    for (const next of ['throw', 'nan', 'junk'] as const) {
      mode = next;
      const text = serialize(m).body;
      expect(text).toContain('flaky 4\n');
      expect(text).toContain('steady 1\n');
    }
    expect(failures(m, 'flaky', 'error')).toBe(1);
    expect(failures(m, 'flaky', 'invalid')).toBe(2);
    expect(serialize(m).body).toContain(`${CALLBACK_FAILURES_METRIC}{metric="flaky",reason="error"} 1`);
  });

  it('a slow synchronous callback is counted and skipped for a while (its last values stay)', () => {
    const m = new MetricsCollector({ clock: new ManualClock(0) });
    let calls = 0;
    m.observableGauge(
      'slow',
      () => {
        calls++;
        const until = performance.now() + 30;
        while (performance.now() < until) {
          // busy: a callback that blocks
        }
        return calls;
      },
      { timeoutMs: 5 },
    );
    expect(m.getGauge('slow')).toBe(1);
    expect(failures(m, 'slow', 'timeout')).toBe(1);
    // Skipped for ten timeouts after it returned: the scrape does not pay for it again.
    expect(m.getGauge('slow')).toBe(1);
    expect(calls).toBe(1);
  });

  it('async callbacks: a read uses the last settled value; one that never settles times out and is counted', async () => {
    vi.useFakeTimers();
    const m = new MetricsCollector({ clock: new ManualClock(0) });
    let value = 1;
    m.observableGauge('remote', () => Promise.resolve(value));
    let hang = false;
    m.observableGauge('hanging', () => (hang ? new Promise<number>(() => {}) : Promise.resolve(5)), { timeoutMs: 100 });
    expect(m.getGauge('remote')).toBeUndefined();
    await vi.advanceTimersByTimeAsync(0);
    expect(m.getGauge('remote')).toBe(1);
    value = 2;
    await vi.advanceTimersByTimeAsync(0);
    // This read starts a refresh and answers with the last settled value; the next one sees the refresh.
    expect(m.getGauge('remote')).toBe(1);
    await vi.advanceTimersByTimeAsync(0);
    expect(m.getGauge('remote')).toBe(2);
    serialize(m);
    await vi.advanceTimersByTimeAsync(0);
    expect(m.getGauge('hanging')).toBe(5);
    hang = true;
    await vi.advanceTimersByTimeAsync(0);
    m.getGauge('hanging');
    await vi.advanceTimersByTimeAsync(150);
    expect(failures(m, 'hanging', 'timeout')).toBe(1);
    expect((await serializeAsync(m)).body).toContain('hanging 5\n');
  });

  it('validates registration and unregisters with its series', () => {
    const m = new MetricsCollector({ clock: new ManualClock(0) });
    expect(() => m.observableGauge('bad name', () => 1)).toThrow();
    expect(() => m.observableGauge('x', 5 as never)).toThrow(/must be a function/);
    expect(() => m.observableGauge('x', () => 1, { timeoutMs: 0 })).toThrow(/timeoutMs/);
    const stop = m.observableGauge('x', () => 1);
    expect(() => m.observableGauge('x', () => 2)).toThrow(/already has a callback/);
    expect(m.getGauge('x')).toBe(1);
    stop();
    stop();
    expect(m.getGauge('x')).toBeUndefined();
    expect(serialize(m).body).not.toContain('x 1');
  });

  it('a callback that reads its own metric does not recurse', () => {
    const m = new MetricsCollector({ clock: new ManualClock(0) });
    m.observableGauge('self', () => (m.getGauge('self') ?? 0) + 1);
    expect(m.getGauge('self')).toBe(1);
    expect(m.getGauge('self')).toBe(2);
  });
});
