import { afterAll, describe, expect, it } from 'vitest';
import { startExampleApp, type ExampleApp } from './createExampleApp';

// The README promises that within a minute of `--demo` the dashboard shows
// anomalies, a firing alert and SLO budget burn. This runs the demo in real
// time (about 35-45 s) and checks the dashboard data says so.
describe('the --demo traffic, end to end', () => {
  let app: ExampleApp | undefined;
  afterAll(async () => {
    await app?.close();
  }, 30_000);

  it('shows anomalies, a firing alert and SLO budget burn within a minute', async () => {
    app = await startExampleApp({ port: 0, demo: true, log: () => undefined });
    const started = Date.now();
    const seen = { anomaly: 0, alert: 0, burn: 0, providerAlert: 0 };
    while (Date.now() - started < 60_000 && (!seen.anomaly || !seen.alert || !seen.burn || !seen.providerAlert)) {
      await new Promise((r) => setTimeout(r, 1000));
      const data = (await (await fetch(`${app.url}/api/dashboard`)).json()) as {
        anomalies: unknown[];
        alerts: { firingCount: number; firing: Record<string, { name: string }[]> };
        slos: { sloId: string; errorBudgetRemaining: number | null }[];
      };
      const elapsed = Date.now() - started;
      if (!seen.anomaly && data.anomalies.length > 0) seen.anomaly = elapsed;
      if (!seen.alert && data.alerts.firingCount > 0) seen.alert = elapsed;
      const firingNames = Object.values(data.alerts.firing)
        .flat()
        .map((a) => a.name);
      if (!seen.providerAlert && firingNames.includes('VisionProviderErrors')) seen.providerAlert = elapsed;
      const availability = data.slos.find((s) => s.sloId === 'vision-availability-local');
      if (!seen.burn && availability?.errorBudgetRemaining != null && availability.errorBudgetRemaining < 100)
        seen.burn = elapsed;
    }
    expect(seen.anomaly, 'an anomaly within a minute').toBeGreaterThan(0);
    expect(seen.alert, 'a firing alert within a minute').toBeGreaterThan(0);
    expect(seen.providerAlert, 'the VisionProviderErrors alert within a minute').toBeGreaterThan(0);
    expect(seen.burn, 'availability budget spent within a minute').toBeGreaterThan(0);
    expect(app.traffic?.stats.failed).toBeGreaterThan(0);
  }, 90_000);
});
