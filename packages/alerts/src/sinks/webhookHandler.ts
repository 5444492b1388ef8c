import type { SchedulerLike } from 'rxjs';
import { createTimers } from '../internal/timers';
import { markNotificationSink, type AlertNotification, type NotificationSink } from '../Notification';
import { defaultFetch, parseHeaders, parseHttpUrl, postJson, sinkNumber, type FetchLike } from './http';

export interface WebhookHandlerConfig {
  readonly url: string;
  readonly headers?: Readonly<Record<string, string>>;
  /** Default 10 000 ms. */
  readonly timeoutMs?: number;
  readonly fetch?: FetchLike;
  readonly scheduler?: SchedulerLike;
}

/** The JSON body a webhook receives (close to Alertmanager's webhook payload). */
export interface WebhookPayload {
  readonly version: '1';
  readonly groupKey: string;
  readonly status: 'firing' | 'resolved';
  readonly groupLabels: Readonly<Record<string, string>>;
  readonly alerts: AlertNotification['alerts'];
  readonly timestamp: number;
}

/**
 * A notification handler that POSTs each group notification as JSON to `url`. A failure
 * (network, timeout, non-2xx) rejects, so the manager reports `alerts/handler-error`;
 * there is no retry (use the Alertmanager handler for guaranteed delivery).
 *
 * @example alerts.addNotificationHandler(createWebhookHandler({ url: 'http://127.0.0.1:8080/hook' }))
 */
export function createWebhookHandler(config: WebhookHandlerConfig): NotificationSink & ((notification: AlertNotification) => Promise<void>) {
  const url = parseHttpUrl(config?.url, 'webhook url').toString();
  const headers = parseHeaders(config.headers);
  const timeoutMs = sinkNumber(config.timeoutMs, 'timeoutMs', 10_000, 1, 600_000);
  const fetchFn = config.fetch ?? defaultFetch();
  const timers = createTimers(config.scheduler);
  return markNotificationSink(function webhook(notification: AlertNotification): Promise<void> {
    const payload: WebhookPayload = {
      version: '1',
      groupKey: notification.groupKey,
      status: notification.status,
      groupLabels: notification.groupLabels,
      alerts: notification.alerts,
      timestamp: notification.timestamp,
    };
    return postJson(fetchFn, url, payload, headers, timeoutMs, timers);
  });
}
