import type { AlertNotification } from '../Notification';
import { jsonEndpoint, type FetchLike } from './http';
import { createQueuedSink, type QueuedSink, type QueuedSinkOptions } from './queuedSink';

export interface WebhookHandlerConfig extends QueuedSinkOptions {
  readonly url: string;
  readonly headers?: Readonly<Record<string, string>>;
  readonly fetch?: FetchLike;
}

/** The JSON body a webhook receives (close to Alertmanager's webhook payload). */
export interface WebhookPayload {
  readonly version: '1';
  readonly groupKey: string;
  readonly receiver: string;
  readonly status: 'firing' | 'resolved';
  readonly groupLabels: Readonly<Record<string, string>>;
  readonly alerts: AlertNotification['alerts'];
  readonly timestamp: number;
}

/**
 * A sink that POSTs each group notification as JSON to `url`, with the shared queue,
 * timeout (default 10 s) and retries (a 4xx other than 408/429 is not retried). A failed
 * attempt rejects, so the manager reports `alerts/handler-error`.
 *
 * @example alerts.addNotificationHandler(createWebhookHandler({ url: 'http://127.0.0.1:8080/hook' }))
 */
export function createWebhookHandler(config: WebhookHandlerConfig): QueuedSink {
  const endpoint = jsonEndpoint(config, 'webhook url');
  return createQueuedSink('webhook', config, (n, options, timers) => {
    const payload: WebhookPayload = {
      version: '1',
      groupKey: n.groupKey,
      receiver: n.receiver,
      status: n.status,
      groupLabels: n.groupLabels,
      alerts: n.alerts,
      timestamp: n.timestamp,
    };
    return endpoint.post(payload, options.timeoutMs, timers);
  });
}
