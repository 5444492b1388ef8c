import { ObsError } from '@obs/core';
import type { LocalImageDescription } from '../analyzeLocally';
import { ImageTooLargeError, VisionError, VisionInputError } from '../../errors';
import type { ImageLimits } from '../image/decodeImage';

/** One analysis sent to a worker thread. */
export interface AnalyzeTask {
  readonly id: number;
  readonly bytes: Uint8Array;
  readonly includeDescription: boolean;
  readonly limits: ImageLimits;
  readonly maxSamples: number;
}

/** A typed error flattened for the trip back from the worker (classes do not survive structured cloning). */
export interface SerializedError {
  readonly name: string;
  readonly code: string;
  readonly message: string;
  readonly limit?: number;
  readonly actual?: number;
}

export type AnalyzeReply =
  | { readonly id: number; readonly ok: true; readonly result: LocalImageDescription }
  | { readonly id: number; readonly ok: false; readonly error: SerializedError };

export function serializeError(error: unknown): SerializedError {
  if (error instanceof ImageTooLargeError)
    return { name: error.name, code: error.code, message: error.message, limit: error.limit, actual: error.actual };
  if (error instanceof ObsError) return { name: error.name, code: error.code, message: error.message };
  return { name: 'Error', code: 'WORKER_FAILED', message: error instanceof Error ? error.message : String(error) };
}

/** Rebuilds the typed error on the caller's thread, so callers see the same classes as in-process. */
export function deserializeError(error: SerializedError): Error {
  switch (error.name) {
    case 'ImageTooLargeError':
      return new ImageTooLargeError(error.code, error.message, error.limit ?? 0, error.actual ?? 0);
    case 'VisionInputError':
      return new VisionInputError(error.code, error.message);
    default:
      return new VisionError(error.code, error.message);
  }
}
