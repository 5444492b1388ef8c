import {
  ObsValidationError,
  describeValue,
  emptyLabels,
  normalizeLabels,
  type InvalidOption,
  type Labels,
} from '@obs/core';
import { InvalidConfigError, InvalidLabelsError, InvalidValueError } from '../errors';
import { MetricType } from '../MetricType';

/** Option errors of this package: `InvalidConfigError`. */
export const invalidConfig: InvalidOption = (message) => new InvalidConfigError(message);

export function isHistogramType(type: MetricType): boolean {
  return type === MetricType.HISTOGRAM || type === MetricType.TIMER;
}

export function badValue(type: MetricType, value: unknown): InvalidValueError {
  if (type === MetricType.COUNTER && typeof value === 'number' && value < 0 && value !== -Infinity) {
    return new InvalidValueError(`a counter can only increase; got increment ${value}`);
  }
  return new InvalidValueError(`${type} value must be a finite number, got ${describeValue(value)}`);
}

/** Throws unless `value` is a finite number (and >= 0 for a counter). */
export function checkValue(type: MetricType, value: unknown): asserts value is number {
  if (typeof value !== 'number' || value - value !== 0 || (type === MetricType.COUNTER && value < 0))
    throw badValue(type, value);
}

export function checkWindow(windowSeconds: unknown): number {
  if (typeof windowSeconds !== 'number' || !(windowSeconds > 0) || windowSeconds === Infinity) {
    throw new InvalidValueError(`windowSeconds must be a positive finite number, got ${describeValue(windowSeconds)}`);
  }
  return windowSeconds;
}

/** A validated, prototype-free copy of `labels` for a metric of `type`. */
export function normalizeFor(labels: unknown, type: MetricType): Labels {
  if (labels === undefined || labels === null) return emptyLabels();
  let normalized: Labels;
  try {
    normalized = normalizeLabels(labels);
  } catch (err) {
    if (err instanceof ObsValidationError) throw new InvalidLabelsError(err.code, err.message);
    throw err;
  }
  if (isHistogramType(type) && 'le' in normalized) {
    throw new InvalidLabelsError('RESERVED_LABEL_NAME', 'label name "le" is reserved for histogram buckets');
  }
  return normalized;
}

/** `value` cut to at most `max` UTF-16 code units, never splitting a surrogate pair. */
export function truncateLabelValue(value: string, max: number): string {
  if (value.length <= max) return value;
  let end = max;
  const last = value.charCodeAt(end - 1);
  if (last >= 0xd800 && last <= 0xdbff) end--; // a high surrogate whose pair would be cut off
  return value.slice(0, end);
}

/**
 * Normalized labels with every value longer than `max` truncated: the same object when
 * none is too long (the common case costs one length check per label).
 */
export function limitLabelValues(labels: Labels, max: number): Labels {
  let out: Record<string, string> | undefined;
  for (const name in labels) {
    const value = labels[name]!;
    if (value.length > max) {
      out ??= Object.assign(Object.create(null) as Record<string, string>, labels);
      out[name] = truncateLabelValue(value, max);
    }
  }
  return out === undefined ? labels : Object.freeze(out);
}
