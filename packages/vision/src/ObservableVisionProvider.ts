import {
  EventBus,
  ObsValidationError,
  POSITIVE_NUMBER,
  optionalNumber,
  systemClock,
  type Clock,
  type InvalidOption,
  type NumberRange,
} from '@obs/core';
import type { Observable } from 'rxjs';
import { VisionInputError } from './errors';
import type { VisionEvent } from './events';
import { ErrorTypeLabeler } from './internal/errorType';
import { OutcomeWindow } from './internal/OutcomeWindow';
import type { VisionDescription, VisionProvider } from './VisionProvider';
import type { VisionHub, VisionSpan, VisionSpanParent } from './VisionHub';

/** When the persistent-errors alert fires. */
export interface ErrorAlertConfig {
  /** Look-back window, ms (default 60,000). */
  readonly windowMs?: number;
  /** Fewer requests than this in the window never fire (default 10). */
  readonly minRequests?: number;
  /** Fires at or above this share of failed requests; resolves below half of it (default 0.2). */
  readonly errorRatio?: number;
  readonly severity?: 'info' | 'warning' | 'error' | 'critical';
}

export interface ObservableVisionProviderConfig {
  /** Service name on the request spans (default `'vision'`). */
  readonly serviceName?: string;
  /** Availability SLO target in percent (default 99.5). */
  readonly availabilityTarget?: number;
  /** Latency SLO: this percentage of requests (default 95)... */
  readonly latencyTarget?: number;
  /** ...finish within this many ms (default 500). */
  readonly latencyThresholdMs?: number;
  /** SLO window in days (default 30). */
  readonly sloWindowDays?: number;
  /**
   * Score every request's latency with the hub's anomaly detector (default
   * true). Skipped when the hub's own latency flow already watches
   * `vision_request_duration_ms` (`hub.watchesLatency`), so values are scored once.
   */
  readonly anomalyDetection?: boolean;
  /** The persistent-errors alert; `false` turns it off. */
  readonly errorAlert?: ErrorAlertConfig | false;
  /** Which failures are the caller's fault (default: {@link VisionInputError}); they count in the metrics but not against SLOs or the alert. */
  readonly isClientError?: (error: unknown) => boolean;
  readonly clock?: Clock;
}

/** Per-call options beyond the VisionProvider contract. */
export interface AnalyzeOptions {
  /** Parent for the request span, e.g. the server span or a context extracted from `traceparent`. */
  readonly parent?: VisionSpanParent;
  /** Receives the request span right after it starts (to inject its context into a response). */
  readonly onSpan?: (span: VisionSpan) => void;
}

/** Metric names the wrapper records. */
export const VISION_METRICS = Object.freeze({
  REQUESTS_TOTAL: 'vision_requests_total',
  REQUESTS_SUCCESS: 'vision_requests_success',
  REQUESTS_ERROR: 'vision_requests_error',
  REQUEST_DURATION_MS: 'vision_request_duration_ms',
  CONFIDENCE: 'vision_confidence',
});

type Stage = 'metrics' | 'span' | 'slo' | 'anomaly' | 'alert';

const invalidConfig: InvalidOption = (message) => new ObsValidationError('INVALID_CONFIG', message);
const PERCENTAGE: NumberRange = {
  min: 0,
  minExclusive: true,
  max: 100,
  maxExclusive: true,
  description: 'a percentage strictly between 0 and 100',
};

/** An SLO id fragment from a provider name: `[A-Za-z0-9_.:-]`, at most 64 characters. */
function idPart(name: string): string {
  return name.replace(/[^A-Za-z0-9_.:-]/g, '_').slice(0, 64) || 'provider';
}

/**
 * Wraps any {@link VisionProvider} and instruments every request through an
 * ObservabilityHub: request/success/error counters (label `provider`, plus
 * `error_type` on errors), a latency histogram that includes failures, a
 * confidence gauge, one span per request, an availability and a latency SLO
 * (defined on first use), latency anomaly detection and an alert while
 * errors persist. The base provider's result and errors pass through
 * unchanged; a failure inside the instrumentation becomes a
 * `vision/instrumentation-failed` event, never a failed request.
 */
export class ObservableVisionProvider<H extends VisionHub = VisionHub> implements VisionProvider {
  readonly providerName: string;
  /** Ids of the two SLOs this wrapper records into. */
  readonly sloIds: { readonly availability: string; readonly latency: string };
  /** Id of the persistent-errors alert. */
  readonly errorAlertId: string;
  readonly events$: Observable<VisionEvent>;

  private readonly bus = new EventBus<VisionEvent>();
  private readonly labels: Readonly<Record<string, string>>;
  private readonly baseName: string;
  private readonly serviceName: string;
  private readonly clock: Clock;
  private readonly config: Required<Omit<ObservableVisionProviderConfig, 'errorAlert' | 'clock' | 'serviceName'>>;
  private readonly alertConfig: Required<ErrorAlertConfig> | undefined;
  private readonly window: OutcomeWindow | undefined;
  private readonly errorTypes = new ErrorTypeLabeler();
  /** Label sets of the error counter, one per error type (bounded by the labeler's limit). */
  private readonly errorLabels = new Map<string, Readonly<Record<string, string>>>();
  private slosDefined = false;
  private readonly detectsAnomalies: boolean;
  /** Unknown after a restart (the hub may have restored the alert), so a healthy window resolves it once. */
  private alertMaybeFiring = true;
  private lastAlertRefresh = -Infinity;

  constructor(
    readonly baseProvider: VisionProvider,
    readonly hub: H,
    config: ObservableVisionProviderConfig = {},
  ) {
    if (
      !baseProvider ||
      typeof baseProvider.analyzeImage !== 'function' ||
      typeof baseProvider.providerName !== 'string'
    ) {
      throw new ObsValidationError(
        'INVALID_PROVIDER',
        'baseProvider must be a VisionProvider (providerName and analyzeImage)',
      );
    }
    if (
      !hub ||
      typeof hub !== 'object' ||
      !hub.metrics ||
      !hub.traces ||
      !hub.sloTracker ||
      !hub.alerts ||
      !hub.anomalyDetector
    ) {
      throw new ObsValidationError('INVALID_HUB', 'hub must be an ObservabilityHub');
    }
    this.baseName = baseProvider.providerName;
    this.providerName = 'observable_' + baseProvider.providerName;
    this.labels = Object.freeze({ provider: this.baseName });
    if (config === null || typeof config !== 'object')
      throw new ObsValidationError('INVALID_CONFIG', 'config must be an object');
    const serviceName = config.serviceName ?? 'vision';
    if (typeof serviceName !== 'string' || !/^[\x21-\x7e][\x20-\x7e]{0,127}$/.test(serviceName)) {
      throw new ObsValidationError('INVALID_CONFIG', 'serviceName must be 1–128 printable ASCII characters');
    }
    this.serviceName = serviceName;
    if (
      config.clock !== undefined &&
      (typeof config.clock !== 'object' || config.clock === null || typeof config.clock.now !== 'function')
    ) {
      throw new ObsValidationError('INVALID_CONFIG', 'clock must have a now() method');
    }
    if (config.isClientError !== undefined && typeof config.isClientError !== 'function') {
      throw new ObsValidationError('INVALID_CONFIG', 'isClientError must be a function');
    }
    if (config.anomalyDetection !== undefined && typeof config.anomalyDetection !== 'boolean') {
      throw new ObsValidationError('INVALID_CONFIG', 'anomalyDetection must be a boolean');
    }
    this.clock = config.clock ?? systemClock;
    this.config = {
      availabilityTarget: optionalNumber(
        config.availabilityTarget,
        'availabilityTarget',
        99.5,
        PERCENTAGE,
        invalidConfig,
      ),
      latencyTarget: optionalNumber(config.latencyTarget, 'latencyTarget', 95, PERCENTAGE, invalidConfig),
      latencyThresholdMs: optionalNumber(
        config.latencyThresholdMs,
        'latencyThresholdMs',
        500,
        POSITIVE_NUMBER,
        invalidConfig,
      ),
      sloWindowDays: optionalNumber(config.sloWindowDays, 'sloWindowDays', 30, POSITIVE_NUMBER, invalidConfig),
      anomalyDetection: config.anomalyDetection ?? true,
      isClientError: config.isClientError ?? ((error) => error instanceof VisionInputError),
    };
    if (config.errorAlert !== false) {
      const alert = config.errorAlert === undefined ? {} : config.errorAlert;
      if (typeof alert !== 'object' || alert === null)
        throw new ObsValidationError('INVALID_CONFIG', 'errorAlert must be an object or false');
      if (alert.severity !== undefined && !['info', 'warning', 'error', 'critical'].includes(alert.severity)) {
        throw new ObsValidationError('INVALID_CONFIG', 'errorAlert.severity must be info, warning, error or critical');
      }
      const ratio = optionalNumber(alert.errorRatio, 'errorAlert.errorRatio', 0.2, POSITIVE_NUMBER, invalidConfig);
      if (ratio > 1) throw new ObsValidationError('INVALID_CONFIG', 'errorAlert.errorRatio must be at most 1');
      this.alertConfig = {
        windowMs: optionalNumber(alert.windowMs, 'errorAlert.windowMs', 60_000, POSITIVE_NUMBER, invalidConfig),
        minRequests: optionalNumber(alert.minRequests, 'errorAlert.minRequests', 10, POSITIVE_NUMBER, invalidConfig),
        errorRatio: ratio,
        severity: alert.severity ?? 'error',
      };
      this.window = new OutcomeWindow(this.alertConfig.windowMs, 1024);
    }
    let hubWatches = false;
    try {
      hubWatches =
        typeof hub.watchesLatency === 'function' && hub.watchesLatency(VISION_METRICS.REQUEST_DURATION_MS) === true;
    } catch {
      hubWatches = false;
    }
    this.detectsAnomalies = this.config.anomalyDetection && !hubWatches;
    const id = idPart(this.baseName);
    this.sloIds = Object.freeze({ availability: `vision-availability-${id}`, latency: `vision-latency-${id}` });
    this.errorAlertId = `vision-errors-${id}`;
    this.events$ = this.bus.events$;
  }

  async analyzeImage(
    imageData: Uint8Array,
    includeDescription = true,
    analyzeOptions?: AnalyzeOptions,
  ): Promise<VisionDescription> {
    // Per-call options are optional extras: anything that is not an object is ignored, never a crash.
    const options: AnalyzeOptions = typeof analyzeOptions === 'object' && analyzeOptions !== null ? analyzeOptions : {};
    const imageBytes = imageData instanceof Uint8Array ? imageData.length : 0;
    const started = this.clock.now();
    const span = this.guard('span', () =>
      this.hub.traces.startSpan('vision.analyze_image', this.serviceName, options.parent ?? undefined, {
        provider: this.baseName,
        'image.bytes': imageBytes,
        include_description: includeDescription === true,
      }),
    );
    const onSpan = options.onSpan;
    if (span && typeof onSpan === 'function') this.guard('span', () => onSpan(span));
    this.guard('slo', () => this.defineSLOs());
    this.guard('metrics', () => this.hub.metrics.increment(VISION_METRICS.REQUESTS_TOTAL, 1, this.labels));

    let result: VisionDescription;
    try {
      result = await this.baseProvider.analyzeImage(imageData, includeDescription);
    } catch (error) {
      this.recordFailure(error, this.elapsed(started), span, imageBytes);
      throw error;
    }
    this.recordSuccess(result, this.elapsed(started), span, imageBytes);
    return result;
  }

  /** Runs `fn` with the request span active (when the hub can), so recorded values carry it as their exemplar. */
  private inSpan(span: VisionSpan | undefined, fn: () => void): void {
    const traces = this.hub.traces;
    if (span === undefined || typeof traces.withSpan !== 'function') return fn();
    let ran = false;
    try {
      traces.withSpan(span, () => {
        ran = true;
        fn();
      });
    } catch (error) {
      if (ran) throw error;
      fn(); // the hub refused the span (not one of its own): record without it
    }
  }

  private elapsed(started: number): number {
    return Math.max(0, this.clock.now() - started);
  }

  private recordSuccess(
    result: VisionDescription,
    durationMs: number,
    span: VisionSpan | undefined,
    imageBytes: number,
  ): void {
    const confidence =
      typeof result?.confidence === 'number' && Number.isFinite(result.confidence) ? result.confidence : undefined;
    this.guard('metrics', () =>
      this.inSpan(span, () => {
        this.hub.metrics.increment(VISION_METRICS.REQUESTS_SUCCESS, 1, this.labels);
        this.hub.metrics.histogram(VISION_METRICS.REQUEST_DURATION_MS, durationMs, this.labels);
        if (confidence !== undefined) this.hub.metrics.gauge(VISION_METRICS.CONFIDENCE, confidence, this.labels);
      }),
    );
    if (span) {
      this.guard('span', () => {
        if (confidence !== undefined) span.log('analyzed', { confidence, duration_ms: durationMs });
        this.hub.traces.finishSpan(span, 'ok');
      });
    }
    this.recordOutcome(false, durationMs, span);
    if (this.bus.observed) {
      this.bus.emit({
        type: 'vision/request-completed',
        ts: this.clock.now(),
        source: 'vision',
        provider: this.baseName,
        durationMs,
        confidence,
        imageBytes,
        traceId: span?.context.traceId,
      });
    }
  }

  private recordFailure(error: unknown, durationMs: number, span: VisionSpan | undefined, imageBytes: number): void {
    const errorType = this.errorTypes.label(error);
    let clientError = false;
    try {
      clientError = this.config.isClientError(error) === true;
    } catch {
      clientError = false;
    }
    this.guard('metrics', () =>
      this.inSpan(span, () => {
        let labels = this.errorLabels.get(errorType);
        if (!labels) {
          labels = Object.freeze({ provider: this.baseName, error_type: errorType });
          this.errorLabels.set(errorType, labels);
        }
        this.hub.metrics.increment(VISION_METRICS.REQUESTS_ERROR, 1, labels);
        this.hub.metrics.histogram(VISION_METRICS.REQUEST_DURATION_MS, durationMs, this.labels);
      }),
    );
    if (span) {
      this.guard('span', () => {
        const message = error instanceof Error ? error.message : String(error);
        span.log('error', { error_type: errorType, message: message.slice(0, 512), client_error: clientError });
        this.hub.traces.finishSpan(span, 'error');
      });
    }
    if (!clientError) this.recordOutcome(true, durationMs, span);
    if (this.bus.observed) {
      this.bus.emit({
        type: 'vision/request-failed',
        ts: this.clock.now(),
        source: 'vision',
        provider: this.baseName,
        durationMs,
        errorType,
        clientError,
        imageBytes,
        traceId: span?.context.traceId,
      });
    }
  }

  /** SLO events, anomaly detection and the error alert for a request that was not a client error. */
  private recordOutcome(isError: boolean, durationMs: number, span: VisionSpan | undefined): void {
    this.guard('slo', () => {
      this.hub.sloTracker.recordEvent(this.sloIds.availability, !isError);
      this.hub.sloTracker.recordEvent(this.sloIds.latency, durationMs <= this.config.latencyThresholdMs);
    });
    if (this.detectsAnomalies) {
      this.guard('anomaly', () => {
        const anomaly = this.hub.anomalyDetector.detect(VISION_METRICS.REQUEST_DURATION_MS, durationMs, this.labels);
        if (!anomaly) return;
        span?.log('latency anomaly', {
          anomaly_id: anomaly.anomalyId,
          expected_ms: anomaly.expectedValue,
          actual_ms: anomaly.actualValue,
        });
        this.bus.emit({
          type: 'vision/latency-anomaly',
          ts: this.clock.now(),
          source: 'vision',
          provider: this.baseName,
          anomalyId: anomaly.anomalyId,
          expectedMs: anomaly.expectedValue,
          actualMs: anomaly.actualValue,
        });
      });
    }
    if (this.window && this.alertConfig) {
      const now = this.clock.now();
      this.window.record(now, isError);
      this.guard('alert', () => this.evaluateErrorAlert(now));
    }
  }

  private evaluateErrorAlert(now: number): void {
    const config = this.alertConfig!;
    const { total, errors } = this.window!.counts(now);
    if (total < config.minRequests) return;
    const ratio = errors / total;
    if (ratio >= config.errorRatio) {
      // Refresh at most once a second: the alert stays current without a write per request.
      if (this.alertMaybeFiring && now - this.lastAlertRefresh < 1000) return;
      this.lastAlertRefresh = now;
      this.alertMaybeFiring = true;
      const percentText = (ratio * 100).toFixed(1);
      this.hub.alerts.fireAlert({
        alertId: this.errorAlertId,
        name: 'VisionProviderErrors',
        severity: config.severity,
        source: 'vision',
        labels: { provider: this.baseName },
        message: `${errors} of the last ${total} requests to vision provider ${this.baseName} failed (${percentText}%)`,
        annotations: { summary: `vision provider ${this.baseName} is failing`, threshold: String(config.errorRatio) },
        value: ratio,
      });
      this.bus.emit({
        type: 'vision/error-alert-fired',
        ts: now,
        source: 'vision',
        provider: this.baseName,
        alertId: this.errorAlertId,
        errorRatio: ratio,
        requests: total,
      });
    } else if (this.alertMaybeFiring && ratio < config.errorRatio / 2) {
      this.alertMaybeFiring = false;
      this.lastAlertRefresh = -Infinity;
      if (this.hub.alerts.resolveAlert(this.errorAlertId) !== undefined) {
        this.bus.emit({
          type: 'vision/error-alert-resolved',
          ts: now,
          source: 'vision',
          provider: this.baseName,
          alertId: this.errorAlertId,
          errorRatio: ratio,
          requests: total,
        });
      }
    }
  }

  private defineSLOs(): void {
    if (this.slosDefined) return;
    const tracker = this.hub.sloTracker;
    const labels = { provider: this.baseName };
    if (!tracker.hasSLO(this.sloIds.availability)) {
      tracker.defineSLO({
        sloId: this.sloIds.availability,
        name: `Vision availability (${this.baseName})`,
        target: this.config.availabilityTarget,
        windowDays: this.config.sloWindowDays,
        metricName: VISION_METRICS.REQUESTS_TOTAL,
        description: `Share of vision requests to ${this.baseName} that do not fail (bad input excluded)`,
        labels,
      });
    }
    if (!tracker.hasSLO(this.sloIds.latency)) {
      tracker.defineSLO({
        sloId: this.sloIds.latency,
        name: `Vision latency (${this.baseName})`,
        target: this.config.latencyTarget,
        windowDays: this.config.sloWindowDays,
        metricName: VISION_METRICS.REQUEST_DURATION_MS,
        description: `Share of vision requests to ${this.baseName} answered within ${this.config.latencyThresholdMs} ms`,
        labels,
      });
    }
    this.slosDefined = true;
  }

  /** Runs one piece of instrumentation; a throw becomes an event, never the caller's problem. */
  private guard<T>(stage: Stage, fn: () => T): T | undefined {
    try {
      return fn();
    } catch (error) {
      if (this.bus.observed) {
        this.bus.emit({
          type: 'vision/instrumentation-failed',
          ts: this.clock.now(),
          source: 'vision',
          provider: this.baseName,
          stage,
          message: (error instanceof Error ? error.message : String(error)).slice(0, 512),
        });
      }
      return undefined;
    }
  }
}
