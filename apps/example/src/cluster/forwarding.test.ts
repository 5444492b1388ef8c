import { afterEach, describe, expect, it } from 'vitest';
import {
  createMetricsCollector,
  createObservabilityHub,
  createTraceManager,
  toImportedSpan,
  type ObservabilityHub,
} from '@obs/hub';
import { ObservableVisionProvider, VisionInputError, type VisionProvider } from '@obs/vision';
import { applyForwarded } from './applyForwarded';
import { createForwardingVisionHub } from './forwardingVisionHub';
import { WORKER_MESSAGE_TAG, type BatchMessage, type WorkerMessage } from './protocol';
import { WorkerLink } from './WorkerLink';

const links: WorkerLink[] = [];
const hubs: ObservabilityHub[] = [];
afterEach(async () => {
  for (const link of links.splice(0)) link.close();
  for (const hub of hubs.splice(0)) await hub.stop();
});

function link(send: (m: WorkerMessage) => unknown, options: { maxQueued?: number; maxBatch?: number } = {}) {
  const l = new WorkerLink({ send, intervalMs: 60_000, ...options });
  links.push(l);
  return l;
}

/** A provider that fails when the image's first byte is 0, and rejects empty input as the caller's fault. */
const provider: VisionProvider = {
  providerName: 'fake',
  analyzeImage: async (bytes) => {
    if (bytes.length === 0) throw new VisionInputError('EMPTY_IMAGE', 'empty');
    if (bytes[0] === 0) throw new Error('upstream down');
    return { summary: 'ok', details: {}, confidence: 0.5 };
  },
};

/** One simulated cluster worker: its own collector and trace manager, forwarding to `primary` through a link. */
function worker(primary: ObservabilityHub, pid: number) {
  const metrics = createMetricsCollector();
  const traces = createTraceManager({ traceSampleRate: 1 });
  const l = link((message) => {
    if (message.kind === 'batch') for (const item of message.items) applyForwarded(primary, item);
  });
  traces.addExporter({
    name: 'to-primary',
    onEnd: (span) => l.push({ kind: 'span', span: toImportedSpan(span, { 'process.pid': pid })! }),
    forceFlush: async () => l.flush(),
    shutdown: async () => l.flush(),
  });
  const observed = new ObservableVisionProvider(provider, createForwardingVisionHub(metrics, traces, l), {
    errorAlert: { windowMs: 60_000, minRequests: 4, errorRatio: 0.5 },
  });
  return { metrics, traces, link: l, observed };
}

describe('a worker forwarding to the primary hub', () => {
  it('gives the primary every recording, SLO outcome, alert and span of all workers', async () => {
    const primary = createObservabilityHub({ traceSampleRate: 0 });
    hubs.push(primary);
    const a = worker(primary, 101);
    const b = worker(primary, 102);
    const good = new Uint8Array([1, 2, 3]);
    for (let i = 0; i < 6; i++) await a.observed.analyzeImage(good);
    for (let i = 0; i < 4; i++) await b.observed.analyzeImage(new Uint8Array([0])).catch(() => undefined);
    await b.observed.analyzeImage(new Uint8Array()).catch(() => undefined);
    // Nothing reaches the primary until a batch goes out.
    expect(primary.metrics.getCounterTotal('vision_requests_total')).toBe(0);
    a.link.flush();
    b.link.flush();

    // The workers' own collectors hold their share (what the cluster aggregator merges for /metrics) ...
    expect(a.metrics.getCounterTotal('vision_requests_total')).toBe(6);
    expect(b.metrics.getCounterTotal('vision_requests_total')).toBe(5);
    // ... and the primary's hub saw the merged stream.
    expect(primary.metrics.getCounterTotal('vision_requests_total')).toBe(11);
    expect(primary.metrics.getHistogramStats('vision_request_duration_ms', { provider: 'fake' }).count).toBe(11);
    const availability = primary.sloTracker.getSLOStatus('vision-availability-fake');
    expect({ good: availability.good, total: availability.total }).toEqual({ good: 6, total: 10 }); // bad input excluded
    expect(primary.alerts.getFiringAlerts().map((alert) => alert.name)).toEqual(['VisionProviderErrors']);
    // One trace per request, each tagged with the process that served it.
    const recent = primary.traces.getRecentTraces(20);
    expect(recent).toHaveLength(11);
    const pids = new Set(
      recent.flatMap((t) => primary.traces.getTrace(t.traceId).map((span) => span.tags['process.pid'])),
    );
    expect([...pids].sort()).toEqual([101, 102]);
    // Latency anomalies are the primary's job (its latency flow scores the merged stream).
    expect(primary.watchesLatency('vision_request_duration_ms')).toBe(true);
  });

  it('refuses malformed items from a worker without throwing', () => {
    const primary = createObservabilityHub();
    hubs.push(primary);
    const bad: unknown[] = [
      null,
      'x',
      { kind: 'nope' },
      { kind: 'metric', op: 'delete', name: 'a', value: 1 },
      { kind: 'metric', op: 'increment', name: 'bad name!', value: 1 },
      { kind: 'metric', op: 'gauge', name: 'g', value: 'high' },
      { kind: 'metric', op: 'increment', name: 'c_total', value: 1, labels: { a: 1 } },
      { kind: 'slo-define', slo: { sloId: 's', target: 500 } },
      { kind: 'slo-event', sloId: 'unknown', good: true },
      { kind: 'alert-fire', alert: { name: '' } },
      { kind: 'alert-resolve', alertId: 42 },
      { kind: 'span', span: { traceId: 'zz' } },
    ];
    for (const item of bad) expect(applyForwarded(primary, item)).toBe(false);
    expect(primary.metrics.listMetrics()).toEqual([]);
    expect(primary.sloTracker.listSLOs()).toEqual([]);
    expect(applyForwarded(primary, { kind: 'metric', op: 'increment', name: 'c_total', value: 2 })).toBe(true);
    expect(primary.metrics.getCounter('c_total')).toBe(2);
  });
});

describe('WorkerLink', () => {
  it('sends batches in order, splits large ones, and counts what a full queue dropped', () => {
    const sent: BatchMessage[] = [];
    const l = link((m) => sent.push(m as BatchMessage), { maxQueued: 5, maxBatch: 2 });
    for (let i = 0; i < 7; i++) l.push({ kind: 'alert-resolve', alertId: String(i) });
    l.flush();
    expect(sent.map((m) => m.items.map((it) => (it as { alertId: string }).alertId))).toEqual([
      ['0', '1'],
      ['2', '3'],
      ['4'],
    ]);
    expect(sent.every((m) => m.$obs === WORKER_MESSAGE_TAG && m.kind === 'batch')).toBe(true);
    expect(sent[0]!.dropped).toBe(2);
    expect(l.stats).toMatchObject({ sentItems: 5, droppedItems: 2, sendFailures: 0 });
  });

  it('survives a channel that throws (the primary went away) and sends nothing after close', () => {
    let calls = 0;
    const l = link(() => {
      calls++;
      throw new Error('EPIPE');
    });
    l.push({ kind: 'alert-resolve', alertId: 'a' });
    expect(() => l.flush()).not.toThrow();
    expect(l.stats.sendFailures).toBe(1);
    l.close();
    l.push({ kind: 'alert-resolve', alertId: 'b' });
    l.flush();
    expect(calls).toBe(2); // the flush and close's last flush
  });
});
