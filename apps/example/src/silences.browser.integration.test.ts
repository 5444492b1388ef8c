import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium, type BrowserContext, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { chromiumLaunchOptions, findChromium } from '@obs/testing';
import { startExampleApp, type ExampleApp } from './createExampleApp';

const chromiumPath = findChromium();

/** Silencing from the dashboard, in a real browser, behind a token (POST/DELETE carry it as a header). */
describe.skipIf(!chromiumPath)('silences in the dashboard (headless chromium)', () => {
  const token = 'silence-test-token-0123456789';
  let app: ExampleApp;
  let browser: BrowserContext;
  let page: Page;
  let profile: string;
  const errors: string[] = [];

  beforeAll(async () => {
    app = await startExampleApp({ port: 0, token, log: () => undefined });
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
    await browser?.close();
    await app?.close();
    if (profile) rmSync(profile, { recursive: true, force: true });
  }, 30_000);

  const card = (name: string) => page.locator('#alerts-list li', { hasText: name });

  it('silences a firing alert from its card (duration, comment), lists the silence and what it mutes, then expires it', async () => {
    app.hub.alerts.fireAlert({
      name: 'DiskFull',
      severity: 'critical',
      message: 'disk 97% full',
      labels: { instance: 'db-1' },
    });
    app.hub.alerts.fireAlert({ name: 'HighLatency', severity: 'warning', labels: { service: 'api' } });
    await card('DiskFull').waitFor({ timeout: 20_000 });
    expect(await page.locator('#silences-empty').isVisible()).toBe(true);

    // A comment is required: the dialog says so and creates nothing.
    await card('DiskFull').locator('.silence-button').click();
    await page.locator('#silence-dialog').waitFor({ state: 'visible' });
    expect(await page.locator('#silence-matchers').textContent()).toBe('alertname="DiskFull", instance="db-1"');
    await page
      .locator('#silence-comment')
      .evaluate((input) => ((input as unknown as { required: boolean }).required = false));
    await page.click('#silence-submit');
    await expect.poll(() => page.locator('#silence-error').textContent()).toBe('A comment is required.');
    expect(app.hub.alerts.listSilences()).toHaveLength(0);

    await page.selectOption('#silence-duration', { label: '4h' });
    await page.fill('#silence-comment', 'disk swap tonight');
    const before = Date.now();
    await page.click('#silence-submit');
    await page.locator('#silence-dialog').waitFor({ state: 'hidden' });

    // The manager has the silence; the alert is muted by it.
    const [silence] = app.hub.alerts.listSilences();
    expect(silence).toMatchObject({ status: 'active', createdBy: 'dashboard', comment: 'disk swap tonight' });
    expect(silence!.endsAt - before).toBeGreaterThan(4 * 3600_000 - 60_000);
    expect(silence!.endsAt - before).toBeLessThan(4 * 3600_000 + 60_000);
    expect(app.hub.alerts.getActiveAlerts().find((a) => a.name === 'DiskFull')).toMatchObject({
      state: 'suppressed',
      suppressedBy: [`silence:${silence!.id}`],
    });

    // The dashboard shows it silenced: gone from the firing cards, listed under Silences with what it mutes.
    const item = page.locator(`#silences-list li[data-silence-id="${silence!.id}"]`);
    await item.waitFor({ timeout: 20_000 });
    expect(await item.textContent()).toContain('alertname="DiskFull"');
    expect(await item.textContent()).toContain('disk swap tonight');
    expect(await item.textContent()).toContain('mutes: DiskFull');
    await expect.poll(() => card('DiskFull').count(), { timeout: 20_000 }).toBe(0);
    expect(await card('HighLatency').count()).toBe(1);
    expect(await page.locator('#silences-count').textContent()).toBe('1');

    // Expire it: the alert fires again, the list empties.
    await item.locator('.expire-button').click();
    await expect.poll(() => page.locator('#silences-list li').count(), { timeout: 20_000 }).toBe(0);
    expect(app.hub.alerts.listSilences()[0]?.status).toBe('expired');
    await card('DiskFull').waitFor({ timeout: 20_000 });
    expect(await page.locator('#silences-empty').isVisible()).toBe(true);
    expect(errors).toEqual([]);
  }, 90_000);
});
