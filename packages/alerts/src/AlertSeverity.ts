/** How bad an alert is. Values are the seed's lowercase strings. */
export const AlertSeverity = {
  INFO: 'info',
  WARNING: 'warning',
  ERROR: 'error',
  CRITICAL: 'critical',
} as const;
export type AlertSeverity = (typeof AlertSeverity)[keyof typeof AlertSeverity];

/**
 * Where an alert is in its lifecycle (Prometheus rule states plus the seed's SUPPRESSED):
 * PENDING while a rule's `for` has not elapsed, FIRING, SUPPRESSED when firing but muted
 * (suppression predicate, silence or inhibition), RESOLVED once it ended.
 */
export const AlertState = {
  PENDING: 'pending',
  FIRING: 'firing',
  RESOLVED: 'resolved',
  SUPPRESSED: 'suppressed',
} as const;
export type AlertState = (typeof AlertState)[keyof typeof AlertState];

const SEVERITIES: ReadonlySet<string> = new Set(Object.values(AlertSeverity));
const STATES: ReadonlySet<string> = new Set(Object.values(AlertState));

export function isAlertSeverity(value: unknown): value is AlertSeverity {
  return typeof value === 'string' && SEVERITIES.has(value);
}

export function isAlertState(value: unknown): value is AlertState {
  return typeof value === 'string' && STATES.has(value);
}
