import { fc, test } from '@fast-check/vitest';
import { ManualClock } from '@obs/core';
import { expect } from 'vitest';
import type { Span } from '../Span';
import { createTraceManager, type TraceManager } from '../TraceManager';

/**
 * Model-based test of span storage: random starts and finishes against a
 * FIFO of {traceId, count} (evict the oldest when full, drop spans past the
 * per-trace limit).
 */
interface Model {
  stored: { traceId: string; count: number }[];
  dropped: number;
  active: Span[];
  maxTraces: number;
  maxSpans: number;
}
interface Real {
  tm: TraceManager;
}

class StartRoot implements fc.Command<Model, Real> {
  check = () => true;
  run(model: Model, real: Real): void {
    model.active.push(real.tm.startSpan('root', 'svc', null));
  }
  toString = () => 'startRoot';
}

class StartChild implements fc.Command<Model, Real> {
  constructor(readonly pick: number) {}
  check = (model: Readonly<Model>) => model.active.length > 0;
  run(model: Model, real: Real): void {
    const parent = model.active[this.pick % model.active.length]!;
    model.active.push(real.tm.startSpan('child', 'svc', parent));
  }
  toString = () => `startChild(${this.pick})`;
}

class Finish implements fc.Command<Model, Real> {
  constructor(readonly pick: number) {}
  check = (model: Readonly<Model>) => model.active.length > 0;
  run(model: Model, real: Real): void {
    const [span] = model.active.splice(this.pick % model.active.length, 1);
    span!.finish();
    const traceId = span!.context.traceId;
    let entry = model.stored.find((e) => e.traceId === traceId);
    if (entry === undefined) {
      if (model.stored.length >= model.maxTraces) model.stored.shift();
      entry = { traceId, count: 0 };
      model.stored.push(entry);
    }
    if (entry.count < model.maxSpans) entry.count++;
    else model.dropped++;
    const stats = real.tm.stats();
    expect(stats.storedTraces).toBe(model.stored.length);
    expect(stats.droppedSpans).toBe(model.dropped);
    expect(stats.storedSpans).toBe(model.stored.reduce((n, e) => n + e.count, 0));
    for (const e of model.stored) expect(real.tm.getTrace(e.traceId)).toHaveLength(e.count);
    expect(real.tm.getRecentTraces(100).map((t) => t.traceId)).toEqual(model.stored.map((e) => e.traceId).reverse());
  }
  toString = () => `finish(${this.pick})`;
}

test.prop([
  fc.integer({ min: 1, max: 4 }),
  fc.integer({ min: 1, max: 4 }),
  fc.commands(
    [fc.constant(new StartRoot()), fc.nat().map((n) => new StartChild(n)), fc.nat().map((n) => new Finish(n))],
    { maxCommands: 60 },
  ),
])('storage behaves like a bounded FIFO of traces with bounded spans', (maxTraces, maxSpans, commands) => {
  const tm = createTraceManager({
    traceSampleRate: 1,
    reaperIntervalMs: 0,
    clock: new ManualClock(1),
    maxTraces,
    maxSpansPerTrace: maxSpans,
  });
  fc.modelRun(() => ({ model: { stored: [], dropped: 0, active: [], maxTraces, maxSpans }, real: { tm } }), commands);
});
