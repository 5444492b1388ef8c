import type { ObsEventBase } from '@obs/core';
import type { Alert } from './Alert';

/** An alert entered FIRING (new, after `for`, or no longer muted). */
export interface AlertFiredEvent extends ObsEventBase<'alerts/fired'> {
  readonly alert: Alert;
}
/** An alert ended (rule stopped returning it, `resolveAlert`, or its rule was removed). */
export interface AlertResolvedEvent extends ObsEventBase<'alerts/resolved'> {
  readonly alert: Alert;
}
/** An alert is firing but muted by a suppression predicate, a silence or an inhibition. */
export interface AlertSuppressedEvent extends ObsEventBase<'alerts/suppressed'> {
  readonly alert: Alert;
  readonly suppressedBy: readonly string[];
}
/** A group notification went out to the handlers. */
export interface AlertNotifiedEvent extends ObsEventBase<'alerts/notified'> {
  readonly groupKey: string;
  /** The receiver whose handlers were called. */
  readonly receiver: string;
  readonly status: 'firing' | 'resolved';
  readonly alertIds: readonly string[];
  readonly handlers: number;
}
/** A handler threw, rejected or did not settle within its timeout. */
export interface AlertHandlerErrorEvent extends ObsEventBase<'alerts/handler-error'> {
  readonly handler: string;
  readonly receiver?: string;
  readonly groupKey: string;
  readonly alertId?: string;
  readonly error: string;
  readonly timedOut: boolean;
}
/**
 * A rule (or suppression predicate, or context provider, or connected stream item) failed:
 * it threw or returned something invalid. `rule` names it.
 */
export interface AlertRuleErrorEvent extends ObsEventBase<'alerts/rule-error'> {
  readonly rule: string;
  readonly kind: 'rule' | 'suppression' | 'context' | 'connect';
  readonly error: string;
}
/** A new alert was not admitted because `limits.maxActiveAlerts` was reached (counted in `stats().dropped`). */
export interface AlertDroppedEvent extends ObsEventBase<'alerts/dropped'> {
  readonly reason: 'active-limit';
  readonly alertName: string;
  readonly rule?: string;
}

/** Every event of @obs/alerts (closed union). */
export type AlertsEvent =
  | AlertFiredEvent
  | AlertResolvedEvent
  | AlertSuppressedEvent
  | AlertNotifiedEvent
  | AlertHandlerErrorEvent
  | AlertRuleErrorEvent
  | AlertDroppedEvent;

export type AlertsEventType = AlertsEvent['type'];
