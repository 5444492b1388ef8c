import type { MetricsCollector } from '@obs/metrics';
import type { DashboardExemplar } from './DashboardTypes';

const MAX_TRACKED_ID = 64;

/**
 * The latency chart's exemplars over the chart's time span. A collector keeps only the
 * latest exemplar per classic bucket; reading them every sample interval and keeping those
 * not seen before gives the chart one mark per sampled request it saw change a bucket, up
 * to `capacity` (oldest dropped first).
 */
export class ExemplarHistory {
  private items: DashboardExemplar[] = [];
  private readonly seen = new Set<string>();

  constructor(
    private readonly metrics: MetricsCollector,
    private readonly capacity: number,
  ) {}

  /** Reads the metric's current exemplars; drops those older than `since` (epoch ms). */
  sample(metricName: string, since: number): void {
    const family = this.metrics.collect({ names: [metricName] }).families[0];
    for (const series of family?.series ?? []) {
      for (const ex of series.exemplars ?? []) {
        const traceId = ex?.labels['trace_id'];
        const spanId = ex?.labels['span_id'];
        if (ex === undefined || typeof traceId !== 'string' || typeof spanId !== 'string') continue;
        if (traceId.length > MAX_TRACKED_ID || spanId.length > MAX_TRACKED_ID) continue;
        const key = `${traceId}/${spanId}/${ex.timestamp}`;
        if (this.seen.has(key)) continue;
        this.seen.add(key);
        this.items.push({ traceId, spanId, value: ex.value, timestamp: ex.timestamp, labels: { ...series.labels } });
      }
    }
    this.items.sort((a, b) => a.timestamp - b.timestamp);
    let drop = 0;
    while (
      drop < this.items.length &&
      (this.items.length - drop > this.capacity || this.items[drop]!.timestamp < since)
    )
      drop++;
    if (drop === 0) return;
    // The key set forgets what left the window too, so it stays as small as the list.
    for (const gone of this.items.slice(0, drop)) this.seen.delete(`${gone.traceId}/${gone.spanId}/${gone.timestamp}`);
    this.items = this.items.slice(drop);
  }

  /** Oldest first. */
  list(): DashboardExemplar[] {
    return this.items.map((e) => ({ ...e, labels: { ...e.labels } }));
  }
}
