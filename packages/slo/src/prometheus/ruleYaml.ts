/**
 * A small block-style YAML writer for Prometheus rule files, so the root entry of
 * @obs/slo needs no YAML library (OpenSLO, which parses YAML, lives behind
 * `@obs/slo/openslo`). It writes plain data only: objects, arrays, strings,
 * finite numbers and booleans; `undefined` fields are left out.
 *
 * Strings are written plain when YAML would read them back as the same string,
 * as a literal block (`|-`) when they span lines (PromQL expressions), and
 * double-quoted otherwise (JSON escapes are valid YAML escapes).
 */
export function toRuleYaml(value: unknown): string {
  return block(value, 0).replace(/^\n/, '') + '\n';
}

type Plain = string | number | boolean | null | undefined | readonly unknown[] | { readonly [key: string]: unknown };

const INDENT = '  ';
// Scalars YAML 1.1/1.2 read as something other than a string.
const RESERVED =
  /^(?:true|false|yes|no|on|off|y|n|null|~|[-+]?(?:\.inf|\.nan)|[-+]?[0-9][0-9_.:eExXoObB+-]*|0x[0-9a-fA-F]+)$/i;
const PLAIN_SAFE = /^[A-Za-z0-9_/.][A-Za-z0-9_ ./()=<>!*+:,[\]{}-]*$/;

function block(value: unknown, depth: number): string {
  const pad = INDENT.repeat(depth);
  if (Array.isArray(value)) {
    if (value.length === 0) return ' []';
    return value
      .map((item) => {
        const inner = block(item, depth + 1);
        // "- key: v" keeps the first line of a mapping on the dash line.
        return inner.startsWith('\n')
          ? `\n${pad}- ${inner.slice(1 + pad.length + INDENT.length)}`
          : `\n${pad}-${inner}`;
      })
      .join('');
  }
  if (isObject(value)) {
    const keys = Object.keys(value).filter((k) => value[k] !== undefined);
    if (keys.length === 0) return ' {}';
    return keys.map((k) => `\n${pad}${scalar(k, depth)}:${block(value[k], depth + 1)}`).join('');
  }
  return ' ' + scalar(value as Plain, depth);
}

function scalar(value: Plain, depth: number): string {
  if (value === null || value === undefined) return 'null';
  if (typeof value === 'boolean') return String(value);
  if (typeof value === 'number') {
    if (!Number.isFinite(value)) throw new TypeError(`a rule file cannot hold ${value}`);
    return String(value);
  }
  if (typeof value !== 'string') throw new TypeError(`a rule file cannot hold a ${typeof value}`);
  if (value.includes('\n') && literalSafe(value)) {
    const pad = INDENT.repeat(depth);
    const chomp = value.endsWith('\n') ? (value.endsWith('\n\n') ? '+' : '') : '-';
    const body = (chomp === '-' ? value : value.replace(/\n+$/, (m) => (chomp === '+' ? m.slice(1) : '')))
      .split('\n')
      .map((line) => (line.length === 0 ? '' : pad + line))
      .join('\n');
    return `|${chomp}\n${body}`;
  }
  if (
    PLAIN_SAFE.test(value) &&
    !RESERVED.test(value) &&
    !value.endsWith(' ') &&
    !value.endsWith(':') &&
    !value.includes(' #') &&
    !value.includes(': ')
  )
    return value;
  return JSON.stringify(value);
}

/** A literal block keeps the text as is when no line starts with a space and nothing needs escaping. */
function literalSafe(value: string): boolean {
  return (
    !/[\u0000-\u0008\u000b-\u001f\u007f\u0085\u2028\u2029\ufeff]/.test(value) &&
    !/^ /m.test(value) &&
    !/[ \t]$/m.test(value)
  );
}

function isObject(value: unknown): value is { readonly [key: string]: unknown } {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
