const PNG_SIGNATURE = [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a] as const;

/** Names the container format from the magic bytes, or undefined when it is neither PNG nor JPEG. */
export function sniffFormat(bytes: Uint8Array): 'png' | 'jpeg' | undefined {
  if (bytes.length >= 3 && bytes[0] === 0xff && bytes[1] === 0xd8 && bytes[2] === 0xff) return 'jpeg';
  if (bytes.length >= PNG_SIGNATURE.length && PNG_SIGNATURE.every((b, i) => bytes[i] === b)) return 'png';
  return undefined;
}

/** A short hint at what the bytes are when they are not an image we read, for error messages. */
export function describeUnknownBytes(bytes: Uint8Array): string {
  const head = Buffer.from(bytes.subarray(0, 16));
  const ascii = head.toString('latin1');
  if (ascii.startsWith('GIF8')) return 'a GIF image';
  if (ascii.startsWith('RIFF') && ascii.slice(8, 12) === 'WEBP') return 'a WebP image';
  if (ascii.startsWith('BM')) return 'possibly a BMP image';
  if (ascii.startsWith('%PDF')) return 'a PDF document';
  if (bytes.length >= 8 && PNG_SIGNATURE.slice(0, bytes.length).every((b, i) => bytes[i] === b))
    return 'a truncated PNG signature';
  return `bytes starting with ${head.subarray(0, 8).toString('hex') || '(nothing)'}`;
}
