import { labelsKey, ofType, type Labels } from '@obs/core';
import type { AlertInit, AlertSeverity } from '@obs/alerts';
import type { AnomalyDetectedEvent } from '@obs/anomaly';
import { Observable, type SchedulerLike, type Subscription } from 'rxjs';
import type { ObsEvent } from '../events';

export interface AnomalyAlertsOptions {
  /** An alert resolves after this long without another incident of its series and type, ms. */
  readonly resolveAfterMs: number;
  readonly severity: AlertSeverity;
  readonly scheduler: SchedulerLike;
  /** Most alerts tracked for resolution at once (default 10 000); past it the oldest resolves early. */
  readonly maxOpenAlerts?: number;
}

/** The alert name of anomaly alerts. */
export const ANOMALY_ALERT_NAME = 'MetricAnomaly';

function alertLabels(event: AnomalyDetectedEvent): Record<string, string> {
  // Series labels identify which series; `metric` and `anomaly_type` always win.
  const labels: Record<string, string> = Object.create(null) as Record<string, string>;
  for (const [key, value] of Object.entries(event.labels as Labels)) labels[key] = value;
  labels['metric'] = event.anomaly.metricName;
  labels['anomaly_type'] = event.anomaly.anomalyType;
  return labels;
}

function toFiring(event: AnomalyDetectedEvent, severity: AlertSeverity): AlertInit {
  const a = event.anomaly;
  return {
    name: ANOMALY_ALERT_NAME,
    severity,
    source: 'anomaly',
    message: a.details?.reason ?? `${a.anomalyType} in ${a.metricName}: ${a.actualValue} (expected ${a.expectedValue})`,
    labels: alertLabels(event),
    annotations: {
      anomaly_id: a.anomalyId,
      expected_value: String(a.expectedValue),
      actual_value: String(a.actualValue),
      deviation: String(a.deviation),
      confidence: String(a.confidence),
    },
    value: a.actualValue,
  };
}

/**
 * anomalies -> alerts: one `MetricAnomaly` alert per series and anomaly type,
 * labelled `metric` and `anomaly_type` (plus the series labels). Each new
 * incident refreshes it; it resolves after `resolveAfterMs` without one.
 *
 * Written with one timer per open alert rather than `groupBy`, whose duration
 * selector keeps groups (and their timers) alive after unsubscription.
 */
export function anomalyAlerts(options: AnomalyAlertsOptions): (events$: Observable<ObsEvent>) => Observable<AlertInit> {
  const maxOpen = options.maxOpenAlerts ?? 10_000;
  return (events$) =>
    new Observable<AlertInit>((subscriber) => {
      const open = new Map<string, { event: AnomalyDetectedEvent; timer: Subscription }>();
      const resolve = (key: string) => {
        const entry = open.get(key);
        if (!entry) return;
        entry.timer.unsubscribe();
        open.delete(key);
        subscriber.next({ ...toFiring(entry.event, options.severity), state: 'resolved' });
      };
      const source = events$.pipe(ofType('anomaly/detected')).subscribe({
        next: (event) => {
          const key = `${event.anomaly.metricName}\u0000${event.anomaly.anomalyType}\u0000${labelsKey(event.labels)}`;
          open.get(key)?.timer.unsubscribe();
          open.delete(key);
          // Bounded: past the limit the oldest open alert resolves early.
          if (open.size >= maxOpen) resolve(open.keys().next().value as string);
          const timer = options.scheduler.schedule(() => resolve(key), options.resolveAfterMs);
          open.set(key, { event, timer });
          subscriber.next(toFiring(event, options.severity));
        },
        error: (error: unknown) => subscriber.error(error),
        complete: () => subscriber.complete(),
      });
      return () => {
        source.unsubscribe();
        for (const entry of open.values()) entry.timer.unsubscribe();
        open.clear();
      };
    });
}
