import { describeValue } from '@obs/core';
import { InvalidMetricNameError } from './errors';

const METRIC_NAME = /^[a-zA-Z_:][a-zA-Z0-9_:]*$/;
const MAX_NAME_LENGTH = 512;

/** Whether `name` is a valid Prometheus metric name. */
export function isValidMetricName(name: unknown): name is string {
  return typeof name === 'string' && name.length <= MAX_NAME_LENGTH && METRIC_NAME.test(name);
}

/** Returns `name` or throws {@link InvalidMetricNameError}. */
export function validateMetricName(name: unknown): string {
  if (!isValidMetricName(name)) {
    throw new InvalidMetricNameError(
      `invalid metric name ${describeValue(name)}: must match [a-zA-Z_:][a-zA-Z0-9_:]* (at most ${MAX_NAME_LENGTH} characters)`,
    );
  }
  return name;
}
