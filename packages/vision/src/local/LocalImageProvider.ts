import { ObsValidationError, POSITIVE_INTEGER, optionalNumber, type InvalidOption } from '@obs/core';
import { analyzeLocally, type LocalImageDescription } from './analyzeLocally';
import { DEFAULT_IMAGE_LIMITS, type ImageLimits } from './image/decodeImage';
import type { VisionProvider } from '../VisionProvider';
import { ImageWorkerPool, type ImageWorkerPoolStats } from './worker/ImageWorkerPool';

export type { LocalImageDescription } from './analyzeLocally';

export interface LocalImageProviderConfig extends Partial<ImageLimits> {
  /** Reported as `providerName` (default `'local'`). */
  readonly providerName?: string;
  /** Pixels sampled for the statistics (default 262,144). */
  readonly maxSamples?: number;
  /**
   * Worker threads that decode and analyse images off the event loop (default 0:
   * on the caller's thread). With workers, `analyzeImage` never blocks the event loop
   * for more than copying the bytes; `analyzeImageSync` still runs in place.
   */
  readonly workers?: number;
  /** Analyses that may wait for a free worker; past it `analyzeImage` rejects with `ProviderBusyError` (default 4 × workers). */
  readonly maxQueue?: number;
  /** A worker still busy with one image after this many ms is terminated and the analysis rejects (default 30 000). */
  readonly taskTimeoutMs?: number;
  /** Heap limit of each worker, MB (default 256). */
  readonly maxWorkerHeapMb?: number;
  /**
   * Nice value (0–19) of the worker threads, default 10: on Linux each thread has its
   * own, so decoding gives way to the event loop when CPUs are scarce.
   */
  readonly workerNice?: number;
  /**
   * With workers: hand the input's memory to the worker instead of copying it,
   * when the Uint8Array spans a whole (non-shared) ArrayBuffer. The caller's
   * array is then detached (length 0) once `analyzeImage` returns its promise. Set it
   * when callers never reuse the bytes, e.g. a request body (default false).
   */
  readonly transferInput?: boolean;
}

const invalidConfig: InvalidOption = (message) => new ObsValidationError('INVALID_CONFIG', message);

/**
 * A vision provider that runs in-process with no network: it decodes PNG
 * (pngjs) and JPEG (jpeg-js) and describes format, size, brightness, contrast
 * and dominant colours in plain words. Bad input rejects with a
 * {@link VisionInputError} (or its subclass {@link ImageTooLargeError}); size
 * limits are checked from the header before any pixel is decoded.
 */
export class LocalImageProvider implements VisionProvider {
  readonly providerName: string;
  readonly limits: ImageLimits;
  private readonly maxSamples: number;
  private readonly pool: ImageWorkerPool | undefined;
  private readonly transferInput: boolean;

  constructor(config: LocalImageProviderConfig = {}) {
    if (config === null || typeof config !== 'object')
      throw new ObsValidationError('INVALID_CONFIG', 'config must be an object');
    const name = config.providerName ?? 'local';
    if (typeof name !== 'string' || !/^[a-zA-Z0-9_.-]{1,64}$/.test(name)) {
      throw new ObsValidationError('INVALID_CONFIG', 'providerName must be 1–64 characters of [a-zA-Z0-9_.-]');
    }
    this.providerName = name;
    this.limits = Object.freeze({
      maxBytes: optionalNumber(
        config.maxBytes,
        'maxBytes',
        DEFAULT_IMAGE_LIMITS.maxBytes,
        POSITIVE_INTEGER,
        invalidConfig,
      ),
      maxPixels: optionalNumber(
        config.maxPixels,
        'maxPixels',
        DEFAULT_IMAGE_LIMITS.maxPixels,
        POSITIVE_INTEGER,
        invalidConfig,
      ),
      maxDimension: optionalNumber(
        config.maxDimension,
        'maxDimension',
        DEFAULT_IMAGE_LIMITS.maxDimension,
        POSITIVE_INTEGER,
        invalidConfig,
      ),
    });
    this.maxSamples = optionalNumber(config.maxSamples, 'maxSamples', 262_144, POSITIVE_INTEGER, invalidConfig);
    const workers =
      config.workers === undefined || config.workers === 0
        ? 0
        : optionalNumber(config.workers, 'workers', 0, POSITIVE_INTEGER, invalidConfig);
    this.pool =
      workers > 0
        ? new ImageWorkerPool({
            size: workers,
            maxQueue:
              config.maxQueue === 0
                ? 0
                : optionalNumber(config.maxQueue, 'maxQueue', 4 * workers, POSITIVE_INTEGER, invalidConfig),
            taskTimeoutMs: optionalNumber(
              config.taskTimeoutMs,
              'taskTimeoutMs',
              30_000,
              POSITIVE_INTEGER,
              invalidConfig,
            ),
            maxWorkerHeapMb: optionalNumber(
              config.maxWorkerHeapMb,
              'maxWorkerHeapMb',
              256,
              POSITIVE_INTEGER,
              invalidConfig,
            ),
            workerNice: optionalNumber(
              config.workerNice,
              'workerNice',
              10,
              { min: 0, max: 19, integer: true },
              invalidConfig,
            ),
          })
        : undefined;
    this.transferInput = config.transferInput === true;
  }

  async analyzeImage(imageData: Uint8Array, includeDescription = true): Promise<LocalImageDescription> {
    if (!this.pool) return this.analyzeImageSync(imageData, includeDescription);
    // Cheap argument checks stay here, so the worker only ever sees bytes.
    if (
      !(imageData instanceof Uint8Array) ||
      typeof includeDescription !== 'boolean' ||
      imageData.length === 0 ||
      imageData.length > this.limits.maxBytes
    ) {
      return this.analyzeImageSync(imageData, includeDescription);
    }
    const transfer =
      this.transferInput &&
      imageData.byteOffset === 0 &&
      imageData.byteLength === imageData.buffer.byteLength &&
      imageData.buffer instanceof ArrayBuffer;
    return this.pool.run(
      { bytes: imageData, includeDescription, limits: { ...this.limits }, maxSamples: this.maxSamples },
      transfer,
    );
  }

  /**
   * Whether a new `analyzeImage` would be refused right now with
   * `ProviderBusyError` (every worker busy, queue full); always false without workers.
   * Lets a server answer 503 before reading an upload.
   */
  get saturated(): boolean {
    return this.pool?.saturated ?? false;
  }

  /** Worker pool counters, or undefined without workers. */
  poolStats(): ImageWorkerPoolStats | undefined {
    return this.pool?.stats();
  }

  /** Terminates the worker threads (queued analyses reject). Without workers, does nothing. */
  async close(): Promise<void> {
    await this.pool?.close();
  }

  /** The same analysis, synchronously (for batch jobs and benchmarks). */
  analyzeImageSync(imageData: Uint8Array, includeDescription = true): LocalImageDescription {
    return analyzeLocally(imageData, includeDescription, this.limits, this.maxSamples);
  }
}
