import { ofType } from '@obs/core';
import type { AlertInit } from '@obs/alerts';
import type { SLOBurnRateEvent, SLOStatusEvent } from '@obs/slo';
import { mergeMap, type Observable } from 'rxjs';
import type { ObsEvent } from '../events';

export const SLO_BURN_RATE_ALERT = 'SLOBurnRate';
export const SLO_AT_RISK_ALERT = 'SLOAtRisk';
export const SLO_BREACHED_ALERT = 'SLOBreached';

function burnRate(event: SLOBurnRateEvent): AlertInit {
  const r = event.result;
  return {
    name: SLO_BURN_RATE_ALERT,
    // A page condition spends the budget in hours or days: critical; a ticket one: warning.
    severity: event.severity === 'page' ? 'critical' : 'warning',
    source: 'slo',
    labels: { ...event.labels, slo: event.sloId, burn_severity: event.severity },
    message: `SLO ${r.slo.name} is burning its error budget fast (${event.severity}): ${event.conditions
      .map((c) => `${c.factor}x over ${c.longWindow}/${c.shortWindow}`)
      .join(', ')}`,
    annotations: {
      burn_rate_1h: String(r.burnRates['1h']),
      error_budget_remaining: String(r.errorBudgetRemaining),
      target: String(r.slo.target),
    },
    value: r.burnRate,
    ...(event.active ? {} : { state: 'resolved' as const }),
  };
}

function status(event: SLOStatusEvent, name: string, resolved: boolean): AlertInit {
  const r = event.result;
  return {
    name,
    severity: name === SLO_BREACHED_ALERT ? 'error' : 'warning',
    source: 'slo',
    labels: { ...event.labels, slo: event.sloId },
    message:
      name === SLO_BREACHED_ALERT
        ? `SLO ${r.slo.name} is breached: ${r.currentValue.toFixed(3)}% < target ${r.slo.target}%`
        : `SLO ${r.slo.name} is at risk: ${r.errorBudgetRemaining.toFixed(1)}% of the error budget left`,
    annotations: {
      error_budget_remaining: String(r.errorBudgetRemaining),
      current_value: String(r.currentValue),
      target: String(r.slo.target),
    },
    value: r.errorBudgetRemaining,
    ...(resolved ? { state: 'resolved' as const } : {}),
  };
}

/**
 * SLO -> alerts (a group of a grouped SLO alerts on its own, with its labels): a burn-rate condition starting or stopping fires or resolves
 * `SLOBurnRate` (page: critical, ticket: warning); status AT_RISK fires
 * `SLOAtRisk`, BREACHED fires `SLOBreached` (and resolves `SLOAtRisk`), and MET
 * resolves both.
 */
export function sloAlerts(): (events$: Observable<ObsEvent>) => Observable<AlertInit> {
  return (events$) =>
    events$.pipe(
      ofType('slo/burn-rate', 'slo/status'),
      mergeMap((event): AlertInit[] => {
        if (event.type === 'slo/burn-rate') return [burnRate(event)];
        switch (event.status) {
          case 'at_risk':
            return [status(event, SLO_AT_RISK_ALERT, false), status(event, SLO_BREACHED_ALERT, true)];
          case 'breached':
            return [status(event, SLO_BREACHED_ALERT, false), status(event, SLO_AT_RISK_ALERT, true)];
          default:
            return [status(event, SLO_AT_RISK_ALERT, true), status(event, SLO_BREACHED_ALERT, true)];
        }
      }),
    );
}
