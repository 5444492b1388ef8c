import { describeValue } from '@obs/core';
import type { Alert } from '../Alert';
import { AlertSeverity } from '../AlertSeverity';
import { AlertValidationError } from '../errors';
import { alertFingerprint } from '../fingerprint';
import type { AlertNotification } from '../Notification';
import { jsonEndpoint, parseHttpUrl, type FetchLike } from './http';
import { createQueuedSink, type QueuedSink, type QueuedSinkOptions } from './queuedSink';
import { renderBody, renderTitle, validateTemplate, type Template } from './template';

export interface PagerDutyHandlerConfig extends QueuedSinkOptions {
  /** The integration key of an Events API v2 integration. */
  readonly routingKey: string;
  /** Default `https://events.pagerduty.com/v2/enqueue` (EU: `https://events.eu.pagerduty.com/v2/enqueue`). */
  readonly url?: string;
  /** `payload.source`; default the group's `instance` or `service` label, else `'@obs/alerts'`. */
  readonly source?: string;
  readonly component?: string;
  readonly group?: string;
  readonly class?: string;
  /** `client` / `client_url` shown in PagerDuty (e.g. your dashboard). */
  readonly client?: string;
  readonly clientUrl?: string;
  /** Incident summary (max 1024 characters); default `[FIRING:2] HighLatency api`. */
  readonly summary?: Template<AlertNotification>;
  /** One line per alert in `custom_details.firing` / `resolved`. */
  readonly text?: Template<Alert>;
  readonly headers?: Readonly<Record<string, string>>;
  readonly fetch?: FetchLike;
}

/** An Events API v2 event as this sink posts it. */
export interface PagerDutyEvent {
  readonly routing_key: string;
  readonly event_action: 'trigger' | 'resolve';
  readonly dedup_key: string;
  readonly payload?: {
    readonly summary: string;
    readonly source: string;
    readonly severity: 'critical' | 'error' | 'warning' | 'info';
    readonly timestamp: string;
    readonly component?: string;
    readonly group?: string;
    readonly class?: string;
    readonly custom_details: Record<string, unknown>;
  };
  readonly client?: string;
  readonly client_url?: string;
}

const RANK: Record<AlertSeverity, number> = { info: 0, warning: 1, error: 2, critical: 3 };

function optionalText(value: unknown, what: string): string | undefined {
  if (value === undefined) return undefined;
  if (typeof value !== 'string' || value.length === 0 || value.length > 1024)
    throw new AlertValidationError('INVALID_SINK', `${what} must be a non-empty string, got ${describeValue(value)}`);
  return value;
}

/**
 * The dedup key of a group: stable across notifications and restarts (a hash of receiver and
 * group key), so a group's trigger, re-sends and resolve are one PagerDuty incident.
 */
export function pagerDutyDedupKey(n: Pick<AlertNotification, 'receiver' | 'groupKey'>): string {
  return `obs-${alertFingerprint('pagerduty', { receiver: n.receiver, group: n.groupKey })}`;
}

/**
 * A sink sending PagerDuty Events API v2 events: `trigger` while a group has firing alerts
 * (severity of the worst one), `resolve` once all are resolved, with a stable `dedup_key` per
 * group; with the shared queue, timeout and retries (429 and 5xx are retried).
 *
 * @example alerts.addNotificationHandler(createPagerDutyHandler({ routingKey: process.env.PD_ROUTING_KEY! }))
 */
export function createPagerDutyHandler(config: PagerDutyHandlerConfig): QueuedSink {
  const routingKey = optionalText(config?.routingKey, 'routingKey');
  if (routingKey === undefined) throw new AlertValidationError('INVALID_SINK', 'routingKey is required');
  const endpoint = jsonEndpoint(config, 'PagerDuty url', 'https://events.pagerduty.com/v2/enqueue');
  validateTemplate(config.summary, 'summary');
  validateTemplate(config.text, 'text');
  const source = optionalText(config.source, 'source');
  const component = optionalText(config.component, 'component');
  const group = optionalText(config.group, 'group');
  const klass = optionalText(config.class, 'class');
  const client = optionalText(config.client, 'client') ?? '@obs/alerts';
  const clientUrl = config.clientUrl === undefined ? undefined : parseHttpUrl(config.clientUrl, 'clientUrl').toString();
  return createQueuedSink('pagerduty', config, (n, options, timers) => {
    const dedupKey = pagerDutyDedupKey(n);
    let event: PagerDutyEvent;
    if (n.status === 'resolved') {
      event = { routing_key: routingKey, event_action: 'resolve', dedup_key: dedupKey };
    } else {
      const firing = n.alerts.filter((a) => a.state === 'firing');
      const worst = firing.reduce<AlertSeverity>(
        (acc, a) => (RANK[a.severity] > RANK[acc] ? a.severity : acc),
        AlertSeverity.INFO,
      );
      const resolved = n.alerts.filter((a) => a.state !== 'firing');
      event = {
        routing_key: routingKey,
        event_action: 'trigger',
        dedup_key: dedupKey,
        payload: {
          summary: renderTitle(config.summary, n).slice(0, 1024),
          source: source ?? n.groupLabels['instance'] ?? n.groupLabels['service'] ?? '@obs/alerts',
          severity: worst,
          timestamp: new Date(n.timestamp).toISOString(),
          ...(component ? { component } : {}),
          ...(group ? { group } : {}),
          ...(klass ? { class: klass } : {}),
          custom_details: {
            firing: renderBody(config.text, { ...n, alerts: firing }),
            num_firing: firing.length,
            ...(resolved.length
              ? { resolved: renderBody(config.text, { ...n, alerts: resolved }), num_resolved: resolved.length }
              : {}),
            group_labels: { ...n.groupLabels },
          },
        },
        client,
        ...(clientUrl ? { client_url: clientUrl } : {}),
      };
    }
    return endpoint.post(event, options.timeoutMs, timers);
  });
}
