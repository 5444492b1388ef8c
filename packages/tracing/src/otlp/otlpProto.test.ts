import { fc, test } from '@fast-check/vitest';
import { ManualClock } from '@obs/core';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { describe, expect, it } from 'vitest';
import type { Span } from '../Span';
import { createTraceManager } from '../TraceManager';
import { TraceStatus } from '../TraceStatus';
import { ExportTraceServiceResponse, decodeOtlpTraces, readSpanFlags, withoutDefaults } from '../testing/otlpProto';
import { createOtlpHttpExporter } from './OtlpHttpExporter';
import { toOtlpRequest } from './otlpJson';
import type { OtlpExportTraceServiceRequest } from './otlpJson';
import { encodeTraceRequestProto, readRejectedSpans } from './otlpProto';

/** The request as the 0.57.2 classes see it (without the flags fields, checked by readSpanFlags). */
function withoutFlags(request: OtlpExportTraceServiceRequest): unknown {
  const copy = JSON.parse(JSON.stringify(request)) as OtlpExportTraceServiceRequest;
  for (const rs of copy.resourceSpans)
    for (const ss of rs.scopeSpans)
      for (const span of ss.spans) {
        delete (span as { flags?: number }).flags;
        for (const link of span.links ?? []) delete (link as { flags?: number }).flags;
      }
  return withoutDefaults(copy);
}

function flagsOf(request: OtlpExportTraceServiceRequest) {
  return request.resourceSpans.flatMap((rs) =>
    rs.scopeSpans.flatMap((ss) =>
      ss.spans.map((s) => ({ flags: s.flags, links: (s.links ?? []).map((l) => l.flags) })),
    ),
  );
}

/** Spans that use every field: parent, tracestate, kinds, all attribute types, events, links, statuses, dropped counts. */
function richSpans(): Span[] {
  const clock = new ManualClock(1_700_000_000_000);
  const tm = createTraceManager({
    traceSampleRate: 1,
    reaperIntervalMs: 0,
    clock,
    maxTagsPerSpan: 6,
    maxLogsPerSpan: 3,
  });
  const parent = tm.extractContext({
    traceparent: '00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01',
    tracestate: 'congo=t61rcWkgMzE,rojo=00f067aa0ba902b7',
  })!;
  const server = tm.startSpan('GET /items/:id', 'web', parent, {
    'span.kind': 'server',
    'http.status_code': 500,
    ratio: 0.25,
    cached: false,
    tags: ['a', 'b'],
    big: 2 ** 60,
    neg: -42,
    ünï: 'côdé ✓',
  });
  clock.advance(1.234567);
  const db = tm.startSpan('SELECT', 'pg', server, { 'span.kind': 'client' });
  db.log('rows', { count: 3, fraction: 0.5, ok: true, names: ['x'] });
  db.log('second');
  db.log('third');
  db.log('dropped');
  db.addLink(
    { traceId: '0af7651916cd43dd8448eb211c80319c', spanId: 'b7ad6b7169203331', sampled: true, baggage: {} } as never,
    { reason: 'retry-of' },
  );
  clock.advance(2);
  db.finish();
  try {
    tm.trace(
      'failing',
      'web',
      () => {
        throw new TypeError('boom');
      },
      { parent: server },
    );
  } catch {
    // expected
  }
  for (const kind of ['producer', 'consumer', 'internal'])
    tm.startSpan(`k-${kind}`, 'web', server, { 'span.kind': kind }).finish();
  server.finish(TraceStatus.ERROR);
  return tm.getTrace('4bf92f3577b34da6a3ce929d0e0e4736');
}

describe('OTLP protobuf for spans, read back with the official generated classes', () => {
  it('every field of every span round-trips (the decoded request equals the JSON one)', () => {
    const request = toOtlpRequest(richSpans(), { 'deployment.environment': 'test', 'service.instance.id': 3 });
    const spans = request.resourceSpans.flatMap((r) => r.scopeSpans.flatMap((s) => s.spans));
    // The fixture really exercises the fields.
    expect(spans.some((s) => s.links?.length)).toBe(true);
    expect(spans.some((s) => s.droppedAttributesCount)).toBe(true);
    expect(spans.some((s) => s.droppedEventsCount)).toBe(true);
    expect(spans.some((s) => s.status.message)).toBe(true);
    expect(new Set(spans.map((s) => s.kind))).toEqual(new Set([1, 2, 3, 4, 5]));
    const body = encodeTraceRequestProto(request);
    expect(withoutDefaults(decodeOtlpTraces(body))).toEqual(withoutFlags(request));
    expect(readSpanFlags(body)).toEqual(flagsOf(request));
  });

  const tagValue = fc.oneof(
    fc.string({ maxLength: 30 }),
    fc.boolean(),
    fc.integer(),
    fc.double({ noNaN: true, noDefaultInfinity: true }),
    fc.array(fc.string({ maxLength: 5 }), { maxLength: 3 }),
  );
  test.prop([
    fc.array(
      fc.record({
        name: fc.string({ minLength: 1, maxLength: 40 }),
        tags: fc.dictionary(fc.stringMatching(/^[a-z.]{1,12}$/), tagValue, { maxKeys: 6 }),
        ms: fc.integer({ min: 0, max: 10_000_000 }),
        micros: fc.integer({ min: 0, max: 999 }),
      }),
      { minLength: 1, maxLength: 8 },
    ),
  ])('random spans round-trip', (specs) => {
    const clock = new ManualClock(1_600_000_000_000);
    const tm = createTraceManager({ traceSampleRate: 1, reaperIntervalMs: 0, clock });
    const spans = specs.map((spec) => {
      const span = tm.startSpan(spec.name, 'svc', undefined, spec.tags);
      clock.advance(spec.ms + spec.micros / 1000);
      span.finish();
      return span;
    });
    const request = toOtlpRequest(spans);
    const body = encodeTraceRequestProto(request);
    expect(withoutDefaults(decodeOtlpTraces(body))).toEqual(withoutFlags(request));
    expect(readSpanFlags(body)).toEqual(flagsOf(request));
  });

  it('reads rejected_spans from a protobuf partial-success response', () => {
    const body = ExportTraceServiceResponse.encode(
      ExportTraceServiceResponse.fromObject({ partialSuccess: { rejectedSpans: 4, errorMessage: 'late' } }),
    ).finish();
    expect(readRejectedSpans(body)).toBe(4);
    expect(readRejectedSpans(new Uint8Array())).toBe(0);
    expect(readRejectedSpans(new Uint8Array([0xff, 0xff]))).toBe(0);
  });

  it('the exporter sends application/x-protobuf when protocol is http/protobuf', async () => {
    const bodies: Array<{ type: string | undefined; body: Buffer }> = [];
    const partial = ExportTraceServiceResponse.encode(
      ExportTraceServiceResponse.fromObject({ partialSuccess: { rejectedSpans: 1 } }),
    ).finish();
    const server = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        bodies.push({ type: req.headers['content-type'], body: Buffer.concat(chunks) });
        res.writeHead(200, { 'content-type': 'application/x-protobuf' });
        res.end(partial);
      });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    try {
      const exporter = createOtlpHttpExporter({
        url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/v1/traces`,
        protocol: 'http/protobuf',
        scheduledDelayMs: 10,
      });
      const tm = createTraceManager({ traceSampleRate: 1, reaperIntervalMs: 0, exporters: [exporter] });
      tm.startSpan('a', 'svc').finish();
      tm.startSpan('b', 'svc').finish();
      await exporter.forceFlush();
      expect(bodies).toHaveLength(1);
      expect(bodies[0]!.type).toBe('application/x-protobuf');
      const decoded = decodeOtlpTraces(bodies[0]!.body) as {
        resourceSpans: Array<{ scopeSpans: Array<{ spans: Array<{ name: string }> }> }>;
      };
      expect(decoded.resourceSpans[0]!.scopeSpans[0]!.spans.map((s) => s.name)).toEqual(['a', 'b']);
      expect(exporter.stats()).toMatchObject({ exported: 2, rejected: 1 });
      await exporter.shutdown();
    } finally {
      await new Promise<void>((resolve) => server.close(() => resolve()));
    }
  });

  it('rejects an unknown protocol', () => {
    expect(() => createOtlpHttpExporter({ url: 'http://127.0.0.1:4318/v1/traces', protocol: 'grpc' as never })).toThrow(
      /protocol/,
    );
  });
});
