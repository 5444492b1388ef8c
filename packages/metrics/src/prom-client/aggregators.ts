import type { MetricObjectWithValues } from './Metric';
import type { RegistryValue } from './Registry';

/** How AggregatorRegistry combines one metric's values from several processes. */
export type Aggregator = 'omit' | 'sum' | 'first' | 'min' | 'max' | 'average';

type MetricObject = MetricObjectWithValues<RegistryValue>;
export type AggregatorFunction = (metrics: MetricObject[]) => MetricObject | undefined;

/** Values of the same sample name and label set (in any key order) are grouped. */
function groupKey(value: RegistryValue): string {
  const labels = value.labels ?? {};
  const names = Object.keys(labels).sort();
  return JSON.stringify([value.metricName ?? null, names.map((n) => [n, String(labels[n])])]);
}

/** Builds an aggregator from a function of the grouped values (prom-client's `AggregatorFactory`). */
export function AggregatorFactory(aggregate: (values: RegistryValue[]) => number): AggregatorFunction {
  return (metrics) => {
    if (metrics.length === 0) return undefined;
    const first = metrics[0]!;
    const groups = new Map<string, RegistryValue[]>();
    for (const metric of metrics) {
      for (const value of metric.values ?? []) {
        const key = groupKey(value);
        const group = groups.get(key);
        if (group) group.push(value);
        else groups.set(key, [value]);
      }
    }
    const values: RegistryValue[] = [];
    for (const group of groups.values()) {
      const value: RegistryValue = { value: aggregate(group), labels: group[0]!.labels ?? {} };
      if (group[0]!.metricName) value.metricName = group[0]!.metricName;
      values.push(value);
    }
    return { help: first.help, name: first.name, type: first.type, values, aggregator: first.aggregator };
  };
}

const sum = (values: RegistryValue[]) => values.reduce((acc, v) => acc + v.value, 0);

/** prom-client's aggregators, by name. */
export const aggregators: Record<Aggregator, AggregatorFunction> = {
  sum: AggregatorFactory(sum),
  first: AggregatorFactory((values) => values[0]!.value),
  omit: () => undefined,
  average: AggregatorFactory((values) => sum(values) / values.length),
  min: AggregatorFactory((values) => values.reduce((acc, v) => Math.min(acc, v.value), Infinity)),
  max: AggregatorFactory((values) => values.reduce((acc, v) => Math.max(acc, v.value), -Infinity)),
};
