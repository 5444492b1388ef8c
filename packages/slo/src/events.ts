import type { Labels, ObsEventBase } from '@obs/core';
import type { BurnRateCondition, BurnRateSeverity } from './burnRate';
import type { SLOResult } from './SLOResult';
import type { SLOStatus } from './SLOStatus';

/** An SLO moved to another status (first evaluation counts as a change from `met`). */
export interface SLOStatusEvent extends ObsEventBase<'slo/status'> {
  readonly sloId: string;
  /** Grouped SLOs: the group that changed (absent for the SLO as a whole). */
  readonly labels?: Labels;
  readonly previous: SLOStatus;
  readonly status: SLOStatus;
  readonly result: SLOResult;
}

/** A page or ticket burn-rate condition started (`active: true`) or stopped holding. */
export interface SLOBurnRateEvent extends ObsEventBase<'slo/burn-rate'> {
  readonly sloId: string;
  /** Grouped SLOs: the group whose condition changed (absent for the SLO as a whole). */
  readonly labels?: Labels;
  readonly severity: BurnRateSeverity;
  readonly active: boolean;
  /** The conditions of this severity that hold now (empty when it stopped). */
  readonly conditions: readonly BurnRateCondition[];
  readonly burnRates: SLOResult['burnRates'];
  readonly result: SLOResult;
}

/** Something went wrong without throwing at the caller: a bad outcome on a tracked stream, a stream error, a failed evaluation. */
export interface SLOErrorEvent extends ObsEventBase<'slo/error'> {
  readonly sloId: string | undefined;
  readonly operation: 'track' | 'evaluate';
  readonly message: string;
  readonly error: unknown;
}

/** Every event `SLOTracker.events$` emits (closed union). */
export type SLOEvent = SLOStatusEvent | SLOBurnRateEvent | SLOErrorEvent;
