import { describeValue } from '@obs/core';
import { parseAllDocuments, stringify } from 'yaml';
import { OpenSLOError } from '../errors';
import { definitionToJSON, normalizeSLODefinition, type CalendarWindow, type SLODefinition } from '../SLODefinition';
import { BudgetingMethod } from '../SLOStatus';

/** One SLO read from OpenSLO v1 YAML. */
export interface OpenSLOImport {
  readonly definition: SLODefinition;
  /** `spec.service`. */
  readonly service: string;
  /** Whether the ratio metric's queries are counters (`ratioMetric.counter`). */
  readonly counter: boolean;
  /** `metricSource.spec.query` of each side, when given inline. */
  readonly goodQuery?: string;
  readonly badQuery?: string;
  readonly totalQuery?: string;
  /**
   * Sloth-style templates for {@link generatePrometheusRules}, derived from
   * counter selectors as `sum(rate(<query>[{{.window}}]))`, when the source is
   * Prometheus-compatible and the queries are counters.
   */
  readonly ruleQueries?: { readonly errorQuery: string; readonly totalQuery: string };
}

export interface OpenSLOExportOptions {
  /** Query of all events (e.g. a Prometheus counter selector). */
  readonly totalQuery: string;
  /** Query of good events; give exactly one of `goodQuery` and `badQuery`. */
  readonly goodQuery?: string;
  readonly badQuery?: string;
  /** `metricSource.type` (default `'Prometheus'`). */
  readonly metricSourceType?: string;
  /** `spec.service` (default the SLO's `service` label, else its id). */
  readonly service?: string;
  /** `ratioMetric.counter` (default true). */
  readonly counter?: boolean;
}

const MAX_INPUT = 1 << 20;
const MAX_DOCUMENTS = 1000;
const API_VERSION = 'openslo/v1';
const PROMETHEUS_LIKE = new Set(['prometheus', 'thanos', 'cortex', 'mimir', 'victoriametrics']);

type Obj = Record<string, unknown>;

function isObj(value: unknown): value is Obj {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function obj(value: unknown, path: string): Obj {
  if (!isObj(value)) throw new OpenSLOError(`must be a mapping, got ${describeValue(value)}`, path);
  return value;
}

function optObj(value: unknown, path: string): Obj | undefined {
  return value === undefined || value === null ? undefined : obj(value, path);
}

function str(value: unknown, path: string, max = 4096): string {
  if (typeof value !== 'string' || value.length === 0 || value.length > max) {
    throw new OpenSLOError(
      `must be a non-empty string of at most ${max} characters, got ${describeValue(value)}`,
      path,
    );
  }
  return value;
}

function optStr(value: unknown, path: string, max = 4096): string | undefined {
  return value === undefined || value === null ? undefined : str(value, path, max);
}

function num(value: unknown, path: string): number {
  if (typeof value !== 'number' || !Number.isFinite(value))
    throw new OpenSLOError(`must be a number, got ${describeValue(value)}`, path);
  return value;
}

/** Rounds away float noise from unit conversions (0.999 * 100 -> 99.9). */
function tidy(value: number): number {
  return Math.round(value * 1e10) / 1e10;
}

interface Duration {
  readonly count: number;
  readonly unit: 'm' | 'h' | 'd' | 'w' | 'M' | 'Q' | 'Y';
}

function duration(value: unknown, path: string): Duration {
  const text = str(value, path, 32);
  const match = /^([1-9][0-9]{0,5})(m|h|d|w|M|Q|Y)$/.exec(text);
  if (!match)
    throw new OpenSLOError(`must be a duration shorthand such as 30d, 4w, 1M; got ${describeValue(text)}`, path);
  return { count: Number(match[1]), unit: match[2] as Duration['unit'] };
}

const UNIT_DAYS: Partial<Record<Duration['unit'], number>> = { m: 1 / 1440, h: 1 / 24, d: 1, w: 7 };

function labelName(key: string): string {
  let name = key.replace(/[^a-zA-Z0-9_]/g, '_');
  if (!/^[a-zA-Z_]/.test(name)) name = '_' + name;
  return name;
}

function readLabels(value: unknown, path: string): Record<string, string> {
  const labels = optObj(value, path);
  if (!labels) return {};
  const keys = Object.keys(labels);
  if (keys.length > 64) throw new OpenSLOError('at most 64 labels are supported', path);
  const out: Record<string, string> = {};
  for (const key of keys) {
    const v = labels[key];
    let text: string;
    if (typeof v === 'string') text = v;
    else if (typeof v === 'number' || typeof v === 'boolean') text = String(v);
    else if (Array.isArray(v) && v.every((x) => typeof x === 'string')) text = v.join(',');
    else throw new OpenSLOError(`must be a string or a list of strings, got ${describeValue(v)}`, `${path}.${key}`);
    Object.defineProperty(out, labelName(key), { value: text, enumerable: true, writable: true, configurable: true });
  }
  return out;
}

interface Side {
  readonly query: string | undefined;
  readonly type: string | undefined;
}

function readSide(value: unknown, path: string): Side {
  const side = obj(value, path);
  const source = obj(side['metricSource'], `${path}.metricSource`);
  const type = optStr(source['type'], `${path}.metricSource.type`, 128);
  const spec = optObj(source['spec'], `${path}.metricSource.spec`);
  const query = spec ? optStr(spec['query'], `${path}.metricSource.spec.query`, 8192) : undefined;
  return { query, type };
}

function readIndicator(
  spec: Obj,
  slis: Map<string, Obj>,
  path: string,
): { counter: boolean; good?: Side; bad?: Side; total: Side } {
  let indicator: Obj;
  let at: string;
  if (spec['indicator'] !== undefined && spec['indicatorRef'] !== undefined) {
    throw new OpenSLOError('give either indicator or indicatorRef, not both', path);
  }
  if (spec['indicator'] !== undefined) {
    at = `${path}.indicator`;
    indicator = obj(obj(spec['indicator'], at)['spec'], `${at}.spec`);
    at += '.spec';
  } else if (spec['indicatorRef'] !== undefined) {
    const ref = str(spec['indicatorRef'], `${path}.indicatorRef`, 253);
    const sli = slis.get(ref);
    if (!sli)
      throw new OpenSLOError(`refers to SLI ${JSON.stringify(ref)}, which is not in the input`, `${path}.indicatorRef`);
    indicator = sli;
    at = `SLI ${ref}.spec`;
  } else {
    throw new OpenSLOError('needs an indicator or an indicatorRef', path);
  }
  if (indicator['ratioMetric'] === undefined) {
    throw new OpenSLOError('only ratioMetric SLIs are supported (thresholdMetric is not)', at);
  }
  const ratio = obj(indicator['ratioMetric'], `${at}.ratioMetric`);
  const counter = ratio['counter'] ?? true;
  if (typeof counter !== 'boolean')
    throw new OpenSLOError(`must be a boolean, got ${describeValue(counter)}`, `${at}.ratioMetric.counter`);
  const hasGood = ratio['good'] !== undefined;
  const hasBad = ratio['bad'] !== undefined;
  if (hasGood === hasBad) throw new OpenSLOError('needs exactly one of good and bad', `${at}.ratioMetric`);
  if (ratio['total'] === undefined) throw new OpenSLOError('needs total', `${at}.ratioMetric`);
  return {
    counter,
    good: hasGood ? readSide(ratio['good'], `${at}.ratioMetric.good`) : undefined,
    bad: hasBad ? readSide(ratio['bad'], `${at}.ratioMetric.bad`) : undefined,
    total: readSide(ratio['total'], `${at}.ratioMetric.total`),
  };
}

function readWindow(spec: Obj, path: string): { windowDays: number; calendar?: CalendarWindow } {
  const windows = spec['timeWindow'];
  if (!Array.isArray(windows) || windows.length !== 1)
    throw new OpenSLOError('must be a list with exactly one time window', `${path}.timeWindow`);
  const at = `${path}.timeWindow[0]`;
  const w = obj(windows[0], at);
  const d = duration(w['duration'], `${at}.duration`);
  const rolling = w['isRolling'] ?? false;
  if (typeof rolling !== 'boolean')
    throw new OpenSLOError(`must be a boolean, got ${describeValue(rolling)}`, `${at}.isRolling`);
  if (rolling) {
    const perUnit = UNIT_DAYS[d.unit];
    if (perUnit === undefined)
      throw new OpenSLOError(`rolling windows must be in m, h, d or w, got ${d.count}${d.unit}`, `${at}.duration`);
    return { windowDays: tidy(d.count * perUnit) };
  }
  const calendar = optObj(w['calendar'], `${at}.calendar`);
  const timeZone = calendar ? (optStr(calendar['timeZone'], `${at}.calendar.timeZone`, 64) ?? 'UTC') : 'UTC';
  if (d.count === 1 && d.unit === 'M') return { windowDays: 31, calendar: { unit: 'month', timeZone } };
  if (d.count === 1 && d.unit === 'w') return { windowDays: 7, calendar: { unit: 'week', timeZone } };
  throw new OpenSLOError(`calendar windows of 1M or 1w are supported, got ${d.count}${d.unit}`, `${at}.duration`);
}

function ruleQueriesFor(
  counter: boolean,
  good: Side | undefined,
  bad: Side | undefined,
  total: Side,
): OpenSLOImport['ruleQueries'] {
  const sides = [good, bad, total].filter((s): s is Side => s !== undefined);
  if (
    !counter ||
    sides.some((s) => s.query === undefined || (s.type !== undefined && !PROMETHEUS_LIKE.has(s.type.toLowerCase())))
  )
    return undefined;
  const rate = (q: string) => (/\{\{\s*\.window\s*\}\}/.test(q) ? q : `sum(rate(${q}[{{.window}}]))`);
  const totalQuery = rate(total.query!);
  const errorQuery = bad ? rate(bad.query!) : `(${totalQuery} - ${rate(good!.query!)})`;
  return { errorQuery, totalQuery };
}

function readSLO(doc: Obj, slis: Map<string, Obj>, path: string): OpenSLOImport[] {
  const metadata = obj(doc['metadata'], `${path}.metadata`);
  const id = str(metadata['name'], `${path}.metadata.name`, 128);
  const displayName = optStr(metadata['displayName'], `${path}.metadata.displayName`, 256);
  const labels = readLabels(metadata['labels'], `${path}.metadata.labels`);
  const spec = obj(doc['spec'], `${path}.spec`);
  const description = optStr(spec['description'], `${path}.spec.description`, 4096) ?? '';
  const service = optStr(spec['service'], `${path}.spec.service`, 256) ?? '';
  const { counter, good, bad, total } = readIndicator(spec, slis, `${path}.spec`);
  const { windowDays, calendar } = readWindow(spec, `${path}.spec`);
  const methodRaw = spec['budgetingMethod'] ?? 'Occurrences';
  if (methodRaw !== 'Occurrences' && methodRaw !== 'Timeslices') {
    throw new OpenSLOError(
      `must be Occurrences or Timeslices, got ${describeValue(methodRaw)}`,
      `${path}.spec.budgetingMethod`,
    );
  }
  const method = methodRaw === 'Timeslices' ? BudgetingMethod.TIMESLICES : BudgetingMethod.OCCURRENCES;
  const objectives = spec['objectives'];
  if (!Array.isArray(objectives) || objectives.length === 0 || objectives.length > 16) {
    throw new OpenSLOError('must be a list of 1 to 16 objectives', `${path}.spec.objectives`);
  }
  const ruleQueries = ruleQueriesFor(counter, good, bad, total);
  return objectives.map((raw: unknown, i) => {
    const at = `${path}.spec.objectives[${i}]`;
    const o = obj(raw, at);
    let target: number;
    if (o['target'] !== undefined) {
      const t = num(o['target'], `${at}.target`);
      if (!(t > 0 && t < 1)) throw new OpenSLOError(`must be in (0, 1), got ${t}`, `${at}.target`);
      target = tidy(t * 100);
    } else if (o['targetPercent'] !== undefined) {
      target = num(o['targetPercent'], `${at}.targetPercent`);
      if (!(target > 0 && target < 100))
        throw new OpenSLOError(`must be in (0, 100), got ${target}`, `${at}.targetPercent`);
    } else {
      throw new OpenSLOError('needs target or targetPercent', at);
    }
    const objectiveName = optStr(o['displayName'], `${at}.displayName`, 128);
    const extra: Obj = {};
    if (method === BudgetingMethod.TIMESLICES) {
      const sliceTarget = num(o['timeSliceTarget'], `${at}.timeSliceTarget`);
      if (!(sliceTarget > 0 && sliceTarget <= 1))
        throw new OpenSLOError(`must be in (0, 1], got ${sliceTarget}`, `${at}.timeSliceTarget`);
      extra['timeSliceTarget'] = tidy(sliceTarget * 100);
      if (o['timeSliceWindow'] !== undefined) {
        const d = duration(o['timeSliceWindow'], `${at}.timeSliceWindow`);
        const perUnit = d.unit === 'm' ? 60_000 : d.unit === 'h' ? 3_600_000 : d.unit === 'd' ? 86_400_000 : undefined;
        if (perUnit === undefined || d.count * perUnit > 86_400_000) {
          throw new OpenSLOError(
            `must be at most one day in m, h or d, got ${d.count}${d.unit}`,
            `${at}.timeSliceWindow`,
          );
        }
        extra['timeSliceWindowMs'] = d.count * perUnit;
      }
    }
    let definition: SLODefinition;
    try {
      definition = normalizeSLODefinition({
        sloId: objectives.length > 1 ? `${id}-${i}` : id,
        name: (displayName ?? id) + (objectives.length > 1 ? ` (${objectiveName ?? i})` : ''),
        target,
        windowDays,
        metricName: '',
        description,
        labels,
        budgetingMethod: method,
        calendar,
        ...extra,
      });
    } catch (error) {
      throw new OpenSLOError(error instanceof Error ? error.message : 'invalid SLO', at, { cause: error });
    }
    const out: { -readonly [K in keyof OpenSLOImport]: OpenSLOImport[K] } = { definition, service, counter };
    if (good?.query !== undefined) out.goodQuery = good.query;
    if (bad?.query !== undefined) out.badQuery = bad.query;
    if (total.query !== undefined) out.totalQuery = total.query;
    if (ruleQueries) out.ruleQueries = ruleQueries;
    return out;
  });
}

/**
 * Reads OpenSLO v1 YAML (one or more documents; `kind: SLO` with an inline
 * `indicator` or an `indicatorRef` to a `kind: SLI` document in the same input)
 * into SLO definitions. Supports ratioMetric SLIs, rolling windows (m, h, d, w),
 * calendar windows of 1M or 1w, and the Occurrences and Timeslices budgeting
 * methods. Other kinds (Service, AlertPolicy...) are skipped. Anything else
 * throws {@link OpenSLOError}, and nothing else.
 */
export function parseOpenSLO(text: string): OpenSLOImport[] {
  if (typeof text !== 'string') throw new OpenSLOError(`input must be a YAML string, got ${describeValue(text)}`, '');
  if (text.length > MAX_INPUT) throw new OpenSLOError(`input is larger than ${MAX_INPUT} characters`, '');
  let values: unknown[];
  try {
    const docs = parseAllDocuments(text, { uniqueKeys: true, prettyErrors: false });
    const list = Array.isArray(docs) ? docs : [docs];
    if (list.length > MAX_DOCUMENTS) throw new OpenSLOError(`at most ${MAX_DOCUMENTS} documents are supported`, '');
    values = list.map((doc, i) => {
      if (doc.errors.length > 0) throw new OpenSLOError(`invalid YAML: ${doc.errors[0]!.message}`, `documents[${i}]`);
      return doc.toJS({ maxAliasCount: 100 }) as unknown;
    });
  } catch (error) {
    if (error instanceof OpenSLOError) throw error;
    throw new OpenSLOError(`invalid YAML: ${error instanceof Error ? error.message : describeValue(error)}`, '', {
      cause: error,
    });
  }
  const items: Array<{ value: Obj; path: string }> = [];
  values.forEach((value, i) => {
    if (value === null || value === undefined) return;
    const list = Array.isArray(value) ? value : [value];
    list.forEach((v: unknown, j) => {
      const path = Array.isArray(value) ? `documents[${i}][${j}]` : `documents[${i}]`;
      items.push({ value: obj(v, path), path });
    });
  });
  const slis = new Map<string, Obj>();
  for (const { value, path } of items) {
    if (value['kind'] !== 'SLI') continue;
    const metadata = obj(value['metadata'], `${path}.metadata`);
    slis.set(str(metadata['name'], `${path}.metadata.name`, 253), obj(value['spec'], `${path}.spec`));
  }
  const out: OpenSLOImport[] = [];
  for (const { value, path } of items) {
    if (value['kind'] !== 'SLO') continue;
    if (value['apiVersion'] !== API_VERSION) {
      throw new OpenSLOError(
        `apiVersion must be ${API_VERSION}, got ${describeValue(value['apiVersion'])}`,
        `${path}.apiVersion`,
      );
    }
    out.push(...readSLO(value, slis, path));
  }
  if (out.length === 0) throw new OpenSLOError('no OpenSLO v1 document of kind SLO found', '');
  const ids = new Set<string>();
  for (const imported of out) {
    if (ids.has(imported.definition.sloId))
      throw new OpenSLOError(`duplicate SLO ${JSON.stringify(imported.definition.sloId)}`, '');
    ids.add(imported.definition.sloId);
  }
  return out;
}

function windowDuration(days: number): string {
  if (Number.isInteger(days)) return days % 7 === 0 && days >= 7 ? `${days / 7}w` : `${days}d`;
  const hours = days * 24;
  if (Number.isInteger(hours)) return `${hours}h`;
  return `${Math.max(1, Math.round(hours * 60))}m`;
}

function sliceDuration(ms: number): string {
  if (ms % 3_600_000 === 0) return `${ms / 3_600_000}h`;
  return `${Math.max(1, Math.round(ms / 60_000))}m`;
}

/**
 * Writes an SLO as an OpenSLO v1 `kind: SLO` document with an inline ratioMetric
 * indicator. Timeslice windows are written in whole minutes (OpenSLO's smallest unit).
 */
export function toOpenSLO(slo: SLODefinition, options: OpenSLOExportOptions): string {
  const def = normalizeSLODefinition(slo);
  if (!isObj(options))
    throw new OpenSLOError(
      `options must be {totalQuery, goodQuery | badQuery}, got ${describeValue(options)}`,
      'options',
    );
  const totalQuery = str(options.totalQuery, 'options.totalQuery', 8192);
  const goodQuery = optStr(options.goodQuery, 'options.goodQuery', 8192);
  const badQuery = optStr(options.badQuery, 'options.badQuery', 8192);
  if ((goodQuery === undefined) === (badQuery === undefined))
    throw new OpenSLOError('give exactly one of goodQuery and badQuery', 'options');
  const type = optStr(options.metricSourceType, 'options.metricSourceType', 128) ?? 'Prometheus';
  const service = optStr(options.service, 'options.service', 256) ?? def.labels['service'] ?? def.sloId;
  const counter = options.counter ?? true;
  if (typeof counter !== 'boolean')
    throw new OpenSLOError(`must be a boolean, got ${describeValue(counter)}`, 'options.counter');
  const side = (query: string) => ({ metricSource: { type, spec: { query } } });
  const ratioMetric: Obj = { counter };
  if (goodQuery !== undefined) ratioMetric['good'] = side(goodQuery);
  else ratioMetric['bad'] = side(badQuery!);
  ratioMetric['total'] = side(totalQuery);
  const json = definitionToJSON(def);
  const labels = json['labels'] as Record<string, string>;
  const metadata: Obj = { name: def.sloId, displayName: def.name };
  if (Object.keys(labels).length > 0) metadata['labels'] = labels;
  const objective: Obj = { displayName: def.name, target: tidy(def.target / 100) };
  if (def.budgetingMethod === BudgetingMethod.TIMESLICES) {
    objective['timeSliceTarget'] = tidy((def.timeSliceTarget ?? def.target) / 100);
    objective['timeSliceWindow'] = sliceDuration(def.timeSliceWindowMs ?? 60_000);
  }
  const timeWindow = def.calendar
    ? {
        duration: def.calendar.unit === 'month' ? '1M' : '1w',
        isRolling: false,
        calendar: { startTime: '2020-01-01 00:00:00', timeZone: def.calendar.timeZone },
      }
    : { duration: windowDuration(def.windowDays), isRolling: true };
  const doc = {
    apiVersion: API_VERSION,
    kind: 'SLO',
    metadata,
    spec: {
      ...(def.description ? { description: def.description } : {}),
      service,
      indicator: { metadata: { name: `${def.sloId}-sli` }, spec: { ratioMetric } },
      timeWindow: [timeWindow],
      budgetingMethod: def.budgetingMethod === BudgetingMethod.TIMESLICES ? 'Timeslices' : 'Occurrences',
      objectives: [objective],
    },
  };
  return stringify(doc, { lineWidth: 0 });
}
