import type { Alert } from '../Alert';
import { AlertSeverity } from '../AlertSeverity';
import { AlertValidationError } from '../errors';
import type { AlertNotification } from '../Notification';
import { jsonEndpoint, parseHttpUrl, type FetchLike } from './http';
import { createQueuedSink, type QueuedSink, type QueuedSinkOptions } from './queuedSink';
import { renderBody, renderTitle, validateTemplate, type Template } from './template';

export interface SlackHandlerConfig extends QueuedSinkOptions {
  /** The incoming-webhook URL Slack gave you (`https://hooks.slack.com/services/...`). */
  readonly url: string;
  /** Override the webhook's channel, user name or icon (where the app allows it). */
  readonly channel?: string;
  readonly username?: string;
  readonly iconEmoji?: string;
  /** Message title; default `[FIRING:2] HighLatency api`. See {@link Template}. */
  readonly title?: Template<AlertNotification>;
  /** One block per alert; default `critical HighLatency {service=api}: message (value 1500)`. */
  readonly text?: Template<Alert>;
  /** Link of the title, e.g. your dashboard. */
  readonly titleLink?: string;
  readonly headers?: Readonly<Record<string, string>>;
  readonly fetch?: FetchLike;
}

/** The incoming-webhook JSON this sink posts. */
export interface SlackPayload {
  readonly text: string;
  readonly channel?: string;
  readonly username?: string;
  readonly icon_emoji?: string;
  readonly attachments: readonly {
    color: string;
    title: string;
    title_link?: string;
    text: string;
    fallback: string;
    footer: string;
    ts: number;
  }[];
}

function optionalText(value: unknown, what: string): string | undefined {
  if (value === undefined) return undefined;
  if (typeof value !== 'string' || value.length === 0 || value.length > 256)
    throw new AlertValidationError('INVALID_SINK', `${what} must be a non-empty string of at most 256 characters`);
  return value;
}

/** Slack's attachment colour: red while a critical/error alert fires, amber for others, green when resolved. */
function colour(n: AlertNotification): string {
  if (n.status === 'resolved') return 'good';
  return n.alerts.some(
    (a) => a.state === 'firing' && (a.severity === AlertSeverity.CRITICAL || a.severity === AlertSeverity.ERROR),
  )
    ? 'danger'
    : 'warning';
}

/**
 * A sink posting each group notification to a Slack incoming webhook: a title, a coloured
 * attachment with one line per alert, with the shared queue, timeout and retries.
 *
 * @example alerts.addNotificationHandler(createSlackHandler({ url: process.env.SLACK_WEBHOOK_URL! }))
 */
export function createSlackHandler(config: SlackHandlerConfig): QueuedSink {
  const endpoint = jsonEndpoint(config, 'Slack webhook url');
  validateTemplate(config.title, 'title');
  validateTemplate(config.text, 'text');
  const channel = optionalText(config.channel, 'channel');
  const username = optionalText(config.username, 'username');
  const iconEmoji = optionalText(config.iconEmoji, 'iconEmoji');
  const titleLink = config.titleLink === undefined ? undefined : parseHttpUrl(config.titleLink, 'titleLink').toString();
  return createQueuedSink('slack', config, (n, options, timers) => {
    const title = renderTitle(config.title, n);
    const payload: SlackPayload = {
      text: title,
      ...(channel ? { channel } : {}),
      ...(username ? { username } : {}),
      ...(iconEmoji ? { icon_emoji: iconEmoji } : {}),
      attachments: [
        {
          color: colour(n),
          title,
          ...(titleLink ? { title_link: titleLink } : {}),
          text: renderBody(config.text, n),
          fallback: title,
          footer: `@obs/alerts · ${n.receiver}`,
          ts: Math.floor(n.timestamp / 1000),
        },
      ],
    };
    return endpoint.post(payload, options.timeoutMs, timers);
  });
}
