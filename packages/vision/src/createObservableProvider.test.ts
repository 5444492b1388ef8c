import { ObsValidationError } from '@obs/core';
import { describe, expect, it } from 'vitest';
import { createObservableProvider } from './createObservableProvider';
import { FakeHub } from './testing/FakeHub';
import type { VisionProvider } from './VisionProvider';

const base: VisionProvider = {
  providerName: 'stub',
  analyzeImage: async () => ({ summary: 'ok', details: {}, confidence: 0.5 }),
};

describe('createObservableProvider (root entry, no @obs/hub)', () => {
  it('instruments through the hub it is given', async () => {
    const hub = new FakeHub();
    const provider = createObservableProvider(base, hub);
    expect(provider.hub).toBe(hub);
    expect(provider.providerName).toBe('observable_stub');
    await provider.analyzeImage(new Uint8Array(1));
    expect(hub.count('increment', 'vision_requests_total')).toBe(1);
  });

  it('refuses a missing hub with a typed error naming the subpath that creates one', () => {
    const call = () => (createObservableProvider as (b: VisionProvider) => unknown)(base);
    expect(call).toThrow(ObsValidationError);
    expect(call).toThrow(/@obs\/vision\/hub/);
  });
});
