/** The facts read from an image's header, before any pixel is decoded. */
export interface ImageHeader {
  readonly format: 'png' | 'jpeg';
  readonly width: number;
  readonly height: number;
  /** Bits per sample as stored (PNG 1–16, JPEG 8 or 12). */
  readonly bitDepth: number;
  /** Channels as stored: 1 grey, 2 grey+alpha, 3 colour, 4 colour+alpha (PNG) or CMYK (JPEG). */
  readonly channels: number;
  /** Whether the image may carry transparency (alpha channel or a tRNS chunk). */
  readonly hasAlpha: boolean;
  /** PNG: Adam7 interlaced. JPEG: progressive. */
  readonly interlaced: boolean;
}
