import { ObsValidationError } from '../ObsError';

/**
 * Builds the error an option check throws. Each package passes its own, so a bad
 * option surfaces as that package's typed error (`SLOValidationError`, ...) with its code.
 */
export type InvalidOption = (message: string) => Error;

/** The default: an `ObsValidationError` with code `'INVALID_OPTION'`. */
export const invalidOption: InvalidOption = (message) => new ObsValidationError('INVALID_OPTION', message);
