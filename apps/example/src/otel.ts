import { createRequire, syncBuiltinESMExports } from 'node:module';
import type { ObservabilityHub } from '@obs/hub';

/** Routes the dashboard polls or streams: traced, they would bury the app's own traffic. */
const DASHBOARD_POLLING = new Set(['/api/events', '/api/dashboard']);

/**
 * `OBS_OTEL=1`: the app's HTTP traffic is traced by OpenTelemetry's own
 * instrumentations (instrumentation-http for the server, -undici for fetch)
 * through `@obs/otel`, so their spans land in the hub's TraceManager (the
 * dashboard's recent traces) and their duration histograms on `/metrics`.
 * The app is ESM and needs no loader hook: node:http is patched through its
 * CommonJS exports (required once below), the server class through its
 * prototype. Loaded only when asked for, so the OpenTelemetry packages cost
 * nothing otherwise. Returns the function that uninstalls it.
 */
export async function enableOpenTelemetry(hub: ObservabilityHub): Promise<() => void> {
  const [{ registerObs }, { registerInstrumentations }, { HttpInstrumentation }, { UndiciInstrumentation }] =
    await Promise.all([
      import('@obs/otel'),
      import('@opentelemetry/instrumentation'),
      import('@opentelemetry/instrumentation-http'),
      import('@opentelemetry/instrumentation-undici'),
    ]);
  const unregister = registerObs({ traces: hub.traces, metrics: hub.metrics, serviceName: 'example-http' });
  const http = new HttpInstrumentation({
    ignoreIncomingRequestHook: (req) => DASHBOARD_POLLING.has((req.url ?? '').split('?')[0] ?? ''),
  });
  const undici = new UndiciInstrumentation();
  const unregisterInstrumentations = registerInstrumentations({ instrumentations: [http, undici] });
  createRequire(import.meta.url)('node:http');
  syncBuiltinESMExports();
  return () => {
    unregisterInstrumentations();
    unregister();
  };
}
