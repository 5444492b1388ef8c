/**
 * `@obs/vision/hub`: the wrapper with a default hub. The only entry of
 * @obs/vision that loads `@obs/hub` (an optional peer dependency: install it
 * to use this entry).
 */
import { createObservabilityHub, type ObservabilityHub } from '@obs/hub';
import { ObservableVisionProvider, type ObservableVisionProviderConfig } from './ObservableVisionProvider';
import type { VisionHub } from './VisionHub';
import type { VisionProvider } from './VisionProvider';

/**
 * Instruments `baseProvider` through `hub`, or through a new hub with the
 * default configuration when none is given (reach it as `provider.hub`;
 * start it with `provider.hub.start()` for periodic evaluation, stop it with
 * `provider.hub.stop()`).
 *
 * @example
 * const vision = createObservableProvider(new LocalImageProvider());
 * await vision.analyzeImage(bytes);
 * vision.hub.metrics.getCounter('vision_requests_total', { provider: 'local' });
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
