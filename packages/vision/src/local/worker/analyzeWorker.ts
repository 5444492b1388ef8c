/**
 * Worker-thread entry of the image pool: decodes and describes one image per
 * message, off the main thread. Replies `{ id, ok, result | error }`.
 */
import { setPriority } from 'node:os';
import { parentPort, workerData } from 'node:worker_threads';
import { analyzeLocally } from '../analyzeLocally';
import { serializeError, type AnalyzeReply, type AnalyzeTask } from './messages';

// Decoding is background work: on Linux the nice value is per thread, so this lowers only this
// thread, and the event loop (health probes, I/O) wins the CPU when the machine is busy.
const nice = (workerData as { nice?: number } | undefined)?.nice ?? 0;
if (nice > 0) {
  try {
    setPriority(0, nice);
  } catch {
    // not permitted or not supported: run at normal priority
  }
}

parentPort?.on('message', (task: AnalyzeTask) => {
  let reply: AnalyzeReply;
  try {
    const bytes = new Uint8Array(task.bytes.buffer, task.bytes.byteOffset, task.bytes.byteLength);
    reply = {
      id: task.id,
      ok: true,
      result: analyzeLocally(bytes, task.includeDescription, task.limits, task.maxSamples),
    };
  } catch (error) {
    reply = { id: task.id, ok: false, error: serializeError(error) };
  }
  parentPort?.postMessage(reply);
});
