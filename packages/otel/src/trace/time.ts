import type { TimeInput } from '@opentelemetry/api';

const origin = performance.timeOrigin;

/**
 * An OpenTelemetry TimeInput as epoch ms, or undefined for "now". As in the
 * OpenTelemetry SDK, a number smaller than the process's age since the time
 * origin is a `performance.now()` reading; a larger one is epoch ms. HrTime
 * is `[seconds, nanoseconds]`. Anything unreadable counts as "now".
 */
export function toEpochMs(time: TimeInput | undefined): number | undefined {
  if (time === undefined || time === null) return undefined;
  if (typeof time === 'number') {
    if (!Number.isFinite(time)) return undefined;
    return time <= performance.now() ? origin + time : time;
  }
  if (Array.isArray(time)) {
    const [seconds, nanos] = time;
    return typeof seconds === 'number' &&
      typeof nanos === 'number' &&
      Number.isFinite(seconds) &&
      Number.isFinite(nanos)
      ? seconds * 1e3 + nanos / 1e6
      : undefined;
  }
  if (time instanceof Date) {
    const ms = time.getTime();
    return Number.isFinite(ms) ? ms : undefined;
  }
  return undefined;
}
