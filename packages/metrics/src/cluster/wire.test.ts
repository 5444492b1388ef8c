import { fc, test } from '@fast-check/vitest';
import { describe, expect, it } from 'vitest';
import { ManualClock } from '@obs/core';
import { createMetricsCollector, serializeFormat } from '../index';
import { labelKey, parseLabelKey } from '../internal/labelText';
import { aggregateSnapshots } from './aggregateSnapshots';
import { isCanonicalLabelText } from './indexSnapshot';
import { toClusterWire } from './wire';

const labelName = fc.stringMatching(/^[a-zA-Z_][a-zA-Z0-9_]{0,8}$/).filter((n) => !n.startsWith('__'));
const labelSet = fc.dictionary(labelName, fc.string({ maxLength: 12 }), { maxKeys: 5 });

describe('compact cluster state', () => {
  test.prop([labelSet])('accepts every label text labelKey writes', (labels) => {
    expect(isCanonicalLabelText(labelKey(parseLabelKey(labelKey(labels))), false)).toBe(true);
  });

  test.prop([fc.string({ maxLength: 40 })])(
    'accepts only text that is its own canonical form (what passes goes into the exposition as it is)',
    (text) => {
      if (isCanonicalLabelText(text, false)) expect(labelKey(parseLabelKey(text))).toBe(text);
    },
  );

  it('refuses unsorted or repeated names, raw line feeds, bad escapes and `le` on histograms', () => {
    for (const bad of ['b="1",a="2"', 'a="1",a="2"', 'a="x\ny"', 'a="\\t"', 'a="1",', 'a=1', '1a="x"', 'a="x'])
      expect(isCanonicalLabelText(bad, false)).toBe(false);
    expect(isCanonicalLabelText('le="1"', true)).toBe(false);
    expect(isCanonicalLabelText('le="1"', false)).toBe(true);
    expect(isCanonicalLabelText(42, false)).toBe(false);
  });

  it('merges through the compact form exactly as one collector that saw everything, negative values included', () => {
    const reference = createMetricsCollector();
    reference.describe('t', { buckets: [-10, 0, 10] });
    const wires = [0, 1, 2].map((w) => {
      const m = createMetricsCollector();
      m.describe('t', { buckets: [-10, 0, 10] });
      for (let i = 0; i < 200; i++) {
        const v = (i - 100) * (w + 1) * 0.25; // exact in binary: sums do not depend on order
        m.histogram('t', v, { w: String(w % 2) });
        reference.histogram('t', v, { w: String(w % 2) });
      }
      m.increment('n_total', w + 1, { q: 'a"b\\c' });
      reference.increment('n_total', w + 1, { q: 'a"b\\c' });
      return JSON.parse(JSON.stringify(toClusterWire(m.collect())));
    });
    const { collector, report } = aggregateSnapshots(wires);
    expect(report).toEqual({ conflicts: 0, droppedSeries: 0, invalidSketches: 0, rejected: 0 });
    for (const w of ['0', '1']) {
      expect(collector.getHistogramStats('t', { w })).toEqual(reference.getHistogramStats('t', { w }));
      expect(collector.getSketch('t', { w })!.snapshot()).toEqual(reference.getSketch('t', { w })!.snapshot());
    }
    expect(collector.getCounter('n_total', { q: 'a"b\\c' })).toBe(6);
  });

  it('skips a histogram whose records cannot be located, and counts the rest of its series', () => {
    const { report, collected } = aggregateSnapshots([
      {
        wire: 1,
        families: [
          {
            n: 'h',
            t: 'histogram' as never,
            h: '',
            u: '',
            b: [1],
            k: ['a="1"', 'a="2"'],
            s: [1, 0.5, 0.5, 0.5, 0, 0, 99],
            c: [1, 0, 0, 0],
          },
        ],
      },
    ]);
    expect(report.rejected).toBe(2);
    expect(collected.families[0]!.series).toEqual([]);
  });

  it("carries trace exemplars: the merged view keeps each slot's most recent one, and OpenMetrics shows it", () => {
    const clock = new ManualClock(1000);
    const ids = (w: number) => ({ traceId: String(w).repeat(32), spanId: String(w).repeat(16) });
    const wires = [1, 2].map((w) => {
      const m = createMetricsCollector({ clock, exemplars: () => ids(w) });
      m.describe('lat', { buckets: [10] });
      m.histogram('lat', 5);
      m.increment('jobs_total');
      clock.advance(10); // worker 2 records later: its exemplars win
      return JSON.parse(JSON.stringify(toClusterWire(m.collect())));
    });
    const { collected, report } = aggregateSnapshots(wires);
    expect(report.rejected).toBe(0);
    const [lat, jobs] = collected.families;
    const two = { trace_id: '2'.repeat(32), span_id: '2'.repeat(16) };
    expect(lat!.series[0]!.exemplars).toEqual([{ labels: two, value: 5, timestamp: 1010 }, undefined]);
    expect(jobs!.series[0]!.exemplars).toEqual([{ labels: two, value: 1, timestamp: 1010 }]);
    const text = serializeFormat({ collect: () => collected }, 'openmetrics').body;
    expect(text).toContain(`lat_bucket{le="10"} 2 # {trace_id="${two.trace_id}",span_id="${two.span_id}"} 5`);
    // A malformed exemplar is counted and the series kept.
    const bad = JSON.parse(JSON.stringify(wires[0]));
    bad.families[1].x = [0, 3, 'a', 'b', 1, 1, 9, 0, 'a', 'b', 1, 1];
    const again = aggregateSnapshots([bad]);
    expect(again.report.rejected).toBe(2);
    expect(again.collected.families[1]!.series[0]!.value).toBe(1);
  });
});
