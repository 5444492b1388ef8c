import { ObsError } from '@obs/core';

/**
 * A bounded, Prometheus-safe `error_type` label for an error: the typed code
 * for our own errors (`corrupt_image`), the class name otherwise. After
 * `limit` distinct values every new one becomes `other`, so a provider that
 * puts ids in error names cannot explode the series count.
 */
export class ErrorTypeLabeler {
  private readonly seen = new Set<string>();

  constructor(private readonly limit = 32) {}

  label(error: unknown): string {
    const raw = error instanceof ObsError ? error.code : error instanceof Error ? error.name || 'Error' : typeof error;
    const clean =
      raw
        .replace(/[^A-Za-z0-9_]/g, '_')
        .slice(0, 64)
        .toLowerCase() || 'unknown';
    if (this.seen.has(clean)) return clean;
    if (this.seen.size >= this.limit) return 'other';
    this.seen.add(clean);
    return clean;
  }
}
