import type { ClusterWire } from './wire';

/**
 * The wire format between workers and the primary (version 2; version 1 carried whole
 * snapshots). Every message is a
 * plain object, so it crosses both node:cluster IPC (JSON) and MessagePort (structured
 * clone) unchanged, and carries a `$obs` tag so it can share a channel with the
 * application's own messages: anything without the tag is ignored.
 *
 * worker → primary: `state` (the worker collector's whole state in the compact
 * {@link ClusterWire} form of its `collect()`; sent on connect,
 * every push interval, in answer to `collect`, and with `final: true` on close).
 * primary → worker: `collect` (asks for a `state` now, answered with `replyTo`).
 */
export const CLUSTER_MESSAGE_TAG = 'obs/metrics-cluster';
export const CLUSTER_PROTOCOL_VERSION = 2;

export interface StateMessage {
  readonly $obs: typeof CLUSTER_MESSAGE_TAG;
  readonly v: typeof CLUSTER_PROTOCOL_VERSION;
  readonly kind: 'state';
  /** Random id of one connectToPrimary() call: a new one means a new collector, whose counters start again. */
  readonly instance: string;
  /** Increases by one per message of this instance; older ones are ignored. */
  readonly seq: number;
  /** Epoch ms at the worker when the state was collected. */
  readonly at: number;
  readonly metrics: ClusterWire;
  /** The `collect` request this message answers. */
  readonly replyTo?: number;
  /** The worker is leaving: this is its last state. */
  readonly final?: boolean;
}

export interface CollectMessage {
  readonly $obs: typeof CLUSTER_MESSAGE_TAG;
  readonly v: typeof CLUSTER_PROTOCOL_VERSION;
  readonly kind: 'collect';
  readonly id: number;
}

export type ClusterMessage = StateMessage | CollectMessage;

/** Whether a message is ours at all (any version): other messages on the channel belong to the application. */
export function isTagged(message: unknown): message is { $obs: string; v: unknown; kind: unknown } {
  return (
    typeof message === 'object' && message !== null && (message as { $obs?: unknown }).$obs === CLUSTER_MESSAGE_TAG
  );
}

/** Checks the envelope of a tagged message; the state itself is validated when indexed. Returns why it is unusable, or undefined. */
export function envelopeProblem(message: { v: unknown; kind: unknown } & Record<string, unknown>): string | undefined {
  if (message.v !== CLUSTER_PROTOCOL_VERSION) return `unsupported protocol version ${String(message.v)}`;
  if (message.kind === 'collect') return Number.isSafeInteger(message.id) ? undefined : 'collect without a numeric id';
  if (message.kind !== 'state') return `unknown message kind ${String(message.kind)}`;
  if (typeof message.instance !== 'string' || message.instance.length === 0 || message.instance.length > 128)
    return 'state without an instance id';
  if (!Number.isSafeInteger(message.seq) || (message.seq as number) < 0) return 'state without a sequence number';
  if (typeof message.at !== 'number' || !Number.isFinite(message.at)) return 'state without a timestamp';
  if (message.replyTo !== undefined && !Number.isSafeInteger(message.replyTo)) return 'state with a bad replyTo';
  if (typeof message.metrics !== 'object' || message.metrics === null) return 'state without metrics';
  return undefined;
}

export function collectMessage(id: number): CollectMessage {
  return { $obs: CLUSTER_MESSAGE_TAG, v: CLUSTER_PROTOCOL_VERSION, kind: 'collect', id };
}
