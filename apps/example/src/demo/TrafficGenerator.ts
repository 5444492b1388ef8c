import { systemClock, type Clock } from '@obs/hub';
import type { AnalyzeOptions, VisionDescription, VisionSpan } from '@obs/vision';
import type { SampleImage } from './samples';
import { phaseAt } from './trafficPlan';

/** A provider that may take a parent span (ObservableVisionProvider does; any VisionProvider fits). */
export interface TracedProvider {
  analyzeImage(
    imageData: Uint8Array,
    includeDescription?: boolean,
    options?: AnalyzeOptions,
  ): Promise<VisionDescription>;
}

/** Starts and finishes the client-side span of each demo request (the hub's TraceManager fits). */
export interface DemoTracer<S extends VisionSpan = VisionSpan> {
  startSpan(operationName: string, serviceName: string, parent?: undefined, tags?: Record<string, unknown>): S;
  finishSpan(span: S, status?: 'ok' | 'error'): void;
}

export interface TrafficGeneratorOptions<S extends VisionSpan = VisionSpan> {
  readonly provider: TracedProvider;
  /** Records a `demo.upload` client span around each request, so traces have a parent and a child. */
  readonly tracer?: DemoTracer<S>;
  readonly samples: readonly SampleImage[];
  readonly clock?: Clock;
  readonly random?: () => number;
  /** How often requests are sent, ms (default 100). */
  readonly tickMs?: number;
  /** Requests allowed in flight at once; more are dropped and counted (default 64). */
  readonly maxInFlight?: number;
  /** Told each request's outcome, by the sample image it sent (e.g. for a per-sample SLO). A throw is ignored. */
  readonly onResult?: (sample: string, ok: boolean) => void;
}

export interface TrafficStats {
  sent: number;
  succeeded: number;
  failed: number;
  dropped: number;
  inFlight: number;
}

/**
 * The `--demo` load: calls the provider at the plan's rate with a realistic
 * mix of sample images and, now and then, a broken one. Failures are the
 * point of the demo, so they are counted, never thrown. `stop()` waits for
 * requests in flight.
 */
export class TrafficGenerator<S extends VisionSpan = VisionSpan> {
  readonly stats: TrafficStats = { sent: 0, succeeded: 0, failed: 0, dropped: 0, inFlight: 0 };
  private readonly clock: Clock;
  private readonly random: () => number;
  private readonly tickMs: number;
  private readonly maxInFlight: number;
  private timer: ReturnType<typeof setInterval> | undefined;
  private startedAt = 0;
  private owed = 0;
  private readonly pending = new Set<Promise<void>>();

  constructor(private readonly options: TrafficGeneratorOptions<S>) {
    if (options.samples.length === 0) throw new Error('the traffic generator needs at least one sample image');
    this.clock = options.clock ?? systemClock;
    this.random = options.random ?? Math.random;
    this.tickMs = options.tickMs ?? 100;
    this.maxInFlight = options.maxInFlight ?? 64;
  }

  get running(): boolean {
    return this.timer !== undefined;
  }

  start(): void {
    if (this.timer) return;
    this.startedAt = this.clock.now();
    this.timer = setInterval(() => this.tick(), this.tickMs);
    this.timer.unref?.();
  }

  async stop(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
    await Promise.allSettled([...this.pending]);
  }

  /** One tick: sends the requests the current phase owes. Public for tests. */
  tick(): void {
    const phase = phaseAt(this.clock.now() - this.startedAt);
    this.owed += (phase.ratePerSecond * this.tickMs) / 1000;
    while (this.owed >= 1) {
      this.owed -= 1;
      if (this.stats.inFlight >= this.maxInFlight) {
        this.stats.dropped++;
        continue;
      }
      const sample = this.pickSample();
      if (this.random() < phase.badInputShare)
        this.send(
          sample.bytes.subarray(0, Math.max(1, Math.floor(sample.bytes.length / 2))),
          `${sample.name} (truncated)`,
          sample.name,
        );
      else this.send(sample.bytes, sample.name, sample.name);
    }
  }

  private send(bytes: Uint8Array, sample: string, sampleName: string): void {
    this.stats.sent++;
    this.stats.inFlight++;
    const tracer = this.options.tracer;
    const span = tracer?.startSpan('demo.upload', 'demo-client', undefined, { sample, 'image.bytes': bytes.length });
    const finish = (status: 'ok' | 'error') => {
      if (span) tracer!.finishSpan(span, status);
      try {
        this.options.onResult?.(sampleName, status === 'ok');
      } catch {
        // an observer's failure is not the request's
      }
    };
    const request = Promise.resolve()
      // A copy (Buffer#slice would be a view): a provider may transfer the buffer to a worker thread, and the
      // sample is sent again later.
      .then(() => this.options.provider.analyzeImage(new Uint8Array(bytes), this.random() < 0.8, { parent: span }))
      .then(
        () => {
          this.stats.succeeded++;
          finish('ok');
        },
        () => {
          this.stats.failed++;
          finish('error');
        },
      )
      .finally(() => {
        this.stats.inFlight--;
        this.pending.delete(request);
      });
    this.pending.add(request);
  }

  /** A sample image chosen uniformly at random. */
  private pickSample(): SampleImage {
    const samples = this.options.samples;
    return samples[Math.floor(this.random() * samples.length)] ?? samples[0]!;
  }
}
