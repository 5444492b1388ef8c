/** The kinds of metric. `SUMMARY` is part of the contract but the collector never creates one itself. */
export const MetricType = {
  COUNTER: 'counter',
  GAUGE: 'gauge',
  HISTOGRAM: 'histogram',
  SUMMARY: 'summary',
  TIMER: 'timer',
} as const;

export type MetricType = (typeof MetricType)[keyof typeof MetricType];
