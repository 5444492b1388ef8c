import type { TagValue, Tags } from '../Span';

/** Limits applied to tags and logs of one span. */
export interface AttributeLimits {
  readonly maxTags: number;
  readonly maxLogs: number;
  readonly maxValueLength: number;
  readonly maxKeyLength: number;
  readonly maxArrayLength: number;
  /** Told each time a string is truncated to `maxValueLength` (for a counter). */
  readonly onTruncate?: () => void;
}

function truncate(value: string, limits: AttributeLimits): string {
  if (value.length <= limits.maxValueLength) return value;
  limits.onTruncate?.();
  return value.slice(0, limits.maxValueLength);
}

/**
 * Checks a tag value and returns it (strings truncated to the limit, arrays
 * copied), or undefined when it is not a valid OTLP attribute value: a
 * non-finite number, a mixed or nested array, an object, a function.
 */
export function normalizeTagValue(value: unknown, limits: AttributeLimits): TagValue | undefined {
  switch (typeof value) {
    case 'string':
      return truncate(value, limits);
    case 'number':
      return Number.isFinite(value) ? value : undefined;
    case 'boolean':
      return value;
    case 'object':
      return Array.isArray(value) ? normalizeArray(value, limits) : undefined;
    default:
      return undefined;
  }
}

function normalizeArray(values: readonly unknown[], limits: AttributeLimits): TagValue | undefined {
  if (values.length > limits.maxArrayLength) return undefined;
  if (values.length === 0) return [] as string[];
  const kind = typeof values[0];
  if (kind !== 'string' && kind !== 'number' && kind !== 'boolean') return undefined;
  const out: unknown[] = [];
  for (const v of values) {
    if (typeof v !== kind) return undefined;
    if (kind === 'number' && !Number.isFinite(v)) return undefined;
    out.push(kind === 'string' ? truncate(v as string, limits) : v);
  }
  return out as TagValue;
}

/** Whether `key` is acceptable as a tag key. */
export function isValidTagKey(key: unknown, limits: AttributeLimits): key is string {
  return typeof key === 'string' && key.length > 0 && key.length <= limits.maxKeyLength;
}

/**
 * Copies `fields` into a prototype-free record, dropping invalid entries.
 * Returns the record and how many entries were dropped. Never throws, even
 * for hostile objects (getters that throw).
 */
export function normalizeFields(fields: unknown, limits: AttributeLimits): { tags: Tags; dropped: number } {
  const tags = Object.create(null) as Tags;
  let dropped = 0;
  if (fields === undefined || fields === null) return { tags, dropped };
  if (typeof fields !== 'object' || Array.isArray(fields)) return { tags, dropped: 1 };
  let count = 0;
  try {
    for (const key of Object.keys(fields)) {
      const value = normalizeTagValue((fields as Record<string, unknown>)[key], limits);
      if (value === undefined || !isValidTagKey(key, limits) || count >= limits.maxTags) {
        dropped++;
        continue;
      }
      tags[key] = value;
      count++;
    }
  } catch {
    dropped++;
  }
  return { tags, dropped };
}
