import type { SchedulerLike } from 'rxjs';
import { createTimers, type TimerFn } from '../internal/timers';
import { markNotificationSink, type AlertNotification, type NotificationSink } from '../Notification';
import {
  DeliveryQueue,
  resolveDeliveryOptions,
  type DeliveryOptions,
  type DeliveryStats,
  type ResolvedDeliveryOptions,
} from './DeliveryQueue';

/** A notification sink with a delivery queue: call it with notifications, or control it. */
export interface QueuedSink extends NotificationSink {
  /**
   * Queues the notification (replacing a queued older one of the same group) and makes one
   * delivery attempt unless a retry is already scheduled; rejects if that attempt fails (the
   * manager reports `alerts/handler-error`); the notification stays queued and is retried.
   */
  (notification: AlertNotification): Promise<void>;
  /** Stops retry timers (queued items stay; `flush()` still works). */
  stop(): void;
  /** Tries to deliver everything queued now; rejects if the receiver does not accept it. */
  flush(): Promise<void>;
  stats(): DeliveryStats;
}

export interface QueuedSinkOptions extends DeliveryOptions {
  readonly scheduler?: SchedulerLike;
}

/**
 * Builds a sink from `send(notification)`: every receiver (webhook, Slack, PagerDuty, Teams,
 * email) gets the same bounded queue, one request in flight, timeouts and retries with
 * exponential backoff, and the same stats, as the Alertmanager sink.
 */
export function createQueuedSink(
  name: string,
  config: QueuedSinkOptions,
  send: (notification: AlertNotification, options: ResolvedDeliveryOptions, timers: TimerFn) => Promise<void>,
  isPermanent?: (error: unknown) => boolean,
): QueuedSink {
  const options = resolveDeliveryOptions(config);
  const timers = createTimers(config.scheduler);
  const queue = new DeliveryQueue<AlertNotification>({
    options,
    timers,
    send: async ([n]) => {
      if (n) await send(n, options, timers);
    },
    ...(isPermanent ? { isPermanent } : {}),
  });
  const sink = (notification: AlertNotification): Promise<void> => {
    queue.enqueue(`${notification.receiver}\u0000${notification.groupKey}`, notification);
    return queue.kick();
  };
  Object.defineProperty(sink, 'name', { value: name });
  return Object.assign(markNotificationSink(sink), {
    stop: () => queue.stop(),
    flush: () => queue.deliver(),
    stats: () => queue.stats(),
  });
}
