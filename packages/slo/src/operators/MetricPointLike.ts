/**
 * The shape of a metric point this package reads (structurally compatible with
 * `@obs/metrics`' MetricPoint, which this package does not import).
 */
export interface MetricPointLike {
  readonly name: string;
  readonly value: number;
  readonly metricType: string;
  readonly timestamp: number;
  readonly labels: Readonly<Record<string, string>>;
}

/** Whether `point.labels` contains every pair of `matcher`. */
export function labelsMatch(
  labels: Readonly<Record<string, string>> | undefined,
  matcher: Readonly<Record<string, string>> | undefined,
): boolean {
  if (!matcher) return true;
  if (!labels || typeof labels !== 'object') return false;
  for (const key of Object.keys(matcher)) {
    if (!Object.prototype.hasOwnProperty.call(labels, key) || labels[key] !== matcher[key]) return false;
  }
  return true;
}

export function isPointLike(value: unknown): value is MetricPointLike {
  if (typeof value !== 'object' || value === null) return false;
  const p = value as Record<string, unknown>;
  return (
    typeof p['name'] === 'string' &&
    typeof p['value'] === 'number' &&
    Number.isFinite(p['value']) &&
    typeof p['timestamp'] === 'number' &&
    Number.isFinite(p['timestamp'])
  );
}
