import type { MetricPoint, MetricsCollector } from '@obs/metrics';
import type { ResolvedHubConfig } from '../config';
import { RingQueue } from '../internal/RingQueue';
import type { DashboardExemplar, DashboardMetricNames, DashboardSample } from './DashboardTypes';
import { ExemplarHistory } from './ExemplarHistory';
import { IntervalAccumulator } from './IntervalAccumulator';

/** Latency exemplars kept for the chart at most. */
const MAX_EXEMPLARS = 300;

/**
 * Keeps the dashboard's chart history: every sample interval it turns counter
 * deltas into rates and the interval's latency and confidence points into
 * quantiles and a mean, and appends one sample to a bounded ring.
 */
export class DashboardSampler {
  readonly names: DashboardMetricNames;
  private readonly ring: RingQueue<DashboardSample>;
  private readonly interval = new IntervalAccumulator();
  private readonly exemplarHistory: ExemplarHistory;
  private lastAt: number | undefined;
  private lastRequests = 0;
  private lastErrors = 0;

  constructor(
    private readonly metrics: MetricsCollector,
    private readonly config: ResolvedHubConfig,
    private readonly onSample: (sample: DashboardSample) => void,
  ) {
    this.ring = new RingQueue<DashboardSample>(config.dashboard.historySize);
    this.names = config.dashboard.metricNames;
    this.exemplarHistory = new ExemplarHistory(metrics, MAX_EXEMPLARS);
  }

  /** A latency or confidence point of the current interval. */
  observe(point: MetricPoint): void {
    if (point.name === this.names.latency) this.interval.addLatency(point.value);
    else if (point.name === this.names.confidence) this.interval.addConfidence(point.value);
  }

  /** Starts a fresh baseline (on `start()`), so the first rate is not everything since creation. */
  reset(): void {
    this.lastAt = this.config.clock.now();
    this.lastRequests = this.metrics.getCounterTotal(this.names.requests);
    this.lastErrors = this.metrics.getCounterTotal(this.names.errors);
    this.interval.take();
  }

  sample(): DashboardSample {
    const now = this.config.clock.now();
    const requests = this.metrics.getCounterTotal(this.names.requests);
    const errors = this.metrics.getCounterTotal(this.names.errors);
    const elapsedSeconds =
      this.lastAt === undefined
        ? this.config.dashboard.sampleIntervalSeconds
        : Math.max((now - this.lastAt) / 1000, 1e-3);
    // A restore or a reset can move totals backwards; count that interval as zero.
    const dRequests = Math.max(0, requests - this.lastRequests);
    const dErrors = Math.max(0, errors - this.lastErrors);
    this.lastAt = now;
    this.lastRequests = requests;
    this.lastErrors = errors;
    const { p50, p95, p99, confidence } = this.interval.take();
    const sample: DashboardSample = {
      ts: now,
      requestRate: dRequests / elapsedSeconds,
      errorRate: dErrors / elapsedSeconds,
      errorRatio: dRequests > 0 ? Math.min(1, dErrors / dRequests) : null,
      p50,
      p95,
      p99,
      confidence,
    };
    this.ring.push(sample);
    // Exemplars as old as the oldest chart sample still drawn.
    const oldest = this.ring.size >= this.ring.capacity ? (this.ring.toArray()[0]?.ts ?? 0) : 0;
    this.exemplarHistory.sample(this.names.latency, oldest - this.config.dashboard.sampleIntervalSeconds * 1000);
    this.onSample(sample);
    return sample;
  }

  /** Latency exemplars within the chart's span, oldest first. */
  exemplars(): DashboardExemplar[] {
    return this.exemplarHistory.list();
  }

  history(): DashboardSample[] {
    return this.ring.toArray();
  }
}
