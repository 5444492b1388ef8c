import type { Labels } from '@obs/core';
import type { Alert } from './Alert';

/**
 * One notification for one group, as Alertmanager sends to a receiver: every firing
 * alert of the group plus the alerts that resolved since the last notification.
 */
export interface AlertNotification {
  readonly groupKey: string;
  /** The receiver of the route that produced it (`'default'` unless routes name others). */
  readonly receiver: string;
  readonly groupLabels: Labels;
  /** `'firing'` when at least one alert fires, else `'resolved'`. */
  readonly status: 'firing' | 'resolved';
  /** Firing alerts first, then resolved ones. */
  readonly alerts: readonly Alert[];
  readonly timestamp: number;
}

/**
 * Called with each alert of a notification (firing and resolved ones), the notification
 * as second argument. Sync or async (a returned promise is awaited up to the timeout; any
 * other return value is ignored, so `(a) => sendSlack(a)` fits whatever sendSlack returns).
 */
export type AlertHandler = (alert: Alert, notification: AlertNotification) => unknown;

/** Called once per group notification (sinks such as Alertmanager and webhooks). */
export type NotificationHandler = (notification: AlertNotification) => unknown;

/**
 * Marks a notification handler made by a sink factory (`createAlertmanagerHandler`,
 * `createWebhookHandler`, …), so that `addHandler(sink)` registers it per notification as
 * `addNotificationHandler(sink)` does, instead of calling it with single alerts.
 */
export const NOTIFICATION_SINK: unique symbol = Symbol.for('@obs/alerts.notificationSink');

/** A notification handler branded by a sink factory; accepted by `addHandler` and `addNotificationHandler`. */
export interface NotificationSink extends NotificationHandler {
  readonly [NOTIFICATION_SINK]: true;
}

/** Brands a notification handler as a sink (for sink authors). Returns the same function. */
export function markNotificationSink<F extends NotificationHandler>(fn: F): F & NotificationSink {
  Object.defineProperty(fn, NOTIFICATION_SINK, { value: true });
  return fn as F & NotificationSink;
}

export function isNotificationSink(fn: unknown): fn is NotificationSink {
  return typeof fn === 'function' && (fn as { [NOTIFICATION_SINK]?: unknown })[NOTIFICATION_SINK] === true;
}
