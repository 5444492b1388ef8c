// The wrapper and the contract only: no hub, no decoders. The local PNG/JPEG
// provider is `@obs/vision/local`; a wrapper with a default hub is `@obs/vision/hub`.
export type { VisionDescription, VisionProvider } from './VisionProvider';
export { VisionError, VisionInputError, ImageTooLargeError, ProviderBusyError } from './errors';
export { ObservableVisionProvider, VISION_METRICS } from './ObservableVisionProvider';
export { createObservableProvider } from './createObservableProvider';
export type { ObservableVisionProviderConfig, ErrorAlertConfig, AnalyzeOptions } from './ObservableVisionProvider';
export type {
  VisionHub,
  VisionSpan,
  VisionSpanParent,
  VisionSLODefinition,
  VisionAnomaly,
  VisionAlertInit,
} from './VisionHub';
export type {
  VisionEvent,
  VisionRequestCompletedEvent,
  VisionRequestFailedEvent,
  VisionLatencyAnomalyEvent,
  VisionErrorAlertEvent,
  VisionInstrumentationFailedEvent,
} from './events';
