import { ofType } from '@obs/core';
import type { AlertInit } from '@obs/alerts';
import { filter, map, type Observable } from 'rxjs';
import type { ObsEvent } from '../events';

export const HEALTH_ALERT_NAME = 'HealthCheckFailed';

/**
 * health -> alerts: a check whose reported status turns UNHEALTHY fires
 * `HealthCheckFailed` (critical), DEGRADED fires it as a warning, and HEALTHY
 * (or UNKNOWN, e.g. the check was unregistered) resolves it.
 */
export function healthAlerts(): (events$: Observable<ObsEvent>) => Observable<AlertInit> {
  return (events$) =>
    events$.pipe(
      ofType('health/changed'),
      filter((event) => event.scope === 'check' && event.name !== undefined),
      map((event): AlertInit => {
        const check = event.name as string;
        const failing = event.current === 'unhealthy' || event.current === 'degraded';
        const message = event.result?.message;
        return {
          name: HEALTH_ALERT_NAME,
          severity: event.current === 'unhealthy' ? 'critical' : 'warning',
          source: 'health',
          labels: { check },
          message: `health check ${check} is ${event.current}${message ? `: ${message}` : ''}`.slice(0, 4096),
          annotations: { previous: event.previous, status: event.current },
          value: event.current === 'unhealthy' ? 2 : event.current === 'degraded' ? 1 : 0,
          ...(failing ? {} : { state: 'resolved' as const }),
        };
      }),
    );
}
