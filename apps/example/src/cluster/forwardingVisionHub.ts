import type { MetricsCollector, TraceManager } from '@obs/hub';
import type { VisionHub } from '@obs/vision';
import type { WorkerLink } from './WorkerLink';

/**
 * The hub a cluster worker's ObservableVisionProvider records into. Metrics go
 * to the worker's own collector (which `connectToPrimary` merges into the
 * primary's `/metrics`) and, as a stream of recordings, to the primary's hub,
 * whose anomaly detector, dashboard and alert rules then see every worker's
 * values. Spans stay in the worker's trace manager (an exporter forwards them
 * when they finish). SLO outcomes and alerts go to the primary only: SLOs are
 * computed once, on the merged stream.
 *
 * Latency anomalies are left to the primary's latency flow (`watchesLatency`),
 * which scores the merged `vision_request_duration_ms` stream.
 */
export function createForwardingVisionHub(
  metrics: MetricsCollector,
  traces: TraceManager,
  link: WorkerLink,
): VisionHub {
  const definedSLOs = new Set<string>();
  return {
    metrics: {
      increment(name, value = 1, labels) {
        metrics.increment(name, value, labels);
        link.push({ kind: 'metric', op: 'increment', name, value, ...(labels ? { labels } : {}) });
      },
      histogram(name, value, labels) {
        metrics.histogram(name, value, labels);
        link.push({ kind: 'metric', op: 'histogram', name, value, ...(labels ? { labels } : {}) });
      },
      gauge(name, value, labels) {
        metrics.gauge(name, value, labels);
        link.push({ kind: 'metric', op: 'gauge', name, value, ...(labels ? { labels } : {}) });
      },
    },
    traces,
    sloTracker: {
      hasSLO: (sloId) => definedSLOs.has(sloId),
      defineSLO(slo) {
        definedSLOs.add(slo.sloId);
        link.push({ kind: 'slo-define', slo: { ...slo, labels: { ...slo.labels } } });
        return slo;
      },
      recordEvent(sloId, isGood) {
        link.push({ kind: 'slo-event', sloId, good: isGood });
      },
    },
    anomalyDetector: { detect: () => undefined },
    watchesLatency: () => true,
    alerts: {
      fireAlert(alert) {
        link.push({ kind: 'alert-fire', alert: { ...alert } });
        return { alertId: alert.alertId ?? alert.name };
      },
      resolveAlert(alertId) {
        link.push({ kind: 'alert-resolve', alertId });
        // Whether it was firing is known on the primary; report it as resolved here.
        return true;
      },
    },
  };
}
