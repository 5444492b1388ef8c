import { ManualClock } from '@obs/core';
import { fc, test } from '@fast-check/vitest';
import { describe, expect, it } from 'vitest';
import { InvalidValueError, createMetricsCollector, type MetricsEvent } from './index';

const STEP_MS = 1000;
const RETENTION_STEPS = 36; // 0.01 h at 1 s steps

interface Recorded {
  ts: number;
  value: number;
}

/** Brute force over every recorded point: the window covers the steps overlapping (now - W, now], within retention. */
function bruteAverage(points: Recorded[], now: number, windowSeconds: number): number | undefined {
  const lastStep = Math.floor(now / STEP_MS);
  const firstStep = Math.max(Math.floor((now - windowSeconds * 1000) / STEP_MS), lastStep - RETENTION_STEPS + 1);
  const inWindow = points.filter((p) => {
    const step = Math.floor(p.ts / STEP_MS);
    return step >= firstStep && step <= lastStep;
  });
  return inWindow.length === 0 ? undefined : inWindow.reduce((a, p) => a + p.value, 0) / inWindow.length;
}

const ops = fc.array(fc.tuple(fc.nat({ max: 5000 }), fc.double({ min: -1e6, max: 1e6, noNaN: true })), {
  minLength: 1,
  maxLength: 150,
});

describe('retention', () => {
  test.prop([ops, fc.double({ min: 0.001, max: 100, noNaN: true }), fc.constantFrom('gauge', 'histogram', 'counter')])(
    'getAverage equals a brute-force average over the same window',
    (steps, windowSeconds, kind) => {
      const clock = new ManualClock(1_700_000_000_000);
      const m = createMetricsCollector({ clock, retentionStepSeconds: 1, metricsRetentionHours: 0.01 });
      const recorded: Recorded[] = [];
      let total = 0;
      for (const [advance, raw] of steps) {
        clock.advance(advance);
        if (kind === 'gauge') {
          m.gauge('g', raw);
          recorded.push({ ts: clock.now(), value: raw });
        } else if (kind === 'histogram') {
          m.histogram('g', raw);
          recorded.push({ ts: clock.now(), value: raw });
        } else {
          total += Math.abs(raw);
          m.increment('g', Math.abs(raw));
          recorded.push({ ts: clock.now(), value: total });
        }
      }
      clock.advance(steps.length % 3 === 0 ? 0 : 1500);
      const expected = bruteAverage(recorded, clock.now(), windowSeconds);
      const actual = m.getMetric('g')!.getAverage(windowSeconds);
      if (expected === undefined) expect(actual).toBeUndefined();
      else
        expect(Math.abs(actual! - expected)).toBeLessThanOrEqual(
          1e-9 * Math.max(1, Math.abs(expected), ...recorded.map((p) => Math.abs(p.value))),
        );
    },
  );

  test.prop([ops])(
    'points hold one point per retained step: its last value, never more than the retention',
    (steps) => {
      const clock = new ManualClock(0);
      const m = createMetricsCollector({ clock, retentionStepSeconds: 1, metricsRetentionHours: 0.01 });
      const lastPerStep = new Map<number, Recorded>();
      for (const [advance, value] of steps) {
        clock.advance(advance);
        m.gauge('g', value);
        lastPerStep.set(Math.floor(clock.now() / STEP_MS), { ts: clock.now(), value });
      }
      const lastStep = Math.floor(clock.now() / STEP_MS);
      const expected = [...lastPerStep.entries()]
        .filter(([step]) => step > lastStep - RETENTION_STEPS)
        .map(([, p]) => ({ timestamp: p.ts, value: p.value }));
      const points = m.getMetric('g')!.points;
      expect(points.length).toBeLessThanOrEqual(RETENTION_STEPS);
      expect(points.map((p) => ({ timestamp: p.timestamp, value: p.value }))).toEqual(expected);
      const latest = m.getMetric('g')!.getLatest()!;
      expect(latest.value).toBe(steps.at(-1)![1]);
      expect(latest.timestamp).toBe(clock.now());
    },
  );

  it('keeps memory bounded whatever the rate and duration', () => {
    const clock = new ManualClock(0);
    const m = createMetricsCollector({ clock, retentionStepSeconds: 1, metricsRetentionHours: 0.01 });
    for (let i = 0; i < 20_000; i++) {
      clock.advance(250);
      m.histogram('h', i % 100);
    }
    expect(m.getMetric('h')!.points.length).toBe(RETENTION_STEPS);
  });

  it('getAverage validates its window', () => {
    const m = createMetricsCollector({ clock: new ManualClock(0) });
    m.gauge('g', 1);
    for (const bad of [0, -1, NaN, Infinity, '5'])
      expect(() => m.getMetric('g')!.getAverage(bad as number)).toThrow(InvalidValueError);
    expect(m.getMetric('g')!.getAverage(60)).toBe(1);
  });

  it('getRate gives the per-second increase of a counter over a window', () => {
    const clock = new ManualClock(0);
    const m = createMetricsCollector({ clock, retentionStepSeconds: 10 });
    for (let s = 0; s < 120; s++) {
      clock.set(s * 1000);
      m.increment('req_total', 2);
    }
    clock.set(120_000);
    // Steps ending before 60 s hold the baseline (total 120 at t=59 s); 120 more increments of 2 follow.
    expect(m.getRate('req_total', 60)).toBeCloseTo(2, 10);
    expect(m.getRate('req_total', 600)).toBeCloseTo(240 / 600, 10); // began inside the window, from 0
    expect(m.getRate('none_total', 60)).toBeUndefined();
    expect(() => m.getRate('req_total', 0)).toThrow(InvalidValueError);
  });

  it('expires series not written for the TTL, with an event', () => {
    const clock = new ManualClock(0);
    const m = createMetricsCollector({ clock, seriesTtlSeconds: 60 });
    const events: MetricsEvent[] = [];
    m.events$.subscribe((e) => events.push(e));
    m.increment('a_total', 1, { k: 'old' });
    clock.advance(30_000);
    m.increment('a_total', 1, { k: 'new' });
    clock.advance(40_000);
    expect(m.getCounter('a_total', { k: 'old' })).toBe(0);
    expect(m.getCounter('a_total', { k: 'new' })).toBe(1);
    expect(events.filter((e) => e.type === 'metrics/series-expired')).toEqual([
      { type: 'metrics/series-expired', ts: 70_000, source: 'metrics', name: 'a_total', labels: { k: 'old' } },
    ]);
    clock.advance(61_000);
    expect(m.expireStaleSeries()).toBe(1);
    expect([...m.series()]).toEqual([]);
  });

  it('the default clock stamps points with the time of the last refresh (reads refresh it)', () => {
    const m = createMetricsCollector();
    const before = Date.now();
    m.listMetrics(); // any read refreshes the shared coarse clock exactly
    m.gauge('g', 1);
    const ts = m.getMetric('g')!.getLatest()!.timestamp;
    expect(ts).toBeGreaterThanOrEqual(before);
    expect(ts).toBeLessThanOrEqual(Date.now());
  });
});

describe('histogram min/max across retention steps', () => {
  // observe() keeps min/max in the current step and hands them to the sketch at roll or before a read.
  test.prop([
    fc.array(
      fc.tuple(
        fc.oneof(
          fc.double({ noNaN: true, noDefaultInfinity: true, min: -1e12, max: 1e12 }),
          fc.constant(-0),
          fc.constant(0),
        ),
        fc.integer({ min: 0, max: 2500 }),
      ),
      { minLength: 1, maxLength: 80 },
    ),
  ])('getHistogramStats, getSketch and snapshot report the exact min and max whenever read', (steps) => {
    const clock = new ManualClock(1_700_000_000_000);
    const m = createMetricsCollector({ clock, retentionStepSeconds: 1, metricsRetentionHours: 0.01 });
    const h = m.histogram('lat_ms', { route: '/' });
    let min = Infinity;
    let max = -Infinity;
    for (const [value, advance] of steps) {
      h.observe(value);
      min = Math.min(min, value === 0 ? 0 : value);
      max = Math.max(max, value === 0 ? 0 : value);
      clock.advance(advance);
      const stats = m.getHistogramStats('lat_ms', { route: '/' });
      expect([stats.min, stats.max]).toEqual([min, max]);
      expect(Object.is(stats.min, -0) || Object.is(stats.max, -0)).toBe(false);
    }
    const sketch = m.getSketch('lat_ms', { route: '/' })!;
    expect([sketch.min, sketch.max]).toEqual([min, max]);
    const snap = m.snapshot().metrics[0]!.series[0]!.histogram!;
    expect([snap.min, snap.max]).toEqual([min, max]);
  });

  it('keeps min and max of a step that rolled without being read', () => {
    const clock = new ManualClock(0);
    const m = createMetricsCollector({ clock, retentionStepSeconds: 1, metricsRetentionHours: 0.01 });
    m.histogram('h', -5);
    m.histogram('h', 500);
    clock.advance(1000);
    m.histogram('h', 7);
    clock.advance(100_000); // past retention: the first step's ring entry is gone
    m.histogram('h', 8);
    expect(m.getHistogramStats('h')).toMatchObject({ min: -5, max: 500, count: 4 });
    const restored = createMetricsCollector({ clock });
    restored.restore(m.snapshot());
    expect(restored.getHistogramStats('h')).toMatchObject({ min: -5, max: 500, count: 4 });
  });
});
