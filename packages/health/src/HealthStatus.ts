/** The state of one check, a group or the whole service. */
export const HealthStatus = {
  HEALTHY: 'healthy',
  DEGRADED: 'degraded',
  UNHEALTHY: 'unhealthy',
  UNKNOWN: 'unknown',
} as const;

export type HealthStatus = (typeof HealthStatus)[keyof typeof HealthStatus];

const ALL: ReadonlySet<string> = new Set<string>(Object.values(HealthStatus));

/** Whether `value` is one of the four status strings. */
export function isHealthStatus(value: unknown): value is HealthStatus {
  return typeof value === 'string' && ALL.has(value);
}

/** Well-known check groups (Kubernetes probe kinds); any other group name is allowed too. */
export const HealthGroup = {
  LIVENESS: 'liveness',
  READINESS: 'readiness',
  STARTUP: 'startup',
} as const;

export type HealthGroup = (typeof HealthGroup)[keyof typeof HealthGroup];
