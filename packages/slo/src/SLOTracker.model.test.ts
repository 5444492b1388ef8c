import { ManualClock, ObsError } from '@obs/core';
import { fc, test } from '@fast-check/vitest';
import { describe, expect } from 'vitest';
import { createSLODefinition } from './SLODefinition';
import { createSLOTracker } from './SLOTracker';

const MIN = 60_000;
const junk = fc.oneof(
  fc.constant(undefined),
  fc.constant(null),
  fc.constant(NaN),
  fc.constant(-1),
  fc.string({ maxLength: 3 }),
  fc.object({ maxDepth: 1 }),
  fc.boolean(),
  fc.integer(),
);

const op = fc.oneof(
  fc.record({ kind: fc.constant('define' as const), id: fc.constantFrom('a', 'b', 'c') }),
  fc.record({ kind: fc.constant('remove' as const), id: fc.constantFrom('a', 'b', 'c', 'zz') }),
  fc.record({ kind: fc.constant('event' as const), id: fc.constantFrom('a', 'b', 'zz'), good: fc.boolean() }),
  fc.record({
    kind: fc.constant('counts' as const),
    id: fc.constantFrom('a', 'b'),
    good: fc.integer({ min: 0, max: 5 }),
    bad: fc.integer({ min: 0, max: 5 }),
    back: fc.integer({ min: 0, max: 2 * 1440 * MIN }),
  }),
  fc.record({ kind: fc.constant('advance' as const), ms: fc.integer({ min: 0, max: 6 * 3_600_000 }) }),
  fc.record({
    kind: fc.constant('junk' as const),
    method: fc.constantFrom(
      'recordEvent',
      'recordEvents',
      'getSLOStatus',
      'defineSLO',
      'recorder',
      'restore',
      'removeSLO',
      'track',
    ),
    args: fc.array(junk, { maxLength: 4 }),
  }),
  fc.record({ kind: fc.constant('snapshot' as const) }),
);

describe('SLOTracker against a model', () => {
  test.prop([fc.array(op, { maxLength: 60 })])('only typed errors, and window totals match a list of events', (ops) => {
    const clock = new ManualClock(Date.UTC(2026, 0, 1));
    const tracker = createSLOTracker({ clock });
    const model = new Map<string, Array<{ bucket: number; good: number; total: number }>>();
    const call = (fn: () => void) => {
      try {
        fn();
      } catch (error) {
        expect(error).toBeInstanceOf(ObsError);
      }
    };
    for (const o of ops) {
      switch (o.kind) {
        case 'define':
          call(() => {
            tracker.defineSLO(createSLODefinition(o.id, 99, 1));
            model.set(o.id, []);
          });
          break;
        case 'remove':
          expect(tracker.removeSLO(o.id)).toBe(model.delete(o.id));
          break;
        case 'event':
          call(() => {
            tracker.recordEvent(o.id, o.good);
            model.get(o.id)!.push({ bucket: Math.floor(clock.now() / MIN), good: o.good ? 1 : 0, total: 1 });
          });
          break;
        case 'counts': {
          const ts = clock.now() - o.back;
          call(() => {
            tracker.recordEvents(o.id, o.good, o.good + o.bad, ts);
            model.get(o.id)!.push({ bucket: Math.floor(ts / MIN), good: o.good, total: o.good + o.bad });
          });
          break;
        }
        case 'advance':
          clock.advance(o.ms);
          break;
        case 'junk':
          call(() => (tracker as unknown as Record<string, (...a: unknown[]) => unknown>)[o.method]!(...o.args));
          break;
        case 'snapshot': {
          const copy = createSLOTracker({ clock });
          copy.restore(JSON.parse(JSON.stringify(tracker.snapshot())));
          for (const id of model.keys()) expect(copy.getSLOStatus(id)).toEqual(tracker.getSLOStatus(id));
          break;
        }
      }
    }
    expect(
      tracker
        .listSLOs()
        .map((s) => s.sloId)
        .sort(),
    ).toEqual([...model.keys()].sort());
    const head = Math.floor(clock.now() / MIN);
    for (const [id, events] of model) {
      const inWindow = events.filter((e) => e.bucket > head - 1440 && e.bucket <= head);
      const r = tracker.getSLOStatus(id);
      expect(r.total).toBe(inWindow.reduce((a, e) => a + e.total, 0));
      expect(r.good).toBe(inWindow.reduce((a, e) => a + e.good, 0));
    }
  });
});
