import type { Alert } from '../Alert';
import { AlertSeverity } from '../AlertSeverity';
import type { AlertNotification } from '../Notification';
import { jsonEndpoint, parseHttpUrl, type FetchLike } from './http';
import { createQueuedSink, type QueuedSink, type QueuedSinkOptions } from './queuedSink';
import { renderAlert, renderTitle, validateTemplate, type Template } from './template';

export interface TeamsHandlerConfig extends QueuedSinkOptions {
  /** The URL of a Teams workflow ("Post to a channel when a webhook request is received"). */
  readonly url: string;
  /** Card title; default `[FIRING:2] HighLatency api`. */
  readonly title?: Template<AlertNotification>;
  /** One text block per alert. */
  readonly text?: Template<Alert>;
  /** Adds an "Open" button to the card, e.g. your dashboard. */
  readonly linkUrl?: string;
  readonly headers?: Readonly<Record<string, string>>;
  readonly fetch?: FetchLike;
}

/**
 * A sink posting each group notification to a Microsoft Teams workflow webhook as an
 * Adaptive Card (title coloured by status, one block per alert, the group labels as facts),
 * with the shared queue, timeout and retries.
 *
 * @example alerts.addNotificationHandler(createTeamsHandler({ url: process.env.TEAMS_WORKFLOW_URL! }))
 */
export function createTeamsHandler(config: TeamsHandlerConfig): QueuedSink {
  const endpoint = jsonEndpoint(config, 'Teams workflow url');
  validateTemplate(config.title, 'title');
  validateTemplate(config.text, 'text');
  const linkUrl = config.linkUrl === undefined ? undefined : parseHttpUrl(config.linkUrl, 'linkUrl').toString();
  return createQueuedSink('teams', config, (n, options, timers) => {
    const severe = n.alerts.some(
      (a) => a.state === 'firing' && (a.severity === AlertSeverity.CRITICAL || a.severity === AlertSeverity.ERROR),
    );
    const card = {
      $schema: 'http://adaptivecards.io/schemas/adaptive-card.json',
      type: 'AdaptiveCard',
      version: '1.4',
      msteams: { width: 'Full' },
      body: [
        {
          type: 'TextBlock',
          text: renderTitle(config.title, n),
          weight: 'Bolder',
          size: 'Medium',
          wrap: true,
          color: n.status === 'resolved' ? 'Good' : severe ? 'Attention' : 'Warning',
        },
        ...n.alerts.map((a) => ({ type: 'TextBlock', text: renderAlert(config.text, a), wrap: true, separator: true })),
        { type: 'FactSet', facts: Object.entries(n.groupLabels).map(([title, value]) => ({ title, value })) },
      ],
      ...(linkUrl ? { actions: [{ type: 'Action.OpenUrl', title: 'Open', url: linkUrl }] } : {}),
    };
    const payload = {
      type: 'message',
      attachments: [{ contentType: 'application/vnd.microsoft.card.adaptive', contentUrl: null, content: card }],
    };
    return endpoint.post(payload, options.timeoutMs, timers);
  });
}
