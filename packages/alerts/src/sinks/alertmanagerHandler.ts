import { labelsKey, normalizeLabels, systemClock, type Clock, type Labels } from '@obs/core';
import type { SchedulerLike } from 'rxjs';
import type { Alert } from '../Alert';
import { AlertState } from '../AlertSeverity';
import { createTimers, type CancelTimer } from '../internal/timers';
import { alertMatchLabels } from '../matchers';
import { markNotificationSink, type AlertNotification, type NotificationSink } from '../Notification';
import { AlertSinkError, defaultFetch, parseHeaders, parseHttpUrl, postJson, sinkNumber, type FetchLike } from './http';

export interface AlertmanagerHandlerConfig {
  /** Base URL of Alertmanager, e.g. `http://127.0.0.1:9093`; alerts go to `<url>/api/v2/alerts`. */
  readonly url: string;
  /** Back-link sent as `generatorURL` with every alert. */
  readonly generatorURL?: string;
  /**
   * How often active alerts are re-sent (Alertmanager forgets alerts that are not re-sent
   * before their `endsAt`). Firing alerts carry `endsAt = now + 4 × resendInterval`, as Prometheus
   * does. Default 60 000 ms; 0 disables re-sending and `endsAt` for firing alerts.
   */
  readonly resendInterval?: number;
  /** Per request. Default 10 000 ms. */
  readonly timeoutMs?: number;
  /** Alerts waiting for delivery; beyond it the oldest are dropped and counted. Default 10 000. */
  readonly maxQueue?: number;
  /** Alerts per POST. Default 500. */
  readonly maxBatch?: number;
  /** First retry delay while Alertmanager is unreachable; doubles up to `retryMaxMs`. Default 1000. */
  readonly retryInitialMs?: number;
  /** Default 30 000. */
  readonly retryMaxMs?: number;
  /** Labels added to every alert (the alert's own labels win), e.g. `{ instance: 'api-1' }`. */
  readonly externalLabels?: Readonly<Record<string, string>>;
  readonly headers?: Readonly<Record<string, string>>;
  readonly fetch?: FetchLike;
  readonly scheduler?: SchedulerLike;
  readonly clock?: Clock;
}

/** An alert as Alertmanager API v2 `postableAlert`. */
export interface PostableAlert {
  readonly labels: Record<string, string>;
  readonly annotations: Record<string, string>;
  readonly startsAt: string;
  readonly endsAt?: string;
  readonly generatorURL?: string;
}

export interface AlertmanagerHandlerStats {
  /** Alerts waiting to be delivered. */
  readonly queued: number;
  /** Firing alerts being re-sent periodically. */
  readonly active: number;
  /** Alerts delivered (accepted with 2xx). */
  readonly sent: number;
  /** Alerts dropped because the queue was full. */
  readonly dropped: number;
  /** Alerts Alertmanager refused with a 4xx (not retried). */
  readonly rejected: number;
  /** Failed POST attempts. */
  readonly failures: number;
  readonly lastError: string | undefined;
}

/** A notification handler delivering to Alertmanager, plus its controls. */
export interface AlertmanagerHandler extends NotificationSink {
  /**
   * Queues the notification's alerts and makes one delivery attempt (unless a retry is already
   * scheduled); rejects if that attempt fails; the alerts stay queued and are retried.
   */
  (notification: AlertNotification): Promise<void>;
  /** Stops re-sending and retry timers (queued alerts stay; `flush()` still works). */
  stop(): void;
  /** Tries to deliver everything queued now; rejects if Alertmanager does not accept it. */
  flush(): Promise<void>;
  stats(): AlertmanagerHandlerStats;
}

interface Queued {
  alert: PostableAlert;
  version: number;
}

/**
 * Sends alerts to Alertmanager API v2 (`POST /api/v2/alerts`): labels with `alertname` and
 * `severity`, annotations with `summary`/`message` and `value`, `startsAt`, `endsAt` on
 * resolution, `generatorURL`. Re-sends active alerts every `resendInterval`, retries with
 * exponential backoff while Alertmanager is down and delivers what queued once it is back.
 *
 * @example alerts.addNotificationHandler(createAlertmanagerHandler({ url: 'http://127.0.0.1:9093' }))
 */
export function createAlertmanagerHandler(config: AlertmanagerHandlerConfig): AlertmanagerHandler {
  const base = parseHttpUrl(config?.url, 'Alertmanager url');
  const endpoint = new URL(base.pathname.replace(/\/+$/, '') + '/api/v2/alerts', base).toString();
  const generatorURL = config.generatorURL === undefined ? undefined : parseHttpUrl(config.generatorURL, 'generatorURL').toString();
  const resendInterval = sinkNumber(config.resendInterval, 'resendInterval', 60_000, 0, 86_400_000);
  const timeoutMs = sinkNumber(config.timeoutMs, 'timeoutMs', 10_000, 1, 600_000);
  const maxQueue = Math.floor(sinkNumber(config.maxQueue, 'maxQueue', 10_000, 1, 1_000_000));
  const maxBatch = Math.floor(sinkNumber(config.maxBatch, 'maxBatch', 500, 1, 100_000));
  const retryInitialMs = sinkNumber(config.retryInitialMs, 'retryInitialMs', 1000, 1, 3_600_000);
  const retryMaxMs = Math.max(retryInitialMs, sinkNumber(config.retryMaxMs, 'retryMaxMs', 30_000, 1, 3_600_000));
  const externalLabels = normalizeLabels(config.externalLabels);
  const headers = parseHeaders(config.headers);
  const fetchFn = config.fetch ?? defaultFetch();
  const clock = config.clock ?? systemClock;
  const timers = createTimers(config.scheduler);

  const queue = new Map<string, Queued>();
  /** Firing alerts per group, from each group's latest notification (what Alertmanager should keep seeing). */
  const activeByGroup = new Map<string, Map<string, Alert>>();
  let version = 0;
  let sent = 0;
  let dropped = 0;
  let rejected = 0;
  let failures = 0;
  let lastError: string | undefined;
  let attempt = 0;
  let cancelRetry: CancelTimer | undefined;
  let cancelResend: CancelTimer | undefined;
  let inFlight: Promise<void> | undefined;
  let stopped = false;

  const iso = (ms: number) => new Date(ms).toISOString();

  function toPostable(alert: Alert, now: number): PostableAlert {
    const labels: Record<string, string> = { ...externalLabels, ...alertMatchLabels(alert) };
    const annotations: Record<string, string> = { ...alert.annotations };
    if (alert.message) {
      annotations['message'] ??= alert.message;
      annotations['summary'] ??= alert.message;
    }
    annotations['value'] ??= String(alert.value);
    const startsAt = alert.firingSince ?? alert.startedAt;
    let endsAt: number | undefined;
    if (alert.state === AlertState.RESOLVED) endsAt = Math.max(alert.resolvedAt ?? now, startsAt);
    else if (resendInterval > 0) endsAt = now + 4 * resendInterval;
    return {
      labels,
      annotations,
      startsAt: iso(startsAt),
      ...(endsAt !== undefined ? { endsAt: iso(endsAt) } : {}),
      ...(generatorURL !== undefined ? { generatorURL } : {}),
    };
  }

  function enqueue(alert: Alert, now: number): void {
    const postable = toPostable(alert, now);
    const key = labelsKey(postable.labels as Labels);
    if (!queue.has(key) && queue.size >= maxQueue) {
      const oldest = queue.keys().next();
      if (!oldest.done) {
        queue.delete(oldest.value);
        dropped++;
      }
    }
    queue.delete(key); // re-insert: newest last, so the oldest is dropped first
    queue.set(key, { alert: postable, version: ++version });
  }

  /** One POST of up to maxBatch queued alerts. */
  async function sendOnce(): Promise<void> {
    const batch = [...queue.entries()].slice(0, maxBatch);
    if (batch.length === 0) return;
    try {
      await postJson(fetchFn, endpoint, batch.map(([, q]) => q.alert), headers, timeoutMs, timers);
    } catch (error) {
      failures++;
      lastError = (error as Error).message;
      if (error instanceof AlertSinkError && error.status !== undefined && error.status >= 400 && error.status < 500 && error.status !== 429) {
        // Alertmanager refused the payload itself: retrying the same alerts cannot help.
        for (const [key, q] of batch) if (queue.get(key)?.version === q.version) queue.delete(key);
        rejected += batch.length;
      }
      throw error;
    }
    for (const [key, q] of batch) if (queue.get(key)?.version === q.version) queue.delete(key);
    sent += batch.length;
    attempt = 0;
  }

  /** Sends until the queue is empty; serialized so that only one request is in flight. */
  function deliver(): Promise<void> {
    if (inFlight) return inFlight.then(() => (queue.size > 0 ? deliver() : undefined));
    const run = (async () => {
      while (queue.size > 0) await sendOnce();
    })();
    inFlight = run.finally(() => (inFlight = undefined));
    return inFlight;
  }

  function scheduleRetry(): void {
    if (stopped || cancelRetry || queue.size === 0) return;
    const delay = Math.min(retryMaxMs, retryInitialMs * 2 ** Math.min(attempt, 30));
    attempt++;
    cancelRetry = timers(() => {
      cancelRetry = undefined;
      deliver().catch(scheduleRetry);
    }, delay);
  }

  function armResend(): void {
    if (stopped || resendInterval === 0 || cancelResend) return;
    cancelResend = timers(() => {
      cancelResend = undefined;
      const now = clock.now();
      for (const group of activeByGroup.values()) for (const a of group.values()) enqueue(a, now);
      if (!cancelRetry) deliver().catch(scheduleRetry);
      armResend();
    }, resendInterval);
  }

  const handler = (notification: AlertNotification): Promise<void> => {
    const now = clock.now();
    const firing = new Map<string, Alert>();
    for (const alert of notification.alerts) {
      if (alert.state === AlertState.FIRING) firing.set(alert.fingerprint, alert);
      enqueue(alert, now);
    }
    activeByGroup.delete(notification.groupKey);
    if (firing.size > 0) {
      if (activeByGroup.size >= maxQueue) {
        const oldest = activeByGroup.keys().next();
        if (!oldest.done) activeByGroup.delete(oldest.value);
      }
      activeByGroup.set(notification.groupKey, firing);
    }
    armResend();
    if (cancelRetry) return Promise.resolve(); // Alertmanager is known to be down: the retry will carry these
    return deliver().catch((error: unknown) => {
      scheduleRetry();
      throw error;
    });
  };

  return Object.assign(markNotificationSink(handler), {
    stop(): void {
      stopped = true;
      cancelRetry?.();
      cancelRetry = undefined;
      cancelResend?.();
      cancelResend = undefined;
    },
    flush(): Promise<void> {
      return deliver();
    },
    stats(): AlertmanagerHandlerStats {
      let active = 0;
      for (const g of activeByGroup.values()) active += g.size;
      return { queued: queue.size, active, sent, dropped, rejected, failures, lastError };
    },
  });
}
