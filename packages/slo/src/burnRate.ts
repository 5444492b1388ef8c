/** The trailing windows a burn rate is reported for, as in the SRE Workbook and Sloth. */
export const BURN_WINDOWS = ['5m', '30m', '1h', '2h', '6h', '1d', '3d'] as const;
export type BurnWindow = (typeof BURN_WINDOWS)[number];

/** Length of each burn window in ms. */
export const BURN_WINDOW_MS: Readonly<Record<BurnWindow, number>> = Object.freeze({
  '5m': 5 * 60_000,
  '30m': 30 * 60_000,
  '1h': 3_600_000,
  '2h': 2 * 3_600_000,
  '6h': 6 * 3_600_000,
  '1d': 86_400_000,
  '3d': 3 * 86_400_000,
});

export type BurnRateSeverity = 'page' | 'ticket';

/**
 * One multiwindow burn-rate condition: holds when the burn rate over both the
 * long and the short window is strictly above `factor`.
 */
export interface BurnRateCondition {
  readonly severity: BurnRateSeverity;
  readonly factor: number;
  readonly longWindow: BurnWindow;
  readonly shortWindow: BurnWindow;
}

/**
 * The SRE Workbook's recommended policy for a 30-day SLO: page at 14.4x over
 * 1h and 5m (2% of the budget in an hour) or 6x over 6h and 30m (5% in six
 * hours); ticket at 1x over 3d and 6h (10% in three days).
 */
export const DEFAULT_BURN_RATE_CONDITIONS: readonly BurnRateCondition[] = Object.freeze([
  Object.freeze({ severity: 'page', factor: 14.4, longWindow: '1h', shortWindow: '5m' }),
  Object.freeze({ severity: 'page', factor: 6, longWindow: '6h', shortWindow: '30m' }),
  Object.freeze({ severity: 'ticket', factor: 1, longWindow: '3d', shortWindow: '6h' }),
] as const);

export function isBurnWindow(value: unknown): value is BurnWindow {
  return typeof value === 'string' && (BURN_WINDOWS as readonly string[]).includes(value);
}
