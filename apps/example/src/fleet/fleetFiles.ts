import { createSLODefinition, generatePrometheusRules } from '@obs/hub';

/** An SLO as the app's `/api/dashboard` lists it. */
export interface FleetSLO {
  readonly sloId: string;
  readonly name: string;
  readonly target: number;
  readonly windowDays: number;
}

/** PromQL for an SLO of the example app, by the metrics its ObservableVisionProvider records; undefined when it has none. */
export function sloQueries(sloId: string): { errorQuery: string; totalQuery: string } | undefined {
  const availability = /^vision-availability-(.+)$/.exec(sloId);
  const latency = /^vision-latency-(.+)$/.exec(sloId);
  const provider = (availability ?? latency)?.[1];
  if (provider === undefined || !/^[A-Za-z0-9_.:-]+$/.test(provider)) return undefined;
  const sel = `job="obs-example",provider="${provider}"`;
  if (availability) {
    // The tracker's SLO leaves out the caller's mistakes (bad images); so do the rules.
    return {
      errorQuery: `sum(rate(vision_requests_error_total{${sel},error_type!~"${CLIENT_ERROR_TYPES}"}[{{.window}}]))`,
      totalQuery: `sum(rate(vision_requests_total{${sel}}[{{.window}}])) - sum(rate(vision_requests_error_total{${sel},error_type=~"${CLIENT_ERROR_TYPES}"}[{{.window}}]) or vector(0))`,
    };
  }
  // Good: answered within 500 ms (the provider's default threshold, a classic bucket bound).
  return {
    errorQuery: `sum(rate(vision_request_duration_ms_count{${sel}}[{{.window}}])) - sum(rate(vision_request_duration_ms_bucket{${sel},le="500"}[{{.window}}]))`,
    totalQuery: `sum(rate(vision_request_duration_ms_count{${sel}}[{{.window}}]))`,
  };
}

/** The `error_type` values of uploads that are the caller's fault (VisionInputError codes, lower-cased). */
const CLIENT_ERROR_TYPES =
  'corrupt_image|empty_image|invalid_input_type|truncated_image|unsupported_format|image_too_.*';

export interface FleetRulesOptions {
  readonly slos: readonly FleetSLO[];
  /** Divides the SLO rules' windows (see @obs/slo's `timeScale`); 1 is real time. */
  readonly timeScale: number;
  /** How long a target must be down before `TargetDown` fires (a Prometheus duration). */
  readonly targetDownFor: string;
}

/**
 * The fleet's rule file: the rules @obs/slo generates for each SLO of the app that
 * Prometheus can measure, and `TargetDown` (`up == 0`). Returns the YAML and the SLOs
 * left out (no Prometheus metric behind them, e.g. the demo's per-sample SLO).
 */
export function fleetRules(options: FleetRulesOptions): { yaml: string; skipped: string[] } {
  const parts: string[] = [];
  const skipped: string[] = [];
  for (const slo of options.slos) {
    const queries = sloQueries(slo.sloId);
    if (!queries) {
      skipped.push(slo.sloId);
      continue;
    }
    const definition = createSLODefinition(slo.name, slo.target, slo.windowDays, '', { sloId: slo.sloId });
    const yaml = generatePrometheusRules(definition, {
      ...queries,
      labels: { service: 'obs-example' },
      timeScale: options.timeScale,
    });
    // Each generated file starts with `groups:`; the fleet file is one list of groups.
    parts.push(yaml.replace(/^groups:\n/, ''));
  }
  parts.push(
    [
      '  - name: fleet-targets',
      '    rules:',
      '      - alert: TargetDown',
      '        expr: up{job="obs-example"} == 0',
      `        for: ${options.targetDownFor}`,
      '        labels:',
      '          severity: page',
      '        annotations:',
      '          summary: "{{ $labels.instance }} is down"',
      '          description: "Prometheus cannot scrape {{ $labels.instance }} (job {{ $labels.job }})."',
      '',
    ].join('\n'),
  );
  return { yaml: 'groups:\n' + parts.join(''), skipped };
}

export interface PrometheusConfigOptions {
  readonly scrapeInterval: string;
  readonly evaluationInterval: string;
  /** `host:port` of each app instance. */
  readonly targets: readonly string[];
  /** `host:port` of each Alertmanager. */
  readonly alertmanagers: readonly string[];
  readonly ruleFile: string;
}

/** prometheus.yml: scrape the apps, evaluate the rules, send alerts to every Alertmanager. */
export function prometheusConfig(options: PrometheusConfigOptions): string {
  const list = (items: readonly string[]) => items.map((t) => `'${t}'`).join(', ');
  return [
    'global:',
    `  scrape_interval: ${options.scrapeInterval}`,
    `  evaluation_interval: ${options.evaluationInterval}`,
    `  scrape_timeout: ${options.scrapeInterval}`,
    'rule_files:',
    `  - '${options.ruleFile}'`,
    'alerting:',
    '  alertmanagers:',
    '    - static_configs:',
    `        - targets: [${list(options.alertmanagers)}]`,
    'scrape_configs:',
    '  - job_name: obs-example',
    '    static_configs:',
    `      - targets: [${list(options.targets)}]`,
    '',
  ].join('\n');
}

/** alertmanager.yml: one route to a receiver with no integrations (the alerts are inspected through the API). */
export function alertmanagerConfig(): string {
  return [
    'route:',
    '  receiver: fleet',
    "  group_by: ['alertname', 'slo', 'severity']",
    '  group_wait: 1s',
    '  group_interval: 5s',
    '  repeat_interval: 1h',
    'receivers:',
    '  - name: fleet',
    '',
  ].join('\n');
}
