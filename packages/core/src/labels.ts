import { ObsValidationError, describeValue } from './ObsError';

/** A set of label name/value pairs. Order of keys never matters. */
export type Labels = Readonly<Record<string, string>>;

const LABEL_NAME = /^[a-zA-Z_][a-zA-Z0-9_]*$/;
const EMPTY: Labels = Object.freeze(Object.create(null) as Record<string, string>);

/** The empty label set (shared, frozen). */
export function emptyLabels(): Labels {
  return EMPTY;
}

/**
 * Whether `name` is a valid Prometheus label name. Names starting with `__` are
 * reserved by Prometheus for its own use but are syntactically valid, so
 * `__proto__` is accepted as an ordinary label (it lives in a prototype-free object).
 */
export function isValidLabelName(name: string): boolean {
  return LABEL_NAME.test(name);
}

/**
 * Checks a caller's label object and returns a frozen, prototype-free copy with
 * keys sorted, so `__proto__` or `constructor` are ordinary labels that pollute nothing.
 * Throws {@link ObsValidationError} for a non-object, a bad name or a non-string value.
 */
export function normalizeLabels(labels: unknown, maxLabels = 64): Labels {
  if (labels === undefined || labels === null) return EMPTY;
  if (typeof labels !== 'object' || Array.isArray(labels)) {
    throw new ObsValidationError('INVALID_LABELS', `labels must be an object of strings, got ${describeValue(labels)}`);
  }
  const keys = Object.keys(labels);
  if (keys.length === 0) return EMPTY;
  if (keys.length > maxLabels) {
    throw new ObsValidationError('TOO_MANY_LABELS', `at most ${maxLabels} labels are allowed, got ${keys.length}`);
  }
  keys.sort();
  const out = Object.create(null) as Record<string, string>;
  for (const key of keys) {
    if (!isValidLabelName(key)) {
      throw new ObsValidationError(
        'INVALID_LABEL_NAME',
        `invalid label name ${describeValue(key)}: must match [a-zA-Z_][a-zA-Z0-9_]*`,
      );
    }
    const value = (labels as Record<string, unknown>)[key];
    if (typeof value !== 'string') {
      throw new ObsValidationError('INVALID_LABEL_VALUE', `label ${key} must be a string, got ${describeValue(value)}`);
    }
    out[key] = value;
  }
  return Object.freeze(out);
}

/**
 * An unambiguous string key for a label set, independent of key order.
 * Values are JSON-escaped so `{a: 'x,b=y'}` and `{a: 'x', b: 'y'}` never collide.
 */
export function labelsKey(labels: Labels): string {
  let key = '';
  for (const name of Object.keys(labels).sort()) {
    key += name + '=' + JSON.stringify(labels[name]) + ',';
  }
  return key;
}
