import { describeValue, normalizeLabels, type Labels } from '@obs/core';
import { Observable, type OperatorFunction } from 'rxjs';
import { SLOValidationError } from '../errors';
import type { SLOCounts } from '../SLOTracker';
import { isPointLike, labelsMatch, type MetricPointLike } from './MetricPointLike';

export interface LatencySliConfig {
  /** The histogram (or timer) metric whose points are individual observations. */
  readonly metric: string;
  /** An observation is good when its value is at or under this threshold (same unit as the metric). */
  readonly threshold: number;
  /** Only points carrying all of these labels count. */
  readonly labels?: Record<string, string>;
}

/**
 * Turns histogram observations into SLO outcomes: good when `value <= threshold`.
 * Points of other metrics, other labels or with non-finite values are ignored.
 *
 * @example
 * tracker.track(slo.sloId, points$.pipe(latencySli({ metric: 'request_duration_ms', threshold: 300 })));
 */
export function latencySli(config: LatencySliConfig): OperatorFunction<MetricPointLike, SLOCounts> {
  if (typeof config !== 'object' || config === null) {
    throw new SLOValidationError('INVALID_SLI', `latencySli needs a config object, got ${describeValue(config)}`);
  }
  const { metric, threshold } = config;
  if (typeof metric !== 'string' || metric.length === 0 || metric.length > 256) {
    throw new SLOValidationError(
      'INVALID_SLI',
      `latencySli metric must be a metric name, got ${describeValue(metric)}`,
    );
  }
  if (typeof threshold !== 'number' || Number.isNaN(threshold)) {
    throw new SLOValidationError(
      'INVALID_SLI',
      `latencySli threshold must be a number, got ${describeValue(threshold)}`,
    );
  }
  const matcher: Labels | undefined = config.labels === undefined ? undefined : normalizeLabels(config.labels);
  return (source) =>
    new Observable<SLOCounts>((subscriber) =>
      source.subscribe({
        next: (p) => {
          if (!isPointLike(p) || p.name !== metric || !labelsMatch(p.labels, matcher)) return;
          subscriber.next({
            good: p.value <= threshold ? 1 : 0,
            total: 1,
            timestamp: p.timestamp,
            labels: typeof p.labels === 'object' && p.labels !== null ? p.labels : undefined,
          });
        },
        error: (e: unknown) => subscriber.error(e),
        complete: () => subscriber.complete(),
      }),
    );
}
