import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { parse, stringify } from 'yaml';
import { requireBinary } from '@obs/testing';
import { SLOValidationError } from '../errors';
import { createSLODefinition } from '../SLODefinition';
import { buildPrometheusRules, generatePrometheusRules, type PrometheusRuleFile } from './generatePrometheusRules';

const queries = {
  errorQuery: 'sum(rate(http_requests_total{job="api",code=~"5.."}[{{.window}}]))',
  totalQuery: 'sum(rate(http_requests_total{job="api"}[{{ .window }}]))',
};

describe('buildPrometheusRules', () => {
  const slo = createSLODefinition('API Availability', 99.9, 30, '', { labels: { team: 'core' } });

  it('records the error ratio for every window and the period', () => {
    const file = buildPrometheusRules(slo, queries);
    const records = file.groups[0]!.rules.map((r) => r.record);
    expect(records).toEqual(
      ['5m', '30m', '1h', '2h', '6h', '1d', '3d', '30d'].map((w) => `slo:sli_error:ratio_rate${w}`),
    );
    expect(file.groups[0]!.rules[0]!.expr).toBe(
      '(sum(rate(http_requests_total{job="api",code=~"5.."}[5m])))\n/\n(sum(rate(http_requests_total{job="api"}[5m])))',
    );
    expect(file.groups[0]!.rules[0]!.labels).toEqual({ team: 'core', slo: 'api-availability' });
  });

  it('divides every range by timeScale and keeps the nominal rule names', () => {
    const file = buildPrometheusRules(slo, { ...queries, timeScale: 60 });
    const sli = file.groups[0]!.rules;
    expect(sli.map((r) => r.record)).toEqual(
      ['5m', '30m', '1h', '2h', '6h', '1d', '3d', '30d'].map((w) => `slo:sli_error:ratio_rate${w}`),
    );
    const ranges = sli.map((r) => /\[([0-9a-z]+)\]/.exec(r.expr)![1]);
    expect(ranges).toEqual(['5s', '30s', '1m', '2m', '6m', '24m', '72m', '12h']);
    expect(file.groups[2]!.rules[0]!.annotations!['description']).toContain('Time scale 1/60');
    // Real time by default: no note, nominal ranges.
    expect(buildPrometheusRules(slo, queries).groups[2]!.rules[0]!.annotations!['description']).not.toContain(
      'Time scale',
    );
  });

  it('rejects a time scale that leaves a window under a second or not a whole number of ms', () => {
    for (const timeScale of [0.5, 0, Number.NaN, 301, 7]) {
      expect(() => buildPrometheusRules(slo, { ...queries, timeScale }), String(timeScale)).toThrow(SLOValidationError);
    }
    expect(() => buildPrometheusRules(slo, { ...queries, timeScale: 300 })).not.toThrow(); // 5m -> 1s
  });

  it('builds page and ticket alerts from multiwindow conditions', () => {
    const alerts = buildPrometheusRules(slo, queries).groups[2]!.rules;
    expect(alerts.map((a) => [a.alert, a.labels?.['severity']])).toEqual([
      ['ApiAvailabilityErrorBudgetBurn', 'page'],
      ['ApiAvailabilityErrorBudgetBurn', 'ticket'],
    ]);
    expect(alerts[0]!.expr).toContain('slo:sli_error:ratio_rate1h{slo="api-availability"} > (14.4 * 0.001)');
    expect(alerts[0]!.expr).toContain('slo:sli_error:ratio_rate30m{slo="api-availability"} > (6 * 0.001)');
    expect(alerts[1]!.expr).toContain('slo:sli_error:ratio_rate3d{slo="api-availability"} > (1 * 0.001)');
    expect(alerts[0]!.annotations?.['summary']).toContain('API Availability');
  });

  it('requires the queries of a grouped SLO to keep its groupBy labels', () => {
    const grouped = createSLODefinition('Checkout', 99.9, 30, '', { groupBy: ['route'] });
    expect(() => buildPrometheusRules(grouped, queries)).toThrow(/must keep the groupBy label route/);
    const rules = buildPrometheusRules(grouped, {
      errorQuery: 'sum by (route) (rate(x_total{code="500"}[{{.window}}]))',
      totalQuery: 'sum by (route) (rate(x_total[{{.window}}]))',
    });
    expect(rules.groups[2]!.rules[0]!.annotations?.['description']).toContain('route="{{ $labels.route }}"');
  });

  it('rejects bad options with typed errors', () => {
    const bad = [
      { ...queries, errorQuery: 'sum(rate(x[5m]))' },
      { ...queries, totalQuery: '' },
      { ...queries, totalQuery: 5 },
      { ...queries, alertName: 'bad-name' },
      { ...queries, interval: 'soon' },
      { ...queries, conditions: [] },
      { ...queries, conditions: [{ severity: 'page', factor: -1, longWindow: '1h', shortWindow: '5m' }] },
      { ...queries, labels: { __name__: 'x' } },
      { ...queries, annotations: { summary: 1 } },
      null,
    ];
    for (const options of bad) expect(() => buildPrometheusRules(slo, options as never)).toThrow(SLOValidationError);
    expect(() => buildPrometheusRules({ ...slo, target: 100 }, queries)).toThrow(SLOValidationError);
  });
});

const promtool = requireBinary('promtool');
const dir = mkdtempSync(join(tmpdir(), 'obs-slo-promtool-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function run(args: string[]): string {
  try {
    return execFileSync(promtool!, args, {
      cwd: dir,
      encoding: 'utf8',
      timeout: 30_000,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
  } catch (error) {
    const e = error as { stdout?: string; stderr?: string };
    throw new Error(`promtool ${args.join(' ')} failed:\n${e.stdout ?? ''}\n${e.stderr ?? ''}`);
  }
}

describe.skipIf(!promtool)('promtool', () => {
  it('accepts the generated rules of many kinds of SLO', () => {
    const slos = [
      createSLODefinition('API Availability', 99.9, 30, '', {
        labels: { team: 'core' },
        description: 'with {{ braces }} and "quotes"',
      }),
      createSLODefinition('Latency p99', 99.95, 28),
      createSLODefinition('Half day', 90, 0.5),
      createSLODefinition('Odd window', 97.3, 1 / 7),
      createSLODefinition('Monthly', 99, undefined, '', { calendar: { unit: 'month', timeZone: 'Europe/Berlin' } }),
      createSLODefinition('Ticket only', 99.5, 7),
    ];
    const groups = slos.flatMap(
      (slo, i) =>
        buildPrometheusRules(slo, {
          ...queries,
          interval: i === 1 ? '30s' : undefined,
          annotations: { runbook_url: 'https://runbooks.example/slo' },
          conditions: i === 5 ? [{ severity: 'ticket', factor: 3, longWindow: '1d', shortWindow: '2h' }] : undefined,
        }).groups,
    );
    writeFileSync(join(dir, 'many.yml'), stringify({ groups }, { lineWidth: 0 }));
    expect(run(['check', 'rules', 'many.yml'])).toContain('SUCCESS');
  });

  it('pages at a fast burn and not at a slow one (promtool test rules)', () => {
    const slo = createSLODefinition('Checkout', 99.9, 30);
    const rules = generatePrometheusRules(slo, queries);
    writeFileSync(join(dir, 'rules.yml'), rules);
    expect(run(['check', 'rules', 'rules.yml'])).toContain('SUCCESS');
    const file = parse(rules) as PrometheusRuleFile;
    const alerts = file.groups[2]!.rules;
    const expected = (severity: string) => {
      const rule = alerts.find((a) => a.labels?.['severity'] === severity)!;
      return { exp_labels: rule.labels, exp_annotations: rule.annotations };
    };
    // 1000 requests/min: errors at 2% (20x burn) or 0.2% (2x burn).
    const series = (errorsPerMin: number) => [
      { series: 'http_requests_total{job="api",code="200"}', values: `0+${1000 - errorsPerMin}x300` },
      { series: 'http_requests_total{job="api",code="500"}', values: `0+${errorsPerMin}x300` },
    ];
    const alertname = alerts[0]!.alert;
    const tests = {
      rule_files: ['rules.yml'],
      evaluation_interval: '1m',
      tests: [
        {
          interval: '1m',
          input_series: series(20),
          alert_rule_test: [{ eval_time: '70m', alertname, exp_alerts: [expected('page'), expected('ticket')] }],
          promql_expr_test: [
            {
              expr: 'slo:error_budget:ratio',
              eval_time: '10m',
              exp_samples: [{ labels: 'slo:error_budget:ratio{slo="checkout"}', value: 0.001 }],
            },
          ],
        },
        {
          interval: '1m',
          input_series: series(2),
          alert_rule_test: [
            { eval_time: '70m', alertname, exp_alerts: [expected('ticket')] },
            { eval_time: '4h', alertname, exp_alerts: [expected('ticket')] },
          ],
        },
        {
          interval: '1m',
          input_series: series(0),
          alert_rule_test: [{ eval_time: '2h', alertname, exp_alerts: [] }],
        },
      ],
    };
    writeFileSync(join(dir, 'tests.yml'), stringify(tests, { lineWidth: 0 }));
    expect(run(['test', 'rules', 'tests.yml'])).toContain('SUCCESS');
  });

  it('with timeScale 60, pages within about a minute of a fast burn (promtool test rules)', () => {
    const slo = createSLODefinition('Checkout', 99.9, 30);
    const rules = generatePrometheusRules(slo, { ...queries, timeScale: 60 });
    writeFileSync(join(dir, 'scaled.yml'), rules);
    expect(run(['check', 'rules', 'scaled.yml'])).toContain('SUCCESS');
    const alertname = 'CheckoutErrorBudgetBurn';
    const expected = (parse(rules) as PrometheusRuleFile).groups[2]!.rules.map((rule) => ({
      exp_labels: rule.labels,
      exp_annotations: rule.annotations,
    }));
    // 1000 requests/s; from 60 s on, 2% of them fail (20x burn). Scaled, the page's 1h/5m windows are 1m/5s.
    const ok = Array.from({ length: 150 }, (_, i) => 1000 * i - (i > 60 ? 20 * (i - 60) : 0));
    const bad = Array.from({ length: 150 }, (_, i) => (i > 60 ? 20 * (i - 60) : 0));
    const tests = {
      rule_files: ['scaled.yml'],
      evaluation_interval: '1s',
      tests: [
        {
          interval: '1s',
          input_series: [
            { series: 'http_requests_total{job="api",code="200"}', values: ok.join(' ') },
            { series: 'http_requests_total{job="api",code="500"}', values: bad.join(' ') },
          ],
          alert_rule_test: [
            { eval_time: '55s', alertname, exp_alerts: [] },
            {
              eval_time: '140s',
              alertname,
              exp_alerts: expected,
            },
          ],
        },
      ],
    };
    writeFileSync(join(dir, 'scaled-tests.yml'), stringify(tests, { lineWidth: 0 }));
    expect(run(['test', 'rules', 'scaled-tests.yml'])).toContain('SUCCESS');
  });

  it('keeps a grouped SLO per label value: only the burning route pages (promtool test rules)', () => {
    const slo = createSLODefinition('Checkout', 99.9, 30, '', { groupBy: ['route'] });
    const grouped = {
      errorQuery: 'sum by (route) (rate(http_requests_total{job="api",code=~"5.."}[{{.window}}]))',
      totalQuery: 'sum by (route) (rate(http_requests_total{job="api"}[{{.window}}]))',
    };
    const rules = generatePrometheusRules(slo, grouped);
    writeFileSync(join(dir, 'grouped.yml'), rules);
    expect(run(['check', 'rules', 'grouped.yml'])).toContain('SUCCESS');
    const file = parse(rules) as PrometheusRuleFile;
    const alerts = file.groups[2]!.rules;
    const expected = (severity: string, route: string) => {
      const rule = alerts.find((a) => a.labels?.['severity'] === severity)!;
      const annotations = Object.fromEntries(
        Object.entries(rule.annotations ?? {}).map(([k, v]) => [k, v.replace('{{ $labels.route }}', route)]),
      );
      return { exp_labels: { ...rule.labels, route }, exp_annotations: annotations };
    };
    const tests = {
      rule_files: ['grouped.yml'],
      evaluation_interval: '1m',
      tests: [
        {
          interval: '1m',
          input_series: [
            { series: 'http_requests_total{job="api",route="/checkout",code="200"}', values: '0+980x300' },
            { series: 'http_requests_total{job="api",route="/checkout",code="500"}', values: '0+20x300' },
            { series: 'http_requests_total{job="api",route="/home",code="200"}', values: '0+1000x300' },
            { series: 'http_requests_total{job="api",route="/home",code="500"}', values: '0+0x300' },
          ],
          alert_rule_test: [
            {
              eval_time: '70m',
              alertname: alerts[0]!.alert,
              exp_alerts: [expected('page', '/checkout'), expected('ticket', '/checkout')],
            },
          ],
          promql_expr_test: [
            {
              expr: 'slo:sli_error:ratio_rate5m',
              eval_time: '30m',
              exp_samples: [
                { labels: 'slo:sli_error:ratio_rate5m{route="/checkout",slo="checkout"}', value: 0.02 },
                { labels: 'slo:sli_error:ratio_rate5m{route="/home",slo="checkout"}', value: 0 },
              ],
            },
          ],
        },
      ],
    };
    writeFileSync(join(dir, 'grouped-tests.yml'), stringify(tests, { lineWidth: 0 }));
    expect(run(['test', 'rules', 'grouped-tests.yml'])).toContain('SUCCESS');
  });

  it('fails the promtool test when the expectation is wrong (the test can fail)', () => {
    const slo = createSLODefinition('Checkout', 99.9, 30);
    writeFileSync(join(dir, 'rules2.yml'), generatePrometheusRules(slo, queries));
    const tests = {
      rule_files: ['rules2.yml'],
      evaluation_interval: '1m',
      tests: [
        {
          interval: '1m',
          input_series: [
            { series: 'http_requests_total{job="api",code="200"}', values: '0+998x100' },
            { series: 'http_requests_total{job="api",code="500"}', values: '0+2x100' },
          ],
          alert_rule_test: [
            {
              eval_time: '70m',
              alertname: 'CheckoutErrorBudgetBurn',
              exp_alerts: [{ exp_labels: { severity: 'page', slo: 'checkout' } }],
            },
          ],
        },
      ],
    };
    writeFileSync(join(dir, 'tests2.yml'), stringify(tests));
    expect(() => run(['test', 'rules', 'tests2.yml'])).toThrow(
      /FAILED:[\s\S]*CheckoutErrorBudgetBurn[\s\S]*severity="ticket"/,
    );
  });
});
