import type { ImportedSpan } from '@obs/hub';
import type { TrafficStats } from '../demo/TrafficGenerator';

/**
 * What a cluster worker tells the primary, besides the metric states that
 * `@obs/metrics/cluster` carries on the same IPC channel. Tagged so that each
 * side ignores the other's messages.
 *
 * - `hello`: the worker is serving uploads at `url`.
 * - `batch`: what happened since the last batch, in order: each vision metric
 *   recording (replayed into the primary hub's collector, so its anomaly
 *   detector, dashboard charts and rules see the merged stream), SLO
 *   definitions and outcomes, alerts fired and resolved, finished spans, and the
 *   demo traffic's counters.
 * - `bye`: the worker has sent everything and exits.
 */
export const WORKER_MESSAGE_TAG = 'obs/example-worker';

export type ForwardedItem =
  | {
      readonly kind: 'metric';
      readonly op: 'increment' | 'histogram' | 'gauge';
      readonly name: string;
      readonly value: number;
      readonly labels?: Readonly<Record<string, string>>;
    }
  | { readonly kind: 'slo-define'; readonly slo: Readonly<Record<string, unknown>> }
  | {
      readonly kind: 'slo-event';
      readonly sloId: string;
      readonly good: boolean;
      readonly labels?: Readonly<Record<string, string>>;
    }
  | { readonly kind: 'alert-fire'; readonly alert: Readonly<Record<string, unknown>> }
  | { readonly kind: 'alert-resolve'; readonly alertId: string }
  | { readonly kind: 'span'; readonly span: ImportedSpan };

export interface HelloMessage {
  readonly $obs: typeof WORKER_MESSAGE_TAG;
  readonly kind: 'hello';
  readonly pid: number;
  readonly url: string;
}

export interface BatchMessage {
  readonly $obs: typeof WORKER_MESSAGE_TAG;
  readonly kind: 'batch';
  readonly items: readonly ForwardedItem[];
  /** Items the worker dropped since the last batch because its queue was full. */
  readonly dropped: number;
  /** The demo traffic's counters (absent without `--demo`). */
  readonly demo?: TrafficStats;
}

export interface ByeMessage {
  readonly $obs: typeof WORKER_MESSAGE_TAG;
  readonly kind: 'bye';
}

export type WorkerMessage = HelloMessage | BatchMessage | ByeMessage;

/** Whether an IPC message is one of ours (any other message on the channel is not). */
export function isWorkerMessage(
  message: unknown,
): message is { $obs: string; kind: unknown } & Record<string, unknown> {
  return typeof message === 'object' && message !== null && (message as { $obs?: unknown }).$obs === WORKER_MESSAGE_TAG;
}
