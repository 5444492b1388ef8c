import { describe, expect, it } from 'vitest';
import { createAlert, createAlertManager, DEFAULT_MAX_ALERT_LABEL_VALUE_LENGTH } from './index';

describe('alert label value length limit', () => {
  it('truncates label values past the limit, counts them, and deduplicates on the truncated value', () => {
    const alerts = createAlertManager({ limits: { maxLabelValueLength: 4 } });
    const a = alerts.fireAlert({ name: 'Big', labels: { path: '/abcdefgh', ok: 'yes' } });
    expect(a.labels).toEqual({ path: '/abc', ok: 'yes' });
    const b = alerts.fireAlert({ name: 'Big', labels: { path: '/abcXYZ', ok: 'yes' } });
    expect(b.alertId).toBe(a.alertId);
    expect(alerts.stats().truncatedLabelValues).toBe(2);
    expect(alerts.getFiringAlerts()).toHaveLength(1);
    alerts.dispose();
  });

  it('applies to alerts returned by rules too', () => {
    const alerts = createAlertManager({ limits: { maxLabelValueLength: 3 } });
    alerts.registerRule('r', () => ({ name: 'FromRule', labels: { v: 'x'.repeat(10) } }));
    const [fired] = alerts.evaluateRules({} as never);
    expect(fired?.labels).toEqual({ v: 'xxx' });
    expect(alerts.stats().truncatedLabelValues).toBe(1);
    alerts.dispose();
  });

  it('defaults to 2048 characters, also for createAlert', () => {
    expect(DEFAULT_MAX_ALERT_LABEL_VALUE_LENGTH).toBe(2048);
    const alerts = createAlertManager();
    const big = alerts.fireAlert({ name: 'Huge', labels: { v: 'y'.repeat(1_000_000) } });
    expect(big.labels['v']).toHaveLength(2048);
    expect(createAlert({ name: 'Huge', labels: { v: 'z'.repeat(5000) } }).labels['v']).toHaveLength(2048);
    alerts.dispose();
  });

  it('refuses an invalid limit', () => {
    expect(() => createAlertManager({ limits: { maxLabelValueLength: 0 } })).toThrow(/maxLabelValueLength/);
  });
});
