import type { OtlpAttributeValue } from '@obs/core';
import type { CollectedSeries } from '../MetricsProducer';

/** How histograms and timers are exported. */
export type OtlpHistogramMode = 'exponential' | 'explicit';
/** OTLP aggregation temporality of Sums and Histograms. */
export type OtlpTemporality = 'cumulative' | 'delta';

/** What the OTLP metric encoders need besides the data. */
export interface OtlpMetricsEncoding {
  readonly resource: Readonly<Record<string, OtlpAttributeValue>>;
  readonly temporality: OtlpTemporality;
  readonly histogram: OtlpHistogramMode;
}

/** OTLP `AggregationTemporality`. */
export const TEMPORALITY = { delta: 1, cumulative: 2 } as const;

/** The instrumentation scope of every export. */
export const OTLP_METRICS_SCOPE = { name: '@obs/metrics', version: '0.0.0' } as const;

/** A series after the delta step may carry its own start time. */
export type ExportSeries = CollectedSeries & { readonly startTimestamp?: number };
