/**
 * `@obs/vision/local`: the PNG/JPEG provider that needs no network, with its
 * worker pool, decoders (pngjs, jpeg-js) and pixel statistics. A subpath so that
 * the root entry (the wrapper and the types) never loads them.
 */
export { LocalImageProvider } from './LocalImageProvider';
export type { LocalImageProviderConfig, LocalImageDescription } from './LocalImageProvider';
export type { ImageWorkerPoolStats } from './worker/ImageWorkerPool';
export type { LocalImageDetails } from './describeImage';
export { DEFAULT_IMAGE_LIMITS, decodeImage, inspectImage } from './image/decodeImage';
export type { ImageLimits, DecodedImage } from './image/decodeImage';
export type { ImageHeader } from './image/ImageHeader';
export { computePixelStats } from './image/pixelStats';
export type { PixelStats, PixelStatsOptions, DominantColor } from './image/pixelStats';
export { nameColor, COLOR_NAMES } from './image/colorNames';
