import { describe, expect, it } from 'vitest';
import { firstValueFrom, filter, take } from 'rxjs';
import { createTraceManager, toImportedSpan, TracingValidationError, type Span, type SpanExporter } from './index';

function collectingExporter(): SpanExporter & { spans: Span[] } {
  const spans: Span[] = [];
  return { name: 'collect', spans, onEnd: (s) => spans.push(s), forceFlush: async () => {}, shutdown: async () => {} };
}

describe('importSpan: spans finished in another process', () => {
  it('keeps ids, parent links, times, status, tags and logs, so the trace reads as one', () => {
    const worker = createTraceManager({ traceSampleRate: 1 });
    const root = worker.startSpan('POST /api/analyze', 'http');
    const child = worker.startSpan('vision.analyze_image', 'vision', root, { provider: 'local' });
    child.log('analyzed', { confidence: 0.9 });
    child.finish('error');
    root.finish();
    const primary = createTraceManager({ traceSampleRate: 0 });
    const exporter = collectingExporter();
    primary.addExporter(exporter);
    for (const span of [child, root]) primary.importSpan(toImportedSpan(span, { 'process.pid': 42 })!);

    const trace = primary.getTrace(root.context.traceId);
    expect(trace.map((s) => s.context.spanId)).toEqual([root.context.spanId, child.context.spanId]);
    const [importedRoot, importedChild] = trace as [Span, Span];
    expect(importedChild.context.parentSpanId).toBe(root.context.spanId);
    expect(importedRoot.context.parentSpanId).toBeUndefined();
    expect(importedChild.status).toBe('error');
    expect(importedChild.startTime).toBe(child.startTime);
    expect(importedChild.endTime).toBe(child.endTime);
    expect(importedChild.tags).toMatchObject({ provider: 'local', 'process.pid': 42 });
    expect(importedChild.logs).toEqual([
      { timestamp: child.logs[0]!.timestamp, message: 'analyzed', fields: { confidence: 0.9 } },
    ]);
    expect(primary.getRecentTraces(5)[0]).toMatchObject({ traceId: root.context.traceId, spanCount: 2 });
    expect(exporter.spans).toHaveLength(2);
    expect(primary.getActiveSpans()).toEqual([]);
  });

  it('emits span-ended for an imported span (and no span-started)', async () => {
    const primary = createTraceManager();
    const ended = firstValueFrom(
      primary.events$.pipe(
        filter((e) => e.type === 'traces/span-ended'),
        take(1),
      ),
    );
    const started: string[] = [];
    const sub = primary.events$
      .pipe(filter((e) => e.type === 'traces/span-started'))
      .subscribe((e) => started.push(e.type));
    primary.importSpan({
      traceId: '0af7651916cd43dd8448eb211c80319c',
      spanId: 'b7ad6b7169203331',
      operationName: 'job',
      serviceName: 'worker',
      startTime: 1000,
      endTime: 1500,
      status: 'ok',
    });
    expect(await ended).toMatchObject({ spanId: 'b7ad6b7169203331', durationMs: 500 });
    expect(started).toEqual([]);
    sub.unsubscribe();
  });

  it('refuses bad data with a typed error and stores nothing', () => {
    const primary = createTraceManager();
    const now = Date.now();
    const good = {
      traceId: '0af7651916cd43dd8448eb211c80319c',
      spanId: 'b7ad6b7169203331',
      operationName: 'job',
      serviceName: 'worker',
      startTime: now - 500,
      endTime: now,
      status: 'ok' as const,
    };
    const bad: unknown[] = [
      null,
      { ...good, traceId: '0'.repeat(32) },
      { ...good, spanId: 'XYZ' },
      { ...good, parentSpanId: '' },
      { ...good, operationName: '' },
      { ...good, startTime: Number.NaN },
      { ...good, endTime: 'later' },
      { ...good, status: 'fine' },
    ];
    for (const data of bad) expect(() => primary.importSpan(data as typeof good)).toThrow(TracingValidationError);
    expect(primary.stats().storedSpans).toBe(0);
    // Malformed logs are dropped and counted; the span is still stored.
    primary.importSpan({ ...good, logs: [null as never, { timestamp: now - 100, message: 'ok' }] });
    expect(primary.getTrace(good.traceId)[0]!.logs).toHaveLength(1);
    expect(primary.stats().droppedAttributes).toBe(1);
  });

  it('toImportedSpan gives nothing for an unsampled or unfinished span', () => {
    const traces = createTraceManager({ traceSampleRate: 0 });
    const unsampled = traces.startSpan('a', 'b');
    unsampled.finish();
    expect(toImportedSpan(unsampled)).toBeUndefined();
    const sampled = createTraceManager({ traceSampleRate: 1 }).startSpan('a', 'b');
    expect(toImportedSpan(sampled)).toBeUndefined();
  });
});
