import type { Tracer, TracerOptions, TracerProvider } from '@opentelemetry/api';
import type { TraceManager } from '@obs/tracing';
import { ObsTracer } from './ObsTracer';

/** Options of {@link ObsTracerProvider}. */
export interface ObsTracerProviderConfig {
  /** The `serviceName` of the spans; default `OTEL_SERVICE_NAME`, else `unknown_service:node` (as OpenTelemetry). */
  readonly serviceName?: string;
}

const MAX_TRACERS = 256;

/** An OpenTelemetry TracerProvider whose tracers start @obs/tracing spans in `traces`. */
export class ObsTracerProvider implements TracerProvider {
  readonly serviceName: string;
  private readonly tracers = new Map<string, ObsTracer>();

  constructor(
    readonly traces: TraceManager,
    config: ObsTracerProviderConfig = {},
  ) {
    const fromEnv = process.env['OTEL_SERVICE_NAME'];
    const name = config?.serviceName ?? (fromEnv !== undefined && fromEnv !== '' ? fromEnv : 'unknown_service:node');
    this.serviceName = typeof name === 'string' && name !== '' ? name.slice(0, 1024) : 'unknown_service:node';
  }

  getTracer(name: string, version?: string, _options?: TracerOptions): Tracer {
    const scopeName = typeof name === 'string' && name !== '' ? name.slice(0, 256) : 'unknown';
    const scopeVersion = typeof version === 'string' && version !== '' ? version.slice(0, 64) : undefined;
    const key = scopeVersion === undefined ? scopeName : `${scopeName}@${scopeVersion}`;
    let tracer = this.tracers.get(key);
    if (tracer === undefined) {
      tracer = new ObsTracer(this.traces, this.serviceName, scopeName, scopeVersion);
      // Tracers are cheap; the cache only saves allocations, so past the bound a tracer is simply not cached.
      if (this.tracers.size < MAX_TRACERS) this.tracers.set(key, tracer);
    }
    return tracer;
  }
}
