/** The outcome of a span, as in the seed and OTLP's `Status.code` (UNSET, OK, ERROR). */
export const TraceStatus = {
  UNSET: 'unset',
  OK: 'ok',
  ERROR: 'error',
} as const;

export type TraceStatus = (typeof TraceStatus)[keyof typeof TraceStatus];

/** Whether `value` is one of the {@link TraceStatus} values. */
export function isTraceStatus(value: unknown): value is TraceStatus {
  return value === 'ok' || value === 'error' || value === 'unset';
}
