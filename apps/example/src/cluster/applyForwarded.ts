import type { AlertInit, ImportedSpan, ObservabilityHub, SLODefinition } from '@obs/hub';
import type { ForwardedItem } from './protocol';

const OPS = new Set(['increment', 'histogram', 'gauge']);

function isLabels(value: unknown): value is Record<string, string> {
  if (value === undefined) return true;
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return false;
  return Object.values(value).every((v) => typeof v === 'string');
}

/**
 * Applies one item a worker forwarded to the primary's hub: a metric recording
 * into its collector, an SLO definition or outcome into its tracker, an alert into
 * its alert manager, a finished span into its trace manager. Items come from
 * another process, so each is checked here and by the component that takes it
 * (names, label limits, SLO and alert limits); a bad one is refused (false),
 * never a crash.
 */
export function applyForwarded(hub: ObservabilityHub, item: unknown): boolean {
  if (typeof item !== 'object' || item === null) return false;
  const it = item as ForwardedItem;
  try {
    switch (it.kind) {
      case 'metric': {
        if (!OPS.has(it.op) || typeof it.name !== 'string' || typeof it.value !== 'number' || !isLabels(it.labels))
          return false;
        if (it.op === 'increment') hub.metrics.increment(it.name, it.value, it.labels);
        else if (it.op === 'histogram') hub.metrics.histogram(it.name, it.value, it.labels);
        else hub.metrics.gauge(it.name, it.value, it.labels);
        return true;
      }
      case 'slo-define': {
        const slo = it.slo as unknown as SLODefinition;
        if (typeof slo !== 'object' || slo === null || typeof slo.sloId !== 'string') return false;
        if (!hub.sloTracker.hasSLO(slo.sloId)) hub.sloTracker.defineSLO(slo);
        return true;
      }
      case 'slo-event': {
        if (typeof it.sloId !== 'string' || typeof it.good !== 'boolean' || !isLabels(it.labels)) return false;
        if (!hub.sloTracker.hasSLO(it.sloId)) return false;
        hub.sloTracker.recordEvent(it.sloId, it.good, it.labels);
        return true;
      }
      case 'alert-fire':
        if (typeof it.alert !== 'object' || it.alert === null) return false;
        hub.alerts.fireAlert(it.alert as unknown as AlertInit);
        return true;
      case 'alert-resolve':
        if (typeof it.alertId !== 'string') return false;
        hub.alerts.resolveAlert(it.alertId);
        return true;
      case 'span':
        hub.traces.importSpan(it.span as ImportedSpan);
        return true;
      default:
        return false;
    }
  } catch {
    // A typed refusal from the component (bad name, a limit reached): counted by the caller.
    return false;
  }
}
