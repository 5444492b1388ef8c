import { fc, test } from '@fast-check/vitest';
import { describe, expect, it } from 'vitest';
import { parse, stringify } from 'yaml';
import { OpenSLOError } from '../errors';
import { generatePrometheusRules } from '../prometheus/generatePrometheusRules';
import { createSLODefinition } from '../SLODefinition';
import { parseOpenSLO, toOpenSLO } from './openSLO';

const SAMPLE = `
apiVersion: openslo/v1
kind: SLO
metadata:
  name: web-availability
  displayName: Web Availability
  labels:
    team: [web, platform]
    app.kubernetes.io/name: shop
spec:
  description: 99.5% of requests succeed
  service: web
  indicator:
    metadata:
      name: web-success
    spec:
      ratioMetric:
        counter: true
        good:
          metricSource:
            type: Prometheus
            spec:
              query: http_requests_total{job="web",code!~"5.."}
        total:
          metricSource:
            type: Prometheus
            spec:
              query: http_requests_total{job="web"}
  timeWindow:
    - duration: 4w
      isRolling: true
  budgetingMethod: Occurrences
  objectives:
    - displayName: Good
      target: 0.995
`;

const SLICED = `
apiVersion: openslo/v1
kind: SLI
metadata:
  name: api-errors
spec:
  ratioMetric:
    counter: true
    bad:
      metricSource:
        type: Prometheus
        spec:
          query: api_errors_total
    total:
      metricSource:
        type: Prometheus
        spec:
          query: api_requests_total
---
apiVersion: openslo/v1
kind: Service
metadata:
  name: api
spec: {}
---
apiVersion: openslo/v1
kind: SLO
metadata:
  name: api-monthly
spec:
  service: api
  indicatorRef: api-errors
  timeWindow:
    - duration: 1M
      isRolling: false
      calendar:
        startTime: "2022-01-01 00:00:00"
        timeZone: America/New_York
  budgetingMethod: Timeslices
  objectives:
    - targetPercent: 99
      timeSliceTarget: 0.95
      timeSliceWindow: 5m
`;

describe('parseOpenSLO', () => {
  it('reads an inline ratioMetric SLO with a rolling window', () => {
    const [imported] = parseOpenSLO(SAMPLE);
    expect(imported!.definition).toMatchObject({
      sloId: 'web-availability',
      name: 'Web Availability',
      target: 99.5,
      windowDays: 28,
      budgetingMethod: 'occurrences',
      description: '99.5% of requests succeed',
    });
    expect({ ...imported!.definition.labels }).toEqual({ team: 'web,platform', app_kubernetes_io_name: 'shop' });
    expect(imported!.service).toBe('web');
    expect(imported!.ruleQueries).toEqual({
      totalQuery: 'sum(rate(http_requests_total{job="web"}[{{.window}}]))',
      errorQuery:
        '(sum(rate(http_requests_total{job="web"}[{{.window}}])) - sum(rate(http_requests_total{job="web",code!~"5.."}[{{.window}}])))',
    });
    expect(generatePrometheusRules(imported!.definition, imported!.ruleQueries!)).toContain(
      'slo:sli_error:ratio_rate28d',
    );
  });

  it('resolves indicatorRef, calendar windows and timeslices', () => {
    const [imported] = parseOpenSLO(SLICED);
    expect(imported!.definition).toMatchObject({
      sloId: 'api-monthly',
      target: 99,
      budgetingMethod: 'timeslices',
      timeSliceTarget: 95,
      timeSliceWindowMs: 300_000,
      calendar: { unit: 'month', timeZone: 'America/New_York' },
    });
    expect(imported!.ruleQueries?.errorQuery).toBe('sum(rate(api_errors_total[{{.window}}]))');
    expect(imported!.badQuery).toBe('api_errors_total');
  });

  it('turns several objectives into several SLOs', () => {
    const doc = parse(SAMPLE) as { spec: { objectives: unknown[] } };
    doc.spec.objectives = [{ displayName: 'strict', target: 0.999 }, { target: 0.99 }];
    const out = parseOpenSLO(stringify(doc));
    expect(out.map((o) => [o.definition.sloId, o.definition.target])).toEqual([
      ['web-availability-0', 99.9],
      ['web-availability-1', 99],
    ]);
  });

  it('rejects invalid documents with a typed error and a path', () => {
    const DELETE = Symbol('delete');
    /** The sample with the value at `path` replaced (or deleted). */
    const edit = (doc: string, path: Array<string | number>, value: unknown): string => {
      const d = parse(doc) as Record<string, unknown>;
      let node = d as Record<string | number, unknown>;
      for (const key of path.slice(0, -1)) node = node[key] as Record<string | number, unknown>;
      const last = path.at(-1)!;
      if (value === DELETE) delete node[last];
      else node[last] = value;
      return stringify(d);
    };
    const good = (parse(SAMPLE) as { spec: { indicator: { spec: { ratioMetric: { good: unknown } } } } }).spec.indicator
      .spec.ratioMetric.good;
    const cases: Array<[string, RegExp]> = [
      ['', /no OpenSLO/],
      ['a: [', /invalid YAML/],
      ['a: 1\na: 2', /invalid YAML/],
      [edit(SAMPLE, ['apiVersion'], 'openslo/v2'), /apiVersion/],
      [edit(SAMPLE, ['spec', 'objectives', 0, 'target'], 1.5), /objectives\[0\]\.target/],
      [edit(SAMPLE, ['spec', 'objectives', 0, 'target'], DELETE), /needs target/],
      [edit(SAMPLE, ['spec', 'timeWindow', 0, 'duration'], '1M'), /rolling windows/],
      [edit(SAMPLE, ['spec', 'timeWindow', 0, 'duration'], 'soon'), /duration/],
      [edit(SAMPLE, ['spec', 'timeWindow'], []), /timeWindow/],
      [edit(SAMPLE, ['spec', 'budgetingMethod'], 'RatioTimeslices'), /budgetingMethod/],
      [edit(SAMPLE, ['spec', 'budgetingMethod'], 'Timeslices'), /timeSliceTarget/],
      [edit(SAMPLE, ['spec', 'indicator', 'spec'], { thresholdMetric: {} }), /only ratioMetric/],
      [edit(SAMPLE, ['spec', 'indicator', 'spec', 'ratioMetric', 'bad'], good), /exactly one of good and bad/],
      [edit(SAMPLE, ['spec', 'indicator'], DELETE), /indicator/],
      [edit(SAMPLE, ['spec', 'indicatorRef'], 'missing'), /not both/],
      [edit(edit(SAMPLE, ['spec', 'indicator'], DELETE), ['spec', 'indicatorRef'], 'missing'), /missing/],
      [edit(SAMPLE, ['metadata', 'name'], 'bad name!'), /sloId/],
      [edit(SAMPLE, ['metadata', 'labels'], { x: { y: 1 } }), /labels\.x/],
      ['- 1\n- 2', /mapping/],
      [SAMPLE + '\n---\n' + SAMPLE, /duplicate/],
      ['a: &a [*a]', /.*/],
    ];
    for (const [i, [text, message]] of cases.entries()) {
      let caught: unknown;
      try {
        parseOpenSLO(text);
      } catch (error) {
        caught = error;
      }
      expect(caught, `case ${i}`).toBeInstanceOf(OpenSLOError);
      expect((caught as Error).message).toMatch(message);
    }
    expect(() => parseOpenSLO(42 as unknown as string)).toThrow(OpenSLOError);
    expect(() => parseOpenSLO('x'.repeat((1 << 20) + 1))).toThrow(OpenSLOError);
  });

  it('round-trips definitions through toOpenSLO', () => {
    const slos = [
      createSLODefinition('API Availability', 99.9, 30, '', {
        labels: { team: 'core' },
        description: 'requests succeed',
      }),
      createSLODefinition('Weekly', 95, undefined, '', { calendar: { unit: 'week', timeZone: 'Asia/Tokyo' } }),
      createSLODefinition('Sliced', 99.5, 7, '', {
        budgetingMethod: 'timeslices',
        timeSliceTarget: 90,
        timeSliceWindowMs: 120_000,
      }),
      createSLODefinition('Short', 90, 0.25),
    ];
    for (const slo of slos) {
      const yaml = toOpenSLO(slo, { totalQuery: 'requests_total', badQuery: 'errors_total' });
      const [back] = parseOpenSLO(yaml);
      const { metricName: _m, ...rest } = back!.definition;
      const { metricName: _n, ...want } = slo;
      expect(rest).toEqual({ ...want, ...(slo.budgetingMethod === 'timeslices' ? {} : {}) });
      expect(back!.ruleQueries).toEqual({
        errorQuery: 'sum(rate(errors_total[{{.window}}]))',
        totalQuery: 'sum(rate(requests_total[{{.window}}]))',
      });
    }
    expect(() => toOpenSLO(slos[0]!, { totalQuery: 't' })).toThrow(OpenSLOError);
    expect(() => toOpenSLO(slos[0]!, { totalQuery: 't', goodQuery: 'g', badQuery: 'b' })).toThrow(OpenSLOError);
    expect(() => toOpenSLO(slos[0]!, null as never)).toThrow(OpenSLOError);
  });

  test.prop([fc.string({ maxLength: 300 })])('never throws anything but OpenSLOError on random text', (text) => {
    try {
      parseOpenSLO(text);
    } catch (error) {
      expect(error).toBeInstanceOf(OpenSLOError);
    }
  });

  test.prop([fc.jsonValue({ maxDepth: 6 })])(
    'never throws anything but OpenSLOError on random YAML values',
    (value) => {
      try {
        parseOpenSLO(stringify(value));
      } catch (error) {
        expect(error).toBeInstanceOf(OpenSLOError);
      }
    },
  );

  const paths = (value: unknown, prefix: string[] = []): string[][] =>
    typeof value === 'object' && value !== null
      ? [prefix, ...Object.entries(value).flatMap(([k, v]) => paths(v, [...prefix, k]))]
      : [prefix];
  const samplePaths = paths(parse(SAMPLE)).filter((p) => p.length > 0);

  test.prop([fc.constantFrom(...samplePaths), fc.oneof(fc.jsonValue({ maxDepth: 2 }), fc.constant(undefined))])(
    'never throws anything but OpenSLOError on a mutated valid document',
    (path, replacement) => {
      const doc = parse(SAMPLE) as Record<string, unknown>;
      let node: Record<string, unknown> = doc;
      for (const key of path.slice(0, -1)) node = node[key] as Record<string, unknown>;
      if (replacement === undefined) delete node[path.at(-1)!];
      else node[path.at(-1)!] = replacement;
      try {
        const out = parseOpenSLO(stringify(doc));
        expect(out.length).toBeGreaterThan(0);
      } catch (error) {
        expect(error).toBeInstanceOf(OpenSLOError);
      }
    },
  );
});
