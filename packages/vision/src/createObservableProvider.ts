import { createObservabilityHub, type ObservabilityHub } from '@obs/hub';
import { ObservableVisionProvider, type ObservableVisionProviderConfig } from './ObservableVisionProvider';
import type { VisionHub } from './VisionHub';
import type { VisionProvider } from './VisionProvider';

/**
 * Instruments `baseProvider` through `hub`, or through a new hub with the
 * default configuration when none is given (reach it as `provider.hub`;
 * start it with `provider.hub.start()` for periodic evaluation).
 *
 * @example
 * const vision = createObservableProvider(new LocalImageProvider(), hub);
 * const { summary } = await vision.analyzeImage(bytes);
 */
export function createObservableProvider(baseProvider: VisionProvider): ObservableVisionProvider<ObservabilityHub>;
export function createObservableProvider<H extends VisionHub>(
  baseProvider: VisionProvider,
  hub: H,
  config?: ObservableVisionProviderConfig,
): ObservableVisionProvider<H>;
export function createObservableProvider(
  baseProvider: VisionProvider,
  hub?: VisionHub,
  config?: ObservableVisionProviderConfig,
): ObservableVisionProvider {
  return new ObservableVisionProvider(baseProvider, hub ?? createObservabilityHub(), config);
}
