/**
 * Test-only: the official OTLP message classes (protobufjs code generated from
 * opentelemetry-proto, shipped by `@opentelemetry/otlp-transformer@0.57.2`, a dev
 * dependency only) to decode what our protobuf encoder writes.
 */
import { createRequire } from 'node:module';
import protobuf from 'protobufjs';

const { Reader } = protobuf;

const require = createRequire(import.meta.url);

interface MessageType {
  decode(body: Uint8Array): unknown;
  encode(message: unknown): { finish(): Uint8Array };
  fromObject(object: unknown): unknown;
  toObject(message: unknown, options?: Record<string, unknown>): Record<string, unknown>;
}

const root = require('@opentelemetry/otlp-transformer/build/src/generated/root.js') as {
  opentelemetry: { proto: { collector: { trace: { v1: Record<string, MessageType> } } } };
};

export const ExportTraceServiceRequest = root.opentelemetry.proto.collector.trace.v1.ExportTraceServiceRequest!;
export const ExportTraceServiceResponse = root.opentelemetry.proto.collector.trace.v1.ExportTraceServiceResponse!;

/**
 * Decodes with the official classes into the OTLP/JSON shape: ids as lowercase hex,
 * 64-bit integers as decimal strings, enums as numbers.
 */
export function decodeOtlpTraces(body: Uint8Array): unknown {
  const object = ExportTraceServiceRequest.toObject(ExportTraceServiceRequest.decode(body), {
    longs: String,
    enums: Number,
    bytes: String,
    defaults: true,
    arrays: true,
  });
  return hexIds(object);
}

function hexIds(value: unknown, key = ''): unknown {
  if (Array.isArray(value)) return value.map((v) => hexIds(v));
  if (value !== null && typeof value === 'object') {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, hexIds(v, k)]));
  }
  if (typeof value === 'string' && (key === 'traceId' || key === 'spanId' || key === 'parentSpanId'))
    return Buffer.from(value, 'base64').toString('hex');
  return value;
}

/** Drops proto3 default values (0, '', false, [], empty objects) so a JSON request and a decoded one compare. */
export function withoutDefaults(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(withoutDefaults);
  if (value !== null && typeof value === 'object') {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value)) {
      const cleaned = withoutDefaults(v);
      if (cleaned === 0 || cleaned === '' || cleaned === '0' || cleaned === false || cleaned === undefined) continue;
      if (Array.isArray(cleaned) && cleaned.length === 0) continue;
      out[k] = cleaned;
    }
    return out;
  }
  return value;
}

/**
 * `Span.flags` (field 16) and `Link.flags` (field 6) came with opentelemetry-proto 1.1,
 * after the generated classes of otlp-transformer 0.57.2 were made, so those classes
 * skip them. This walks the wire format with protobufjs's Reader to read them: the
 * flags of each span in order, each with its links' flags.
 */
export function readSpanFlags(body: Uint8Array): Array<{ flags: number | undefined; links: number[] }> {
  const out: Array<{ flags: number | undefined; links: number[] }> = [];
  const children = (bytes: Uint8Array, field: number): Uint8Array[] => {
    const r = Reader.create(bytes);
    const found: Uint8Array[] = [];
    while (r.pos < r.len) {
      const tag = r.uint32();
      if (tag >>> 3 === field && (tag & 7) === 2) found.push(r.bytes());
      else r.skipType(tag & 7);
    }
    return found;
  };
  const fixed32 = (bytes: Uint8Array, field: number): number | undefined => {
    const r = Reader.create(bytes);
    let value: number | undefined;
    while (r.pos < r.len) {
      const tag = r.uint32();
      if (tag >>> 3 === field && (tag & 7) === 5) value = r.fixed32();
      else r.skipType(tag & 7);
    }
    return value;
  };
  for (const rs of children(body, 1)) {
    for (const ss of children(rs, 2)) {
      for (const span of children(ss, 2))
        out.push({ flags: fixed32(span, 16), links: children(span, 13).map((l) => fixed32(l, 6) ?? 0) });
    }
  }
  return out;
}
