import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium, type BrowserContext, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { chromiumLaunchOptions, findChromium } from '@obs/testing';
import { startExampleApp, type ExampleApp } from './createExampleApp';

// The parts of the page's DOM the callbacks below use (they run in the browser; the app's tsconfig has no DOM lib).
declare const document: { body: { dataset: Record<string, string | undefined> } };

const chromiumPath = findChromium();

interface Mark {
  readonly x: number;
  readonly y: number;
  readonly traceId: string;
}

/** Latency exemplars on the dashboard, in a real browser, behind a token: a mark per exemplar, a click opens its trace. */
describe.skipIf(!chromiumPath)('latency exemplars in the dashboard (headless chromium)', () => {
  const token = 'exemplar-test-token-0123456789';
  let app: ExampleApp;
  let browser: BrowserContext;
  let page: Page;
  let profile: string;
  let traffic: ReturnType<typeof setInterval> | undefined;
  const errors: string[] = [];
  const png = readFileSync(new URL('../samples/forest.png', import.meta.url));

  beforeAll(async () => {
    app = await startExampleApp({ port: 0, token, traceSampleRate: 1, log: () => undefined });
    // Analysed images through the real HTTP route: each records its latency inside a sampled trace.
    traffic = setInterval(() => {
      fetch(`${app.url}/api/analyze`, {
        method: 'POST',
        body: png,
        headers: { Authorization: `Bearer ${token}` },
      }).catch(() => undefined);
    }, 150);
    profile = mkdtempSync(join(tmpdir(), 'obs-chromium-'));
    browser = await chromium.launchPersistentContext(
      profile,
      chromiumLaunchOptions(chromiumPath!, { viewport: { width: 1400, height: 1000 } }),
    );
    page = await browser.newPage();
    page.on('console', (m) => m.type() === 'error' && errors.push(m.text()));
    page.on('pageerror', (e) => errors.push(`pageerror: ${e.message}`));
    await page.goto(`${app.url}/?access_token=${token}`, { waitUntil: 'load' });
  }, 60_000);

  afterAll(async () => {
    if (traffic) clearInterval(traffic);
    await browser?.close();
    await app?.close();
    if (profile) rmSync(profile, { recursive: true, force: true });
  }, 30_000);

  it('serves the exemplars through the token-protected dashboard API', async () => {
    expect((await fetch(`${app.url}/api/dashboard`)).status).toBe(401);
    await expect
      .poll(
        async () => {
          const res = await fetch(`${app.url}/api/dashboard`, { headers: { Authorization: `Bearer ${token}` } });
          return ((await res.json()) as { exemplars: unknown[] }).exemplars.length;
        },
        { timeout: 30_000, interval: 500 },
      )
      .toBeGreaterThan(0);
  });

  it('marks exemplars on the latency chart, and a click on one shows the waterfall of its trace', async () => {
    await page.waitForFunction(() => Number(document.body.dataset['latencyExemplars'] ?? '0') >= 1, undefined, {
      timeout: 30_000,
    });
    const over = page.locator('#chart-latency .u-over');
    // The chart moves left as samples arrive (once a second), so a mark read just before a
    // redraw may have moved by the time of the click: read, click, and check, a few times.
    let opened: string | undefined;
    for (let attempt = 0; attempt < 5 && opened === undefined; attempt++) {
      const marks = JSON.parse((await over.getAttribute('data-exemplar-marks')) ?? '[]') as Mark[];
      expect(marks.length).toBeGreaterThan(0);
      const mark = marks[Math.floor(marks.length / 2)]!;
      expect(mark.traceId).toMatch(/^[0-9a-f]{32}$/);
      // A real click through the chart's overlay, at the mark's position.
      await over.click({ position: { x: mark.x, y: mark.y } });
      try {
        await expect
          .poll(() => page.locator('#waterfall').textContent(), { timeout: 3_000 })
          .toContain(`trace ${mark.traceId}`);
        opened = mark.traceId;
      } catch {
        // moved under the pointer: try again with fresh positions
      }
    }
    expect(opened).toBeDefined();
    const waterfall = await page.locator('#waterfall').textContent();
    expect(waterfall).toContain('vision.analyze_image');
    expect(waterfall).toContain('POST /api/analyze');
    expect(errors).toEqual([]);
  });
});
