import { randomUUID } from 'node:crypto';
import { parentPort } from 'node:worker_threads';
import { describeValue } from '@obs/core';
import { InvalidConfigError } from '../errors';
import type { CollectedMetrics } from '../MetricsProducer';
import type { MetricsSnapshot } from '../snapshot';
import { CLUSTER_MESSAGE_TAG, CLUSTER_PROTOCOL_VERSION, isTagged, type StateMessage } from './protocol';
import { snapshotToWire, toClusterWire, type ClusterWire } from './wire';

/** What a worker reports: a MetricsCollector, or anything with `collect()` (or, older, only `snapshot()`). */
export type ClusterSource = { collect(): CollectedMetrics } | { snapshot(): MetricsSnapshot };

/** The compact form of a source's current state. */
export function readSource(source: ClusterSource): ClusterWire {
  if (typeof (source as { collect?: unknown }).collect === 'function')
    return toClusterWire((source as { collect(): CollectedMetrics }).collect());
  return snapshotToWire((source as { snapshot(): MetricsSnapshot }).snapshot()).wire;
}

/** Whether `source` can be read by {@link readSource}. */
export function isClusterSource(source: unknown): source is ClusterSource {
  return (
    typeof source === 'object' &&
    source !== null &&
    (typeof (source as { collect?: unknown }).collect === 'function' ||
      typeof (source as { snapshot?: unknown }).snapshot === 'function')
  );
}

export interface ConnectToPrimaryOptions {
  /**
   * Milliseconds between pushes of the whole state (default 1000; 0 sends only on
   * request and on close). A worker that dies loses at most what it recorded since its last push.
   */
  readonly intervalMs?: number;
  /**
   * The channel to the primary: a MessagePort. Default: `parentPort` in a worker
   * thread, otherwise the IPC channel of a node:cluster worker (or any forked child).
   */
  readonly port?: {
    postMessage(message: unknown): void;
    on(event: 'message', fn: (m: unknown) => void): unknown;
    off(event: 'message', fn: (m: unknown) => void): unknown;
  };
}

/** A worker's link to the primary, from {@link connectToPrimary}. */
export interface PrimaryConnection {
  /** Sends the current state now (e.g. before a planned exit); false when the channel is closed. */
  flush(): boolean;
  /** Sends a final state and stops: the primary keeps this worker's counters and histograms and drops its gauges. */
  close(): void;
  /** States sent so far. */
  readonly sent: number;
  /** States that could not be sent (channel closed, collect failed). */
  readonly failed: number;
}

interface Channel {
  send(message: StateMessage): boolean;
  listen(fn: (message: unknown) => void): () => void;
}

function processChannel(): Channel | undefined {
  if (typeof process.send !== 'function') return undefined;
  return {
    send: (message) => {
      if (typeof process.send !== 'function' || !process.connected) return false;
      try {
        return process.send(message, undefined, undefined, () => undefined);
      } catch {
        return false;
      }
    },
    listen: (fn) => {
      process.on('message', fn);
      return () => process.off('message', fn);
    },
  };
}

function portChannel(port: NonNullable<ConnectToPrimaryOptions['port']>): Channel {
  return {
    send: (message) => {
      try {
        port.postMessage(message);
        return true;
      } catch {
        return false;
      }
    },
    listen: (fn) => {
      port.on('message', fn);
      return () => port.off('message', fn);
    },
  };
}

/**
 * Connects a worker's collector to the primary's {@link ClusterAggregator}: its whole
 * state goes to the primary on connect, every `intervalMs`, whenever the primary asks
 * (at scrape time) and once more on `close()`. Works in node:cluster workers (IPC) and
 * worker_threads (parentPort, or any MessagePort). The push timer does not keep the
 * process alive; the listener for the primary's requests does, until `close()`.
 */
export function connectToPrimary(collector: ClusterSource, options: ConnectToPrimaryOptions = {}): PrimaryConnection {
  if (!isClusterSource(collector)) {
    throw new InvalidConfigError('connectToPrimary() needs a MetricsCollector (or something with collect())');
  }
  const intervalMs = options.intervalMs ?? 1000;
  if (typeof intervalMs !== 'number' || !Number.isFinite(intervalMs) || intervalMs < 0) {
    throw new InvalidConfigError(`intervalMs must be a number >= 0, got ${describeValue(intervalMs)}`);
  }
  const channel = options.port ? portChannel(options.port) : parentPort ? portChannel(parentPort) : processChannel();
  if (!channel)
    throw new InvalidConfigError(
      'connectToPrimary() runs in a node:cluster worker or a worker thread, or needs a port',
    );

  const instance = randomUUID();
  let seq = 0;
  let sent = 0;
  let failed = 0;
  let closed = false;

  const send = (extra: { replyTo?: number; final?: boolean }): boolean => {
    let metrics: ClusterWire;
    try {
      metrics = readSource(collector);
    } catch {
      failed++;
      return false;
    }
    const ok = channel.send({
      $obs: CLUSTER_MESSAGE_TAG,
      v: CLUSTER_PROTOCOL_VERSION,
      kind: 'state',
      instance,
      seq: seq++,
      at: Date.now(),
      metrics,
      ...extra,
    });
    if (ok) sent++;
    else failed++;
    return ok;
  };

  const stopListening = channel.listen((message) => {
    if (closed || !isTagged(message) || message.kind !== 'collect' || message.v !== CLUSTER_PROTOCOL_VERSION) return;
    const id = (message as unknown as { id: unknown }).id;
    if (Number.isSafeInteger(id)) send({ replyTo: id as number });
  });
  const timer = intervalMs > 0 ? setInterval(() => send({}), intervalMs) : undefined;
  timer?.unref();
  send({});

  return {
    flush: () => !closed && send({}),
    close: () => {
      if (closed) return;
      closed = true;
      if (timer) clearInterval(timer);
      stopListening();
      send({ final: true });
    },
    get sent() {
      return sent;
    },
    get failed() {
      return failed;
    },
  };
}
