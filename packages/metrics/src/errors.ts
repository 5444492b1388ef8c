import { ObsValidationError } from '@obs/core';

/** Base class of every error @obs/metrics throws on purpose (a rejected call changes nothing). */
export class MetricsError extends ObsValidationError {
  override readonly name: string = 'MetricsError';
}

/** A metric name that does not match the Prometheus rule `[a-zA-Z_:][a-zA-Z0-9_:]*`. */
export class InvalidMetricNameError extends MetricsError {
  override readonly name: string = 'InvalidMetricNameError';
  constructor(message: string) {
    super('INVALID_METRIC_NAME', message);
  }
}

/** A label set that is not an object of valid label names to string values. */
export class InvalidLabelsError extends MetricsError {
  override readonly name: string = 'InvalidLabelsError';
  constructor(code: string, message: string) {
    super(code, message);
  }
}

/** A value that is not acceptable: NaN, ±Infinity, a non-number, a negative counter increment, an overflow. */
export class InvalidValueError extends MetricsError {
  override readonly name: string = 'InvalidValueError';
  constructor(message: string) {
    super('INVALID_VALUE', message);
  }
}

/** A metric name reused with a different type (or incompatible bucket bounds). */
export class MetricTypeConflictError extends MetricsError {
  override readonly name: string = 'MetricTypeConflictError';
  constructor(message: string) {
    super('METRIC_TYPE_CONFLICT', message);
  }
}

/** The collector already holds `maxMetrics` metric names. */
export class MetricLimitError extends MetricsError {
  override readonly name: string = 'MetricLimitError';
  constructor(message: string) {
    super('METRIC_LIMIT', message);
  }
}

/** A configuration value out of range. */
export class InvalidConfigError extends MetricsError {
  override readonly name: string = 'InvalidConfigError';
  constructor(message: string) {
    super('INVALID_CONFIG', message);
  }
}

/** A snapshot that cannot be restored; the collector or sketch is left untouched. */
export class InvalidSnapshotError extends MetricsError {
  override readonly name: string = 'InvalidSnapshotError';
  constructor(message: string) {
    super('INVALID_SNAPSHOT', message);
  }
}
