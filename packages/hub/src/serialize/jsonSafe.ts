export interface JsonSafeLimits {
  readonly maxDepth: number;
  readonly maxStringLength: number;
  readonly maxArrayLength: number;
  readonly maxKeys: number;
}

export const DEFAULT_JSON_LIMITS: JsonSafeLimits = {
  maxDepth: 8,
  maxStringLength: 4096,
  maxArrayLength: 1000,
  maxKeys: 200,
};

/**
 * A plain-JSON copy of any value, so what the hub serves round-trips through
 * JSON unchanged: non-finite numbers become null, functions and undefined
 * properties disappear, cycles and too-deep nesting become markers, and long
 * strings and arrays are cut. Objects are copied as plain objects (own
 * enumerable string keys), so `__proto__` stays an ordinary key.
 */
export function jsonSafe(value: unknown, limits: JsonSafeLimits = DEFAULT_JSON_LIMITS): unknown {
  return copy(value, limits, 0, new Set());
}

function copy(value: unknown, limits: JsonSafeLimits, depth: number, seen: Set<object>): unknown {
  switch (typeof value) {
    case 'number':
      return Number.isFinite(value) ? (Object.is(value, -0) ? 0 : value) : null;
    case 'string':
      return value.length > limits.maxStringLength ? value.slice(0, limits.maxStringLength) + '…' : value;
    case 'boolean':
      return value;
    case 'bigint':
      return value.toString();
    case 'object':
      break;
    default:
      return undefined;
  }
  if (value === null) return null;
  if (seen.has(value)) return '[circular]';
  if (depth >= limits.maxDepth) return '[too deep]';
  if (value instanceof Date) return Number.isFinite(value.getTime()) ? value.toISOString() : null;
  if (value instanceof Error) return { name: value.name, message: value.message };
  seen.add(value);
  try {
    if (Array.isArray(value)) {
      const out: unknown[] = [];
      const n = Math.min(value.length, limits.maxArrayLength);
      for (let i = 0; i < n; i++) {
        const item = copy(value[i], limits, depth + 1, seen);
        out.push(item === undefined ? null : item);
      }
      return out;
    }
    if (value instanceof Map || value instanceof Set) return copy([...value], limits, depth, seen);
    const out: Record<string, unknown> = {};
    let keys = 0;
    for (const key of Object.keys(value)) {
      if (keys++ >= limits.maxKeys) break;
      const item = copy((value as Record<string, unknown>)[key], limits, depth + 1, seen);
      if (item !== undefined)
        Object.defineProperty(out, key, { value: item, enumerable: true, writable: true, configurable: true });
    }
    return out;
  } finally {
    seen.delete(value);
  }
}
