import type { ObsEventBase } from '@obs/core';

/** A worker instance sent its first state. */
export interface ClusterWorkerJoinedEvent extends ObsEventBase<'metrics/cluster-worker-joined'> {
  readonly worker: string;
  readonly instance: string;
}

/** A worker instance left: its worker exited, its port closed, or it sent its final state. Its counters and histograms stay in the totals. */
export interface ClusterWorkerLeftEvent extends ObsEventBase<'metrics/cluster-worker-left'> {
  readonly worker: string;
  readonly instance: string;
  readonly reason: 'exit' | 'final' | 'removed';
}

/** A message or part of one was unusable (tagged as ours but malformed, an unknown protocol version, invalid series). */
export interface ClusterMessageRejectedEvent extends ObsEventBase<'metrics/cluster-message-rejected'> {
  readonly worker: string;
  readonly reason: string;
}

export type ClusterEvent = ClusterWorkerJoinedEvent | ClusterWorkerLeftEvent | ClusterMessageRejectedEvent;
