import { describeValue, type Labels } from '@obs/core';
import { SLOValidationError } from '../errors';

/** Longest label value a group key accepts (longer values are refused with a typed error). */
export const MAX_GROUP_VALUE_LENGTH = 1024;

/**
 * The group of an event of an SLO grouped by `groupBy`: the values of those
 * labels, in `groupBy` order. A missing label counts as the empty string, as in
 * PromQL's `sum by (...)`. Returns the map key; throws on a non-string or an
 * over-long value so a bad label cannot create a group.
 */
export function groupKey(groupBy: readonly string[], labels: unknown): string {
  if (labels === undefined || labels === null) return groupBy.length === 1 ? '' : '\u0000'.repeat(groupBy.length - 1);
  if (typeof labels !== 'object') {
    throw new SLOValidationError('INVALID_LABELS', `labels must be an object of strings, got ${describeValue(labels)}`);
  }
  let key = '';
  for (let i = 0; i < groupBy.length; i++) {
    const name = groupBy[i]!;
    const value = Object.prototype.hasOwnProperty.call(labels, name) ? (labels as Record<string, unknown>)[name] : '';
    if (typeof value !== 'string' || value.length > MAX_GROUP_VALUE_LENGTH) {
      throw new SLOValidationError(
        'INVALID_LABELS',
        `label ${JSON.stringify(name)} must be a string of at most ${MAX_GROUP_VALUE_LENGTH} characters, got ${describeValue(value)}`,
      );
    }
    key = i === 0 ? value : key + '\u0000' + value;
  }
  return key;
}

/** The labels of a group from its key (the inverse of {@link groupKey}), frozen. */
export function groupLabels(groupBy: readonly string[], key: string): Labels {
  const values = groupBy.length === 1 ? [key] : key.split('\u0000');
  const out: Record<string, string> = {};
  groupBy.forEach((name, i) => Object.defineProperty(out, name, { value: values[i] ?? '', enumerable: true }));
  return Object.freeze(out) as Labels;
}
