import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Span, TraceManager } from '@obs/hub';
import type { AnalyzeOptions, VisionDescription } from '@obs/vision';
import type { AdmissionLimit } from './AdmissionLimit';
import { handleAnalyze } from './analyzeRoute';
import { sendError } from './responses';

export interface AnalyzeEndpointOptions {
  /** Where the server span and the body-reading span go. */
  readonly traces: TraceManager;
  /** Counts shed uploads (`http_requests_shed_total`). */
  readonly metrics: { increment(name: string, value?: number, labels?: Record<string, string>): void };
  /** Runs the analysis (an ObservableVisionProvider's `analyzeImage`). */
  readonly analyze: (
    bytes: Uint8Array,
    includeDescription: boolean,
    options: AnalyzeOptions,
  ) => Promise<VisionDescription>;
  /** Uploads admitted at once; past it, 503 + Retry-After before the body is read. */
  readonly admission: AdmissionLimit;
  readonly maxUploadBytes: number;
  /** Extra tags on every server span (e.g. the cluster worker's pid). */
  readonly spanTags?: Readonly<Record<string, string | number>>;
  readonly log: (line: string) => void;
}

/**
 * `POST /api/analyze` with its server span (continuing the caller's trace when it sent
 * `traceparent`), the admission limit and the analysis as the span's child. Shared by the
 * single-process app and the node:cluster workers.
 */
export function createAnalyzeEndpoint(
  options: AnalyzeEndpointOptions,
): (req: IncomingMessage, res: ServerResponse, url: URL) => Promise<void> {
  const { traces, admission } = options;
  return async (req, res, url) => {
    if (req.method !== 'POST') {
      sendError(res, 405, 'METHOD_NOT_ALLOWED', 'use POST with the image bytes as the body', { Allow: 'POST' });
      return;
    }
    const serverSpan: Span = traces.startSpan('POST /api/analyze', 'example-http', traces.extractContext(req.headers), {
      'http.method': 'POST',
      'http.route': '/api/analyze',
      ...options.spanTags,
    });
    const release = admission.tryAcquire();
    if (!release) {
      options.metrics.increment('http_requests_shed_total', 1, { route: '/api/analyze' });
      sendError(res, 503, 'BUSY', 'the image workers are busy; retry shortly', { 'Retry-After': '1' });
      traces.finishSpan(serverSpan, 'error');
      return;
    }
    let status: number;
    try {
      status = await handleAnalyze(req, res, url, {
        analyze: options.analyze,
        parent: serverSpan,
        traceBody: () => {
          const span = traces.startSpan('read_body', 'example-http', serverSpan);
          return (bytes) => {
            if (bytes !== undefined) span.tags['http.request_body_bytes'] = bytes;
            traces.finishSpan(span, bytes === undefined ? 'error' : 'ok');
          };
        },
        maxBodyBytes: options.maxUploadBytes,
        traceHeaders: (): Record<string, string> => {
          const { traceparent } = traces.injectContext(serverSpan);
          return traceparent ? { traceparent } : {};
        },
        onUnexpectedError: (error) => options.log(`analyze failed: ${String(error)}`),
      });
    } finally {
      release();
    }
    serverSpan.tags['http.status_code'] = status;
    traces.finishSpan(serverSpan, status >= 500 ? 'error' : 'ok');
  };
}
