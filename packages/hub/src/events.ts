import type { ObsEventBase } from '@obs/core';
import type { AlertsEvent } from '@obs/alerts';
import type { AnomalyEvent } from '@obs/anomaly';
import type { HealthEvent } from '@obs/health';
import type { MetricsEvent } from '@obs/metrics';
import type { SLOEvent } from '@obs/slo';
import type { TracingEvent } from '@obs/tracing';
import type { DashboardSample } from './dashboard/DashboardTypes';

/** The `source` of every event the hub itself emits. */
export const HUB_SOURCE = 'hub';

/** `start()` finished: periodic work runs and state was restored if a snapshot existed. */
export interface HubStartedEvent extends ObsEventBase<'hub/started'> {
  readonly restored: boolean;
}

/** `stop()` finished; `events$` completes right after this event. */
export interface HubStoppedEvent extends ObsEventBase<'hub/stopped'> {
  readonly persisted: boolean;
}

/** A default flow (processor) threw; it was resubscribed unless `gaveUp`. */
export interface HubProcessorErrorEvent extends ObsEventBase<'hub/processor-error'> {
  readonly processor: string;
  readonly error: string;
  readonly restarts: number;
  /** The flow failed again and again without doing any work and was switched off. */
  readonly gaveUp: boolean;
}

/** A subscriber of `hub.events$` threw; the error was caught and counted, delivery went on. */
export interface HubSubscriberErrorEvent extends ObsEventBase<'hub/subscriber-error'> {
  readonly error: string;
  /** The type of the event being delivered when it threw, if any. */
  readonly eventType: string | undefined;
}

/** Subscribers fell behind and `count` events were dropped (oldest first) from the delivery queue. */
export interface HubEventsDroppedEvent extends ObsEventBase<'hub/events-dropped'> {
  readonly count: number;
}

/** State was written to the snapshot file. */
export interface HubPersistedEvent extends ObsEventBase<'hub/persisted'> {
  readonly file: string;
  readonly bytes: number;
  readonly durationMs: number;
  readonly components: readonly string[];
}

/** Writing the snapshot failed; the previous files are untouched. */
export interface HubPersistErrorEvent extends ObsEventBase<'hub/persist-error'> {
  readonly file: string;
  readonly error: string;
}

/** State was restored on `start()`. */
export interface HubRestoredEvent extends ObsEventBase<'hub/restored'> {
  readonly file: string;
  readonly generation: 'current' | 'previous';
  readonly savedAt: number;
  readonly components: readonly string[];
}

/**
 * A snapshot (or one component's part of it) could not be used. `fallback` says
 * what was used instead: the previous generation, or nothing (fresh state).
 */
export interface HubRestoreErrorEvent extends ObsEventBase<'hub/restore-error'> {
  readonly file: string;
  readonly code: string;
  readonly error: string;
  /** The component whose part was rejected; undefined when the whole file was unusable. */
  readonly component: string | undefined;
  readonly fallback: 'previous' | 'none';
  /** Where the unusable file was moved, if it was. */
  readonly quarantinedTo: string | undefined;
  /** Where a rejected component part was kept (`<file>.rejected-<time>.json`), if it was. */
  readonly keptAt?: string | undefined;
}

/** A new chart sample (request rate, errors, latency quantiles, confidence), once per sample interval. */
export interface HubSampleEvent extends ObsEventBase<'hub/sample'> {
  readonly sample: DashboardSample;
}

/** Every event the hub itself emits (closed union). */
export type HubEvent =
  | HubStartedEvent
  | HubStoppedEvent
  | HubProcessorErrorEvent
  | HubSubscriberErrorEvent
  | HubEventsDroppedEvent
  | HubPersistedEvent
  | HubPersistErrorEvent
  | HubRestoredEvent
  | HubRestoreErrorEvent
  | HubSampleEvent;

/** Every event on `hub.events$`: the union of every component's events and the hub's own. */
export type ObsEvent = MetricsEvent | TracingEvent | HealthEvent | AlertsEvent | SLOEvent | AnomalyEvent | HubEvent;

export type ObsEventType = ObsEvent['type'];
