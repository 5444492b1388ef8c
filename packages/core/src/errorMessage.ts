import { describeValue } from './ObsError';

export interface ErrorMessageOptions {
  /** Prefix an Error's message with its name (`TypeError: x is undefined`). Default true. */
  readonly withName?: boolean;
  /** Longer text is cut and ends with `…`. Default 1024. */
  readonly maxLength?: number;
}

/**
 * A short description of anything thrown, for events and reports: an Error's
 * name and message, a string as it is, any other value described by type.
 * Never throws (a throwing `message` or `name` getter is described, not rethrown).
 */
export function errorMessage(error: unknown, options: ErrorMessageOptions = {}): string {
  const { withName = true, maxLength = 1024 } = options;
  let text: string;
  try {
    if (error instanceof Error) text = withName ? `${error.name}: ${error.message}` : String(error.message);
    else text = typeof error === 'string' ? error : describeValue(error);
  } catch {
    text = 'an error that cannot be described';
  }
  return text.length <= maxLength ? text : text.slice(0, maxLength) + '…';
}
