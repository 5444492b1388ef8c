import type { Labels } from '@obs/core';
import type { MetricType } from './MetricType';

/** One recorded (or retained) value of a series. */
export interface MetricPoint {
  readonly name: string;
  readonly value: number;
  readonly metricType: MetricType;
  /** Epoch milliseconds. */
  readonly timestamp: number;
  readonly labels: Labels;
  /** Unit given with `describe()` (timers default to `'ms'`), else `''`. */
  readonly unit: string;
}
