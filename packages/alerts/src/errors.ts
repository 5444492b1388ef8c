import { ObsError, ObsValidationError } from '@obs/core';

/** Bad input to @obs/alerts: an invalid alert, rule, matcher, silence, route or snapshot. */
export class AlertValidationError extends ObsValidationError {
  override readonly name: string = 'AlertValidationError';
}

/**
 * A configured limit was reached (active alerts, rules, handlers, silences, …).
 * `code` says which one, e.g. `'ACTIVE_ALERT_LIMIT'`.
 */
export class AlertLimitError extends ObsError {
  override readonly name: string = 'AlertLimitError';
  constructor(
    code: string,
    message: string,
    /** The limit that was hit. */
    readonly limit: number,
  ) {
    super(code, message);
  }
}
