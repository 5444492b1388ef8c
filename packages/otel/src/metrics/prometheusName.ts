/**
 * OpenTelemetry instrument names and units to Prometheus names, as the
 * OpenTelemetry specification's Prometheus compatibility section maps them
 * (and the Collector's and the Go and Java Prometheus exporters do):
 * characters outside `[a-zA-Z0-9_]` become `_` (runs collapsed), a leading
 * digit gets a `_` prefix, the unit is appended as a word unless the name
 * already ends with it (`s` → `_seconds`, `By` → `_bytes`, `{requests}` →
 * nothing, `m/s` → `_meters_per_second`, `1` → `_ratio` for gauges), and a
 * monotonic counter ends with `_total`. So `http.server.request.duration`
 * with unit `s` is `http_server_request_duration_seconds`.
 */

const UNITS: Readonly<Record<string, string>> = {
  // time
  d: 'days',
  h: 'hours',
  min: 'minutes',
  s: 'seconds',
  ms: 'milliseconds',
  us: 'microseconds',
  ns: 'nanoseconds',
  // bytes
  By: 'bytes',
  KiBy: 'kibibytes',
  MiBy: 'mebibytes',
  GiBy: 'gibibytes',
  TiBy: 'tibibytes',
  KBy: 'kilobytes',
  MBy: 'megabytes',
  GBy: 'gigabytes',
  TBy: 'terabytes',
  // SI
  m: 'meters',
  V: 'volts',
  A: 'amperes',
  J: 'joules',
  W: 'watts',
  g: 'grams',
  Cel: 'celsius',
  Hz: 'hertz',
  '%': 'percent',
};

const PER_UNITS: Readonly<Record<string, string>> = {
  s: 'second',
  m: 'minute',
  h: 'hour',
  d: 'day',
  w: 'week',
  mo: 'month',
  y: 'year',
};

/** A table lookup that ignores inherited keys (a unit named `__proto__` or `constructor` is just text). */
function own(table: Readonly<Record<string, string>>, key: string): string | undefined {
  return Object.prototype.hasOwnProperty.call(table, key) ? table[key] : undefined;
}

/** Replaces invalid characters with `_` and collapses runs of `_`. */
export function sanitizeName(name: string): string {
  return name.replace(/[^a-zA-Z0-9_]/g, '_').replace(/_{2,}/g, '_');
}

/** The unit as a Prometheus word ('' when it adds nothing). */
export function unitSuffix(unit: string | undefined, kind: 'counter' | 'gauge' | 'histogram'): string {
  if (unit === undefined || unit === '') return '';
  if (unit === '1') return kind === 'gauge' ? 'ratio' : '';
  const plain = unit.replace(/\{[^}]*\}/g, '').trim(); // annotations like {requests} carry no unit
  if (plain === '') return '';
  const slash = plain.indexOf('/');
  if (slash >= 0) {
    const left = plain.slice(0, slash);
    const right = plain.slice(slash + 1);
    const l = own(UNITS, left) ?? sanitizeName(left);
    const r = own(PER_UNITS, right) ?? own(UNITS, right) ?? sanitizeName(right);
    return [l, r]
      .filter((s) => s !== '' && s !== '_')
      .join('_per_')
      .replace(/^_per_/, 'per_');
  }
  return own(UNITS, plain) ?? sanitizeName(plain).replace(/^_+|_+$/g, '');
}

/** The Prometheus metric name of an OpenTelemetry instrument; '' when nothing valid is left. */
export function prometheusName(
  name: string,
  unit: string | undefined,
  kind: 'counter' | 'gauge' | 'histogram',
): string {
  let out = sanitizeName(name);
  if (out === '' || out === '_') return '';
  if (out.charCodeAt(0) >= 48 && out.charCodeAt(0) <= 57) out = '_' + out;
  const suffix = unitSuffix(unit, kind);
  if (suffix !== '' && !out.endsWith('_' + suffix) && out !== suffix) out = `${out}_${suffix}`;
  if (kind === 'counter' && !out.endsWith('_total')) out += '_total';
  return out.length > 512 ? '' : out;
}

/** An attribute key as a Prometheus label name. */
export function labelName(key: string): string {
  const out = sanitizeName(key);
  return out.charCodeAt(0) >= 48 && out.charCodeAt(0) <= 57 ? '_' + out : out;
}
