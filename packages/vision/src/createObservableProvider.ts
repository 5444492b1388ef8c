import { ObsValidationError } from '@obs/core';
import { ObservableVisionProvider, type ObservableVisionProviderConfig } from './ObservableVisionProvider';
import type { VisionHub } from './VisionHub';
import type { VisionProvider } from './VisionProvider';

/**
 * Instruments `baseProvider` through `hub` (any object with the parts of
 * `ObservabilityHub` that {@link VisionHub} names). For a wrapper that creates
 * a default hub when none is given, import `createObservableProvider` from
 * `@obs/vision/hub` (it needs `@obs/hub` installed).
 *
 * @example
 * const vision = createObservableProvider(new LocalImageProvider(), hub);
 * const { summary } = await vision.analyzeImage(bytes);
 */
export function createObservableProvider<H extends VisionHub>(
  baseProvider: VisionProvider,
  hub: H,
  config?: ObservableVisionProviderConfig,
): ObservableVisionProvider<H> {
  if (hub === undefined) {
    throw new ObsValidationError(
      'INVALID_HUB',
      "createObservableProvider needs a hub; for a default one import createObservableProvider from '@obs/vision/hub'",
    );
  }
  return new ObservableVisionProvider(baseProvider, hub, config);
}
