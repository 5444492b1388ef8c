import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createTraceManager } from '../src';
import { describeTraceContextSuite, readCallbacks } from './conformance/traceContextSuite';

/**
 * The W3C suite against a node:http service written with @obs/tracing as its README shows:
 * `extractContext(req.headers)`, a server span, one client span per callback and `injectContext`.
 */
describeTraceContextSuite('@obs/tracing (extractContext / injectContext)', async () => {
  const traces = createTraceManager({ traceSampleRate: 1 });
  const server = createServer(async (req, res) => {
    try {
      const parent = traces.extractContext(req.headers);
      const span = traces.startSpan('POST /test', 'conformance', parent, { 'span.kind': 'server' });
      for (const callback of await readCallbacks(req)) {
        const client = traces.startSpan('POST callback', 'conformance', span, { 'span.kind': 'client' });
        const response = await fetch(callback.url, {
          method: 'POST',
          headers: { ...traces.injectContext(client), 'content-type': 'application/json' },
          body: JSON.stringify(callback.arguments),
        });
        await response.arrayBuffer();
        traces.finishSpan(client);
      }
      traces.finishSpan(span);
      res.end('ok');
    } catch (error) {
      res.statusCode = 500;
      res.end(String(error));
    }
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/test`,
    close: async () => {
      await new Promise<void>((resolve) => server.close(() => resolve()));
      await traces.shutdown();
    },
  };
});
