/** What a vision provider says about one image. */
export interface VisionDescription {
  /** One plain-language sentence about the image. */
  readonly summary: string;
  /** Provider-specific structured facts (JSON-serializable). */
  readonly details: Readonly<Record<string, unknown>>;
  /** How sure the provider is of `summary`, from 0 to 1. */
  readonly confidence: number;
}

/**
 * An image-analysis backend: a local decoder, a remote model, anything.
 * `analyzeImage` rejects with an error for input it cannot analyse.
 */
export interface VisionProvider {
  readonly providerName: string;
  analyzeImage(imageData: Uint8Array, includeDescription?: boolean): Promise<VisionDescription>;
}
