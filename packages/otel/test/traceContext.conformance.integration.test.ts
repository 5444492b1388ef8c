import { ROOT_CONTEXT, SpanKind, context, propagation, trace } from '@opentelemetry/api';
import { createTraceManager } from '@obs/tracing';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { registerObs } from '../src';
import { describeTraceContextSuite, readCallbacks } from '../../tracing/test/conformance/traceContextSuite';

/**
 * The W3C suite against a node:http service written with the OpenTelemetry API only, with @obs
 * registered as its implementation: `propagation.extract` / `propagation.inject` go through the
 * bridge's ObsPropagator, spans through its tracer, as an instrumentation library would use them.
 */
describeTraceContextSuite('@obs/otel (OpenTelemetry propagation API)', async () => {
  const traces = createTraceManager({ traceSampleRate: 1, reaperIntervalMs: 0 });
  const unregister = registerObs({ traces, serviceName: 'conformance' });
  const tracer = trace.getTracer('conformance');
  const server = createServer(async (req, res) => {
    const remote = propagation.extract(ROOT_CONTEXT, req.headers);
    await tracer.startActiveSpan('POST /test', { kind: SpanKind.SERVER }, remote, async (span) => {
      try {
        for (const callback of await readCallbacks(req)) {
          const client = tracer.startSpan('POST callback', { kind: SpanKind.CLIENT });
          const headers: Record<string, string> = { 'content-type': 'application/json' };
          propagation.inject(trace.setSpan(context.active(), client), headers);
          const response = await fetch(callback.url, {
            method: 'POST',
            headers,
            body: JSON.stringify(callback.arguments),
          });
          await response.arrayBuffer();
          client.end();
        }
        res.end('ok');
      } catch (error) {
        res.statusCode = 500;
        res.end(String(error));
      } finally {
        span.end();
      }
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/test`,
    close: async () => {
      await new Promise<void>((resolve) => server.close(() => resolve()));
      unregister();
      await traces.shutdown();
    },
  };
});
