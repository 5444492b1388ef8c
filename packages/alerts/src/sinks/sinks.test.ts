import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import {
  AlertSeverity,
  AlertSinkError,
  createAlertManager,
  createAlertmanagerHandler,
  createWebhookHandler,
  type FetchLike,
  type PostableAlert,
} from '../index';

interface Call {
  url: string;
  headers: Record<string, string>;
  body: unknown;
}

/** A fake fetch whose availability the test controls. */
function fakeFetch() {
  const calls: Call[] = [];
  let mode: 'up' | 'down' | 'hang' | number = 'up';
  const fetchFn: FetchLike = (url, init) => {
    calls.push({ url, headers: init.headers, body: JSON.parse(init.body) });
    if (mode === 'down')
      return Promise.reject(new TypeError('fetch failed', { cause: new Error('connect ECONNREFUSED') }));
    if (mode === 'hang') {
      return new Promise((_, reject) => init.signal.addEventListener('abort', () => reject(new Error('aborted'))));
    }
    const status = mode === 'up' ? 200 : mode;
    return Promise.resolve({ ok: status < 300, status, text: () => Promise.resolve(status < 300 ? '' : 'bad alert') });
  };
  return { calls, fetchFn, set: (m: typeof mode) => (mode = m) };
}

const posted = (call: Call | undefined) => call?.body as PostableAlert[];

describe('createAlertmanagerHandler', () => {
  beforeEach(() => vi.useFakeTimers({ now: Date.UTC(2026, 10, 29, 9, 0, 0) }));
  afterEach(() => vi.useRealTimers());

  it('posts API v2 postable alerts: alertname, severity, annotations, startsAt, endsAt, generatorURL', async () => {
    const f = fakeFetch();
    const sink = createAlertmanagerHandler({
      url: 'http://127.0.0.1:9093/',
      fetch: f.fetchFn,
      generatorURL: 'http://127.0.0.1:3000/',
      resendInterval: 30_000,
      externalLabels: { instance: 'api-1', service: 'ext' },
    });
    const alerts = createAlertManager();
    alerts.addNotificationHandler(sink);
    const start = Date.now();
    alerts.fireAlert({
      alertId: 'x',
      name: 'HighLatency',
      severity: AlertSeverity.CRITICAL,
      message: 'p99 > 1s',
      labels: { service: 'api' },
      annotations: { runbook: 'r' },
      value: 1500,
    });
    await vi.advanceTimersByTimeAsync(0);
    expect(f.calls[0]?.url).toBe('http://127.0.0.1:9093/api/v2/alerts');
    expect(f.calls[0]?.headers['content-type']).toBe('application/json');
    expect(posted(f.calls[0])).toEqual([
      {
        labels: { instance: 'api-1', alertname: 'HighLatency', severity: 'critical', service: 'api' },
        annotations: { runbook: 'r', message: 'p99 > 1s', summary: 'p99 > 1s', value: '1500' },
        startsAt: new Date(start).toISOString(),
        endsAt: new Date(start + 120_000).toISOString(), // 4 × resendInterval, as Prometheus does
        generatorURL: 'http://127.0.0.1:3000/',
      },
    ]);
    await vi.advanceTimersByTimeAsync(5000);
    alerts.resolveAlert('x');
    await vi.advanceTimersByTimeAsync(0);
    expect(posted(f.calls[1])?.[0]?.endsAt).toBe(new Date(start + 5000).toISOString());
    expect(sink.stats()).toMatchObject({ sent: 2, queued: 0, active: 0, failures: 0 });
    sink.stop();
  });

  it('re-sends active alerts every resendInterval and stops after stop()', async () => {
    const f = fakeFetch();
    const sink = createAlertmanagerHandler({ url: 'http://127.0.0.1:9093', fetch: f.fetchFn, resendInterval: 10_000 });
    const alerts = createAlertManager();
    alerts.addNotificationHandler(sink);
    alerts.fireAlert({ name: 'A' });
    alerts.fireAlert({ name: 'B' });
    await vi.advanceTimersByTimeAsync(0);
    expect(f.calls).toHaveLength(2);
    await vi.advanceTimersByTimeAsync(10_000);
    expect(f.calls).toHaveLength(3);
    expect(
      posted(f.calls[2])
        ?.map((a) => a.labels['alertname'])
        .sort(),
    ).toEqual(['A', 'B']);
    expect(Date.parse(posted(f.calls[2])![0]!.endsAt!)).toBe(Date.now() + 40_000);
    await vi.advanceTimersByTimeAsync(10_000);
    expect(f.calls).toHaveLength(4);
    sink.stop();
    await vi.advanceTimersByTimeAsync(60_000);
    expect(f.calls).toHaveLength(4);
  });

  it('retries with exponential backoff while Alertmanager is down and delivers the queue once back', async () => {
    const f = fakeFetch();
    f.set('down');
    const sink = createAlertmanagerHandler({
      url: 'http://127.0.0.1:9093',
      fetch: f.fetchFn,
      retryInitialMs: 1000,
      retryMaxMs: 4000,
      resendInterval: 0,
    });
    const alerts = createAlertManager();
    const errors: string[] = [];
    alerts.events$.subscribe((e) => e.type === 'alerts/handler-error' && errors.push(e.error));
    alerts.addNotificationHandler(sink, { name: 'alertmanager' });
    alerts.fireAlert({ name: 'A' });
    await vi.advanceTimersByTimeAsync(0);
    expect(errors).toEqual([expect.stringContaining('ECONNREFUSED')]);
    alerts.fireAlert({ name: 'B' }); // queued behind the scheduled retry, no extra request
    await vi.advanceTimersByTimeAsync(0);
    expect(f.calls).toHaveLength(1);
    const times: number[] = [];
    const t0 = Date.now();
    for (let i = 0; i < 5; i++) {
      const n = f.calls.length;
      while (f.calls.length === n) await vi.advanceTimersByTimeAsync(100);
      times.push(Date.now() - t0);
    }
    expect(times).toEqual([1000, 3000, 7000, 11000, 15000]); // 1 s, 2 s, 4 s, then capped at 4 s
    f.set('up');
    await vi.advanceTimersByTimeAsync(4000);
    expect(posted(f.calls.at(-1))?.map((a) => a.labels['alertname'])).toEqual(['A', 'B']);
    expect(sink.stats()).toMatchObject({ queued: 0, sent: 2, failures: 6 });
    expect(sink.stats().lastError).toContain('ECONNREFUSED');
    sink.stop();
  });

  it('bounds the queue, dropping the oldest and counting drops', async () => {
    const f = fakeFetch();
    f.set('down');
    const sink = createAlertmanagerHandler({
      url: 'http://127.0.0.1:9093',
      fetch: f.fetchFn,
      maxQueue: 3,
      resendInterval: 0,
    });
    const alerts = createAlertManager();
    alerts.addNotificationHandler(sink);
    for (let i = 0; i < 5; i++) alerts.fireAlert({ name: 'A', labels: { i: String(i) } });
    await vi.advanceTimersByTimeAsync(0);
    expect(sink.stats()).toMatchObject({ queued: 3, dropped: 2 });
    f.set('up');
    await sink.flush();
    expect(posted(f.calls.at(-1))?.map((a) => a.labels['i'])).toEqual(['2', '3', '4']);
    sink.stop();
  });

  it('a 4xx answer rejects the batch without retrying; a hanging request times out', async () => {
    const f = fakeFetch();
    f.set(400);
    const sink = createAlertmanagerHandler({
      url: 'http://127.0.0.1:9093',
      fetch: f.fetchFn,
      resendInterval: 0,
      timeoutMs: 2000,
    });
    const alerts = createAlertManager();
    alerts.addNotificationHandler(sink);
    alerts.fireAlert({ name: 'A' });
    await vi.advanceTimersByTimeAsync(60_000);
    expect(f.calls).toHaveLength(1);
    expect(sink.stats()).toMatchObject({ rejected: 1, queued: 0 });
    f.set('hang');
    alerts.fireAlert({ name: 'B' });
    await vi.advanceTimersByTimeAsync(2000);
    expect(sink.stats().lastError).toContain('timed out after 2000 ms');
    expect(sink.stats().queued).toBe(1);
    sink.stop();
    const flushed = sink.flush().catch((e: unknown) => e);
    await vi.advanceTimersByTimeAsync(2000);
    expect(await flushed).toBeInstanceOf(AlertSinkError);
    sink.stop();
  });
});

describe('createAlertmanagerHandler({ urls }) (HA)', () => {
  beforeEach(() => vi.useFakeTimers({ now: Date.UTC(2026, 10, 29, 9, 0, 0) }));
  afterEach(() => vi.useRealTimers());

  it('delivers to each Alertmanager independently: per-target queue, retries and stats', async () => {
    const calls: string[] = [];
    let downHost = '127.0.0.1:9093';
    const fetchFn: FetchLike = (url) => {
      calls.push(url);
      if (url.includes(downHost))
        return Promise.reject(new TypeError('fetch failed', { cause: new Error('connect ECONNREFUSED') }));
      return Promise.resolve({ ok: true, status: 200, text: () => Promise.resolve('') });
    };
    const sink = createAlertmanagerHandler({
      url: 'http://127.0.0.1:9093',
      urls: ['http://127.0.0.1:9094', 'http://127.0.0.1:9093/'],
      fetch: fetchFn,
      resendInterval: 0,
      retryInitialMs: 1000,
    });
    const alerts = createAlertManager();
    alerts.addHandler(sink);
    alerts.fireAlert({ name: 'A' });
    await vi.advanceTimersByTimeAsync(0);
    expect(sink.stats().targets.map((t) => [t.url, t.sent, t.queued])).toEqual([
      ['http://127.0.0.1:9093/api/v2/alerts', 0, 1],
      ['http://127.0.0.1:9094/api/v2/alerts', 1, 0],
    ]); // duplicates removed; the one down holds back nobody
    alerts.fireAlert({ name: 'B' });
    await vi.advanceTimersByTimeAsync(0);
    expect(sink.stats().targets[1]).toMatchObject({ sent: 2, queued: 0 });
    downHost = 'none';
    await vi.advanceTimersByTimeAsync(1000);
    expect(sink.stats()).toMatchObject({ sent: 4, queued: 0, failures: 1 });
    expect(() => createAlertmanagerHandler({ urls: [] })).toThrow();
    sink.stop();
  });
});

describe('createWebhookHandler', () => {
  it('posts the notification as JSON with custom headers; a non-2xx becomes a handler-error', async () => {
    const f = fakeFetch();
    const hook = createWebhookHandler({
      url: 'http://127.0.0.1:8080/hook',
      headers: { authorization: 'Bearer t' },
      fetch: f.fetchFn,
    });
    const alerts = createAlertManager({ clock: { now: () => 1000 } });
    const errors: string[] = [];
    alerts.events$.subscribe((e) => e.type === 'alerts/handler-error' && errors.push(e.error));
    alerts.addNotificationHandler(hook);
    alerts.fireAlert({ name: 'A', labels: { service: 'x' } });
    await alerts.drain();
    expect(f.calls[0]).toMatchObject({ url: 'http://127.0.0.1:8080/hook', headers: { authorization: 'Bearer t' } });
    expect(f.calls[0]?.body).toMatchObject({
      version: '1',
      status: 'firing',
      groupLabels: { alertname: 'A', service: 'x' },
      alerts: [{ name: 'A', state: 'firing', labels: { service: 'x' } }],
      timestamp: 1000,
    });
    f.set(503);
    alerts.fireAlert({ name: 'B' });
    await alerts.drain();
    expect(errors).toEqual([expect.stringContaining('503')]);
  });
});

describe('a sink works wherever it is added', () => {
  it('addHandler(createAlertmanagerHandler(...)) posts the alerts as addNotificationHandler does', async () => {
    const f = fakeFetch();
    const sink = createAlertmanagerHandler({ url: 'http://127.0.0.1:9093', fetch: f.fetchFn, resendInterval: 0 });
    const alerts = createAlertManager();
    const errors: string[] = [];
    alerts.events$.subscribe((e) => e.type === 'alerts/handler-error' && errors.push(e.error));
    alerts.addHandler(sink);
    alerts.fireAlert({ name: 'A', labels: { service: 'x' } });
    alerts.fireAlert({ name: 'B' });
    await alerts.drain();
    expect(errors).toEqual([]);
    expect(f.calls.map((c) => posted(c).map((a) => a.labels['alertname']))).toEqual([['A'], ['B']]);
    expect(sink.stats()).toMatchObject({ sent: 2, queued: 0 });
  });

  it('addHandler(createWebhookHandler(...)) posts one notification, and its remover works', async () => {
    const f = fakeFetch();
    const alerts = createAlertManager();
    const remove = alerts.addHandler(createWebhookHandler({ url: 'http://127.0.0.1:8080/hook', fetch: f.fetchFn }));
    alerts.fireAlert({ name: 'A' });
    await alerts.drain();
    expect(f.calls[0]?.body).toMatchObject({ status: 'firing', alerts: [{ name: 'A' }] });
    expect(remove()).toBe(true);
    alerts.fireAlert({ name: 'B' });
    await alerts.drain();
    expect(f.calls).toHaveLength(1);
  });
});
