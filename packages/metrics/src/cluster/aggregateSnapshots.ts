import { describeValue, isValidLabelName } from '@obs/core';
import { InvalidConfigError } from '../errors';
import { MetricsCollector } from '../MetricsCollector';
import type { CollectedMetrics } from '../MetricsProducer';
import type { MetricsSnapshot } from '../snapshot';
import { ClusterState, GAUGE_POLICIES, type GaugePolicy, type MergeReport } from './ClusterState';
import { indexWire } from './indexSnapshot';
import { collectedToSnapshot } from './collectedToSnapshot';
import { snapshotToWire, type ClusterWire } from './wire';

export interface AggregateSnapshotsOptions {
  /** As in {@link ClusterAggregatorConfig}: default `'per-worker'`. */
  readonly gaugePolicy?: GaugePolicy;
  readonly gaugePolicies?: Readonly<Record<string, GaugePolicy>>;
  readonly workerLabel?: string;
  /** The `worker` label value of each state (default its index). */
  readonly workerIds?: readonly string[];
  readonly maxSeriesPerMetric?: number;
  readonly maxMetrics?: number;
}

export interface AggregatedSnapshots {
  /** The merged state, as `collect()` returns it: give it to `serialize()` as `{ collect: () => collected }`. */
  readonly collected: CollectedMetrics;
  /** The merged state as a snapshot (built on first access). */
  readonly snapshot: MetricsSnapshot;
  /** A collector holding it (built on first access with `mergeFrom()`): read stats across the states. */
  readonly collector: MetricsCollector;
  readonly report: MergeReport & { readonly rejected: number };
}

/**
 * Merges collector states received by other means (files, HTTP, a message bus), as snapshots
 * or in the compact form of `toClusterWire(collector.collect())`, with
 * the aggregator's rules, in one call: counters summed, sketches and classic buckets
 * merged exactly, gauges by policy. Malformed metrics and series are skipped and counted
 * in `report.rejected`; nothing throws for bad input but a bad configuration.
 */
export function aggregateSnapshots(
  states: readonly (MetricsSnapshot | ClusterWire)[],
  options: AggregateSnapshotsOptions = {},
): AggregatedSnapshots {
  if (!Array.isArray(states)) throw new InvalidConfigError('aggregateSnapshots() takes an array of snapshots');
  const fallback = options.gaugePolicy ?? 'per-worker';
  const policies = options.gaugePolicies ?? {};
  for (const p of [fallback, ...Object.values(policies)]) {
    if (!GAUGE_POLICIES.includes(p))
      throw new InvalidConfigError(`gauge policy must be one of ${GAUGE_POLICIES.join(', ')}, got ${describeValue(p)}`);
  }
  const workerLabel = options.workerLabel ?? 'worker';
  if (!isValidLabelName(workerLabel) || workerLabel === 'le')
    throw new InvalidConfigError(`workerLabel must be a label name, got ${describeValue(workerLabel)}`);
  const limits = { maxSeriesPerMetric: options.maxSeriesPerMetric ?? 10_000, maxMetrics: options.maxMetrics ?? 10_000 };
  const state = new ClusterState({
    ...limits,
    workerLabel,
    policyOf: (name) => (Object.hasOwn(policies, name) ? policies[name]! : fallback),
  });
  let rejected = 0;
  states.forEach((s, i) => {
    if (typeof s !== 'object' || s === null) {
      rejected++;
      return;
    }
    let wire: unknown = s;
    if ((s as { wire?: unknown }).wire !== 1) {
      const snap = s as MetricsSnapshot;
      if (snap.version !== 1 || !Array.isArray(snap.metrics)) {
        rejected++;
        return;
      }
      const converted = snapshotToWire(snap);
      rejected += converted.rejected;
      wire = converted.wire;
    }
    const indexed = indexWire(wire, limits, 0);
    rejected += indexed.rejected;
    state.ingest(`s${i}`, options.workerIds?.[i] ?? String(i), indexed.index);
  });
  const { collected, report } = state.merge(Date.now());
  let collector: MetricsCollector | undefined;
  let snapshot: MetricsSnapshot | undefined;
  return {
    collected,
    report: { ...report, rejected },
    get snapshot() {
      return (snapshot ??= collectedToSnapshot(collected));
    },
    get collector() {
      return (collector ??= collectorOf(collected, limits));
    },
  };
}

/** A fresh collector holding merged state (limits as the merge's). */
export function collectorOf(
  collected: CollectedMetrics,
  limits: { maxSeriesPerMetric: number; maxMetrics: number },
): MetricsCollector {
  const collector = new MetricsCollector(limits);
  collector.mergeFrom(collected);
  return collector;
}
