import { fc, test } from '@fast-check/vitest';
import { describe, expect, it } from 'vitest';
import { percentFraction } from '../stats/budget';
import { BucketWindow, type WindowSums } from './BucketWindow';

const BUCKET = 10;
const CAP = 24;
const WINDOWS = [1, 3, 7, 24];

interface Ev {
  readonly bucket: number;
  readonly good: number;
  readonly total: number;
}

/** Brute force: sum every event whose bucket lies in (head - len, head]. */
function brute(events: Ev[], head: number, len: number, slice?: (g: number, t: number) => boolean): WindowSums {
  const byBucket = new Map<number, { g: number; t: number }>();
  for (const e of events) {
    if (e.bucket <= head - len || e.bucket > head) continue;
    const b = byBucket.get(e.bucket) ?? { g: 0, t: 0 };
    b.g += e.good;
    b.t += e.total;
    byBucket.set(e.bucket, b);
  }
  const out = { bad: 0, total: 0, badEvents: 0, totalEvents: 0 };
  for (const { g, t } of byBucket.values()) {
    const bad = Math.min(t, Math.max(0, t - g));
    out.badEvents += bad;
    out.totalEvents += t;
    if (slice) {
      if (t > 0) {
        out.total += 1;
        if (slice(g, t)) out.bad += 1;
      }
    } else {
      out.bad += bad;
      out.total += t;
    }
  }
  return out;
}

type Op = { kind: 'advance'; ms: number } | { kind: 'record'; back: number; good: number; total: number };

const ops = fc.array(
  fc.oneof(
    {
      arbitrary: fc.record({
        kind: fc.constant('advance' as const),
        ms: fc.oneof(fc.integer({ min: 0, max: 30 }), fc.integer({ min: 0, max: 400 })),
      }),
      weight: 1,
    },
    {
      arbitrary: fc.record({
        kind: fc.constant('record' as const),
        back: fc.oneof(fc.constant(0), fc.integer({ min: 0, max: 300 })),
        good: fc.integer({ min: 0, max: 5 }),
        total: fc.integer({ min: 0, max: 5 }),
      }),
      weight: 3,
    },
  ),
  { maxLength: 120 },
);

function run(list: Op[], sliced: boolean, start: number) {
  const sliceTarget = percentFraction(75);
  const w = new BucketWindow({
    bucketMs: BUCKET,
    capacity: CAP,
    windows: WINDOWS,
    headBucket: Math.floor(start / BUCKET),
    sliceTarget: sliced ? sliceTarget : undefined,
  });
  const events: Ev[] = [];
  let now = start;
  const check = () => {
    w.rollTo(Math.floor(now / BUCKET));
    WINDOWS.forEach((len, i) => {
      const got = w.read(i, { bad: 0, total: 0, badEvents: 0, totalEvents: 0 });
      const want = brute(events, w.head, len, sliced ? (g, t) => g * 100 < 75 * t : undefined);
      expect(got).toEqual(want);
    });
  };
  for (const op of list) {
    if (op.kind === 'advance') {
      now += op.ms;
      check();
    } else {
      const good = Math.min(op.good, op.total);
      const ts = now - op.back;
      const bucket = Math.floor(ts / BUCKET);
      const kept = ts === now ? w.record(ts, good, op.total) : w.recordAt(bucket, good, op.total);
      if (kept) events.push({ bucket: Math.floor(ts / BUCKET), good, total: op.total });
      else expect(bucket).toBeLessThanOrEqual(w.head - CAP);
    }
  }
  check();
}

describe('BucketWindow', () => {
  test.prop([ops, fc.integer({ min: -1000, max: 1_000_000 })])(
    'agrees with brute force over random streams (occurrences)',
    (list, start) => {
      run(list, false, start);
    },
  );

  test.prop([ops, fc.integer({ min: 0, max: 1_000_000 })])(
    'agrees with brute force over random streams (timeslices)',
    (list, start) => {
      run(list, true, start);
    },
  );

  it('expires a bucket exactly at the window edge', () => {
    const w = new BucketWindow({ bucketMs: BUCKET, capacity: CAP, windows: [3], headBucket: 0 });
    w.record(5, 0, 1); // bucket 0, one bad event
    const sums = () => w.read(0, { bad: 0, total: 0, badEvents: 0, totalEvents: 0 });
    w.rollTo(2); // window covers buckets 0..2
    expect(sums().bad).toBe(1);
    w.rollTo(3); // window covers 1..3: bucket 0 left
    expect(sums()).toEqual({ bad: 0, total: 0, badEvents: 0, totalEvents: 0 });
  });

  it('drops events older than the ring and counts them', () => {
    const w = new BucketWindow({ bucketMs: BUCKET, capacity: CAP, windows: [CAP], headBucket: 100 });
    expect(w.recordAt(100 - CAP, 1, 1)).toBe(false);
    expect(w.droppedLate).toBe(1);
    expect(w.recordAt(100 - CAP + 1, 1, 1)).toBe(true);
  });

  test.prop([
    fc.array(fc.tuple(fc.integer({ min: 0, max: 50 }), fc.double({ min: 0, max: 3, noNaN: true })), { maxLength: 60 }),
  ])('fractional counts are rescanned exactly', (steps) => {
    const w = new BucketWindow({ bucketMs: BUCKET, capacity: CAP, windows: WINDOWS, headBucket: 0 });
    const events: Ev[] = [];
    let now = 0;
    for (const [adv, x] of steps) {
      now += adv;
      w.record(now, x / 2, x);
      events.push({ bucket: Math.floor(now / BUCKET), good: x / 2, total: x });
    }
    w.rollTo(Math.floor(now / BUCKET) + 1);
    WINDOWS.forEach((len, i) => {
      const got = w.read(i, { bad: 0, total: 0, badEvents: 0, totalEvents: 0 });
      const want = brute(events, w.head, len);
      expect(got.total).toBeCloseTo(want.total, 9);
      expect(got.bad).toBeCloseTo(want.bad, 9);
    });
  });

  it('exports and imports buckets losslessly', () => {
    const w = new BucketWindow({ bucketMs: BUCKET, capacity: CAP, windows: WINDOWS, headBucket: 0 });
    for (let t = 0; t < 200; t += 7) w.record(t, t % 3 === 0 ? 0 : 1, 1);
    const copy = new BucketWindow({ bucketMs: BUCKET, capacity: CAP, windows: WINDOWS, headBucket: w.head });
    copy.importBuckets(w.exportBuckets());
    WINDOWS.forEach((_, i) => {
      expect(copy.read(i, { bad: 0, total: 0, badEvents: 0, totalEvents: 0 })).toEqual(
        w.read(i, { bad: 0, total: 0, badEvents: 0, totalEvents: 0 }),
      );
    });
  });

  it('keeps a calendar period sum that resets at the anchor', () => {
    // periods of 5 buckets: [0,5), [5,10), ...
    const w = new BucketWindow({
      bucketMs: BUCKET,
      capacity: CAP,
      windows: [3],
      headBucket: 0,
      anchorOf: (b) => Math.floor(b / 5) * 5,
    });
    const cal = () => w.read(1, { bad: 0, total: 0, badEvents: 0, totalEvents: 0 }).total;
    for (let b = 0; b < 5; b++) w.recordAt(b, 1, 1);
    expect(cal()).toBe(5);
    w.recordAt(5, 1, 1);
    expect(cal()).toBe(1);
    w.recordAt(4, 1, 1); // late, previous period: not counted
    expect(cal()).toBe(1);
    w.recordAt(6, 0, 2);
    expect(w.read(1, { bad: 0, total: 0, badEvents: 0, totalEvents: 0 })).toMatchObject({ bad: 2, total: 3 });
    w.rollTo(23);
    expect(cal()).toBe(0);
  });
});
