import { labelsKey, type Labels } from '@obs/core';
import type { AlertInit, AlertSeverity } from '@obs/alerts';
import type { Anomaly, AnomalyUpdatedEvent } from '@obs/anomaly';
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

/**
 * Anomalies remembered per open alert, to tell whether a reclassified anomaly was
 * the last one behind it. Past the limit the oldest is forgotten: its alert then
 * only resolves by time.
 */
export const MAX_ANOMALIES_PER_ALERT = 64;

/** What an alert is about: an anomaly and the labels of its series. */
interface Cause {
  readonly anomaly: Anomaly;
  readonly labels: Labels;
  /** For a reclassified anomaly, the type it was first alerted with. */
  readonly previousType?: string;
}

function alertLabels(cause: Cause): Record<string, string> {
  // Series labels identify which series; `metric` and `anomaly_type` always win.
  const labels: Record<string, string> = Object.create(null) as Record<string, string>;
  for (const [key, value] of Object.entries(cause.labels)) labels[key] = value;
  labels['metric'] = cause.anomaly.metricName;
  labels['anomaly_type'] = cause.anomaly.anomalyType;
  return labels;
}

function toFiring(cause: Cause, severity: AlertSeverity): AlertInit {
  const a = cause.anomaly;
  return {
    name: ANOMALY_ALERT_NAME,
    severity,
    source: 'anomaly',
    message: a.details?.reason ?? `${a.anomalyType} in ${a.metricName}: ${a.actualValue} (expected ${a.expectedValue})`,
    labels: alertLabels(cause),
    annotations: {
      anomaly_id: a.anomalyId,
      expected_value: String(a.expectedValue),
      actual_value: String(a.actualValue),
      deviation: String(a.deviation),
      confidence: String(a.confidence),
      ...(cause.previousType !== undefined ? { previous_anomaly_type: cause.previousType } : {}),
    },
    value: a.actualValue,
  };
}

function alertKey(metricName: string, anomalyType: string, labels: Labels): string {
  return `${metricName}\u0000${anomalyType}\u0000${labelsKey(labels)}`;
}

interface OpenAlert {
  /** The latest anomaly behind the alert (its labels and annotations). */
  cause: Cause;
  timer: Subscription;
  /** Ids of the anomalies behind the alert, oldest first (at most {@link MAX_ANOMALIES_PER_ALERT}). */
  readonly ids: Set<string>;
}

/**
 * anomalies -> alerts: one `MetricAnomaly` alert per series and anomaly type,
 * labelled `metric` and `anomaly_type` (plus the series labels). Each new
 * incident refreshes it; it resolves after `resolveAfterMs` without one.
 *
 * An `anomaly/updated` event (a SPIKE or DROP that later points showed to be a
 * level shift, TREND) moves the anomaly to the alert of its new type. An alert's
 * identity is its label set (Alertmanager's fingerprint), and `anomaly_type` is
 * one of its labels, so an alert cannot change type in place: the alert of the
 * old type resolves at once if that anomaly was the only one behind it (it stays
 * firing while other anomalies of that type are), and the alert of the new type
 * fires (or is refreshed) with the same `anomaly_id` annotation and a
 * `previous_anomaly_type` annotation.
 *
 * Written with one timer per open alert rather than `groupBy`, whose duration
 * selector keeps groups (and their timers) alive after unsubscription.
 */
export function anomalyAlerts(options: AnomalyAlertsOptions): (events$: Observable<ObsEvent>) => Observable<AlertInit> {
  const maxOpen = options.maxOpenAlerts ?? 10_000;
  return (events$) =>
    new Observable<AlertInit>((subscriber) => {
      const open = new Map<string, OpenAlert>();
      const resolve = (key: string) => {
        const entry = open.get(key);
        if (!entry) return;
        entry.timer.unsubscribe();
        open.delete(key);
        subscriber.next({ ...toFiring(entry.cause, options.severity), state: 'resolved' });
      };
      /** Fires (or refreshes) the alert of the cause's series and type, and restarts its resolution timer. */
      const fire = (cause: Cause) => {
        const key = alertKey(cause.anomaly.metricName, cause.anomaly.anomalyType, cause.labels);
        const previous = open.get(key);
        previous?.timer.unsubscribe();
        open.delete(key);
        // Bounded: past the limit the oldest open alert resolves early.
        if (open.size >= maxOpen) resolve(open.keys().next().value as string);
        const ids = previous?.ids ?? new Set<string>();
        ids.delete(cause.anomaly.anomalyId);
        ids.add(cause.anomaly.anomalyId);
        if (ids.size > MAX_ANOMALIES_PER_ALERT) ids.delete(ids.values().next().value as string);
        const timer = options.scheduler.schedule(() => resolve(key), options.resolveAfterMs);
        open.set(key, { cause, timer, ids });
        subscriber.next(toFiring(cause, options.severity));
      };
      const reclassify = (event: AnomalyUpdatedEvent) => {
        const oldKey = alertKey(event.anomaly.metricName, event.previousType, event.labels);
        const old = open.get(oldKey);
        if (old !== undefined && old.ids.delete(event.anomaly.anomalyId) && old.ids.size === 0) resolve(oldKey);
        fire({ anomaly: event.anomaly, labels: event.labels, previousType: event.previousType });
      };
      const source = events$.subscribe({
        next: (event) => {
          if (event.type === 'anomaly/detected') fire({ anomaly: event.anomaly, labels: event.labels });
          else if (event.type === 'anomaly/updated' && event.previousType !== event.anomaly.anomalyType)
            reclassify(event);
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
