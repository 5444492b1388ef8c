/**
 * A prom-client 15 compatible API backed by @obs/metrics:
 * `require('@obs/metrics/prom-client')` where you had `require('prom-client')`.
 */
import { AggregatorRegistry } from './AggregatorRegistry';
import { AggregatorFactory, aggregators } from './aggregators';
import { exponentialBuckets, linearBuckets } from './bucketGenerators';
import { collectDefaultMetrics } from './defaultMetrics';
import { Counter } from './Counter';
import { Gauge } from './Gauge';
import { Histogram } from './Histogram';
import { Pushgateway } from './Pushgateway';
import { OPENMETRICS_CONTENT_TYPE, PROMETHEUS_CONTENT_TYPE, Registry, globalRegistry } from './Registry';
import { Summary } from './Summary';
import { validateMetricName } from './validation';

export {
  Counter,
  Gauge,
  Histogram,
  Summary,
  Registry,
  Pushgateway,
  AggregatorRegistry,
  AggregatorFactory,
  aggregators,
};
export { linearBuckets, exponentialBuckets, collectDefaultMetrics, validateMetricName };
export type { CounterConfiguration, IncreaseDataWithExemplar } from './Counter';
export type { GaugeConfiguration } from './Gauge';
export type { HistogramConfiguration, ObserveDataWithExemplar } from './Histogram';
export type { SummaryConfiguration } from './Summary';
export type {
  MetricConfiguration,
  LabelValues,
  CollectFunction,
  MetricValue,
  MetricValueWithName,
  MetricObjectWithValues,
} from './Metric';
export type { Aggregator, AggregatorFunction } from './aggregators';
export type {
  PrometheusContentType,
  OpenMetricsContentType,
  RegistryContentType,
  RegistrableMetric,
  MetricObjectJSON,
} from './Registry';
export type { PushgatewayParameters, PushgatewayOptions, PushgatewayResult } from './Pushgateway';
export type { DefaultMetricsCollectorConfiguration } from './defaultMetrics';

/** The global registry metrics register with unless `registers` says otherwise. */
export const register: Registry = globalRegistry;
export const prometheusContentType = PROMETHEUS_CONTENT_TYPE;
export const openMetricsContentType = OPENMETRICS_CONTENT_TYPE;
/** The global registry's content type when this module was loaded; `register.contentType` is always current. */
export const contentType = globalRegistry.contentType;

/** Any metric of this module. */
export type Metric<T extends string = string> = Counter<T> | Gauge<T> | Summary<T> | Histogram<T>;

/** prom-client's MetricType enum. */
export enum MetricType {
  Counter,
  Gauge,
  Histogram,
  Summary,
}

const client = {
  register,
  Registry,
  get contentType() {
    return globalRegistry.contentType;
  },
  set contentType(value) {
    globalRegistry.setContentType(value);
  },
  prometheusContentType,
  openMetricsContentType,
  validateMetricName,
  Counter,
  Gauge,
  Histogram,
  Summary,
  Pushgateway,
  linearBuckets,
  exponentialBuckets,
  collectDefaultMetrics,
  aggregators,
  AggregatorFactory,
  AggregatorRegistry,
  MetricType,
};

/** The whole API as one object, for `import client from '@obs/metrics/prom-client'`. */
export default client;
