import { BodyReadError, BodyTooLargeError, ObsError } from '@obs/hub';
import { ImageTooLargeError, ProviderBusyError, VisionInputError } from '@obs/vision';
import { describe, expect, it } from 'vitest';
import { DemoUpstreamError } from '../demo/ChaosProvider';
import { statusForError } from './analyzeRoute';

describe('statusForError', () => {
  it.each([
    [new ImageTooLargeError('IMAGE_TOO_MANY_PIXELS', 'big', 1, 2), 413, 'IMAGE_TOO_MANY_PIXELS'],
    [new VisionInputError('UNSUPPORTED_FORMAT', 'gif'), 415, 'UNSUPPORTED_FORMAT'],
    [new VisionInputError('TRUNCATED_IMAGE', 'cut'), 400, 'TRUNCATED_IMAGE'],
    [new BodyTooLargeError(10), 413, 'BODY_TOO_LARGE'],
    [new ProviderBusyError('all busy', 2), 503, 'PROVIDER_BUSY'],
    [new BodyReadError('BODY_TIMEOUT', 'slow'), 408, 'BODY_TIMEOUT'],
    [new BodyReadError('BODY_ABORTED', 'gone'), 400, 'BODY_ABORTED'],
    [new DemoUpstreamError('UPSTREAM_UNAVAILABLE', 'down'), 502, 'UPSTREAM_UNAVAILABLE'],
    [new ObsError('SOMETHING', 'x'), 502, 'SOMETHING'],
    [new TypeError('bug'), 500, 'INTERNAL'],
    ['a string', 500, 'INTERNAL'],
  ] as const)('maps %s to %i', (error, status, code) => {
    const mapped = statusForError(error);
    expect(mapped).toMatchObject({ status, code });
    // Server-side failures never echo internal messages to the client.
    if (status >= 500) expect(mapped.message).not.toMatch(/bug|down/);
  });

  it('gives a busy provider a Retry-After hint', () => {
    expect(statusForError(new ProviderBusyError('all busy', 3))).toMatchObject({ status: 503, retryAfterSeconds: 3 });
  });
});
