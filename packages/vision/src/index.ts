export type { VisionDescription, VisionProvider } from './VisionProvider';
export { VisionError, VisionInputError, ImageTooLargeError } from './errors';
export { LocalImageProvider } from './LocalImageProvider';
export type { LocalImageProviderConfig, LocalImageDescription } from './LocalImageProvider';
export { ProviderBusyError } from './worker/ImageWorkerPool';
export type { ImageWorkerPoolStats } from './worker/ImageWorkerPool';
export type { LocalImageDetails } from './describeImage';
export { DEFAULT_IMAGE_LIMITS, decodeImage, inspectImage } from './image/decodeImage';
export type { ImageLimits, DecodedImage } from './image/decodeImage';
export type { ImageHeader } from './image/ImageHeader';
export { computePixelStats } from './image/pixelStats';
export type { PixelStats, PixelStatsOptions, DominantColor } from './image/pixelStats';
export { nameColor, COLOR_NAMES } from './image/colorNames';
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
