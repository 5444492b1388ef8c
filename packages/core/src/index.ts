export type { Clock } from './Clock';
export { systemClock, ManualClock } from './Clock';
export type { CoarseClock } from './coarseClock';
export { coarseSystemClock, COARSE_CLOCK_RESOLUTION_MS } from './coarseClock';
export { ObsError, ObsValidationError, describeValue } from './ObsError';
export type { Labels } from './labels';
export { emptyLabels, isValidLabelName, normalizeLabels, labelsKey } from './labels';
export { BoundedMap } from './BoundedMap';
export type { ObsEventBase } from './events';
export { ofType, assertNever } from './events';
export { EventBus } from './EventBus';
export { requireFiniteNumber, requireNonEmptyString } from './validate';
export type { InvalidOption } from './options/invalidOption';
export { invalidOption } from './options/invalidOption';
export type { NumberRange } from './options/numberOption';
export {
  NON_NEGATIVE_INTEGER,
  NON_NEGATIVE_NUMBER,
  POSITIVE_INTEGER,
  POSITIVE_NUMBER,
  describeRange,
  isInRange,
  optionalNumber,
  requireNumber,
} from './options/numberOption';
export { requireOneOf } from './options/oneOfOption';
export { optionalBoolean, requireFunction, requireObject } from './options/typeOptions';
export type { RetryPolicy } from './retryPolicy';
export { parseRetryAfter, readRetryPolicy, retryDelayMs } from './retryPolicy';
export { errorMessage } from './errorMessage';
export type { ErrorMessageOptions } from './errorMessage';
export { isThenable } from './isThenable';
export { ProtoWriter, WireType, varintSize } from './protobuf/ProtoWriter';
export { writeOtlpKeyValue, writeOtlpStringKeyValue, writeOtlpResource, writeOtlpScope } from './protobuf/otlpCommon';
export type { OtlpAttributeValue } from './protobuf/otlpCommon';
