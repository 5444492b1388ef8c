import type { Labels } from '@obs/core';

/** Escapes a label value for both text formats: backslash, double quote and line feed. */
export function escapeLabelValue(value: string): string {
  if (!NEEDS_ESCAPE.test(value)) return value;
  return value.replace(ESCAPE_CHARS, (c) => (c === '\n' ? '\\n' : '\\' + c));
}
const NEEDS_ESCAPE = /[\\"\n]/;
const ESCAPE_CHARS = /[\\"\n]/g;

/**
 * The canonical identity of a label set: `a="x",b="y"` with names sorted and values
 * escaped. It is unambiguous (escaping keeps `",` inside values apart from the
 * separators), independent of key order, and it is also the exposition text between
 * the braces, so each series stores one string that serves both purposes.
 * `labels` must already be normalized (valid names, string values).
 */
export function labelKey(labels: Labels): string {
  const names = Object.keys(labels).sort();
  const parts: string[] = [];
  for (let i = 0; i < names.length; i++) {
    const name = names[i]!;
    if (i > 0) parts.push(',');
    parts.push(name, '="', escapeLabelValue(labels[name]!), '"');
  }
  // join() builds one flat string; `+=` would keep a rope of cons cells alive beside the flattened copy.
  return parts.join('');
}

/** Inverse of {@link labelKey}: a frozen prototype-free label object. */
export function parseLabelKey(key: string): Labels {
  const out = Object.create(null) as Record<string, string>;
  let i = 0;
  let backslash = key.indexOf('\\');
  while (i < key.length) {
    const eq = key.indexOf('=', i);
    const name = key.slice(i, eq);
    const start = eq + 2; // skip `="`
    let end = key.indexOf('"', start);
    let value: string;
    // Fast path: no backslash before the closing quote, so the value is a plain slice.
    if (backslash !== -1 && backslash < start) backslash = key.indexOf('\\', start);
    if (backslash === -1 || (end !== -1 && backslash > end)) {
      if (end === -1) end = key.length;
      value = key.slice(start, end);
      i = end + 1;
    } else {
      value = '';
      i = start;
      for (;;) {
        const c = key[i++];
        if (c === '"' || c === undefined) break;
        if (c === '\\') {
          const next = key[i++];
          value += next === 'n' ? '\n' : (next ?? '');
        } else value += c;
      }
    }
    out[name] = value;
    if (key[i] === ',') i++;
  }
  return Object.freeze(out);
}
