import { fc, test } from '@fast-check/vitest';
import { describe, expect, it } from 'vitest';
import { InvalidSnapshotError, InvalidValueError } from '../errors';
import { LogHistogram } from './LogHistogram';

/** The exact value at the rank the sketch estimates: floor(q * (n - 1)) of the sorted values. */
function exactQuantile(sorted: number[], q: number): number {
  return sorted[Math.floor(q * (sorted.length - 1))]!;
}

function build(values: readonly number[], maxBuckets?: number): LogHistogram {
  const h = new LogHistogram(maxBuckets);
  for (const v of values) h.record(v);
  return h;
}

const QS = [0, 0.01, 0.1, 0.25, 0.5, 0.75, 0.9, 0.95, 0.99, 0.999, 1];
const positive = fc.double({ min: 1e-4, max: 1e5, noNaN: true }); // a 2^30 range: no folding at the default size
const anyFinite = fc.double({ min: -1e6, max: 1e6, noNaN: true });
const close = (a: number, b: number) => Math.abs(a - b) <= 1e-9 * Math.max(1, Math.abs(a), Math.abs(b));

function relativeError(estimate: number, exact: number): number {
  return exact === 0 ? Math.abs(estimate) : Math.abs(estimate - exact) / Math.abs(exact);
}

describe('LogHistogram', () => {
  test.prop([fc.array(positive, { minLength: 1, maxLength: 400 }), fc.constantFrom(...QS)])(
    'quantiles are within 1% (in fact 0.55%) of the exact sorted quantile for positive inputs',
    (values, q) => {
      const sorted = [...values].sort((a, b) => a - b);
      const err = relativeError(build(values).quantile(q), exactQuantile(sorted, q));
      expect(err).toBeLessThanOrEqual(LogHistogram.relativeAccuracy * (1 + 1e-9));
      expect(err).toBeLessThanOrEqual(0.01);
    },
  );

  test.prop([
    fc.array(fc.double({ min: 2.3e-308, max: 1e300, noNaN: true }), { minLength: 1, maxLength: 200 }),
    fc.constantFrom(...QS),
  ])('with enough buckets the bound holds over the whole positive double range', (values, q) => {
    const sorted = [...values].sort((a, b) => a - b);
    const err = relativeError(build(values, 1 << 17).quantile(q), exactQuantile(sorted, q));
    expect(err).toBeLessThanOrEqual(0.01);
  });

  test.prop([
    fc.array(fc.oneof(anyFinite, fc.constant(0), fc.constant(-0)), { minLength: 1, maxLength: 300 }),
    fc.constantFrom(...QS),
  ])('zero and negative values: the estimate has the right sign and is within 1%', (values, q) => {
    const sorted = [...values].sort((a, b) => a - b);
    const exact = exactQuantile(sorted, q);
    const est = build(values).quantile(q);
    if (exact === 0) expect(est === 0).toBe(true);
    else {
      expect(Math.sign(est)).toBe(Math.sign(exact));
      // Values below 2^-32 of the largest magnitude may be folded; keep to a realistic dynamic range.
      fc.pre(Math.abs(exact) > 1e-3);
      expect(relativeError(est, exact)).toBeLessThanOrEqual(0.01);
    }
  });

  test.prop([fc.array(anyFinite, { minLength: 1, maxLength: 300 })])(
    'count, sum, min, max are exact; quantiles are monotone and bracketed',
    (values) => {
      const h = build(values);
      expect(h.count).toBe(values.length);
      expect(h.sum).toBe(values.reduce((a, b) => a + b, 0));
      expect(h.min).toBe(Math.min(...values) + 0); // -0 is recorded as 0
      expect(h.max).toBe(Math.max(...values) + 0);
      expect(close(h.mean, h.sum / values.length)).toBe(true);
      const [p0, p50, p90, p95, p99, p100] = h.quantiles([0, 0.5, 0.9, 0.95, 0.99, 1]) as number[];
      expect(p0).toBe(h.min);
      expect(p100).toBe(h.max);
      for (const [a, b] of [
        [h.min, p50],
        [p50, p90],
        [p90, p95],
        [p95, p99],
        [p99, h.max],
      ] as const)
        expect(a!).toBeLessThanOrEqual(b!);
    },
  );

  test.prop([fc.array(anyFinite, { maxLength: 200 }), fc.array(anyFinite, { maxLength: 200 })])(
    'merge equals recording the concatenation',
    (a, b) => {
      const merged = build(a).merge(build(b));
      const direct = build([...a, ...b]);
      expect(merged.buckets()).toEqual(direct.buckets());
      expect(merged.count).toBe(direct.count);
      expect(merged.zeroCount).toBe(direct.zeroCount);
      expect(merged.min).toBe(direct.min);
      expect(merged.max).toBe(direct.max);
      expect(close(merged.sum, direct.sum)).toBe(true);
      for (const q of QS) expect(merged.quantile(q)).toBe(direct.quantile(q));
    },
  );

  test.prop([fc.array(anyFinite), fc.array(anyFinite), fc.array(anyFinite)])(
    'merge is associative and commutative',
    (a, b, c) => {
      const left = build(a).merge(build(b)).merge(build(c));
      const right = build(a).merge(build(b).merge(build(c)));
      const swapped = build(c).merge(build(a)).merge(build(b));
      for (const other of [right, swapped]) {
        expect(other.buckets()).toEqual(left.buckets());
        expect(other.count).toBe(left.count);
        expect(close(other.sum, left.sum)).toBe(true);
        expect([other.min, other.max]).toEqual([left.min, left.max]);
      }
    },
  );

  test.prop([
    fc
      .array(anyFinite, { minLength: 1 })
      .chain((v) => fc.tuple(fc.constant(v), fc.shuffledSubarray(v, { minLength: v.length, maxLength: v.length }))),
  ])('order independence', ([values, shuffled]) => {
    const a = build(values);
    const b = build(shuffled);
    expect(b.buckets()).toEqual(a.buckets());
    for (const q of QS) expect(b.quantile(q)).toBe(a.quantile(q));
  });

  test.prop([
    fc.array(fc.double({ min: 1e-200, max: 1e200, noNaN: true }), { maxLength: 100 }),
    fc.array(fc.double({ min: 1e-200, max: 1e200, noNaN: true }), { maxLength: 100 }),
  ])('folding the lowest buckets keeps merge equal to recording both streams', (a, b) => {
    const merged = build(a, 16).merge(build(b, 16));
    const direct = build([...a, ...b], 16);
    expect(merged.buckets()).toEqual(direct.buckets());
    expect(direct.buckets().length).toBeLessThanOrEqual(16);
  });

  test.prop([
    fc
      .array(fc.double({ min: 1, max: 4, noNaN: true }), { minLength: 1, maxLength: 300 })
      .chain((v) => fc.tuple(fc.constant(v), fc.shuffledSubarray(v, { minLength: v.length, maxLength: v.length }))),
  ])(
    'folding is order independent (values 8x wider than 16 buckets, low values arriving after a full store)',
    ([values, shuffled]) => {
      const sorted = [...values].sort((x, y) => y - x);
      const a = build(sorted, 16);
      expect(build(shuffled, 16).buckets()).toEqual(a.buckets());
      expect(build(values, 16).buckets()).toEqual(a.buckets());
      expect(a.byteLength).toBeLessThanOrEqual(16 * 4);
    },
  );

  it('bounds memory whatever the number and spread of values', () => {
    const h = new LogHistogram();
    // 20 sweeps over e^-50 … e^50 (about 9,200 buckets wide, 4.5x the bound).
    for (let i = 0; i < 20_000; i++) h.record(Math.exp((i % 1000) / 10 - 50));
    expect(h.byteLength).toBeLessThanOrEqual(2048 * 4);
    expect(h.count).toBe(20_000);
    expect(h.quantile(1)).toBe(Math.exp(999 / 10 - 50));
  });

  it('keeps high quantiles accurate when the range exceeds maxBuckets', () => {
    const h = new LogHistogram(64); // one octave
    const values = Array.from({ length: 1000 }, (_, i) => 1 + i);
    values.forEach((v) => h.record(v));
    expect(relativeError(h.quantile(0.99), 990)).toBeLessThanOrEqual(0.01);
    expect(h.quantile(0)).toBe(1); // clamped to the exact min
  });

  it('widens counts past 2^32 without losing any', () => {
    const a = new LogHistogram();
    a.recordUnchecked(5);
    a.positive.add(a.positive.lowestUsed()!, 0xffffffff);
    expect(a.positive.get(a.positive.lowestUsed()!)).toBe(0xffffffff + 1);
  });

  it('rejects non-finite values and sum overflow, changing nothing', () => {
    const h = build([1, 2]);
    const before = h.snapshot();
    for (const bad of [NaN, Infinity, -Infinity, '3' as unknown as number])
      expect(() => h.record(bad)).toThrow(InvalidValueError);
    h.record(1.7e308);
    expect(() => h.record(1.7e308)).toThrow(InvalidValueError);
    expect(() => h.quantile(1.5)).toThrow(InvalidValueError);
    expect(() => h.quantile(NaN)).toThrow(InvalidValueError);
    expect(h.count).toBe(before.count + 1);
    expect(new LogHistogram().quantile(0.5)).toBeNaN();
    expect(() => new LogHistogram(3)).toThrow(InvalidValueError);
  });

  test.prop([fc.array(anyFinite, { maxLength: 300 })])('snapshot round-trips through JSON', (values) => {
    const h = build(values);
    const copy = LogHistogram.fromSnapshot(JSON.parse(JSON.stringify(h.snapshot())));
    expect(copy.buckets()).toEqual(h.buckets());
    expect([copy.count, copy.sum, copy.min, copy.max, copy.zeroCount]).toEqual([
      h.count,
      h.sum,
      h.min,
      h.max,
      h.zeroCount,
    ]);
  });

  it('rejects inconsistent snapshots', () => {
    const good = build([1, 2, 3, -1, 0]).snapshot();
    const bad: unknown[] = [
      null,
      { ...good, scale: 5 },
      { ...good, count: 4 },
      { ...good, sum: Infinity },
      { ...good, min: null },
      { ...good, positive: { offset: 0.5, counts: [] } },
      { ...good, positive: { offset: 0, counts: [-1] } },
      { ...good, negative: 'x' },
      { ...good, min: 5, max: 1 },
    ];
    for (const b of bad) expect(() => LogHistogram.fromSnapshot(b)).toThrow(InvalidSnapshotError);
  });
});

describe('recordTimes', () => {
  test.prop([fc.array(fc.tuple(anyFinite, fc.integer({ min: 1, max: 50 })), { maxLength: 30 })])(
    'is the same as recording each value that many times',
    (weighted) => {
      const once = new LogHistogram();
      const many = new LogHistogram();
      for (const [v, n] of weighted) {
        once.recordTimes(v, n);
        for (let i = 0; i < n; i++) many.recordUnchecked(v);
      }
      const a = once.snapshot();
      const b = many.snapshot();
      expect({ ...a, sum: 0 }).toEqual({ ...b, sum: 0 });
      expect(close(a.sum, b.sum)).toBe(true);
    },
  );
});
