import { afterEach, describe, expect, it } from 'vitest';
import { ImageTooLargeError, ProviderBusyError, VisionError, VisionInputError } from '../../errors';
import { LocalImageProvider } from '../LocalImageProvider';
import { jpegBytes, pngBytes } from '../../testing/images';

const providers: LocalImageProvider[] = [];
afterEach(async () => {
  await Promise.all(providers.splice(0).map((p) => p.close()));
});

function provider(config: ConstructorParameters<typeof LocalImageProvider>[0]): LocalImageProvider {
  const p = new LocalImageProvider(config);
  providers.push(p);
  return p;
}

const gradient = (x: number, y: number) => [x & 255, y & 255, (x * y) & 255, 255] as const;
/** Noise that deflate cannot shrink much, so decoding it takes a while. */
const noise = (x: number, y: number) => {
  const h = Math.imul((x * 73856093) ^ (y * 19349663), 2654435761) >>> 0;
  return [h & 255, (h >> 8) & 255, (h >> 16) & 255, 255] as const;
};
const bigPng = pngBytes(1400, 1400, noise);

describe('LocalImageProvider with worker threads', () => {
  it('describes images exactly as it does on the caller thread', async () => {
    const pooled = provider({ workers: 2 });
    const inPlace = new LocalImageProvider();
    for (const bytes of [pngBytes(64, 48, gradient), jpegBytes(80, 60, gradient)]) {
      for (const includeDescription of [true, false]) {
        expect(await pooled.analyzeImage(bytes, includeDescription)).toEqual(
          inPlace.analyzeImageSync(bytes, includeDescription),
        );
      }
    }
    expect(pooled.poolStats()).toMatchObject({ completed: 4, rejectedBusy: 0, workerFailures: 0 });
  }, 60_000);

  it('rejects with the same typed errors as in place', async () => {
    const pooled = provider({ workers: 1, maxPixels: 100 });
    const tooBig = await pooled.analyzeImage(pngBytes(20, 20, gradient)).catch((e: unknown) => e);
    expect(tooBig).toBeInstanceOf(ImageTooLargeError);
    expect(tooBig).toMatchObject({ code: 'IMAGE_TOO_MANY_PIXELS', limit: 100, actual: 400 });
    const corrupt = await pooled.analyzeImage(Buffer.from('not an image at all')).catch((e: unknown) => e);
    expect(corrupt).toBeInstanceOf(VisionInputError);
    expect(corrupt).toMatchObject({ code: 'UNSUPPORTED_FORMAT' });
    const truncated = await pooled.analyzeImage(pngBytes(8, 8, gradient).subarray(0, 40)).catch((e: unknown) => e);
    expect(truncated).toBeInstanceOf(VisionInputError);
    expect(await pooled.analyzeImage(new Uint8Array()).catch((e: unknown) => e)).toMatchObject({ code: 'EMPTY_IMAGE' });
  }, 60_000);

  it('bounds the queue: past it analyses reject at once with ProviderBusyError and a retry hint', async () => {
    const pooled = provider({ workers: 1, maxQueue: 1 });
    const results = await Promise.allSettled(Array.from({ length: 5 }, () => pooled.analyzeImage(bigPng, false)));
    const busy = results
      .filter((r) => r.status === 'rejected')
      .map((r) => (r as PromiseRejectedResult).reason as unknown);
    expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(2);
    expect(busy).toHaveLength(3);
    for (const error of busy) {
      expect(error).toBeInstanceOf(ProviderBusyError);
      expect(error).toMatchObject({ code: 'PROVIDER_BUSY' });
      expect((error as ProviderBusyError).retryAfterSeconds).toBeGreaterThanOrEqual(1);
    }
    expect(pooled.poolStats()).toMatchObject({ completed: 2, rejectedBusy: 3, queued: 0, busy: 0 });
  }, 60_000);

  it('reports saturation before the work is handed over', async () => {
    const pooled = provider({ workers: 1, maxQueue: 1 });
    expect(pooled.saturated).toBe(false);
    const running = [pooled.analyzeImage(bigPng), pooled.analyzeImage(bigPng)];
    expect(pooled.saturated).toBe(true);
    await Promise.all(running);
    expect(pooled.saturated).toBe(false);
  }, 60_000);

  it('keeps the event loop free while images decode', async () => {
    const pooled = provider({ workers: 1 });
    await pooled.analyzeImage(pngBytes(4, 4, gradient)); // worker started
    const started = performance.now();
    const inPlace = new LocalImageProvider();
    inPlace.analyzeImageSync(bigPng);
    const syncMs = performance.now() - started;
    let worstGap = 0;
    let last = performance.now();
    const timer = setInterval(() => {
      const now = performance.now();
      worstGap = Math.max(worstGap, now - last);
      last = now;
    }, 5);
    await Promise.all([pooled.analyzeImage(bigPng), pooled.analyzeImage(bigPng)]);
    clearInterval(timer);
    // In place, one decode blocks the loop for its whole duration; in the pool the loop keeps ticking.
    expect(worstGap).toBeLessThan(Math.max(100, syncMs / 2));
  }, 60_000);

  it('terminates an analysis that runs past its timeout and keeps serving with a new worker', async () => {
    const pooled = provider({ workers: 1, taskTimeoutMs: 1 });
    const error = await pooled.analyzeImage(bigPng).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(VisionError);
    expect(error).toMatchObject({ code: 'ANALYSIS_TIMEOUT' });
    const healthy = provider({ workers: 1 });
    expect((await healthy.analyzeImage(pngBytes(8, 8, gradient))).details.width).toBe(8);
    expect(pooled.poolStats()).toMatchObject({ workerFailures: 1, workers: 0 });
  }, 60_000);

  it('close() rejects queued analyses; later calls reject with PROVIDER_CLOSED', async () => {
    const pooled = provider({ workers: 1, maxQueue: 4 });
    const calls = [pooled.analyzeImage(bigPng), pooled.analyzeImage(bigPng), pooled.analyzeImage(bigPng)].map((p) =>
      p.catch((e: unknown) => e),
    );
    await pooled.close();
    const outcomes = await Promise.all(calls);
    expect(outcomes.every((o) => o instanceof VisionError && o.code === 'PROVIDER_CLOSED')).toBe(true);
    await expect(pooled.analyzeImage(bigPng)).rejects.toMatchObject({ code: 'PROVIDER_CLOSED' });
  }, 60_000);

  it('refuses invalid pool options', () => {
    expect(() => new LocalImageProvider({ workers: -1 })).toThrow(/workers/);
    expect(() => new LocalImageProvider({ workers: 1.5 })).toThrow(/workers/);
    expect(() => new LocalImageProvider({ workers: 1, maxQueue: -2 })).toThrow(/maxQueue/);
    expect(() => new LocalImageProvider({ workers: 1, taskTimeoutMs: 0 })).toThrow(/taskTimeoutMs/);
  });
});

describe('transferInput', () => {
  it('moves a whole-buffer input to the worker instead of copying it, and copies anything else', async () => {
    const pooled = provider({ workers: 1, transferInput: true });
    const source = pngBytes(32, 32, gradient);
    const owned = new Uint8Array(new ArrayBuffer(source.length));
    owned.set(source);
    const padded = new Uint8Array(source.length + 8);
    padded.set(source, 4);
    const view = padded.subarray(4, 4 + source.length);
    const [a, b] = await Promise.all([pooled.analyzeImage(owned), pooled.analyzeImage(view)]);
    expect(a).toEqual(b);
    expect(owned.byteLength).toBe(0); // detached: it was moved
    expect(view.byteLength).toBe(source.length); // a view into part of a buffer is copied
  }, 60_000);
});
