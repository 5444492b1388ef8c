import cluster from 'node:cluster';
import { createClusterAggregator, type ClusterAggregator } from '../cluster/ClusterAggregator';
import { aggregators, type Aggregator } from './aggregators';
import {
  PROMETHEUS_CONTENT_TYPE,
  Registry,
  globalRegistry,
  type MetricObjectJSON,
  type PrometheusContentType,
  type RegistryContentType,
} from './Registry';

// prom-client's message types: a primary using this module can aggregate workers that run prom-client, and back.
const GET_METRICS_REQ = 'prom-client:getMetricsReq';
const GET_METRICS_RES = 'prom-client:getMetricsRes';
const REQUEST_TIMEOUT_MS = 5000;

interface ResponseMessage {
  type: typeof GET_METRICS_RES;
  requestId: number;
  metrics?: MetricObjectJSON[][];
  error?: string;
}

let registries: Registry<RegistryContentType>[] = [globalRegistry as Registry<RegistryContentType>];
let nextRequestId = 0;
let listening = false;
/** The primary's worker tracking: the cluster aggregator of `@obs/metrics/cluster`, carrying prom-client's messages. */
let primary: ClusterAggregator | undefined;

function isResponse(message: unknown): message is ResponseMessage {
  return typeof message === 'object' && message !== null && (message as { type?: unknown }).type === GET_METRICS_RES;
}

/** Installs the primary's and the worker's IPC listeners once per process. */
function listen(): void {
  if (listening) return;
  listening = true;
  if (cluster.isPrimary) {
    primary = createClusterAggregator();
    primary.attachCluster();
  } else if (cluster.isWorker) {
    process.on('message', (message: unknown) => {
      if (typeof message !== 'object' || message === null || (message as { type?: unknown }).type !== GET_METRICS_REQ)
        return;
      const requestId = (message as { requestId: number }).requestId;
      Promise.all(registries.map((r) => r.getMetricsAsJSON())).then(
        (metrics) => process.send?.({ type: GET_METRICS_RES, requestId, metrics }),
        (error: unknown) =>
          process.send?.({
            type: GET_METRICS_RES,
            requestId,
            error: error instanceof Error ? error.message : String(error),
          }),
      );
    });
  }
}

/**
 * prom-client's `AggregatorRegistry` for node:cluster: on the primary,
 * `clusterMetrics()` asks every connected worker for its registries (prom-client's message
 * format, over the worker tracking of `@obs/metrics/cluster`'s `createClusterAggregator`) and aggregates them per metric with the
 * metric's `aggregator` (sum by default). Workers answer automatically once this module
 * is loaded and an AggregatorRegistry was created there (or `setRegistries` was called).
 */
export class AggregatorRegistry<T extends RegistryContentType = PrometheusContentType> extends Registry<T> {
  constructor(regContentType: T = PROMETHEUS_CONTENT_TYPE as T) {
    super(regContentType);
    listen();
  }

  /** The workers' metrics, aggregated, as text in this registry's content type ('' without workers). */
  async clusterMetrics(): Promise<string> {
    if (primary === undefined) return '';
    const requestId = nextRequestId++;
    const { asked, answers, timedOut } = await primary.ask(
      { type: GET_METRICS_REQ, requestId },
      (reply) => (isResponse(reply) && reply.requestId === requestId ? reply : undefined),
      { timeoutMs: REQUEST_TIMEOUT_MS },
    );
    if (asked === 0) return '';
    const failed = answers.find((a) => a.error !== undefined);
    if (failed) throw new Error(failed.error);
    if (timedOut > 0) throw new Error('Operation timed out.');
    const responses: MetricObjectJSON[][] = [];
    for (const answer of answers) for (const metrics of answer.metrics ?? []) responses.push(metrics);
    return AggregatorRegistry.aggregate<T>(responses, this.contentType).metrics();
  }

  /**
   * A registry of `metricsArr` (each from `registry.getMetricsAsJSON()`), every metric
   * aggregated by its `aggregator` (sum when missing).
   */
  static aggregate<T extends RegistryContentType = PrometheusContentType>(
    metricsArr: Array<object>,
    registryType: T = PROMETHEUS_CONTENT_TYPE as T,
  ): Registry<T> {
    const registry = new Registry<T>(registryType);
    const byName = new Map<string, MetricObjectJSON[]>();
    for (const metrics of metricsArr as MetricObjectJSON[][]) {
      for (const metric of metrics) {
        const group = byName.get(metric.name);
        if (group) group.push(metric);
        else byName.set(metric.name, [metric]);
      }
    }
    for (const metrics of byName.values()) {
      const name = (metrics[0]!.aggregator ?? 'sum') as Aggregator;
      const aggregate = Object.prototype.hasOwnProperty.call(aggregators, name) ? aggregators[name] : undefined;
      if (typeof aggregate !== 'function') throw new Error(`'${String(name)}' is not a defined aggregator.`);
      const aggregated = aggregate(metrics);
      if (aggregated) registry.registerMetric({ ...aggregated, get: () => aggregated });
    }
    return registry;
  }

  /** In a worker: the registries to report (default: the global registry). */
  static setRegistries(regs: Registry<RegistryContentType> | Registry<RegistryContentType>[]): void {
    const list = Array.isArray(regs) ? regs : [regs];
    for (const reg of list) {
      if (!(reg instanceof Registry)) throw new TypeError(`Expected Registry, got ${typeof reg}`);
    }
    registries = list;
  }
}
