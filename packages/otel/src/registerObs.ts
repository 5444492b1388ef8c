import { context, metrics as otelMetrics, propagation, trace } from '@opentelemetry/api';
import { ObsError } from '@obs/core';
import type { MetricsCollector } from '@obs/metrics';
import type { TraceManager } from '@obs/tracing';
import { ObsContextManager } from './context/ObsContextManager';
import { ObsMeterProvider } from './metrics/ObsMeterProvider';
import { ObsPropagator } from './propagation/ObsPropagator';
import { ObsTracerProvider } from './trace/ObsTracerProvider';

/** What {@link registerObs} installs: an ObservabilityHub's objects, or a TraceManager / MetricsCollector alone. */
export interface RegisterObsOptions {
  /** Installs the tracer provider, context manager and propagator on this TraceManager. */
  readonly traces?: TraceManager;
  /** Installs the meter provider on this MetricsCollector. */
  readonly metrics?: MetricsCollector;
  /** `serviceName` of spans from OpenTelemetry tracers (default `OTEL_SERVICE_NAME`, else `unknown_service:node`). */
  readonly serviceName?: string;
  /** How often observable instruments' callbacks run, ms (default 10000; 0: only on `meterProvider.collect()`). */
  readonly collectIntervalMs?: number;
}

/** The function {@link registerObs} returns; it also carries what was installed. */
export interface UnregisterObs {
  (): void;
  readonly tracerProvider: ObsTracerProvider | undefined;
  readonly meterProvider: ObsMeterProvider | undefined;
  readonly contextManager: ObsContextManager | undefined;
  readonly propagator: ObsPropagator | undefined;
}

/**
 * Installs @obs as the global OpenTelemetry implementation: with `traces`,
 * the tracer provider, the context manager (one active context for both
 * APIs) and the W3C propagator; with `metrics`, the meter provider. Call it
 * before `registerInstrumentations(...)`: instrumentations take the meter
 * provider when they are registered. Returns a function that removes what
 * it installed (OpenTelemetry's globals go back to no-ops).
 *
 * Throws `ObsError` `OTEL_ALREADY_REGISTERED` (and installs nothing) when an
 * OpenTelemetry SDK or an earlier `registerObs` already holds a global.
 */
export function registerObs(options: RegisterObsOptions): UnregisterObs {
  if (
    options === null ||
    typeof options !== 'object' ||
    (options.traces === undefined && options.metrics === undefined)
  ) {
    throw new ObsError('INVALID_OPTIONS', 'registerObs needs { traces } and/or { metrics }');
  }
  const undo: Array<() => void> = [];
  const rollback = () => {
    for (const fn of undo.splice(0).reverse()) fn();
  };
  const must = (ok: boolean, what: string) => {
    if (!ok) {
      rollback();
      throw new ObsError(
        'OTEL_ALREADY_REGISTERED',
        `an OpenTelemetry global ${what} is already registered (an SDK, or registerObs called twice)`,
      );
    }
  };
  let tracerProvider: ObsTracerProvider | undefined;
  let contextManager: ObsContextManager | undefined;
  let propagator: ObsPropagator | undefined;
  let meterProvider: ObsMeterProvider | undefined;
  if (options.traces !== undefined) {
    tracerProvider = new ObsTracerProvider(
      options.traces,
      options.serviceName === undefined ? {} : { serviceName: options.serviceName },
    );
    contextManager = new ObsContextManager(options.traces);
    propagator = new ObsPropagator();
    must(context.setGlobalContextManager(contextManager), 'context manager');
    undo.push(() => context.disable());
    must(trace.setGlobalTracerProvider(tracerProvider), 'tracer provider');
    undo.push(() => trace.disable());
    must(propagation.setGlobalPropagator(propagator), 'propagator');
    undo.push(() => propagation.disable());
  }
  if (options.metrics !== undefined) {
    meterProvider = new ObsMeterProvider(
      options.metrics,
      options.collectIntervalMs === undefined ? {} : { collectIntervalMs: options.collectIntervalMs },
    );
    const provider = meterProvider;
    if (!otelMetrics.setGlobalMeterProvider(provider)) {
      void provider.shutdown();
      must(false, 'meter provider');
    }
    undo.push(() => {
      otelMetrics.disable();
      void provider.shutdown();
    });
  }
  const unregister = (() => rollback()) as UnregisterObs;
  return Object.assign(unregister, { tracerProvider, meterProvider, contextManager, propagator });
}
