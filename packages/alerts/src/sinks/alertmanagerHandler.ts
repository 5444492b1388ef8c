import { labelsKey, normalizeLabels, systemClock, type Clock, type Labels } from '@obs/core';
import type { SchedulerLike } from 'rxjs';
import type { Alert } from '../Alert';
import { AlertState } from '../AlertSeverity';
import { AlertValidationError } from '../errors';
import { createTimers, type CancelTimer } from '../internal/timers';
import { alertMatchLabels } from '../matchers';
import { markNotificationSink, type AlertNotification, type NotificationSink } from '../Notification';
import { DeliveryQueue, resolveDeliveryOptions, type DeliveryStats } from './DeliveryQueue';
import { defaultFetch, parseHeaders, parseHttpUrl, postJson, sinkNumber, type FetchLike } from './http';

export interface AlertmanagerHandlerConfig {
  /** Base URL of one Alertmanager, e.g. `http://127.0.0.1:9093`; alerts go to `<url>/api/v2/alerts`. */
  readonly url?: string;
  /**
   * Every Alertmanager of a high-availability cluster (as Prometheus does, each gets every
   * alert and the cluster deduplicates). Each has its own queue, retries and stats, so one
   * that is down does not hold back the others. `url` and `urls` may be combined.
   */
  readonly urls?: readonly string[];
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

export interface AlertmanagerHandlerStats extends DeliveryStats {
  /** Firing alerts being re-sent periodically. */
  readonly active: number;
  /** Per Alertmanager (summed above; `lastError` above is that of the last target that failed). */
  readonly targets: readonly (DeliveryStats & { readonly url: string })[];
}

/** A notification handler delivering to Alertmanager, plus its controls. */
export interface AlertmanagerHandler extends NotificationSink {
  /**
   * Queues the notification's alerts for every Alertmanager and makes one delivery attempt to
   * each (unless a retry is already scheduled for it); rejects if any attempt fails; the alerts
   * stay queued for that Alertmanager and are retried.
   */
  (notification: AlertNotification): Promise<void>;
  /** Stops re-sending and retry timers (queued alerts stay; `flush()` still works). */
  stop(): void;
  /** Tries to deliver everything queued now; rejects if an Alertmanager does not accept it. */
  flush(): Promise<void>;
  stats(): AlertmanagerHandlerStats;
}

interface Target {
  readonly url: string;
  readonly queue: DeliveryQueue<PostableAlert>;
}

/**
 * Sends alerts to Alertmanager API v2 (`POST /api/v2/alerts`): labels with `alertname` and
 * `severity`, annotations with `summary`/`message` and `value`, `startsAt`, `endsAt` on
 * resolution, `generatorURL`. Re-sends active alerts every `resendInterval`, retries with
 * exponential backoff while an Alertmanager is down and delivers what queued once it is back.
 * With `urls`, every Alertmanager of a cluster gets every alert, independently.
 *
 * @example alerts.addNotificationHandler(createAlertmanagerHandler({ urls: ['http://127.0.0.1:9093', 'http://127.0.0.1:9094'] }))
 */
export function createAlertmanagerHandler(config: AlertmanagerHandlerConfig): AlertmanagerHandler {
  const options = resolveDeliveryOptions(config);
  const rawUrls = [...(config.url !== undefined ? [config.url] : []), ...(config.urls ?? [])];
  if (config.urls !== undefined && !Array.isArray(config.urls))
    throw new AlertValidationError('INVALID_SINK', 'urls must be an array of URLs');
  if (rawUrls.length === 0 || rawUrls.length > 16)
    throw new AlertValidationError('INVALID_SINK', 'give the Alertmanager `url` or `urls` (1 to 16 of them)');
  const endpoints = [
    ...new Set(
      rawUrls.map((u) => {
        const base = parseHttpUrl(u, 'Alertmanager url');
        return new URL(base.pathname.replace(/\/+$/, '') + '/api/v2/alerts', base).toString();
      }),
    ),
  ];
  const generatorURL =
    config.generatorURL === undefined ? undefined : parseHttpUrl(config.generatorURL, 'generatorURL').toString();
  const resendInterval = sinkNumber(config.resendInterval, 'resendInterval', 60_000, 0, 86_400_000);
  const maxBatch = Math.floor(sinkNumber(config.maxBatch, 'maxBatch', 500, 1, 100_000));
  const externalLabels = normalizeLabels(config.externalLabels);
  const headers = parseHeaders(config.headers);
  const fetchFn = config.fetch ?? defaultFetch();
  const clock = config.clock ?? systemClock;
  const timers = createTimers(config.scheduler);

  const targets: Target[] = endpoints.map((url) => ({
    url,
    queue: new DeliveryQueue<PostableAlert>({
      options,
      timers,
      maxBatch,
      send: (batch) => postJson(fetchFn, url, batch, headers, options.timeoutMs, timers),
    }),
  }));
  /** Firing alerts per group, from each group's latest notification (what Alertmanager should keep seeing). */
  const activeByGroup = new Map<string, Map<string, Alert>>();
  let cancelResend: CancelTimer | undefined;
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
    for (const t of targets) t.queue.enqueue(key, postable);
  }

  function armResend(): void {
    if (stopped || resendInterval === 0 || cancelResend) return;
    cancelResend = timers(() => {
      cancelResend = undefined;
      const now = clock.now();
      for (const group of activeByGroup.values()) for (const a of group.values()) enqueue(a, now);
      for (const t of targets) t.queue.kick().catch(() => undefined); // failures are retried and counted per target
      armResend();
    }, resendInterval);
  }

  const handler = async (notification: AlertNotification): Promise<void> => {
    const now = clock.now();
    const firing = new Map<string, Alert>();
    for (const alert of notification.alerts) {
      if (alert.state === AlertState.FIRING) firing.set(alert.fingerprint, alert);
      enqueue(alert, now);
    }
    activeByGroup.delete(notification.groupKey);
    if (firing.size > 0) {
      if (activeByGroup.size >= options.maxQueue) {
        const oldest = activeByGroup.keys().next();
        if (!oldest.done) activeByGroup.delete(oldest.value);
      }
      activeByGroup.set(notification.groupKey, firing);
    }
    armResend();
    // Each Alertmanager independently: one that hangs or is down does not delay the others.
    const results = await Promise.allSettled(targets.map((t) => t.queue.kick()));
    const failed = results.find((r): r is PromiseRejectedResult => r.status === 'rejected');
    if (failed) throw failed.reason;
  };

  return Object.assign(markNotificationSink(handler), {
    stop(): void {
      stopped = true;
      for (const t of targets) t.queue.stop();
      cancelResend?.();
      cancelResend = undefined;
    },
    async flush(): Promise<void> {
      const results = await Promise.allSettled(targets.map((t) => t.queue.deliver()));
      const failed = results.find((r): r is PromiseRejectedResult => r.status === 'rejected');
      if (failed) throw failed.reason;
    },
    stats(): AlertmanagerHandlerStats {
      let active = 0;
      for (const g of activeByGroup.values()) active += g.size;
      const perTarget = targets.map((t) => ({ url: t.url, ...t.queue.stats() }));
      const sum = (k: 'queued' | 'sent' | 'dropped' | 'rejected' | 'failures') =>
        perTarget.reduce((acc, t) => acc + t[k], 0);
      const lastError = perTarget
        .map((t) => t.lastError)
        .filter((e) => e !== undefined)
        .at(-1);
      return {
        queued: sum('queued'),
        active,
        sent: sum('sent'),
        dropped: sum('dropped'),
        rejected: sum('rejected'),
        failures: sum('failures'),
        lastError,
        targets: perTarget,
      };
    },
  });
}
