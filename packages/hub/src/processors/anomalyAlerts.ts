import { labelsKey, ofType, type Labels } from '@obs/core';
import type { AlertInit, AlertSeverity } from '@obs/alerts';
import type { AnomalyDetectedEvent } from '@obs/anomaly';
import { concat, defer, groupBy, map, mergeMap, of, switchMap, timer, type Observable, type SchedulerLike } from 'rxjs';
import type { ObsEvent } from '../events';

export interface AnomalyAlertsOptions {
  /** An alert resolves after this long without another incident of its series and type, ms. */
  readonly resolveAfterMs: number;
  readonly severity: AlertSeverity;
  readonly scheduler: SchedulerLike;
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
 */
export function anomalyAlerts(options: AnomalyAlertsOptions): (events$: Observable<ObsEvent>) => Observable<AlertInit> {
  return (events$) =>
    events$.pipe(
      ofType('anomaly/detected'),
      groupBy((event) => `${event.anomaly.metricName}\u0000${event.anomaly.anomalyType}\u0000${labelsKey(event.labels)}`, {
        // A group lives until its series has been quiet for resolveAfterMs; then it completes.
        duration: (group) => group.pipe(switchMap(() => timer(options.resolveAfterMs, options.scheduler))),
      }),
      mergeMap((group) => {
        let last: AnomalyDetectedEvent | undefined;
        return concat(
          group.pipe(
            map((event) => {
              last = event;
              return toFiring(event, options.severity);
            }),
          ),
          defer(() => (last ? of<AlertInit>({ ...toFiring(last, options.severity), state: 'resolved' }) : of())),
        );
      }),
    );
}
