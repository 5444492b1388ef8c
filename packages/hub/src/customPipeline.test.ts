import { describe, expect, it } from 'vitest';
import { filter, map } from 'rxjs';
// Only the component packages and plain RxJS: no hub.
import { ManualClock, ofType } from '@obs/core';
import { createAlertManager } from '@obs/alerts';
import { createAnomalyDetector } from '@obs/anomaly';
import { createMetricsCollector } from '@obs/metrics';
import { settle } from '@obs/testing';

describe('a custom pipeline without the hub', () => {
  it('metrics -> anomaly detector -> alerts with ordinary RxJS operators', async () => {
    const clock = new ManualClock(Date.UTC(2026, 10, 29));
    const metrics = createMetricsCollector({ clock });
    const detector = createAnomalyDetector({ clock });
    const alerts = createAlertManager({ clock });

    const checkoutLatency$ = metrics.events$.pipe(
      ofType('metrics/point'),
      map((event) => event.point),
      filter((point) => point.name === 'checkout_duration_ms'),
    );
    const subscription = alerts.connect(
      detector.watch(checkoutLatency$).pipe(
        filter((anomaly) => anomaly.confidence >= 0.6),
        map((anomaly) => ({
          name: 'CheckoutLatencyAnomaly',
          severity: 'warning' as const,
          labels: { anomaly_type: anomaly.anomalyType },
          message: `checkout took ${anomaly.actualValue} ms, expected about ${Math.round(anomaly.expectedValue)} ms`,
          value: anomaly.actualValue,
        })),
      ),
    );

    for (let i = 0; i < 200; i++) {
      metrics.histogram('checkout_duration_ms', 80 + (i % 7));
      metrics.histogram('other_duration_ms', i % 2 === 0 ? 1 : 100_000); // not watched
      clock.advance(1000);
      await settle(1);
    }
    expect(alerts.getFiringAlerts()).toEqual([]);
    metrics.histogram('checkout_duration_ms', 4000);
    clock.advance(1000);
    await settle(1);
    for (let i = 0; i < 3; i++) {
      metrics.histogram('checkout_duration_ms', 80);
      clock.advance(1000);
      await settle(1);
    }
    const firing = alerts.getFiringAlerts();
    expect(firing).toHaveLength(1);
    expect(firing[0]).toMatchObject({
      name: 'CheckoutLatencyAnomaly',
      value: 4000,
      labels: { anomaly_type: expect.any(String) },
    });
    subscription.unsubscribe();
    alerts.dispose();
  });
});
