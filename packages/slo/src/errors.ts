import { ObsError, ObsValidationError } from '@obs/core';

/** Bad input to an SLO API: a bad target, window, id, outcome or option. */
export class SLOValidationError extends ObsValidationError {
  override readonly name: string = 'SLOValidationError';
}

/** An operation named an SLO id that is not defined. */
export class UnknownSLOError extends ObsError {
  override readonly name: string = 'UnknownSLOError';
  constructor(readonly sloId: string) {
    super('UNKNOWN_SLO', `no SLO is defined with id ${JSON.stringify(sloId.slice(0, 128))}`);
  }
}

/** `defineSLO` was called with an id that is already defined. */
export class DuplicateSLOError extends ObsError {
  override readonly name: string = 'DuplicateSLOError';
  constructor(readonly sloId: string) {
    super('DUPLICATE_SLO', `an SLO with id ${JSON.stringify(sloId)} is already defined`);
  }
}

/** A configured limit (number of SLOs, buckets per SLO) would be exceeded. */
export class SLOLimitError extends ObsError {
  override readonly name: string = 'SLOLimitError';
}

/** `restore()` was given something that is not a valid snapshot; the tracker is left untouched. */
export class SLOSnapshotError extends ObsValidationError {
  override readonly name: string = 'SLOSnapshotError';
}

/** An OpenSLO document could not be read; `path` points at the offending field. */
export class OpenSLOError extends ObsValidationError {
  override readonly name: string = 'OpenSLOError';
  constructor(
    message: string,
    /** Where in the document, e.g. `documents[0].spec.objectives[0].target`. */
    readonly path: string,
    options?: { cause?: unknown },
  ) {
    super('INVALID_OPENSLO', path ? `${path}: ${message}` : message, options);
  }
}
