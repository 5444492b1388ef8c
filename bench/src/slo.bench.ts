/**
 * @obs/slo: the cost of recording an SLO event (by id, and through a bound
 * recorder) next to prom-client's `Counter.inc()`, which is what a Prometheus
 * setup pays to count the same request; the cost of evaluating a 30-day SLO
 * with full buckets (status, budget and seven burn-rate windows); and the heap
 * a 30-day SLO holds (43,200 one-minute buckets).
 */
import { createSLODefinition, createSLOTracker } from '@obs/slo';
import { Counter, Registry } from 'prom-client';
import { benchGroup, formatGroup, heapPerItem, heapUsed } from './harness';

/** JS heap plus ArrayBuffer memory per item: bucket rings are typed arrays, which V8 keeps outside heapUsed. */
function totalPerItem(count: number, build: (count: number) => unknown): number {
  const before = heapUsed() + process.memoryUsage().arrayBuffers;
  const kept = build(count);
  const after = heapUsed() + process.memoryUsage().arrayBuffers;
  void kept;
  return (after - before) / count;
}

const DAY = 86_400_000;

export async function run(): Promise<string> {
  const registry = new Registry();
  const counter = new Counter({ name: 'requests_total', help: 'requests', registers: [registry] });
  const tracker = createSLOTracker();
  const slo = tracker.defineSLO(createSLODefinition('API Availability', 99.9, 30));
  const id = slo.sloId;
  const recorder = tracker.recorder(id);
  const exact = createSLOTracker({ coarseTime: false });
  exact.defineSLO(slo);

  const record = benchGroup('record one request outcome', 'prom-client Counter.inc()', [
    {
      name: 'prom-client Counter.inc()',
      run(n) {
        for (let i = 0; i < n; i++) counter.inc();
        return counter;
      },
    },
    {
      name: '@obs/slo recordEvent(sloId, isGood)',
      run(n) {
        for (let i = 0; i < n; i++) tracker.recordEvent(id, (i & 1023) !== 0);
        return tracker;
      },
    },
    {
      name: '@obs/slo recordEvent, exact clock (Date.now() per event)',
      run(n) {
        for (let i = 0; i < n; i++) exact.recordEvent(id, (i & 1023) !== 0);
        return exact;
      },
    },
    {
      name: '@obs/slo recorder(sloId).record(isGood)',
      run(n) {
        for (let i = 0; i < n; i++) recorder.record((i & 1023) !== 0);
        return recorder;
      },
    },
  ]);

  // A 30-day SLO whose every bucket holds data, evaluated at a moving clock (a roll per call).
  let now = Date.UTC(2026, 0, 1);
  const clock = { now: () => now };
  const full = createSLOTracker({ clock });
  const fullSlo = full.defineSLO(createSLODefinition('Full', 99.9, 30));
  for (let m = 0; m < 30 * 1440; m++) {
    full.recordEvents(fullSlo.sloId, 990 + (m % 11), 1000);
    now += 60_000;
  }
  const evaluate = benchGroup('evaluate a 30-day SLO with 43,200 full buckets', 'getSLOStatus (same minute)', [
    {
      name: 'getSLOStatus (same minute)',
      run(n) {
        let r;
        for (let i = 0; i < n; i++) r = full.getSLOStatus(fullSlo.sloId);
        return r;
      },
    },
    {
      name: 'getSLOStatus (new minute each call: roll + 8 windows)',
      run(n) {
        let r;
        for (let i = 0; i < n; i++) {
          now += 60_000;
          full.recordEvents(fullSlo.sloId, 999, 1000);
          r = full.getSLOStatus(fullSlo.sloId);
        }
        return r;
      },
    },
  ]);

  const perSlo = heapPerItem(20, (count) => {
    const t = createSLOTracker();
    for (let i = 0; i < count; i++) t.defineSLO(createSLODefinition(`SLO ${i}`, 99.9, 30));
    return t;
  });
  const totalSlo = totalPerItem(20, (count) => {
    const t = createSLOTracker();
    for (let i = 0; i < count; i++) t.defineSLO(createSLODefinition(`SLO ${i}`, 99.9, 30));
    return t;
  });
  const perSlo90 = totalPerItem(10, (count) => {
    const t = createSLOTracker();
    for (let i = 0; i < count; i++) t.defineSLO(createSLODefinition(`SLO ${i}`, 99.9, 90));
    return t;
  });
  const snapshotSize = JSON.stringify(full.snapshot()).length;

  return [
    formatGroup(record),
    '',
    formatGroup(evaluate),
    '',
    '### memory',
    '',
    '| what | value |',
    '| --- | ---: |',
    `| V8 heap per 30-day SLO (heapPerItem; buckets live in ArrayBuffers) | ${(perSlo / 1024).toFixed(1)} KiB |`,
    `| heap + ArrayBuffers per 30-day SLO (43,200 buckets) | ${(totalSlo / 1024).toFixed(1)} KiB |`,
    `| heap + ArrayBuffers per 90-day SLO (129,600 buckets) | ${(perSlo90 / 1024).toFixed(1)} KiB |`,
    `| snapshot JSON of a full 30-day SLO | ${(snapshotSize / 1024).toFixed(1)} KiB |`,
    '',
    `_30-day window: ${(30 * DAY) / 60_000} one-minute buckets._`,
  ].join('\n');
}
