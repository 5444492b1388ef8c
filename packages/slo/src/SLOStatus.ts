/** Where an SLO stands: within budget, burning too fast or low on budget, or overspent. */
export const SLOStatus = {
  MET: 'met',
  AT_RISK: 'at_risk',
  BREACHED: 'breached',
} as const;

export type SLOStatus = (typeof SLOStatus)[keyof typeof SLOStatus];

/** How the error budget is counted (OpenSLO `budgetingMethod`). */
export const BudgetingMethod = {
  /** good events / all events (default). */
  OCCURRENCES: 'occurrences',
  /** good time slices / non-empty time slices; a slice is good when its good ratio >= the slice target. */
  TIMESLICES: 'timeslices',
} as const;

export type BudgetingMethod = (typeof BudgetingMethod)[keyof typeof BudgetingMethod];
