import { describeValue, normalizeLabels, type Labels } from '@obs/core';
import {
  BURN_WINDOW_MS,
  BURN_WINDOWS,
  DEFAULT_BURN_RATE_CONDITIONS,
  isBurnWindow,
  type BurnRateCondition,
  type BurnRateSeverity,
} from '../burnRate';
import { SLOValidationError } from '../errors';
import { normalizeSLODefinition, type SLODefinition } from '../SLODefinition';
import { errorBudgetFraction } from '../stats/budget';
import { toRuleYaml } from './ruleYaml';

export interface PrometheusRulesOptions {
  /** Rate of bad events, with a Sloth-style `{{.window}}` range placeholder, e.g. `sum(rate(http_requests_total{code=~"5.."}[{{.window}}]))`. */
  readonly errorQuery: string;
  /** Rate of all events, same placeholder. */
  readonly totalQuery: string;
  /** Burn-rate conditions (default the SRE Workbook's page 14.4x 1h/5m, 6x 6h/30m; ticket 1x 3d/6h). */
  readonly conditions?: readonly BurnRateCondition[];
  /** Name of the page and ticket alerts (default `<SloId>ErrorBudgetBurn` in PascalCase). */
  readonly alertName?: string;
  /** Extra labels on every rule (the SLO's own labels are added too). */
  readonly labels?: Record<string, string>;
  /** Extra annotations on the alerts, e.g. `runbook_url`. */
  readonly annotations?: Record<string, string>;
  /** Evaluation interval of the groups, e.g. `'30s'` (default: Prometheus' global one). */
  readonly interval?: string;
  /**
   * For demos and tests only: every range in the rules (the burn windows and the SLO period) is
   * divided by this factor, so a whole SLO plays out in minutes: with `60`, the page alert's 1h/5m
   * windows become 1m/5s and a 30-day period 12h. Rule names keep the nominal windows
   * (`slo:sli_error:ratio_rate5m`), so the same dashboards and queries apply; the alerts'
   * descriptions state the scale. Each scaled window must be a whole number of milliseconds and at
   * least one second (one scrape apart). Default 1 (real time).
   */
  readonly timeScale?: number;
}

export interface PrometheusRule {
  readonly record?: string;
  readonly alert?: string;
  readonly expr: string;
  readonly for?: string;
  readonly labels?: Record<string, string>;
  readonly annotations?: Record<string, string>;
}

export interface PrometheusRuleGroup {
  readonly name: string;
  readonly interval?: string;
  readonly rules: readonly PrometheusRule[];
}

/** A Prometheus rule file (`rule_files:` entry), as an object. */
export interface PrometheusRuleFile {
  readonly groups: readonly PrometheusRuleGroup[];
}

const PLACEHOLDER = /\{\{\s*\.window\s*\}\}/g;
const METRIC_NAME = /^[a-zA-Z_:][a-zA-Z0-9_:]*$/;
const DURATION = /^([0-9]+(ms|s|m|h|d|w|y))+$/;

/** Name of the recording rule of the error ratio over `window`, e.g. `slo:sli_error:ratio_rate5m`. */
export function errorRatioRecord(window: string): string {
  return `slo:sli_error:ratio_rate${window}`;
}

function checkQuery(query: unknown, what: string): string {
  if (typeof query !== 'string' || query.trim().length === 0 || query.length > 8192) {
    throw new SLOValidationError(
      'INVALID_QUERY',
      `${what} must be a non-empty PromQL string, got ${describeValue(query)}`,
    );
  }
  PLACEHOLDER.lastIndex = 0;
  if (!PLACEHOLDER.test(query)) {
    throw new SLOValidationError(
      'INVALID_QUERY',
      `${what} must contain the {{.window}} placeholder, e.g. rate(x[{{.window}}])`,
    );
  }
  return query;
}

/**
 * A grouped SLO's queries must keep its groupBy labels (`sum by (route) (...)`),
 * or every rule would lose them and all groups would share one budget.
 */
function checkGrouping(query: string, what: string, groupBy: readonly string[] | undefined): string {
  for (const name of groupBy ?? []) {
    if (!new RegExp(`(^|[^A-Za-z0-9_])${name}($|[^A-Za-z0-9_])`).test(query)) {
      throw new SLOValidationError(
        'INVALID_QUERY',
        `${what} must keep the groupBy label ${name}, e.g. sum by (${groupBy!.join(', ')}) (rate(x[{{.window}}]))`,
      );
    }
  }
  return query;
}

/** The group's label values in an alert's description, as Prometheus templates. */
function groupTemplate(groupBy: readonly string[] | undefined): string {
  if (groupBy === undefined) return '';
  return ' Group: ' + groupBy.map((name) => `${name}="{{ $labels.${name} }}"`).join(', ') + '.';
}

function fill(query: string, window: string): string {
  return query.replace(PLACEHOLDER, window);
}

/** A Prometheus duration for a whole number of ms, in the largest unit that divides it (`90000` → `90s`). */
function msDuration(ms: number): string {
  for (const [unit, size] of [
    ['d', 86_400_000],
    ['h', 3_600_000],
    ['m', 60_000],
    ['s', 1000],
  ] as const)
    if (ms % size === 0) return `${ms / size}${unit}`;
  return `${ms}ms`;
}

/** Prometheus range for a number of days: whole days as `30d`, else hours or minutes. */
export function promDuration(days: number): string {
  if (Number.isInteger(days)) return `${days}d`;
  const hours = days * 24;
  if (Number.isInteger(hours)) return `${hours}h`;
  return `${Math.max(1, Math.round(hours * 60))}m`;
}

function pascal(id: string): string {
  const words = id.split(/[^A-Za-z0-9]+/).filter(Boolean);
  let name = words.map((w) => w[0]!.toUpperCase() + w.slice(1)).join('');
  if (!/^[A-Za-z_]/.test(name)) name = 'Slo' + name;
  return name;
}

/** Keeps user text literal inside Prometheus' Go templates (annotations are templates). */
function templateLiteral(text: string): string {
  return text.replace(/\{\{/g, '{{ "{{" }}');
}

function userLabels(value: Record<string, string> | undefined, what: string): Labels {
  const labels = normalizeLabels(value);
  for (const key of Object.keys(labels)) {
    if (key.startsWith('__'))
      throw new SLOValidationError(
        'INVALID_LABEL_NAME',
        `${what}: label names starting with __ are reserved by Prometheus (${key})`,
      );
  }
  return labels;
}

function selector(record: string, sloId: string): string {
  return `${record}{slo=${JSON.stringify(sloId)}}`;
}

/** A float literal for PromQL, shortest round-trip form. */
function num(value: number): string {
  return String(value);
}

/**
 * Builds Prometheus rules for an SLO as an object: recording rules for the
 * error ratio over 5m, 30m, 1h, 2h, 6h, 1d, 3d and the SLO period, metadata
 * recordings (objective, budget, burn rates, budget left), and one page and
 * one ticket alert with multiwindow, multi-burn-rate conditions (SRE Workbook,
 * Sloth). See {@link generatePrometheusRules} for YAML.
 */
export function buildPrometheusRules(slo: SLODefinition, options: PrometheusRulesOptions): PrometheusRuleFile {
  const def = normalizeSLODefinition(slo);
  if (typeof options !== 'object' || options === null) {
    throw new SLOValidationError(
      'INVALID_OPTIONS',
      `options must be {errorQuery, totalQuery}, got ${describeValue(options)}`,
    );
  }
  const errorQuery = checkGrouping(checkQuery(options.errorQuery, 'errorQuery'), 'errorQuery', def.groupBy);
  const totalQuery = checkGrouping(checkQuery(options.totalQuery, 'totalQuery'), 'totalQuery', def.groupBy);
  const conditions = options.conditions ?? DEFAULT_BURN_RATE_CONDITIONS;
  if (!Array.isArray(conditions) || conditions.length === 0) {
    throw new SLOValidationError('INVALID_OPTIONS', 'conditions must be a non-empty array');
  }
  for (const c of conditions as readonly unknown[]) {
    const cc = (c ?? {}) as Partial<BurnRateCondition>;
    if (
      (cc.severity !== 'page' && cc.severity !== 'ticket') ||
      typeof cc.factor !== 'number' ||
      !Number.isFinite(cc.factor) ||
      cc.factor <= 0 ||
      !isBurnWindow(cc.longWindow) ||
      !isBurnWindow(cc.shortWindow)
    ) {
      throw new SLOValidationError('INVALID_OPTIONS', `invalid burn-rate condition ${describeValue(c)}`);
    }
  }
  const alertName = options.alertName ?? `${pascal(def.sloId)}ErrorBudgetBurn`;
  if (typeof alertName !== 'string' || !METRIC_NAME.test(alertName)) {
    throw new SLOValidationError(
      'INVALID_OPTIONS',
      `alertName must match ${METRIC_NAME.source}, got ${describeValue(alertName)}`,
    );
  }
  if (options.interval !== undefined && (typeof options.interval !== 'string' || !DURATION.test(options.interval))) {
    throw new SLOValidationError(
      'INVALID_OPTIONS',
      `interval must be a Prometheus duration such as 30s, got ${describeValue(options.interval)}`,
    );
  }
  const timeScale = options.timeScale ?? 1;
  if (typeof timeScale !== 'number' || !Number.isFinite(timeScale) || timeScale < 1) {
    throw new SLOValidationError(
      'INVALID_OPTIONS',
      `timeScale must be a finite number >= 1, got ${describeValue(options.timeScale)}`,
    );
  }
  /** The range a nominal window stands for under the time scale. */
  const scaled = (window: string, ms: number): string => {
    if (timeScale === 1) return window;
    const range = ms / timeScale;
    if (!Number.isInteger(range) || range < 1000) {
      throw new SLOValidationError(
        'INVALID_OPTIONS',
        `timeScale ${timeScale} makes the ${window} window ${range} ms; each window must stay a whole number of ms, at least 1 s`,
      );
    }
    return msDuration(range);
  };
  const extra = {
    ...userLabels(def.labels as Record<string, string>, 'SLO labels'),
    ...userLabels(options.labels, 'labels'),
  };
  const extraAnnotations = normalizeAnnotations(options.annotations);
  const common: Record<string, string> = { ...extra, slo: def.sloId };
  const budget = errorBudgetFraction(def.target);
  const budgetRatio = budget.num / budget.den;
  const period = promDuration(def.windowDays);
  const id = def.sloId;

  const sliRules: PrometheusRule[] = BURN_WINDOWS.map((w) => {
    const range = scaled(w, BURN_WINDOW_MS[w]);
    return {
      record: errorRatioRecord(w),
      expr: `(${fill(errorQuery, range)})\n/\n(${fill(totalQuery, range)})`,
      labels: { ...common },
    };
  });
  if (!(BURN_WINDOWS as readonly string[]).includes(period)) {
    const range = scaled(period, Math.round(def.windowDays * 86_400_000));
    sliRules.push({
      record: errorRatioRecord(period),
      expr: `sum_over_time(${selector(errorRatioRecord('5m'), id)}[${range}])\n/\ncount_over_time(${selector(errorRatioRecord('5m'), id)}[${range}])`,
      labels: { ...common },
    });
  }
  const metaRules: PrometheusRule[] = [
    {
      record: 'slo:objective:ratio',
      expr: `vector(${num(budget.exact ? (budget.den - budget.num) / budget.den : def.target / 100)})`,
      labels: { ...common },
    },
    { record: 'slo:error_budget:ratio', expr: `vector(${num(budgetRatio)})`, labels: { ...common } },
    { record: 'slo:time_period:days', expr: `vector(${num(def.windowDays)})`, labels: { ...common } },
    {
      record: 'slo:current_burn_rate:ratio',
      expr: `${selector(errorRatioRecord('5m'), id)}\n/ ${num(budgetRatio)}`,
      labels: { ...common },
    },
    {
      record: 'slo:period_burn_rate:ratio',
      expr: `${selector(errorRatioRecord(period), id)}\n/ ${num(budgetRatio)}`,
      labels: { ...common },
    },
    {
      record: 'slo:period_error_budget_remaining:ratio',
      expr: `1 - ${selector('slo:period_burn_rate:ratio', id)}`,
      labels: { ...common },
    },
  ];
  const alertRules: PrometheusRule[] = [];
  for (const severity of ['page', 'ticket'] as const satisfies readonly BurnRateSeverity[]) {
    const mine = conditions.filter((c) => c.severity === severity);
    if (mine.length === 0) continue;
    const expr = mine
      .map((c) => {
        const threshold = `(${num(c.factor)} * ${num(budgetRatio)})`;
        return `(\n  ${selector(errorRatioRecord(c.longWindow), id)} > ${threshold}\n  and\n  ${selector(errorRatioRecord(c.shortWindow), id)} > ${threshold}\n)`;
      })
      .join('\nor\n');
    const windows = mine.map((c) => `${c.factor}x over ${c.longWindow} and ${c.shortWindow}`).join('; ');
    alertRules.push({
      alert: alertName,
      expr,
      labels: { ...common, severity },
      annotations: {
        summary: templateLiteral(`${def.name}: error budget burn rate is too fast (${severity})`),
        description:
          templateLiteral(
            `SLO ${def.sloId} (target ${def.target}% over ${period}) is burning its error budget too fast: ${windows}.` +
              (timeScale !== 1 ? ` Time scale 1/${timeScale}: every window is ${timeScale} times shorter.` : '') +
              (def.description ? ` ${def.description}` : ''),
          ) + groupTemplate(def.groupBy),
        ...extraAnnotations,
      },
    });
  }
  const group = (name: string, rules: PrometheusRule[]): PrometheusRuleGroup =>
    options.interval ? { name, interval: options.interval, rules } : { name, rules };
  return {
    groups: [
      group(`slo-sli-recordings-${id}`, sliRules),
      group(`slo-meta-recordings-${id}`, metaRules),
      group(`slo-alerts-${id}`, alertRules),
    ],
  };
}

function normalizeAnnotations(value: unknown): Record<string, string> {
  if (value === undefined) return {};
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new SLOValidationError(
      'INVALID_OPTIONS',
      `annotations must be an object of strings, got ${describeValue(value)}`,
    );
  }
  const out: Record<string, string> = {};
  for (const key of Object.keys(value)) {
    const v = (value as Record<string, unknown>)[key];
    if (!/^[a-zA-Z_][a-zA-Z0-9_]*$/.test(key) || typeof v !== 'string') {
      throw new SLOValidationError(
        'INVALID_OPTIONS',
        `annotation ${describeValue(key)} must have a valid name and a string value`,
      );
    }
    Object.defineProperty(out, key, { value: v, enumerable: true, writable: true, configurable: true });
  }
  return out;
}

/**
 * Prometheus rules YAML for an SLO from Sloth-style query templates: error-ratio
 * recording rules per window and multiwindow multi-burn-rate page/ticket alerts
 * (labels `severity`, `slo`). Check with `promtool check rules`.
 *
 * @example
 * generatePrometheusRules(slo, {
 *   errorQuery: 'sum(rate(http_requests_total{job="api",code=~"5.."}[{{.window}}]))',
 *   totalQuery: 'sum(rate(http_requests_total{job="api"}[{{.window}}]))',
 * });
 */
export function generatePrometheusRules(slo: SLODefinition, options: PrometheusRulesOptions): string {
  return toRuleYaml(buildPrometheusRules(slo, options));
}
