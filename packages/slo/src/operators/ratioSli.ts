import { BoundedMap, describeValue, labelsKey, normalizeLabels, type Labels } from '@obs/core';
import { Observable, type OperatorFunction } from 'rxjs';
import { SLOValidationError } from '../errors';
import type { SLOCounterDelta } from '../SLOTracker';
import { isPointLike, labelsMatch, type MetricPointLike } from './MetricPointLike';

export interface RatioSliConfig {
  /** Counter of good events; give exactly one of `good` and `bad`. */
  readonly good?: string;
  /** Counter of bad events. */
  readonly bad?: string;
  /** Counter of all events. */
  readonly total: string;
  /** Only points carrying all of these labels count. */
  readonly labels?: Record<string, string>;
  /** `'cumulative'` (default): point values are counter totals; `'delta'`: each value is an increment. */
  readonly mode?: 'cumulative' | 'delta';
  /**
   * Cumulative mode, first point of a series: `'count'` (default) counts its
   * value (the counter started at zero while observed); `'baseline'` only
   * remembers it, as Prometheus' rate() does.
   */
  readonly firstPoint?: 'count' | 'baseline';
  /** Most label sets remembered per counter (LRU; default 10,000). */
  readonly maxSeries?: number;
}

/**
 * Turns a stream of metric points into counter deltas for a ratio SLI
 * (`good / total` or `1 - bad / total`), for `tracker.track(sloId, ...)`.
 * Counter resets (a value lower than the last) count the new value. Points
 * for other metrics, other labels or with non-finite values are ignored.
 *
 * @example
 * tracker.track(slo.sloId, points$.pipe(ratioSli({ good: 'requests_ok_total', total: 'requests_total' })));
 */
export function ratioSli(config: RatioSliConfig): OperatorFunction<MetricPointLike, SLOCounterDelta> {
  if (typeof config !== 'object' || config === null) {
    throw new SLOValidationError('INVALID_SLI', `ratioSli needs a config object, got ${describeValue(config)}`);
  }
  const { good, bad, total, mode = 'cumulative', firstPoint = 'count', maxSeries = 10_000 } = config;
  for (const [what, name] of [
    ['total', total],
    ['good', good],
    ['bad', bad],
  ] as const) {
    if (name !== undefined && (typeof name !== 'string' || name.length === 0 || name.length > 256)) {
      throw new SLOValidationError('INVALID_SLI', `ratioSli ${what} must be a metric name, got ${describeValue(name)}`);
    }
  }
  if (total === undefined || (good === undefined) === (bad === undefined)) {
    throw new SLOValidationError('INVALID_SLI', 'ratioSli needs total and exactly one of good and bad');
  }
  if (good === total || bad === total)
    throw new SLOValidationError('INVALID_SLI', 'ratioSli counters must differ from total');
  if (mode !== 'cumulative' && mode !== 'delta')
    throw new SLOValidationError('INVALID_SLI', `mode must be 'cumulative' or 'delta', got ${describeValue(mode)}`);
  if (firstPoint !== 'count' && firstPoint !== 'baseline') {
    throw new SLOValidationError(
      'INVALID_SLI',
      `firstPoint must be 'count' or 'baseline', got ${describeValue(firstPoint)}`,
    );
  }
  if (!Number.isSafeInteger(maxSeries) || maxSeries < 1)
    throw new SLOValidationError(
      'INVALID_SLI',
      `maxSeries must be a positive integer, got ${describeValue(maxSeries)}`,
    );
  const matcher: Labels | undefined = config.labels === undefined ? undefined : normalizeLabels(config.labels);

  return (source) =>
    new Observable<SLOCounterDelta>((subscriber) => {
      const last = new BoundedMap<string, number>(maxSeries);
      const delta = (p: MetricPointLike): number => {
        if (p.value < 0 && mode === 'cumulative') return 0;
        if (mode === 'delta') return p.value > 0 ? p.value : 0;
        const key = p.name + '\u0000' + labelsKey(p.labels ?? {});
        const previous = last.get(key);
        last.set(key, p.value);
        if (previous === undefined) return firstPoint === 'count' ? p.value : 0;
        return p.value >= previous ? p.value - previous : p.value; // a reset starts from zero
      };
      return source.subscribe({
        next: (p) => {
          if (!isPointLike(p) || (p.name !== total && p.name !== good && p.name !== bad)) return;
          if (!labelsMatch(p.labels, matcher)) return;
          let d: number;
          try {
            d = delta(p);
          } catch {
            return; // unreadable labels: not one of our series
          }
          if (d === 0) return;
          const timestamp = p.timestamp;
          const labels = typeof p.labels === 'object' && p.labels !== null ? p.labels : undefined;
          if (p.name === total)
            subscriber.next({ kind: 'delta', good: bad !== undefined ? d : 0, total: d, timestamp, labels });
          else if (p.name === good) subscriber.next({ kind: 'delta', good: d, total: 0, timestamp, labels });
          else subscriber.next({ kind: 'delta', good: -d, total: 0, timestamp, labels });
        },
        error: (e: unknown) => subscriber.error(e),
        complete: () => subscriber.complete(),
      });
    });
}
