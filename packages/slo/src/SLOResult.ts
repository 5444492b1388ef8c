import type { Labels } from '@obs/core';
import type { BurnRateSeverity, BurnWindow } from './burnRate';
import type { SLODefinition } from './SLODefinition';
import type { BudgetingMethod, SLOStatus } from './SLOStatus';

/** The state of one SLO at `timestamp`. Percentages as in the seed: target 99.9, currentValue 99.95. */
export interface SLOResult {
  readonly slo: SLODefinition;
  /** Grouped SLOs: the labels of the group this result is for (absent for the SLO as a whole). */
  readonly labels?: Labels;
  /** Good percentage over the window (events, or slices for timeslices); 100 with no data. */
  readonly currentValue: number;
  /** Percentage of the error budget left; 0 exactly at target, negative when overspent. */
  readonly errorBudgetRemaining: number;
  /** Burn rate over the last hour: the hour's bad ratio / (1 - target/100). */
  readonly burnRate: number;
  readonly status: SLOStatus;
  readonly timestamp: number;
  /** Burn rate over each trailing window. */
  readonly burnRates: Readonly<Record<BurnWindow, number>>;
  /** Nothing was recorded in the window. */
  readonly noData: boolean;
  readonly budgetingMethod: BudgetingMethod;
  /** Good and total units over the window: events for occurrences, non-empty slices for timeslices. */
  readonly good: number;
  readonly total: number;
  /** Raw event counts over the window (equal to good/total for occurrences). */
  readonly goodEvents: number;
  readonly totalEvents: number;
  /** Start of the window (rolling: now - window; calendar: period start), epoch ms. */
  readonly windowStart: number;
  /** Which burn-rate alert severities hold right now. */
  readonly alerting: Readonly<Record<BurnRateSeverity, boolean>>;
  /** Why the status is what it is, e.g. `['burn-rate:page']`, `['budget-low']`, `['budget-overspent']`. */
  readonly reasons: readonly string[];
  /** Grouped SLOs, on the result of the SLO as a whole: one result per group (label values seen so far). */
  readonly groups?: readonly SLOResult[];
}
