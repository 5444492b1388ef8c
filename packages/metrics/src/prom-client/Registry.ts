import {
  braces,
  escapeText,
  exemplarText,
  labelPairs,
  valueText,
  type Exemplar,
  type RenderContext,
} from './internal/format';
import type { Aggregator } from './aggregators';
import type { MetricObjectWithValues } from './Metric';
import type { Counter } from './Counter';
import type { Gauge } from './Gauge';
import type { Histogram } from './Histogram';
import type { Summary } from './Summary';

type Metric<T extends string> = Counter<T> | Gauge<T> | Summary<T> | Histogram<T>;

export const PROMETHEUS_CONTENT_TYPE = 'text/plain; version=0.0.4; charset=utf-8' as const;
export const OPENMETRICS_CONTENT_TYPE = 'application/openmetrics-text; version=1.0.0; charset=utf-8' as const;
export type PrometheusContentType = typeof PROMETHEUS_CONTENT_TYPE;
export type OpenMetricsContentType = typeof OPENMETRICS_CONTENT_TYPE;
export type RegistryContentType = PrometheusContentType | OpenMetricsContentType;

/** One value of a metric object as `get()` returns it (prom-client's shape). */
export interface RegistryValue {
  value: number;
  labels?: Record<string, unknown>;
  metricName?: string;
  sharedLabels?: Record<string, unknown>;
  exemplar?: Exemplar | null;
}

/**
 * Anything a registry can hold: the metrics of this module, or a plain object with
 * `name` and `get()` (as prom-client's AggregatorRegistry builds).
 */
export interface RegistrableMetric {
  readonly name: string;
  readonly type?: string;
  get(): Promise<MetricObjectWithValues<RegistryValue>> | MetricObjectWithValues<RegistryValue>;
  reset?(): void;
  /** @internal Fast path of this module's metrics. */
  renderText?(ctx: RenderContext): string;
  /** @internal */
  runCollect?(): void | Promise<void>;
}

/** A metric object of `getMetricsAsJSON()`. */
export interface MetricObjectJSON extends MetricObjectWithValues<RegistryValue> {
  aggregator: Aggregator;
}

/**
 * prom-client's `Registry`: holds metrics by name, renders them as Prometheus text 0.0.4
 * or OpenMetrics 1.0 (same text as prom-client), with default labels.
 */
export class Registry<BoundRegistryContentType extends RegistryContentType = PrometheusContentType> {
  static get PROMETHEUS_CONTENT_TYPE(): PrometheusContentType {
    return PROMETHEUS_CONTENT_TYPE;
  }

  static get OPENMETRICS_CONTENT_TYPE(): OpenMetricsContentType {
    return OPENMETRICS_CONTENT_TYPE;
  }

  private metricsByName = new Map<string, RegistrableMetric>();
  private defaultLabels: Record<string, unknown> = {};
  private type: RegistryContentType;

  constructor(regContentType: BoundRegistryContentType = PROMETHEUS_CONTENT_TYPE as BoundRegistryContentType) {
    if (regContentType !== PROMETHEUS_CONTENT_TYPE && regContentType !== OPENMETRICS_CONTENT_TYPE) {
      throw new TypeError(`Content type ${String(regContentType)} is unsupported`);
    }
    this.type = regContentType;
  }

  get contentType(): BoundRegistryContentType {
    return this.type as BoundRegistryContentType;
  }

  setContentType(contentType: BoundRegistryContentType): void {
    if (contentType !== PROMETHEUS_CONTENT_TYPE && contentType !== OPENMETRICS_CONTENT_TYPE) {
      throw new Error(`Content type ${String(contentType)} is unsupported`);
    }
    this.type = contentType;
  }

  getMetricsAsArray(): RegistrableMetric[] {
    return [...this.metricsByName.values()];
  }

  /** The whole registry as text in its content type. */
  async metrics(): Promise<string> {
    const openMetrics = this.type === OPENMETRICS_CONTENT_TYPE;
    const ctx = this.context();
    // Each metric is collected and rendered in turn (as prom-client captures each metric's
    // values right after its collect); only asynchronous ones cost a promise.
    const parts: (string | Promise<string>)[] = [];
    let pending = false;
    for (const metric of this.metricsByName.values()) {
      const part = this.metricTextNow(metric, ctx);
      if (typeof part !== 'string') pending = true;
      parts.push(part);
    }
    const texts = pending ? await Promise.all(parts) : (parts as string[]);
    return openMetrics ? `${texts.join('\n')}\n# EOF\n` : `${texts.join('\n\n')}\n`;
  }

  /** One metric's text (no trailing line feed), as prom-client's `getMetricsAsString`. */
  async getMetricsAsString(metric: RegistrableMetric): Promise<string> {
    return this.metricText(metric);
  }

  registerMetric(metric: RegistrableMetric): void {
    const existing = this.metricsByName.get(metric.name);
    if (existing !== undefined && existing !== metric) {
      throw new Error(`A metric with the name ${metric.name} has already been registered.`);
    }
    this.metricsByName.set(metric.name, metric);
  }

  /** Forgets every metric and the default labels (the metric objects keep working). */
  clear(): void {
    this.metricsByName = new Map();
    this.defaultLabels = {};
  }

  async getMetricsAsJSON(): Promise<MetricObjectJSON[]> {
    const defaultNames = Object.keys(this.defaultLabels);
    const items = (await Promise.all(this.getMetricsAsArray().map((metric) => metric.get()))) as MetricObjectJSON[];
    if (defaultNames.length > 0) {
      for (const item of items) {
        for (const value of item.values ?? []) {
          const labels: Record<string, unknown> = Object.assign({}, value.labels);
          for (const name of defaultNames) labels[name] = labels[name] || this.defaultLabels[name];
          value.labels = labels;
        }
      }
    }
    return items;
  }

  removeSingleMetric(name: string): void {
    this.metricsByName.delete(name);
  }

  getSingleMetricAsString(name: string): Promise<string> {
    const metric = this.metricsByName.get(name);
    // prom-client rejects here too (it reads properties of undefined).
    if (metric === undefined)
      return Promise.reject(new TypeError(`Cannot read properties of undefined (reading 'get')`));
    return this.metricText(metric);
  }

  getSingleMetric<T extends string>(name: string): Metric<T> | undefined {
    return this.metricsByName.get(name) as Metric<T> | undefined;
  }

  setDefaultLabels(labels: object): void {
    this.defaultLabels = { ...(labels as Record<string, unknown>) };
  }

  resetMetrics(): void {
    for (const metric of this.metricsByName.values()) metric.reset?.();
  }

  /** A registry holding the metrics of all `registers` (which must share one content type). */
  static merge(registers: Registry<RegistryContentType>[]): Registry<RegistryContentType> {
    const type = registers[0]!.contentType;
    for (const registry of registers) {
      if (registry.contentType !== type)
        throw new Error('Registers can only be merged if they have the same content type');
    }
    const merged = new Registry<RegistryContentType>(type);
    for (const registry of registers) for (const metric of registry.getMetricsAsArray()) merged.registerMetric(metric);
    return merged;
  }

  private context(): RenderContext {
    return {
      openMetrics: this.type === OPENMETRICS_CONTENT_TYPE,
      defaults: Object.keys(this.defaultLabels).length > 0 ? this.defaultLabels : undefined,
    };
  }

  private metricText(metric: RegistrableMetric, ctx: RenderContext = this.context()): Promise<string> {
    return Promise.resolve(this.metricTextNow(metric, ctx));
  }

  /** The text now, or a promise of it when the metric's collect (or a foreign `get()`) is async. */
  private metricTextNow(metric: RegistrableMetric, ctx: RenderContext): string | Promise<string> {
    if (typeof metric.renderText === 'function' && typeof metric.runCollect === 'function') {
      const collecting = metric.runCollect();
      return collecting === undefined ? metric.renderText(ctx) : collecting.then(() => metric.renderText!(ctx));
    }
    const obj = metric.get();
    return obj instanceof Promise
      ? obj.then((o) => renderObject(o, ctx))
      : renderObject(obj as MetricObjectWithValues<RegistryValue>, ctx);
  }
}

/** Renders a metric object of prom-client's `get()` shape (for metrics that are not this module's). */
export function renderObject(metric: MetricObjectWithValues<RegistryValue>, ctx: RenderContext): string {
  const openMetrics = ctx.openMetrics;
  const counter = metric.type === 'counter';
  const name = openMetrics && counter ? escapeText(metric.name).replace(/_total$/, '') : escapeText(metric.name);
  const lines = [`# HELP ${name} ${escapeText(metric.help)}`, `# TYPE ${name} ${metric.type}`];
  for (const value of metric.values ?? []) {
    let sample = value.metricName ?? name;
    if (openMetrics && counter) sample += '_total';
    let labels: Record<string, unknown> = value.labels ?? {};
    const shared = value.sharedLabels ?? {};
    if (ctx.defaults !== undefined) labels = { ...labels, ...ctx.defaults, ...labels };
    let line =
      sample +
      braces(labelPairs(labels, shared).join(','), labelPairs(shared).join(',')) +
      ' ' +
      valueText(value.value, openMetrics);
    if (openMetrics && value.exemplar) line += exemplarText(value.exemplar);
    lines.push(line);
  }
  return lines.join('\n');
}

/** The registry metrics register with by default. */
export const globalRegistry: Registry = new Registry();
