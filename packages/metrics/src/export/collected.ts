/**
 * The shape the exporters read: the public read-only producer (`collect()`) that
 * `@obs/metrics` is gaining. Declared here structurally until it lands, so the
 * exporters accept any producer of this shape (a collector, a cluster aggregator).
 */
import type { Labels } from '@obs/core';
import type { MetricType } from '../MetricType';

export interface MetricsProducer {
  collect(): CollectedMetrics;
}

export interface CollectedMetrics {
  readonly timestamp: number;
  readonly families: readonly CollectedFamily[];
}

export interface CollectedFamily {
  readonly name: string;
  readonly type: MetricType;
  readonly help: string;
  readonly unit: string;
  readonly bounds?: readonly number[];
  readonly startTimestamp?: number;
  readonly series: readonly CollectedSeries[];
}

export interface CollectedSeries {
  readonly labels: Labels;
  readonly labelText?: string;
  readonly timestamp: number;
  readonly value?: number;
  readonly histogram?: CollectedHistogram;
  readonly bucketCounts?: readonly number[];
}

export interface CollectedHistogram {
  readonly scale: number;
  readonly count: number;
  readonly sum: number;
  readonly min: number | null;
  readonly max: number | null;
  readonly zeroCount: number;
  readonly positive: { readonly offset: number; readonly counts: readonly number[] };
  readonly negative: { readonly offset: number; readonly counts: readonly number[] };
}
