import { availableParallelism } from 'node:os';
import { LocalImageProvider } from '@obs/vision/local';
import { AdmissionLimit } from './http/AdmissionLimit';

export interface LocalProviderOptions {
  readonly maxUploadBytes: number;
  readonly maxPixels?: number;
  readonly visionWorkers?: number;
  readonly visionQueue?: number;
}

/**
 * The embedded image provider with its decoding threads and the admission limit in front
 * of it: decoding runs in worker threads with a bounded queue; the canvas cap (4 MP) bounds
 * one upload's CPU time and memory.
 */
export function createLocalProvider(options: LocalProviderOptions): {
  local: LocalImageProvider;
  admission: AdmissionLimit;
} {
  const visionWorkers = options.visionWorkers ?? Math.min(4, Math.max(1, availableParallelism() - 1));
  const visionQueue = options.visionQueue ?? 4;
  const local = new LocalImageProvider({
    maxBytes: options.maxUploadBytes,
    maxPixels: options.maxPixels ?? 4_194_304,
    // Request bodies are never reused, so their memory moves to the worker instead of being copied.
    ...(visionWorkers > 0 ? { workers: visionWorkers, maxQueue: visionQueue, transferInput: true } : {}),
  });
  // Uploads admitted at once (reading, queued or decoding): past it, 503 before reading the body,
  // so memory holds at most this many bodies.
  return { local, admission: new AdmissionLimit(Math.max(1, visionWorkers) + visionQueue) };
}
