/** A value refused while restoring, with where it was (a JSON path such as `alerts.active[3].value`). */
export interface RefusedValue {
  readonly path: string;
  readonly value: string;
}

/** At most this many refused values are listed (all are removed). */
const MAX_LISTED = 20;

/**
 * Copies a part of a snapshot without numbers whose magnitude exceeds
 * `maxAbs`: an object field with such a value is left out, an array element is
 * dropped. The component's own validation then decides about what remains, so
 * one absurd value (1e308) costs that field, not the whole part. Depth is
 * bounded (a JSON file cannot nest deeper than its parser allowed anyway).
 */
export function sanitizeState(
  value: unknown,
  maxAbs: number,
): { value: unknown; refused: RefusedValue[]; refusedCount: number } {
  const refused: RefusedValue[] = [];
  let refusedCount = 0;
  const outOfRange = (v: unknown): boolean => typeof v === 'number' && !(Math.abs(v) <= maxAbs);
  const note = (path: string, v: unknown) => {
    refusedCount++;
    if (refused.length < MAX_LISTED) refused.push({ path, value: String(v) });
  };
  const walk = (v: unknown, path: string): unknown => {
    if (Array.isArray(v)) {
      const out: unknown[] = [];
      v.forEach((item, i) => {
        if (outOfRange(item)) note(`${path}[${i}]`, item);
        else out.push(walk(item, `${path}[${i}]`));
      });
      return out;
    }
    if (v !== null && typeof v === 'object') {
      const out: Record<string, unknown> = {};
      for (const [key, item] of Object.entries(v)) {
        const at = path ? `${path}.${key}` : key;
        if (outOfRange(item)) note(at, item);
        // defineProperty keeps a key such as __proto__ a plain own field (as JSON.parse made it), for the component to judge.
        else
          Object.defineProperty(out, key, {
            value: walk(item, at),
            enumerable: true,
            writable: true,
            configurable: true,
          });
      }
      return out;
    }
    return v;
  };
  return { value: outOfRange(value) ? undefined : walk(value, ''), refused, refusedCount };
}
