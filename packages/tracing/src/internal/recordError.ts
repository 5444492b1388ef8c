import { TraceStatus } from '../TraceStatus';
import type { AnySpan } from './spans';

/** Logs an error the OpenTelemetry way (an `exception` event) and ends the span as ERROR. */
export function recordError(span: AnySpan, error: unknown): void {
  if (span.isRecording) {
    let type = 'Error';
    let message: string;
    let stack: string | undefined;
    try {
      if (error instanceof Error) {
        type = error.name;
        message = error.message;
        stack = typeof error.stack === 'string' ? error.stack : undefined;
      } else {
        type = typeof error;
        message = String(error);
      }
    } catch {
      message = 'unprintable error';
    }
    span.log('exception', {
      'exception.type': type,
      'exception.message': message,
      ...(stack !== undefined ? { 'exception.stacktrace': stack } : {}),
    });
  }
  span.finish(TraceStatus.ERROR);
}
