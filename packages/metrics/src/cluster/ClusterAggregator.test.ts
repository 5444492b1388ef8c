import { MessageChannel, type MessagePort } from 'node:worker_threads';
import { ManualClock } from '@obs/core';
import { fc, test } from '@fast-check/vitest';
import { afterEach, describe, expect, it } from 'vitest';
import { createMetricsCollector, serializeFormat, type MetricsCollector } from '../index';
import { parseExposition } from '../testing/openMetricsParser';
import { ClusterAggregator, createClusterAggregator, type ClusterAggregatorConfig } from './ClusterAggregator';
import { connectToPrimary, type PrimaryConnection } from './connectToPrimary';
import { CLUSTER_MESSAGE_TAG } from './protocol';

const BUCKETS = [1, 5, 25, 100];
const open: Array<{ close(): void }> = [];
afterEach(() => {
  for (const o of open.splice(0)) o.close();
});

function aggregator(config: ClusterAggregatorConfig = {}): ClusterAggregator {
  const agg = createClusterAggregator(config);
  open.push(agg);
  return agg;
}

function collector(): MetricsCollector {
  const m = createMetricsCollector({ clock: new ManualClock(0) });
  m.describe('job_duration_ms', { help: 'Job duration.', buckets: BUCKETS });
  return m;
}

interface Worker {
  readonly metrics: MetricsCollector;
  readonly conn: PrimaryConnection;
  readonly port: MessagePort;
}

/** A worker on a MessageChannel: the aggregator holds one end, connectToPrimary the other. */
function worker(agg: ClusterAggregator, id: string, metrics = collector(), intervalMs = 0): Worker {
  const { port1, port2 } = new MessageChannel();
  open.push(port1, port2);
  agg.addWorker(port1, { id });
  const conn = connectToPrimary(metrics, { port: port2, intervalMs });
  return { metrics, conn, port: port2 };
}

/** Sample lines of an exposition, sorted: the same data in any series order gives the same list. */
function samples(m: MetricsCollector): string[] {
  return serializeFormat(m, 'prometheus')
    .body.split('\n')
    .filter((l) => l !== '' && !l.startsWith('#'))
    .sort();
}

/** Waits until `condition` holds (messages and port closes are asynchronous; a loaded machine may take a while). */
async function until(condition: () => boolean, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await new Promise((r) => setTimeout(r, 5));
  }
}

type Op =
  { kind: 'inc'; route: string; v: number } | { kind: 'obs'; route: string; v: number } | { kind: 'gauge'; v: number };
const opArb: fc.Arbitrary<Op> = fc.oneof(
  fc.record({
    kind: fc.constant('inc' as const),
    route: fc.constantFrom('/a', '/b', '/c'),
    v: fc.integer({ min: 0, max: 1000 }),
  }),
  // Quarter milliseconds: every sum is exact in any order, so "equal" can mean bit-for-bit.
  fc.record({
    kind: fc.constant('obs' as const),
    route: fc.constantFrom('/a', '/b'),
    v: fc.integer({ min: -400, max: 400_000 }).map((q) => q / 4),
  }),
  fc.record({ kind: fc.constant('gauge' as const), v: fc.integer({ min: -50, max: 50 }) }),
);

function apply(m: MetricsCollector, op: Op): void {
  if (op.kind === 'inc') m.increment('requests_total', op.v, { route: op.route });
  else if (op.kind === 'obs') m.histogram('job_duration_ms', op.v, { route: op.route });
  else m.gauge('queue_depth', op.v);
}

describe('ClusterAggregator over MessagePorts', () => {
  test.prop([fc.array(fc.array(opArb, { maxLength: 60 }), { minLength: 1, maxLength: 5 })], { numRuns: 25 })(
    'the merged view equals one process that recorded everything (counters, buckets, sums, quantiles)',
    async (perWorker) => {
      const agg = aggregator({ gaugePolicy: 'sum' });
      const reference = collector();
      perWorker.forEach((ops, i) => {
        const w = worker(agg, `w${i}`);
        for (const op of ops) {
          apply(w.metrics, op);
          if (op.kind !== 'gauge') apply(reference, op);
        }
      });
      // Gauges under `sum`: the reference holds the sum of the workers' last values.
      const gaugeSum = perWorker
        .map((ops) => ops.filter((o) => o.kind === 'gauge').at(-1)?.v)
        .filter((v) => v !== undefined);
      if (gaugeSum.length > 0)
        reference.gauge(
          'queue_depth',
          gaugeSum.reduce((a, b) => a + b, 0),
        );

      const merged = agg.toCollector(await agg.collect());
      expect(agg.stats.lastCollect).toEqual({ answered: perWorker.length, timedOut: 0 });
      expect(samples(merged)).toEqual(samples(reference));
      for (const route of ['/a', '/b']) {
        expect(merged.getHistogramStats('job_duration_ms', { route })).toEqual(
          reference.getHistogramStats('job_duration_ms', { route }),
        );
        for (const q of [0, 0.1, 0.5, 0.77, 0.999, 1]) {
          expect(merged.getQuantile('job_duration_ms', q, { route })).toBe(
            reference.getQuantile('job_duration_ms', q, { route }),
          );
        }
      }
    },
  );

  it('renders Prometheus text and strict OpenMetrics', async () => {
    const agg = aggregator();
    const w = worker(agg, 'one');
    w.metrics.increment('requests_total', 3, { route: '/a' });
    w.metrics.histogram('job_duration_ms', 7, { route: '/a' });
    w.metrics.gauge('queue_depth', 2);
    const om = await agg.metrics('application/openmetrics-text; version=1.0.0');
    expect(om.format).toBe('openmetrics');
    const families = parseExposition(om.body);
    expect(families.map((f) => f.name).sort()).toEqual(['job_duration_ms', 'queue_depth', 'requests']);
    const prom = agg.serialize();
    expect(prom.format).toBe('prometheus');
    expect(prom.body).toContain('queue_depth{worker="one"} 2\n');
    expect(prom.body).toContain('job_duration_ms_bucket{route="/a",le="25"} 1\n');
  });

  it('applies each gauge policy', async () => {
    const clock = new ManualClock(1000);
    const agg = aggregator({ gaugePolicies: { g_sum: 'sum', g_min: 'min', g_max: 'max', g_last: 'last' } });
    const values = [3, -7, 5];
    const workers = values.map((v, i) => {
      const m = createMetricsCollector({ clock });
      for (const name of ['g_sum', 'g_min', 'g_max', 'g_last', 'g_each']) m.gauge(name, v, { k: 'x' });
      return worker(agg, `w${i}`, m);
    });
    await agg.collect();
    // The second worker changes g_last later than everyone else.
    workers[1]!.metrics.gauge('g_last', 42, { k: 'x' });
    const merged = agg.toCollector(await agg.collect());
    expect(merged.getGauge('g_sum', { k: 'x' })).toBe(1);
    expect(merged.getGauge('g_min', { k: 'x' })).toBe(-7);
    expect(merged.getGauge('g_max', { k: 'x' })).toBe(5);
    expect(merged.getGauge('g_last', { k: 'x' })).toBe(42);
    // Default: one series per worker.
    expect(values.map((_, i) => merged.getGauge('g_each', { k: 'x', worker: `w${i}` }))).toEqual(values);
    expect(merged.getGauge('g_each', { k: 'x' })).toBeUndefined();
  });

  it("keeps a dead worker's counters and histograms, drops its gauges, and never goes backwards when it restarts", async () => {
    const agg = aggregator();
    const left: string[] = [];
    agg.events$.subscribe((e) => e.type === 'metrics/cluster-worker-left' && left.push(`${e.worker}:${e.reason}`));
    const a = worker(agg, 'a');
    const b = worker(agg, 'b');
    a.metrics.increment('requests_total', 10, { route: '/a' });
    a.metrics.histogram('job_duration_ms', 3, { route: '/a' });
    a.metrics.gauge('queue_depth', 4);
    b.metrics.increment('requests_total', 5, { route: '/a' });
    let merged = agg.toCollector(await agg.collect());
    expect(merged.getCounter('requests_total', { route: '/a' })).toBe(15);

    // Worker a dies: its port closes without a goodbye.
    a.metrics.increment('requests_total', 1000, { route: '/a' }); // never sent: the unsent interval is what a crash loses
    a.port.close();
    await until(() => left.length > 0);
    expect(left).toEqual(['a:exit']);
    merged = agg.toCollector(await agg.collect());
    expect(merged.getCounter('requests_total', { route: '/a' })).toBe(15);
    expect(merged.getHistogramStats('job_duration_ms', { route: '/a' }).count).toBe(1);
    expect(merged.getGauge('queue_depth', { worker: 'a' })).toBeUndefined();

    // Its replacement starts from zero: the total goes on from 15.
    const a2 = worker(agg, 'a2');
    a2.metrics.increment('requests_total', 2, { route: '/a' });
    merged = agg.toCollector(await agg.collect());
    expect(merged.getCounter('requests_total', { route: '/a' })).toBe(17);
    expect(agg.stats.retiredSeries).toBe(2);
  });

  it('treats a counter that drops inside one worker as a reset (clear, removed series)', async () => {
    const agg = aggregator();
    const w = worker(agg, 'w');
    w.metrics.increment('requests_total', 10, { route: '/a' });
    w.metrics.histogram('job_duration_ms', 2, { route: '/a' });
    await agg.collect();
    w.metrics.clear();
    w.metrics.increment('requests_total', 1, { route: '/a' });
    let merged = agg.toCollector(await agg.collect());
    expect(merged.getCounter('requests_total', { route: '/a' })).toBe(11);
    expect(merged.getHistogramStats('job_duration_ms', { route: '/a' }).count).toBe(1);
    w.metrics.increment('requests_total', 4, { route: '/a' });
    merged = agg.toCollector(await agg.collect());
    expect(merged.getCounter('requests_total', { route: '/a' })).toBe(15);
  });

  it('a worker that says goodbye (close) leaves its totals and its gauges go', async () => {
    const agg = aggregator();
    const w = worker(agg, 'w');
    w.metrics.increment('requests_total', 10, { route: '/a' });
    w.metrics.gauge('queue_depth', 1);
    w.conn.close();
    await until(() => agg.stats.states === 2);
    expect(agg.listWorkers()).toEqual([{ id: 'w', instances: 0, lastStateAt: expect.any(Number) }]);
    const merged = agg.toCollector(agg.snapshot());
    expect(merged.getCounter('requests_total', { route: '/a' })).toBe(10);
    expect(merged.listMetrics()).not.toContain('queue_depth');
  });

  it('pushes every interval without being asked', async () => {
    const agg = aggregator();
    const w = worker(agg, 'w', collector(), 20);
    w.metrics.increment('requests_total', 7, { route: '/a' });
    await until(() => agg.toCollector(agg.snapshot()).getCounter('requests_total', { route: '/a' }) === 7);
    expect(w.conn.sent).toBeGreaterThan(1);
  });

  it('a worker that does not answer holds a collect for at most the timeout, and its last state is used', async () => {
    const agg = aggregator({ collectTimeoutMs: 50 });
    const w = worker(agg, 'slow');
    w.metrics.increment('requests_total', 3, { route: '/a' });
    await agg.collect();
    // A port nobody answers on (a worker busy in a long synchronous task).
    const { port1, port2 } = new MessageChannel();
    open.push(port1, port2);
    agg.addWorker(port1, { id: 'mute' });
    const started = Date.now();
    const snap = await agg.collect();
    expect(Date.now() - started).toBeGreaterThanOrEqual(45);
    expect(agg.stats.lastCollect).toEqual({ answered: 1, timedOut: 1 });
    expect(agg.toCollector(snap).getCounter('requests_total', { route: '/a' })).toBe(3);
  });

  it('merges the primary\'s own collector as worker "primary"', async () => {
    const local = collector();
    local.increment('requests_total', 1, { route: '/a' });
    local.gauge('queue_depth', 9);
    const agg = aggregator({ local });
    const w = worker(agg, 'w');
    w.metrics.increment('requests_total', 2, { route: '/a' });
    const merged = agg.toCollector(await agg.collect());
    expect(merged.getCounter('requests_total', { route: '/a' })).toBe(3);
    expect(merged.getGauge('queue_depth', { worker: 'primary' })).toBe(9);
    local.clear();
    expect(agg.toCollector(agg.snapshot()).getCounter('requests_total', { route: '/a' })).toBe(3);
  });

  it("ignores the application's own messages and rejects malformed ones without throwing", async () => {
    const agg = aggregator();
    const rejected: string[] = [];
    agg.events$.subscribe((e) => e.type === 'metrics/cluster-message-rejected' && rejected.push(e.reason));
    const { port1, port2 } = new MessageChannel();
    open.push(port1, port2);
    agg.addWorker(port1, { id: 'w' });
    const base = { $obs: CLUSTER_MESSAGE_TAG, v: 2, kind: 'state', instance: 'i', at: 0 };
    port2.postMessage({ hello: 'app' });
    port2.postMessage('text');
    port2.postMessage({ $obs: CLUSTER_MESSAGE_TAG, v: 99, kind: 'state' });
    port2.postMessage({ ...base, seq: 'x', metrics: {} });
    port2.postMessage({
      ...base,
      seq: 1,
      metrics: {
        wire: 1,
        families: [
          // valid, unsorted label names, a raw line feed, a negative counter
          { n: 'ok_total', t: 'counter', h: '', u: '', k: ['', 'b="1",a="2"', 'a="x\ny"', 'c="1"'], v: [2, 1, 1, -1] },
          { n: 'bad name', t: 'counter', h: '', u: '', k: [], v: [] },
          // count 5 but the buckets hold 0 values
          { n: 'h', t: 'histogram', h: '', u: '', b: [1], k: [''], s: [5, 1, 0, 1, 0, 0, 0, 0, 0], c: [0, 5] },
          { n: 'g', t: 'gauge', h: '', u: '', k: [''], v: ['NaN'] },
        ],
      },
    });
    await until(() => rejected.length >= 3);
    expect(rejected).toEqual([
      'unsupported protocol version 99',
      'state without a sequence number',
      '6 invalid metric(s) or series skipped',
    ]);
    const merged = agg.toCollector();
    expect(merged.getCounter('ok_total')).toBe(2);
    expect(merged.getHistogramStats('h').count).toBe(0);
  });

  it('keeps the first definition when workers disagree on a type or bucket bounds', async () => {
    const agg = aggregator();
    const a = createMetricsCollector();
    a.increment('thing', 1);
    a.describe('lat', { buckets: [1, 2] });
    a.histogram('lat', 1.5);
    const b = createMetricsCollector();
    b.gauge('thing', 5);
    b.describe('lat', { buckets: [1, 3] });
    b.histogram('lat', 1.5);
    worker(agg, 'a', a);
    await agg.collect();
    worker(agg, 'b', b);
    const merged = agg.toCollector(await agg.collect());
    expect(agg.stats.lastMerge.conflicts).toBe(2);
    expect(merged.getCounter('thing')).toBe(1);
    expect(merged.getHistogramStats('lat').count).toBe(1);
  });

  it('bounds series per metric and workers', async () => {
    const agg = aggregator({ maxSeriesPerMetric: 3, maxWorkers: 2 });
    const m = createMetricsCollector();
    for (let i = 0; i < 5; i++) m.increment('c_total', 1, { i: String(i) });
    worker(agg, 'a', m);
    await agg.collect();
    const snap = agg.snapshot();
    expect(snap.metrics[0]!.series).toHaveLength(3);
    expect(agg.stats.lastMerge.droppedSeries).toBe(1);
    worker(agg, 'b');
    expect(() => worker(agg, 'c')).toThrow(/at most 2 workers/);
    expect(() => worker(agg, 'a')).toThrow(/already tracked/);
  });

  it('validates its configuration', () => {
    expect(() => createClusterAggregator({ gaugePolicy: 'avg' as never })).toThrow(/gaugePolicy must be one of/);
    expect(() => createClusterAggregator({ gaugePolicies: { x: 'mean' as never } })).toThrow(/gaugePolicies.x/);
    expect(() => createClusterAggregator({ workerLabel: 'le' })).toThrow(/workerLabel/);
    expect(() => createClusterAggregator({ collectTimeoutMs: 0 })).toThrow(/collectTimeoutMs/);
    expect(() => createClusterAggregator({ local: {} as never })).toThrow(/local/);
    expect(() => aggregator().addWorker({} as never)).toThrow(/addWorker\(\) takes/);
    expect(() => connectToPrimary({} as never)).toThrow(/needs a MetricsCollector/);
    expect(() => connectToPrimary(collector(), { intervalMs: -1 })).toThrow(/intervalMs/);
  });

  it('ask(): carries another protocol over the tracked workers, one answer each, a silent one timed out', async () => {
    const agg = aggregator();
    const ports = ['a', 'b', 'c'].map((id) => {
      const { port1, port2 } = new MessageChannel();
      open.push(port1, port2);
      agg.addWorker(port1, { id });
      return port2;
    });
    // a and b answer (b first with something else, then twice), c stays silent.
    for (const [i, port] of ports.slice(0, 2).entries()) {
      port.on('message', (m: { q: number }) => {
        if (i === 1) port.postMessage({ unrelated: true });
        port.postMessage({ answer: m.q * 10 + i });
        port.postMessage({ answer: -1 });
      });
    }
    const result = await agg.ask({ q: 4 }, (r) => (r as { answer?: number }).answer, { timeoutMs: 300 });
    expect(result.asked).toBe(3);
    expect(result.answers.sort()).toEqual([40, 41]);
    expect(result.timedOut).toBe(1);
    // A worker that goes away is not waited for.
    ports[2]!.close();
    await until(() => agg.listWorkers().length === 2);
    const second = await agg.ask({ q: 5 }, (r) => (r as { answer?: number }).answer, { timeoutMs: 5000 });
    expect(second).toEqual({ asked: 2, answers: expect.arrayContaining([50, 51]), timedOut: 0 });
  });

  it('resolves pending collects and refuses new work once closed', async () => {
    const agg = createClusterAggregator({ collectTimeoutMs: 10_000 });
    const { port1, port2 } = new MessageChannel();
    open.push(port1, port2);
    agg.addWorker(port1, { id: 'mute' });
    const pending = agg.collect();
    agg.close();
    await expect(pending).resolves.toEqual({ version: 1, metrics: [] });
    expect(() => agg.addWorker(port1)).toThrow(/closed/);
  });
});
