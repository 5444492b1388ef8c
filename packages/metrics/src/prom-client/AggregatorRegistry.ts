import cluster from 'node:cluster';
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

interface MetricsRequest {
  readonly responses: MetricObjectJSON[][];
  /** Workers asked and not yet answered, by worker id (a worker that exits stops being waited for). */
  readonly pending: Set<number>;
  readonly timer: NodeJS.Timeout;
  readonly finish: (err: Error | undefined) => void;
}

interface ResponseMessage {
  type: typeof GET_METRICS_RES;
  requestId: number;
  metrics?: MetricObjectJSON[][];
  error?: string;
}

let registries: Registry<RegistryContentType>[] = [globalRegistry as Registry<RegistryContentType>];
let nextRequestId = 0;
let listening = false;
const requests = new Map<number, MetricsRequest>();

function isResponse(message: unknown): message is ResponseMessage {
  return typeof message === 'object' && message !== null && (message as { type?: unknown }).type === GET_METRICS_RES;
}

function settle(requestId: number, err?: Error): void {
  const request = requests.get(requestId);
  if (request === undefined) return;
  requests.delete(requestId);
  clearTimeout(request.timer);
  request.finish(err);
}

/** Installs the primary's and the worker's IPC listeners once per process. */
function listen(): void {
  if (listening) return;
  listening = true;
  if (cluster.isPrimary) {
    cluster.on('message', (worker, message: unknown) => {
      if (!isResponse(message)) return;
      const request = requests.get(message.requestId);
      if (request === undefined || !request.pending.has(worker.id)) return;
      if (message.error !== undefined) {
        settle(message.requestId, new Error(message.error));
        return;
      }
      for (const metrics of message.metrics ?? []) request.responses.push(metrics);
      request.pending.delete(worker.id);
      if (request.pending.size === 0) settle(message.requestId);
    });
    cluster.on('exit', (worker) => {
      for (const [id, request] of requests) {
        if (request.pending.delete(worker.id) && request.pending.size === 0) settle(id);
      }
    });
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
 * `clusterMetrics()` asks every connected worker for its registries (over the cluster
 * IPC channel, prom-client's message format) and aggregates them per metric with the
 * metric's `aggregator` (sum by default). Workers answer automatically once this module
 * is loaded and an AggregatorRegistry was created there (or `setRegistries` was called).
 */
export class AggregatorRegistry<T extends RegistryContentType = PrometheusContentType> extends Registry<T> {
  constructor(regContentType: T = PROMETHEUS_CONTENT_TYPE as T) {
    super(regContentType);
    listen();
  }

  /** The workers' metrics, aggregated, as text in this registry's content type ('' without workers). */
  clusterMetrics(): Promise<string> {
    const requestId = nextRequestId++;
    return new Promise<string>((resolve, reject) => {
      const responses: MetricObjectJSON[][] = [];
      const pending = new Set<number>();
      const finish = (err: Error | undefined) => {
        if (err) reject(err);
        else {
          try {
            AggregatorRegistry.aggregate<T>(responses, this.contentType).metrics().then(resolve, reject);
          } catch (e) {
            reject(e as Error);
          }
        }
      };
      const timer = setTimeout(() => settle(requestId, new Error('Operation timed out.')), REQUEST_TIMEOUT_MS);
      requests.set(requestId, { responses, pending, timer, finish });
      for (const worker of Object.values(cluster.workers ?? {})) {
        if (worker === undefined || !worker.isConnected()) continue;
        pending.add(worker.id);
        worker.send({ type: GET_METRICS_REQ, requestId });
      }
      if (pending.size === 0) {
        requests.delete(requestId);
        clearTimeout(timer);
        process.nextTick(() => resolve(''));
      }
    });
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
