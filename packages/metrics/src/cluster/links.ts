/**
 * The primary's end of one worker's channel, whatever carries it: a node:cluster
 * `Worker` (IPC), a worker_threads `Worker`, or a `MessagePort`.
 */
export interface WorkerLink {
  /** The value of the `worker` label for per-worker gauges. */
  readonly id: string;
  /** Sends a message (ours, or an application's for {@link ClusterAggregator.ask}); false when the channel is already closed (never throws). */
  send(message: unknown): boolean;
  /** Starts delivering messages; `onGone` runs once when the worker exits or the port closes. Returns a function that stops listening. */
  listen(onMessage: (message: unknown) => void, onGone: () => void): () => void;
}

/** What the aggregator accepts as a worker (structurally, so no type from node:cluster or worker_threads is needed). */
export type WorkerTarget = ClusterWorkerLike | ThreadWorkerLike | MessagePortLike;

// Node's own emitter signatures take `any` listeners; a narrower type here would refuse MessagePort or cluster.Worker.
/* eslint-disable @typescript-eslint/no-explicit-any */
interface Emitter {
  on(event: string, listener: (arg: any) => void): unknown;
  off(event: string, listener: (arg: any) => void): unknown;
}
/* eslint-enable @typescript-eslint/no-explicit-any */

/** A node:cluster `Worker`. */
export interface ClusterWorkerLike extends Emitter {
  readonly id: number;
  send(message: unknown, callback?: (error: Error | null) => void): boolean;
  isConnected(): boolean;
}

/** A worker_threads `Worker`. */
export interface ThreadWorkerLike extends Emitter {
  readonly threadId: number;
  postMessage(message: unknown): void;
  terminate(): Promise<number>;
}

/** A worker_threads `MessagePort` (one end of a `MessageChannel`). */
export interface MessagePortLike extends Emitter {
  postMessage(message: unknown): void;
  start?(): void;
}

function isClusterWorker(t: object): t is ClusterWorkerLike {
  return (
    typeof (t as ClusterWorkerLike).send === 'function' && typeof (t as ClusterWorkerLike).isConnected === 'function'
  );
}

function isThreadWorker(t: object): t is ThreadWorkerLike {
  return (
    typeof (t as ThreadWorkerLike).postMessage === 'function' && typeof (t as ThreadWorkerLike).threadId === 'number'
  );
}

function isPort(t: object): t is MessagePortLike {
  return typeof (t as MessagePortLike).postMessage === 'function' && typeof (t as Emitter).on === 'function';
}

/** Listens to `events` as "gone" (once, whichever comes first) and to 'message'. */
function listenOn(
  target: Emitter,
  goneEvents: readonly string[],
  onMessage: (m: unknown) => void,
  onGone: () => void,
): () => void {
  let done = false;
  const gone = () => {
    if (done) return;
    done = true;
    stop();
    onGone();
  };
  const message = (m: unknown) => onMessage(m);
  const stop = () => {
    target.off('message', message);
    for (const e of goneEvents) target.off(e, gone);
  };
  target.on('message', message);
  for (const e of goneEvents) target.on(e, gone);
  return () => {
    done = true;
    stop();
  };
}

/** Wraps a worker or port; undefined when `target` is none of them. */
export function linkFor(target: unknown, id: string | undefined): WorkerLink | undefined {
  if (typeof target !== 'object' || target === null) return undefined;
  if (isClusterWorker(target)) {
    return {
      id: id ?? String(target.id),
      send: (message) => {
        if (!target.isConnected()) return false;
        try {
          // The callback swallows a channel that closes while the message is in flight.
          return target.send(message, () => undefined);
        } catch {
          return false;
        }
      },
      // After 'disconnect' no message can arrive; 'exit' covers a worker killed before it connected.
      listen: (onMessage, onGone) => listenOn(target, ['disconnect', 'exit'], onMessage, onGone),
    };
  }
  if (isThreadWorker(target) || isPort(target)) {
    let closed = false;
    const link: WorkerLink = {
      id: id ?? (isThreadWorker(target) ? String(target.threadId) : 'port'),
      send: (message) => {
        if (closed) return false;
        try {
          target.postMessage(message);
          return true;
        } catch {
          return false;
        }
      },
      listen: (onMessage, onGone) => {
        const stop = listenOn(target, isThreadWorker(target) ? ['exit'] : ['close'], onMessage, () => {
          closed = true;
          onGone();
        });
        return stop;
      },
    };
    return link;
  }
  return undefined;
}
