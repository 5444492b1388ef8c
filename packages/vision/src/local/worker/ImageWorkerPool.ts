import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { createRequire } from 'node:module';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { Worker } from 'node:worker_threads';
import type { LocalImageDescription } from '../analyzeLocally';
import { ProviderBusyError, VisionError } from '../../errors';
import { deserializeError, type AnalyzeReply, type AnalyzeTask } from './messages';

export interface ImageWorkerPoolOptions {
  /** Worker threads (each decodes one image at a time). */
  readonly size: number;
  /** Analyses allowed to wait for a free worker; past it `analyzeImage` rejects with {@link ProviderBusyError}. */
  readonly maxQueue: number;
  /** An analysis still running after this many ms has its worker terminated and rejects. */
  readonly taskTimeoutMs: number;
  /** Heap limit of each worker, MB (a hostile image cannot take the process's memory). */
  readonly maxWorkerHeapMb: number;
  /** Nice value of the worker threads (Linux: per thread), so decoding yields the CPU to the event loop. */
  readonly workerNice: number;
}

export interface ImageWorkerPoolStats {
  readonly workers: number;
  readonly busy: number;
  readonly queued: number;
  readonly completed: number;
  /** Refused because every worker was busy and the queue was full. */
  readonly rejectedBusy: number;
  /** Workers that died or were terminated after a timeout (each replaced on demand). */
  readonly workerFailures: number;
}

type TaskInput = Omit<AnalyzeTask, 'id'>;

interface Pending {
  readonly task: AnalyzeTask;
  /** Move the input's ArrayBuffer to the worker instead of copying it. */
  readonly transfer: boolean;
  readonly resolve: (result: LocalImageDescription) => void;
  readonly reject: (error: Error) => void;
}

interface Slot {
  readonly worker: Worker;
  current: Pending | undefined;
  timer: NodeJS.Timeout | undefined;
}

/**
 * A fixed-size pool of worker threads running the local image analysis, with
 * a bounded FIFO queue. Workers start on first use, are unref'd (they never keep
 * the process alive), and a worker that crashes or times out is replaced.
 */
export class ImageWorkerPool {
  private readonly slots: Slot[] = [];
  private readonly queue: Pending[] = [];
  private nextId = 1;
  private closed = false;
  private readonly counters = { completed: 0, rejectedBusy: 0, workerFailures: 0 };

  constructor(private readonly options: ImageWorkerPoolOptions) {}

  /** Whether a new analysis would be refused now (every worker busy, queue full). */
  get saturated(): boolean {
    return (
      this.queue.length >= this.options.maxQueue &&
      this.slots.length >= this.options.size &&
      this.slots.every((s) => s.current)
    );
  }

  run(input: TaskInput, transfer = false): Promise<LocalImageDescription> {
    if (this.closed) return Promise.reject(new VisionError('PROVIDER_CLOSED', 'the image worker pool is closed'));
    return new Promise<LocalImageDescription>((resolve, reject) => {
      const pending: Pending = { task: { ...input, id: this.nextId++ }, transfer, resolve, reject };
      const slot = this.freeSlot();
      if (slot) return this.dispatch(slot, pending);
      if (this.queue.length >= this.options.maxQueue) {
        this.counters.rejectedBusy++;
        // Roughly when a slot frees up: the queue ahead of us, per worker, at a second or so per large image.
        const retryAfter = Math.max(1, Math.ceil(this.queue.length / this.options.size));
        reject(
          new ProviderBusyError(
            `all ${this.options.size} image workers are busy and ${this.queue.length} analyses are waiting`,
            retryAfter,
          ),
        );
        return;
      }
      this.queue.push(pending);
    });
  }

  stats(): ImageWorkerPoolStats {
    return {
      workers: this.slots.length,
      busy: this.slots.filter((s) => s.current).length,
      queued: this.queue.length,
      ...this.counters,
    };
  }

  /** Rejects queued work and terminates the workers. */
  async close(): Promise<void> {
    this.closed = true;
    for (const pending of this.queue.splice(0))
      pending.reject(new VisionError('PROVIDER_CLOSED', 'the image worker pool was closed'));
    await Promise.all(
      this.slots
        .splice(0)
        .map((slot) => this.retire(slot, new VisionError('PROVIDER_CLOSED', 'the image worker pool was closed'))),
    );
  }

  private freeSlot(): Slot | undefined {
    const idle = this.slots.find((s) => !s.current);
    if (idle) return idle;
    if (this.slots.length < this.options.size) return this.spawn();
    return undefined;
  }

  private spawn(): Slot {
    const entry = workerEntry();
    const worker = new Worker(entry.script, {
      eval: entry.eval,
      workerData: { nice: this.options.workerNice },
      resourceLimits: { maxOldGenerationSizeMb: this.options.maxWorkerHeapMb },
      stdout: false,
      stderr: false,
    });
    worker.unref();
    const slot: Slot = { worker, current: undefined, timer: undefined };
    worker.on('message', (reply: AnalyzeReply) => this.onReply(slot, reply));
    worker.on('error', (error) =>
      this.onFailure(slot, new VisionError('WORKER_FAILED', `image worker failed: ${error.message}`, { cause: error })),
    );
    worker.on('exit', (code) =>
      this.onFailure(slot, new VisionError('WORKER_FAILED', `image worker exited with code ${code}`)),
    );
    this.slots.push(slot);
    return slot;
  }

  private dispatch(slot: Slot, pending: Pending): void {
    slot.current = pending;
    slot.worker.ref();
    slot.timer = setTimeout(() => {
      this.counters.workerFailures++;
      void this.retire(
        slot,
        new VisionError('ANALYSIS_TIMEOUT', `image analysis took longer than ${this.options.taskTimeoutMs} ms`),
      );
      this.drain();
    }, this.options.taskTimeoutMs);
    slot.timer.unref();
    // The bytes are copied unless the caller gave them away (a copy of megabytes costs the event loop).
    slot.worker.postMessage(pending.task, pending.transfer ? [pending.task.bytes.buffer as ArrayBuffer] : []);
  }

  private onReply(slot: Slot, reply: AnalyzeReply): void {
    const pending = slot.current;
    if (!pending || pending.task.id !== reply.id) return;
    this.settle(slot);
    this.counters.completed++;
    if (reply.ok) pending.resolve(reply.result);
    else pending.reject(deserializeError(reply.error));
    this.drain();
  }

  private onFailure(slot: Slot, error: Error): void {
    const index = this.slots.indexOf(slot);
    if (index === -1) return; // already retired
    this.counters.workerFailures++;
    this.slots.splice(index, 1);
    const pending = slot.current;
    this.settle(slot);
    pending?.reject(error);
    this.drain();
  }

  /** Removes a worker for good, rejecting its current analysis. */
  private async retire(slot: Slot, error: Error): Promise<void> {
    const index = this.slots.indexOf(slot);
    if (index !== -1) this.slots.splice(index, 1);
    const pending = slot.current;
    this.settle(slot);
    pending?.reject(error);
    await slot.worker.terminate().catch(() => undefined);
  }

  private settle(slot: Slot): void {
    if (slot.timer) clearTimeout(slot.timer);
    slot.timer = undefined;
    slot.current = undefined;
    slot.worker.unref();
  }

  private drain(): void {
    while (this.queue.length > 0 && !this.closed) {
      const slot = this.freeSlot();
      if (!slot) return;
      this.dispatch(slot, this.queue.shift() as Pending);
    }
  }
}

/**
 * The worker's script: the built `analyzeWorker.js`/`.cjs` beside this bundle,
 * or, when running from TypeScript sources (tests, tsx), a bootstrap that
 * registers tsx in the worker and imports the `.ts` entry.
 */
function workerEntry(): { script: string; eval: boolean } {
  const here = import.meta.url;
  if (here.endsWith('.ts')) {
    const tsx = join(dirname(createRequire(here).resolve('tsx/package.json')), 'dist', 'esm', 'api', 'index.mjs');
    const entry = new URL('./analyzeWorker.ts', here).href;
    return {
      script: `import(${JSON.stringify(pathToFileURL(tsx).href)}).then((api) => { api.register(); return import(${JSON.stringify(entry)}); });`,
      eval: true,
    };
  }
  const file = fileURLToPath(new URL(here.endsWith('.cjs') ? './analyzeWorker.cjs' : './analyzeWorker.js', here));
  if (!existsSync(file)) throw new VisionError('WORKER_MISSING', `the image worker script is missing: ${file}`);
  return { script: file, eval: false };
}
