import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { requireBinary, startPrometheus, type RunningPromServer } from '@obs/testing';
import { startExampleApp, type ExampleApp } from './createExampleApp';

const prometheusBinary = process.env.PROMETHEUS_BIN ?? requireBinary('prometheus');

interface QueryResult {
  status: string;
  data: { result: { metric: Record<string, string>; value: [number, string] }[] };
}

describe.skipIf(!prometheusBinary)('a real Prometheus scraping the app', () => {
  let app: ExampleApp;
  let prometheus: RunningPromServer;
  let promUrl: string;

  beforeAll(async () => {
    app = await startExampleApp({ port: 0, log: () => undefined });
    const target = new URL(app.url).host;
    prometheus = await startPrometheus({
      binary: prometheusBinary!,
      config: [
        'global:',
        '  scrape_interval: 1s',
        '  evaluation_interval: 1s',
        'scrape_configs:',
        '  - job_name: obs-example',
        '    static_configs:',
        `      - targets: ['${target}']`,
        '',
      ].join('\n'),
      timeoutMs: 30_000,
    });
    promUrl = prometheus.url;
    const png = readFileSync(new URL('../samples/logo.png', import.meta.url));
    for (let i = 0; i < 7; i++) await fetch(`${app.url}/api/analyze`, { method: 'POST', body: png });
    await fetch(`${app.url}/api/analyze`, { method: 'POST', body: Buffer.from('nope') });
  }, 60_000);

  afterAll(async () => {
    await prometheus?.stop();
    await app?.close();
  }, 30_000);

  it('sees the target up and can query vision_requests_total', async () => {
    await expect
      .poll(
        async () => {
          const targets = (await (await fetch(`${promUrl}/api/v1/targets`)).json()) as {
            data: { activeTargets: { health: string; lastError: string }[] };
          };
          return targets.data.activeTargets.map((t) => `${t.health}${t.lastError ? ': ' + t.lastError : ''}`);
        },
        { timeout: 30_000, interval: 500 },
      )
      .toEqual(['up']);
    await expect
      .poll(
        async () => {
          const res = (await (
            await fetch(`${promUrl}/api/v1/query?query=${encodeURIComponent('vision_requests_total')}`)
          ).json()) as QueryResult;
          return res.data.result.map((r) => ({
            provider: r.metric['provider'],
            job: r.metric['job'],
            value: Number(r.value[1]),
          }));
        },
        { timeout: 30_000, interval: 500 },
      )
      .toEqual([{ provider: 'local', job: 'obs-example', value: 8 }]);
    const errors = (await (
      await fetch(`${promUrl}/api/v1/query?query=${encodeURIComponent('sum(vision_requests_error_total)')}`)
    ).json()) as QueryResult;
    expect(Number(errors.data.result[0]?.value[1])).toBe(1);
  });
});
