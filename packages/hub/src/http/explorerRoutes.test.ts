import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createObservabilityHub, type ObservabilityHub } from '../index';
import { createHttpHandler, type HubHttpHandler } from './createHttpHandler';

let hub: ObservabilityHub;
let handler: HubHttpHandler;
let server: Server;
let base: string;

beforeAll(async () => {
  hub = createObservabilityHub();
  handler = createHttpHandler(hub, { token: 'secret-token', metricsToken: null });
  server = createServer(handler);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

afterAll(async () => {
  handler.close();
  await hub.stop();
  server.closeAllConnections();
  await new Promise((resolve) => server.close(resolve));
});

const get = (path: string, token: string | null = 'secret-token') =>
  fetch(`${base}${path}`, { headers: token ? { authorization: `Bearer ${token}` } : {} });

describe('metric explorer routes', () => {
  it('lists, searches, lists series and follows a query, behind the token', async () => {
    for (let i = 0; i < 30; i++) hub.metrics.increment('shop_orders_total', 1, { route: `/r${i % 3}` });
    hub.metrics.gauge('shop_queue_depth', 4);
    expect((await get('/api/metrics', null)).status).toBe(401);

    const list = (await (await get('/api/metrics?search=shop_&limit=1')).json()) as {
      total: number;
      metrics: { name: string }[];
    };
    expect(list.total).toBe(2);
    expect(list.metrics.map((m) => m.name)).toEqual(['shop_orders_total']);

    const series = (await (await get('/api/metrics/series?name=shop_orders_total&label.route=%2Fr1')).json()) as {
      total: number;
      series: unknown[];
    };
    expect(series).toEqual({ total: 1, series: [{ route: '/r1' }] });

    const query = (await (await get('/api/metrics/query?name=shop_orders_total&label.route=%2Fr1')).json()) as Record<
      string,
      unknown
    >;
    expect(query).toMatchObject({
      name: 'shop_orders_total',
      type: 'counter',
      valueKind: 'rate',
      matchedSeries: 1,
      points: [],
    });
    expect(hub.explorer.wants('shop_orders_total')).toBe(true);
  });

  it('answers bad parameters with 400 and unknown metrics with 404', async () => {
    expect((await get('/api/metrics?limit=0')).status).toBe(400);
    expect((await get('/api/metrics?limit=1000')).status).toBe(400);
    expect((await get(`/api/metrics?search=${'x'.repeat(300)}`)).status).toBe(400);
    expect((await get('/api/metrics/query')).status).toBe(400);
    expect((await get('/api/metrics/query?name=x&label.bad-name=1')).status).toBe(400);
    expect((await get(`/api/metrics/query?name=x&label.a=${'v'.repeat(2000)}`)).status).toBe(400);
    const many = Array.from({ length: 17 }, (_, i) => `label.l${i}=v`).join('&');
    expect((await get(`/api/metrics/series?name=x&${many}`)).status).toBe(400);
    const missing = await get('/api/metrics/query?name=no_such_metric');
    expect(missing.status).toBe(404);
    expect(await missing.json()).toMatchObject({ error: 'metric_not_found' });
  });
});
