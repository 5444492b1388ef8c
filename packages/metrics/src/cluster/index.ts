export { ClusterAggregator, createClusterAggregator } from './ClusterAggregator';
export type {
  AskResult,
  ClusterAggregatorConfig,
  ClusterAggregatorStats,
  ClusterWorkerInfo,
  CollectOptions,
  WorkerHandle,
} from './ClusterAggregator';
export { connectToPrimary } from './connectToPrimary';
export type { ConnectToPrimaryOptions, PrimaryConnection } from './connectToPrimary';
export type { GaugePolicy, MergeReport } from './ClusterState';
export type {
  ClusterEvent,
  ClusterWorkerJoinedEvent,
  ClusterWorkerLeftEvent,
  ClusterMessageRejectedEvent,
} from './events';
export type { WorkerTarget, ClusterWorkerLike, ThreadWorkerLike, MessagePortLike } from './links';
export { CLUSTER_MESSAGE_TAG, CLUSTER_PROTOCOL_VERSION } from './protocol';
export type { ClusterMessage, StateMessage, CollectMessage } from './protocol';
export { aggregateSnapshots } from './aggregateSnapshots';
export type { AggregateSnapshotsOptions, AggregatedSnapshots } from './aggregateSnapshots';
export { toClusterWire } from './wire';
export type { ClusterWire, WireFamily } from './wire';
export type { ClusterSource } from './connectToPrimary';
