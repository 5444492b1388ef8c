/**
 * Test-only access to the official OTLP message definitions: the protobufjs classes
 * generated from opentelemetry-proto that `@opentelemetry/otlp-transformer@0.57.2`
 * ships (a dev dependency only).
 */
import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);

interface MessageType {
  decode(body: Uint8Array): unknown;
  fromObject(object: unknown): unknown;
  toObject(message: unknown, options?: Record<string, unknown>): Record<string, unknown>;
  verify(object: unknown): string | null;
}

const root = require('@opentelemetry/otlp-transformer/build/src/generated/root.js') as {
  opentelemetry: {
    proto: { collector: { metrics: { v1: Record<string, MessageType> }; trace: { v1: Record<string, MessageType> } } };
  };
};

export const ExportMetricsServiceRequest = root.opentelemetry.proto.collector.metrics.v1.ExportMetricsServiceRequest!;
export const ExportTraceServiceRequest = root.opentelemetry.proto.collector.trace.v1.ExportTraceServiceRequest!;
export const ExportMetricsServiceResponse = root.opentelemetry.proto.collector.metrics.v1.ExportMetricsServiceResponse!;

const OPTIONS = { longs: String, enums: Number, bytes: String, defaults: false, arrays: true };

/** Decodes OTLP protobuf metrics with the official classes, 64-bit integers as decimal strings. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any -- a decoded message tree, read field by field in tests
export function decodeOtlpMetrics(body: Uint8Array): any {
  return ExportMetricsServiceRequest.toObject(ExportMetricsServiceRequest.decode(body), OPTIONS);
}

/** The official classes' reading of an OTLP/JSON metrics request, in the same form as {@link decodeOtlpMetrics}. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any -- as above
export function readOtlpMetricsJson(json: unknown): any {
  return ExportMetricsServiceRequest.toObject(ExportMetricsServiceRequest.fromObject(json), OPTIONS);
}
