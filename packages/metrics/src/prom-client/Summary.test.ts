import { createRequire } from 'node:module';
import { afterEach, describe, expect, it, vi } from 'vitest';
import * as ours from './index';

const require = createRequire(import.meta.url);
const theirs = require('prom-client') as typeof ours;

afterEach(() => {
  vi.useRealTimers();
});

async function quantiles(summary: ours.Summary): Promise<number[]> {
  const data = await summary.get();
  return data.values.filter((v) => !v.metricName).map((v) => v.value);
}

describe('Summary sliding window (maxAgeSeconds, ageBuckets) on the sketch', () => {
  it('drops values older than the window and keeps sum and count cumulative, as prom-client does', async () => {
    vi.useFakeTimers({ toFake: ['Date'] });
    vi.setSystemTime(0);
    const make = (c: typeof ours) =>
      new c.Summary({ name: 's', help: 'h', percentiles: [0.5], maxAgeSeconds: 10, ageBuckets: 2, registers: [] });
    const both = [make(ours), make(theirs)];
    for (const s of both) s.observe(100);
    vi.setSystemTime(6_000);
    for (const s of both) s.observe(1);
    // Both values are inside the window.
    for (const s of both) expect(await quantiles(s)).toEqual([expect.any(Number)]);
    vi.setSystemTime(11_000);
    // 100 was observed more than one age bucket before the last rotation: gone from the quantiles.
    for (const s of both) expect(await quantiles(s)).toEqual([1]);
    vi.setSystemTime(30_000);
    for (const s of both) {
      expect(await quantiles(s)).toEqual([0]);
      const data = await s.get();
      expect(data.values.find((v) => v.metricName === 's_count')?.value).toBe(2);
      expect(data.values.find((v) => v.metricName === 's_sum')?.value).toBe(101);
    }
  });

  it('quantiles stay within 1% of the exact ones on 100k lognormal values', async () => {
    const s = new ours.Summary({ name: 'lat', help: 'h', percentiles: [0.5, 0.9, 0.99, 0.999], registers: [] });
    const values: number[] = [];
    let seed = 7;
    const random = () => ((seed = (seed * 16807) % 2147483647) - 1) / 2147483646;
    for (let i = 0; i < 100_000; i++) {
      const z = Math.sqrt(-2 * Math.log(random() || 1e-12)) * Math.cos(2 * Math.PI * random());
      const v = Math.exp(-3 + 1.2 * z);
      values.push(v);
      s.observe(v);
    }
    values.sort((a, b) => a - b);
    const got = await quantiles(s);
    [0.5, 0.9, 0.99, 0.999].forEach((q, i) => {
      const exact = values[Math.floor(q * (values.length - 1))]!;
      expect(Math.abs(got[i]! - exact) / exact).toBeLessThan(0.01);
    });
  });

  it('pruneAgedBuckets removes label sets whose window is empty', async () => {
    vi.useFakeTimers({ toFake: ['Date'] });
    vi.setSystemTime(0);
    const s = new ours.Summary({
      name: 'p',
      help: 'h',
      labelNames: ['k'],
      maxAgeSeconds: 4,
      ageBuckets: 2,
      pruneAgedBuckets: true,
      registers: [],
    });
    s.observe({ k: 'old' }, 1);
    vi.setSystemTime(10_000);
    s.observe({ k: 'new' }, 2);
    const data = await s.get();
    expect(new Set(data.values.map((v) => v.labels.k))).toEqual(new Set(['new']));
  });
});
