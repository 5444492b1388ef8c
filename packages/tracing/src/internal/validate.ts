import { describeValue, type InvalidOption } from '@obs/core';
import { TracingValidationError } from '../errors';
import { isValidSpanId, isValidTraceId } from '../ids';
import { TraceFlags } from '../propagation/traceparent';
import type { SpanContext } from '../Span';
import { EMPTY_BAGGAGE } from './empty';

const MAX_NAME_LENGTH = 1024;

/** Configuration errors of this package: `TracingValidationError` with code `'INVALID_CONFIG'`. */
export const invalidConfig: InvalidOption = (message) => new TracingValidationError('INVALID_CONFIG', message);
/** A bad `limit` argument: `TracingValidationError` with code `'INVALID_LIMIT'`. */
export const invalidLimit: InvalidOption = (message) => new TracingValidationError('INVALID_LIMIT', message);

/** An operation or service name: a non-empty string of at most 1024 characters. */
export function checkName(value: unknown, what: string): string {
  if (typeof value !== 'string' || value.length === 0 || value.length > MAX_NAME_LENGTH) {
    throw new TracingValidationError(
      'INVALID_NAME',
      `${what} must be a non-empty string of at most ${MAX_NAME_LENGTH} characters, got ${describeValue(value)}`,
    );
  }
  return value;
}

/** Normalizes a caller's parent context, or throws a typed error. */
export function checkParentContext(value: unknown): SpanContext {
  if (value === null || typeof value !== 'object') {
    throw new TracingValidationError(
      'INVALID_CONTEXT',
      `parent must be a Span or a SpanContext, got ${describeValue(value)}`,
    );
  }
  const ctx = value as Partial<Record<keyof SpanContext, unknown>>;
  if (!isValidTraceId(ctx.traceId) || !isValidSpanId(ctx.spanId)) {
    throw new TracingValidationError(
      'INVALID_CONTEXT',
      `parent context needs a 32-hex traceId and a 16-hex spanId, not all zero`,
    );
  }
  if (ctx.sampled !== undefined && typeof ctx.sampled !== 'boolean') {
    throw new TracingValidationError(
      'INVALID_CONTEXT',
      `parent context sampled must be a boolean, got ${describeValue(ctx.sampled)}`,
    );
  }
  const flags =
    typeof ctx.traceFlags === 'number' && Number.isInteger(ctx.traceFlags) ? ctx.traceFlags & 0xff : undefined;
  const sampled =
    typeof ctx.sampled === 'boolean' ? ctx.sampled : flags !== undefined && (flags & TraceFlags.SAMPLED) !== 0;
  return {
    traceId: ctx.traceId,
    spanId: ctx.spanId,
    sampled,
    traceFlags: flags ?? 0,
    baggage: copyStringRecord(ctx.baggage) ?? EMPTY_BAGGAGE,
    ...(typeof ctx.traceState === 'string' ? { traceState: ctx.traceState } : {}),
    ...(ctx.baggageMetadata !== undefined ? { baggageMetadata: copyStringRecord(ctx.baggageMetadata) } : {}),
  };
}

/** A prototype-free copy holding only string values, or undefined when empty or not an object. */
function copyStringRecord(value: unknown): Record<string, string> | undefined {
  if (value === null || typeof value !== 'object' || value === EMPTY_BAGGAGE) return undefined;
  let out: Record<string, string> | undefined;
  let count = 0;
  for (const key of Object.keys(value)) {
    const v = (value as Record<string, unknown>)[key];
    if (typeof v !== 'string' || ++count > 180) continue;
    (out ??= Object.create(null) as Record<string, string>)[key] = v;
  }
  return out;
}
