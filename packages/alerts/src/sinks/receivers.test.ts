import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import {
  AlertValidationError,
  createAlertManager,
  createPagerDutyHandler,
  createSlackHandler,
  createTeamsHandler,
  createWebhookHandler,
  pagerDutyDedupKey,
  renderAlert,
  renderTitle,
  type FetchLike,
  type PagerDutyEvent,
  type SlackPayload,
} from '../index';

interface Call {
  url: string;
  body: unknown;
}

function fakeFetch() {
  const calls: Call[] = [];
  let mode: 'up' | 'down' | number = 'up';
  const fetchFn: FetchLike = (url, init) => {
    calls.push({ url, body: JSON.parse(init.body) });
    if (mode === 'down')
      return Promise.reject(new TypeError('fetch failed', { cause: new Error('connect ECONNREFUSED') }));
    const status = mode === 'up' ? 202 : mode;
    return Promise.resolve({ ok: status < 300, status, text: () => Promise.resolve('') });
  };
  return { calls, fetchFn, set: (m: typeof mode) => (mode = m) };
}

describe('receivers', () => {
  beforeEach(() => vi.useFakeTimers({ now: Date.UTC(2026, 10, 30, 9, 0, 0) }));
  afterEach(() => vi.useRealTimers());

  it('Slack: incoming-webhook JSON with title, colour and one line per alert', async () => {
    const f = fakeFetch();
    const slack = createSlackHandler({
      url: 'https://hooks.example.test/services/T/B/X',
      fetch: f.fetchFn,
      channel: '#ops',
    });
    const alerts = createAlertManager({ route: { groupBy: ['service'] } });
    alerts.addHandler(slack);
    alerts.fireAlert({
      name: 'HighLatency',
      severity: 'critical',
      message: 'p99 above 1 s',
      labels: { service: 'api' },
      value: 1500,
    });
    await alerts.drain();
    const body = f.calls[0]?.body as SlackPayload;
    expect(body).toMatchObject({ text: '[FIRING:1] api', channel: '#ops' });
    expect(body.attachments[0]).toMatchObject({
      color: 'danger',
      title: '[FIRING:1] api',
      text: 'critical HighLatency {service=api}: p99 above 1 s (value 1500)',
    });
    alerts.resolveAlert(alerts.getActiveAlerts()[0]!.alertId);
    await alerts.drain();
    expect((f.calls[1]?.body as SlackPayload).attachments[0]).toMatchObject({ color: 'good', title: '[RESOLVED] api' });
  });

  it('PagerDuty Events v2: trigger with the worst severity, then resolve, with the same stable dedup_key', async () => {
    const f = fakeFetch();
    const pd = createPagerDutyHandler({
      routingKey: 'R0UT1NGK3Y',
      fetch: f.fetchFn,
      clientUrl: 'http://127.0.0.1:3000/',
    });
    const alerts = createAlertManager({ receivers: { pager: pd }, route: { receiver: 'pager', groupBy: ['service'] } });
    const groupKeys = new Set<string>();
    alerts.events$.subscribe((e) => e.type === 'alerts/notified' && groupKeys.add(e.groupKey));
    alerts.fireAlert({ name: 'A', severity: 'warning', labels: { service: 'api' } });
    alerts.fireAlert({ name: 'B', severity: 'critical', labels: { service: 'api' } });
    await alerts.drain();
    const events = () => f.calls.map((c) => c.body as PagerDutyEvent);
    expect(f.calls[0]?.url).toBe('https://events.pagerduty.com/v2/enqueue');
    expect(events()[1]).toMatchObject({
      routing_key: 'R0UT1NGK3Y',
      event_action: 'trigger',
      payload: { severity: 'critical', source: 'api', summary: '[FIRING:2] api', custom_details: { num_firing: 2 } },
      client_url: 'http://127.0.0.1:3000/',
    });
    const key = events()[0]!.dedup_key;
    expect(groupKeys.size).toBe(1);
    expect(key).toBe(pagerDutyDedupKey({ receiver: 'pager', groupKey: [...groupKeys][0]! }));
    expect(key).not.toBe(pagerDutyDedupKey({ receiver: 'other', groupKey: [...groupKeys][0]! }));
    for (const a of alerts.getActiveAlerts()) alerts.resolveAlert(a.alertId);
    await alerts.drain();
    expect(events().at(-1)).toEqual({ routing_key: 'R0UT1NGK3Y', event_action: 'resolve', dedup_key: key });
    expect(new Set(events().map((e) => e.dedup_key)).size).toBe(1);
  });

  it('Teams: an Adaptive Card in a workflow message', async () => {
    const f = fakeFetch();
    const alerts = createAlertManager();
    alerts.addHandler(
      createTeamsHandler({
        url: 'https://prod.example.test/workflows/1',
        fetch: f.fetchFn,
        linkUrl: 'http://127.0.0.1:3000/',
      }),
    );
    alerts.fireAlert({ name: 'DiskFull', severity: 'warning', labels: { host: 'db-1' } });
    await alerts.drain();
    const body = f.calls[0]?.body as {
      type: string;
      attachments: {
        contentType: string;
        content: {
          type: string;
          body: { type: string; text?: string; color?: string; facts?: unknown }[];
          actions: unknown[];
        };
      }[];
    };
    expect(body.type).toBe('message');
    expect(body.attachments[0]?.contentType).toBe('application/vnd.microsoft.card.adaptive');
    const card = body.attachments[0]!.content;
    expect(card.type).toBe('AdaptiveCard');
    expect(card.body[0]).toMatchObject({ type: 'TextBlock', color: 'Warning' });
    expect(card.body[1]?.text).toContain('DiskFull');
    expect(card.body.at(-1)).toMatchObject({
      type: 'FactSet',
      facts: expect.arrayContaining([{ title: 'host', value: 'db-1' }]),
    });
    expect(card.actions).toEqual([{ type: 'Action.OpenUrl', title: 'Open', url: 'http://127.0.0.1:3000/' }]);
  });

  it('every receiver queues, retries with backoff while down, and counts; 4xx is not retried', async () => {
    const f = fakeFetch();
    f.set('down');
    const slack = createSlackHandler({
      url: 'https://hooks.example.test/x',
      fetch: f.fetchFn,
      retryInitialMs: 1000,
      retryMaxMs: 2000,
    });
    const alerts = createAlertManager();
    const errors: string[] = [];
    alerts.events$.subscribe((e) => e.type === 'alerts/handler-error' && errors.push(e.error));
    alerts.addHandler(slack);
    alerts.fireAlert({ name: 'A' });
    await vi.advanceTimersByTimeAsync(0);
    expect(errors).toEqual([expect.stringContaining('ECONNREFUSED')]);
    alerts.fireAlert({ name: 'B' }); // waits for the scheduled retry
    await vi.advanceTimersByTimeAsync(0);
    expect(slack.stats()).toMatchObject({ queued: 2, sent: 0, failures: 1 });
    await vi.advanceTimersByTimeAsync(1000);
    expect(f.calls).toHaveLength(2);
    f.set('up');
    await vi.advanceTimersByTimeAsync(2000);
    expect(slack.stats()).toMatchObject({ queued: 0, sent: 2, failures: 2 });
    f.set(400);
    alerts.fireAlert({ name: 'C' });
    await vi.advanceTimersByTimeAsync(60_000);
    expect(slack.stats()).toMatchObject({ queued: 0, rejected: 1 });
    expect(f.calls).toHaveLength(5);
    slack.stop();
  });

  it('the webhook retries too, and its payload names the receiver', async () => {
    const f = fakeFetch();
    f.set(503);
    const hook = createWebhookHandler({ url: 'http://127.0.0.1:8080/hook', fetch: f.fetchFn, retryInitialMs: 500 });
    const alerts = createAlertManager();
    alerts.addHandler(hook);
    alerts.fireAlert({ name: 'A' });
    await vi.advanceTimersByTimeAsync(0);
    f.set('up');
    await vi.advanceTimersByTimeAsync(500);
    expect(f.calls).toHaveLength(2);
    expect(f.calls[1]?.body).toMatchObject({ version: '1', receiver: 'default', status: 'firing' });
    expect(hook.stats()).toMatchObject({ sent: 1, failures: 1, queued: 0 });
  });

  it('templates: placeholders over labels, annotations, value and state; functions; bad templates refused', () => {
    const alerts = createAlertManager();
    const seen: string[] = [];
    alerts.addHandler((a, n) => {
      seen.push(renderTitle('{{STATUS}} {{groupLabels.alertname}} x{{firingCount}} for {{commonLabels.team}}', n));
      seen.push(
        renderAlert('{{name}} on {{labels.host}} is {{state}}: {{annotations.summary}} = {{value}}{{labels.nope}}', a),
      );
      seen.push(renderAlert((x) => `${x.name}!`, a));
    });
    alerts.fireAlert({
      name: 'Hot',
      labels: { host: 'h1', team: 'core' },
      annotations: { summary: 'too hot' },
      value: 91.5,
    });
    expect(seen).toEqual(['FIRING Hot x1 for core', 'Hot on h1 is firing: too hot = 91.5', 'Hot!']);
    expect(() => createSlackHandler({ url: 'https://x.test/', title: 42 as never })).toThrow(AlertValidationError);
    expect(() => createPagerDutyHandler({ routingKey: '' })).toThrow(AlertValidationError);
    expect(() => createTeamsHandler({ url: 'ftp://x' })).toThrow(AlertValidationError);
  });
});
