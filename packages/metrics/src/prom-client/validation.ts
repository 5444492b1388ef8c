import { format, inspect } from 'node:util';

// The Prometheus data model's name rules, as prom-client checks them.
const METRIC_NAME = /^[a-zA-Z_:][a-zA-Z0-9_:]*$/;
const LABEL_NAME = /^[a-zA-Z_][a-zA-Z0-9_]*$/;

/** True when `name` is a valid Prometheus metric name (prom-client's `validateMetricName`). */
export function validateMetricName(name: string): boolean {
  return METRIC_NAME.test(name);
}

export function validateLabelNames(names: readonly unknown[] = []): boolean {
  return names.every((name) => typeof name === 'string' && LABEL_NAME.test(name));
}

/** The error prom-client throws for a label that is not among the metric's label names (same text). */
export function unknownLabelError(label: string, labelNames: readonly string[]): Error {
  return new Error(`Added label "${label}" is not included in initial labelset: ${inspect(labelNames)}`);
}

/** Throws prom-client's error if `labels` has a name outside `labelNames`. */
export function validateLabels(labelNames: readonly string[], labels: object): void {
  for (const label in labels) {
    if (!labelNames.includes(label)) throw unknownLabelError(label, labelNames);
  }
}

export function invalidValueError(value: unknown, what = 'Value'): TypeError {
  return new TypeError(`${what} is not a valid number: ${format(value)}`);
}

export function labelCountError(args: readonly unknown[], labelNames: readonly string[]): Error {
  return new Error(
    `Invalid number of arguments (${args.length}): "${args.join(', ')}" for label names (${labelNames.length}): "${labelNames.join(', ')}".`,
  );
}

export function isObject(value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === 'object';
}
