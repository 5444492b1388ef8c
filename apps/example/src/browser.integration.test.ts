import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium, type BrowserContext, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { chromiumLaunchOptions, findChromium } from '@obs/testing';
import { startExampleApp, type ExampleApp } from './createExampleApp';

// The parts of the page's DOM the callbacks below use (they run in the browser; the app's tsconfig has no DOM lib).
declare const document: {
  body: { dataset: Record<string, string | undefined> };
  getElementById(id: string): { textContent: string | null } | null;
};

const chromiumPath = findChromium();
const XSS = '<img src=x onerror=alert(1)>';

describe.skipIf(!chromiumPath)('the dashboard in a real browser (headless chromium)', () => {
  let app: ExampleApp;
  let browser: BrowserContext;
  let page: Page;
  let profile: string;
  const consoleErrors: string[] = [];
  const dialogs: string[] = [];
  let traffic: ReturnType<typeof setInterval> | undefined;
  const png = readFileSync(new URL('../samples/forest.png', import.meta.url));
  const jpg = readFileSync(new URL('../samples/sunset.jpg', import.meta.url));

  beforeAll(async () => {
    app = await startExampleApp({ port: 0, traceSampleRate: 1, log: () => undefined });
    // Steady traffic through the real HTTP route while the page is open.
    let n = 0;
    traffic = setInterval(() => {
      const body = n++ % 5 === 4 ? Buffer.from('not an image') : n % 2 ? png : jpg;
      fetch(`${app.url}/api/analyze`, { method: 'POST', body }).catch(() => undefined);
    }, 100);
    profile = mkdtempSync(join(tmpdir(), 'obs-chromium-'));
    browser = await chromium.launchPersistentContext(
      profile,
      chromiumLaunchOptions(chromiumPath!, { viewport: { width: 1400, height: 1000 } }),
    );
    page = await browser.newPage();
    page.on('console', (message) => {
      if (message.type() === 'error') consoleErrors.push(message.text());
    });
    page.on('pageerror', (error) => consoleErrors.push(`pageerror: ${error.message}`));
    page.on('dialog', (dialog) => {
      dialogs.push(dialog.message());
      void dialog.dismiss();
    });
    await page.goto(`${app.url}/`, { waitUntil: 'load' });
  }, 60_000);

  afterAll(async () => {
    if (traffic) clearInterval(traffic);
    await browser?.close();
    await app?.close();
    if (profile) rmSync(profile, { recursive: true, force: true });
  }, 30_000);

  const chartUpdates = () => page.evaluate(() => Number(document.body.dataset['chartUpdates'] ?? '0'));

  it('loads, draws six charts and keeps updating them as traffic flows', async () => {
    await page.waitForFunction(() => Number(document.body.dataset['chartUpdates'] ?? '0') >= 1, undefined, {
      timeout: 20_000,
    });
    expect(await page.locator('.chart canvas').count()).toBe(6);
    const before = await chartUpdates();
    await page.waitForFunction((n) => Number(document.body.dataset['chartUpdates'] ?? '0') >= n + 3, before, {
      timeout: 20_000,
    });
    expect(await chartUpdates()).toBeGreaterThanOrEqual(before + 3);
    await expect.poll(() => page.locator('#connection').textContent(), { timeout: 10_000 }).toBe('live');
  });

  it('charts the runtime metrics: event-loop delay p99 and heap', async () => {
    await page.waitForFunction(() => Number(document.body.dataset['runtimeUpdates'] ?? '0') >= 2, undefined, {
      timeout: 20_000,
    });
    expect(await page.locator('#runtime-eld').textContent()).toMatch(/^p99 \d+\.\d ms$/);
    expect(await page.locator('#runtime-heap').textContent()).toMatch(/^\d+\.\d MiB used$/);
  });

  it('shows the health checks, SLOs and recent traces with a span waterfall', async () => {
    await page.waitForSelector('#health-list li', { timeout: 20_000 });
    expect(await page.locator('#health-list').textContent()).toContain('vision-provider');
    await page.waitForSelector('#slo-list li', { timeout: 20_000 });
    expect(await page.locator('#slo-list').textContent()).toContain('Vision availability (local)');
    // A trace of an analysed image (a body that is not an image is refused before the provider runs: one span).
    const analysed = page.locator('#trace-list li', { hasText: /· ([3-9]|\d{2,}) spans/ }).first();
    await analysed.waitFor({ timeout: 20_000 });
    await analysed.click();
    await page.waitForSelector('#waterfall .span-row', { timeout: 10_000 });
    // The page may have shown another trace first; wait for the clicked one.
    await expect
      .poll(() => page.locator('#waterfall').textContent(), { timeout: 10_000 })
      .toContain('vision.analyze_image');
    const waterfall = await page.locator('#waterfall').textContent();
    expect(waterfall).toContain('POST /api/analyze');
    expect(waterfall).toContain('vision.analyze_image');
    expect(waterfall).toContain('read_body');
  });

  it('shows a firing alert, and an alert message with HTML in it only as text', async () => {
    app.hub.alerts.fireAlert({
      name: 'ImageBacklog',
      severity: 'warning',
      message: 'uploads are queueing',
      labels: { queue: 'uploads' },
    });
    app.hub.alerts.fireAlert({
      name: 'HostileMessage',
      severity: 'critical',
      message: XSS,
      labels: { note: '<b>bold?</b>' },
    });
    await page.waitForFunction(
      () => (document.getElementById('alerts-list')?.textContent ?? '').includes('HostileMessage'),
      undefined,
      { timeout: 20_000 },
    );
    const list = page.locator('#alerts-list');
    expect(await list.textContent()).toContain('ImageBacklog');
    const hostile = page.locator('#alerts-list li', { hasText: 'HostileMessage' });
    expect(await hostile.locator('.message').textContent()).toBe(XSS);
    await expect.poll(() => hostile.locator('.message').isVisible()).toBe(true);
    // No element was created from the message: no <img>, no <b> anywhere in the list.
    expect(await list.locator('img').count()).toBe(0);
    expect(await list.locator('b').count()).toBe(0);
    expect(await page.locator('#alerts-count').textContent()).not.toBe('0');
    await page.waitForTimeout(500);
    expect(dialogs).toEqual([]);
  });

  it('explores a metric live: search, pick, a chart of its quantiles that keeps growing', async () => {
    await page.fill('#explorer-search', 'vision_request_dur');
    await page.waitForSelector('#explorer-metrics li[data-metric="vision_request_duration_ms"]', { timeout: 20_000 });
    await expect.poll(() => page.locator('#explorer-metrics li').count(), { timeout: 10_000 }).toBe(1); // the search narrowed the list
    await page.click('#explorer-metrics li[data-metric="vision_request_duration_ms"]');
    await page.waitForFunction(() => Number(document.body.dataset['explorerPoints'] ?? '0') >= 3, undefined, {
      timeout: 20_000,
    });
    expect(await page.locator('#explorer-chart canvas').count()).toBe(1);
    expect(await page.locator('#explorer-meta').textContent()).toMatch(
      /^histogram · 1 series · \d+ points · observations [\d.]+\/s · p99 [\d.]+$/,
    );
    // the six main charts are unchanged
    expect(await page.locator('.chart canvas').count()).toBe(6);
  });

  it('draws the budget burn-down of every SLO and burn rates, and a grouped SLO as a table per label', async () => {
    const { createSLODefinition } = await import('@obs/hub');
    const slo = app.hub.sloTracker.defineSLO(
      createSLODefinition('Checkout by route', 99, 1, '', { groupBy: ['route'] }),
    );
    for (let i = 0; i < 200; i++)
      app.hub.sloTracker.recordEvent(slo.sloId, i % 40 !== 0, { route: i % 2 ? '/pay' : `/cart${XSS}` });
    app.hub.sloTracker.evaluate();
    await page.waitForSelector(`#slo-list li[data-slo-id="${slo.sloId}"] table.slo-groups tr:nth-child(3)`, {
      timeout: 20_000,
    });
    const item = page.locator(`#slo-list li[data-slo-id="${slo.sloId}"]`);
    expect(await item.locator('table.slo-groups tr').count()).toBe(3); // header + two routes
    expect(await item.locator('table.slo-groups').textContent()).toContain(`route=/cart${XSS}`);
    expect(await item.locator('table.burn-rates td').count()).toBe(7);
    expect(Number(await item.locator('svg.burndown').getAttribute('data-points'))).toBeGreaterThanOrEqual(1);
  });

  it('logged no console errors (no CSP violations, no failed requests, no script errors)', () => {
    expect(consoleErrors).toEqual([]);
  });
});

describe.skipIf(!chromiumPath)('the dashboard behind OBS_TOKEN (headless chromium)', () => {
  const token = 'browser-test-token-0123456789';
  let app: ExampleApp;
  let browser: BrowserContext;
  let profile: string;

  beforeAll(async () => {
    app = await startExampleApp({ port: 0, token, log: () => undefined });
    for (let i = 0; i < 3; i++) {
      await fetch(`${app.url}/api/analyze`, {
        method: 'POST',
        body: readFileSync(new URL('../samples/logo.png', import.meta.url)),
        headers: { Authorization: `Bearer ${token}` },
      });
    }
    profile = mkdtempSync(join(tmpdir(), 'obs-chromium-'));
    browser = await chromium.launchPersistentContext(profile, chromiumLaunchOptions(chromiumPath!));
  }, 60_000);

  afterAll(async () => {
    await browser?.close();
    await app?.close();
    if (profile) rmSync(profile, { recursive: true, force: true });
  }, 30_000);

  it('works when opened with ?access_token= (API calls and the event stream carry it)', async () => {
    const page = await browser.newPage();
    const errors: string[] = [];
    page.on('console', (m) => m.type() === 'error' && errors.push(m.text()));
    page.on('pageerror', (e) => errors.push(e.message));
    await page.goto(`${app.url}/?access_token=${token}`, { waitUntil: 'load' });
    await page.waitForSelector('#slo-list li', { timeout: 20_000 });
    await expect.poll(() => page.locator('#connection').textContent(), { timeout: 10_000 }).toBe('live');
    expect(errors).toEqual([]);
    await page.close();
  });

  it('refuses the page without the token', async () => {
    const page = await browser.newPage();
    const response = await page.goto(`${app.url}/`);
    expect(response?.status()).toBe(401);
    expect(await page.locator('#alerts-list').count()).toBe(0);
    await page.close();
  });
});
