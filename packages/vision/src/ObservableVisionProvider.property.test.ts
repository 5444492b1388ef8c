import { fc, test } from '@fast-check/vitest';
import { ManualClock, ObsError } from '@obs/core';
import { describe, expect } from 'vitest';
import { VisionInputError } from './errors';
import { ObservableVisionProvider, VISION_METRICS } from './ObservableVisionProvider';
import { FakeHub } from './testing/FakeHub';
import type { VisionDescription, VisionProvider } from './VisionProvider';

type Outcome = { kind: 'ok' | 'client' | 'server'; latencyMs: number; gapMs: number };

const outcome = fc.record({
  kind: fc.constantFrom('ok' as const, 'client' as const, 'server' as const),
  latencyMs: fc.integer({ min: 0, max: 2000 }),
  gapMs: fc.integer({ min: 0, max: 5000 }),
});

describe('ObservableVisionProvider against a model', () => {
  test.prop([fc.array(outcome, { maxLength: 120 })])(
    'counters, SLO events and the alert follow the request outcomes exactly',
    async (outcomes) => {
      const clock = new ManualClock(0);
      const hub = new FakeHub();
      let next: Outcome = { kind: 'ok', latencyMs: 0, gapMs: 0 };
      const base: VisionProvider = {
        providerName: 'model',
        analyzeImage: async (): Promise<VisionDescription> => {
          clock.advance(next.latencyMs);
          if (next.kind === 'client') throw new VisionInputError('CORRUPT_IMAGE', 'bad');
          if (next.kind === 'server') throw new ObsError('UPSTREAM', 'down');
          return { summary: 's', details: {}, confidence: 0.5 };
        },
      };
      const windowMs = 10_000;
      const provider = new ObservableVisionProvider(base, hub, {
        clock,
        latencyThresholdMs: 500,
        errorAlert: { windowMs, minRequests: 5, errorRatio: 0.4 },
      });
      const history: { at: number; error: boolean }[] = [];
      let modelFiring = false;
      for (const o of outcomes) {
        next = o;
        clock.advance(o.gapMs);
        await provider.analyzeImage(new Uint8Array(1)).catch(() => undefined);
        if (o.kind !== 'client') {
          const now = clock.now();
          history.push({ at: now, error: o.kind === 'server' });
          const recent = history.filter((h) => now - h.at <= windowMs).slice(-1024);
          const errors = recent.filter((h) => h.error).length;
          if (recent.length >= 5) {
            if (errors / recent.length >= 0.4) modelFiring = true;
            else if (errors / recent.length < 0.2) modelFiring = false;
          }
        }
      }
      const count = (kind: Outcome['kind']) => outcomes.filter((o) => o.kind === kind).length;
      expect(hub.count('increment', VISION_METRICS.REQUESTS_TOTAL)).toBe(outcomes.length);
      expect(hub.count('increment', VISION_METRICS.REQUESTS_SUCCESS)).toBe(count('ok'));
      expect(hub.count('increment', VISION_METRICS.REQUESTS_ERROR)).toBe(count('client') + count('server'));
      expect(hub.calls.filter((c) => c.name === VISION_METRICS.REQUEST_DURATION_MS).map((c) => c.value)).toEqual(
        outcomes.map((o) => o.latencyMs),
      );
      const availability = hub.sloEvents.filter((e) => e.sloId === provider.sloIds.availability);
      expect(availability.map((e) => e.good)).toEqual(
        outcomes.filter((o) => o.kind !== 'client').map((o) => o.kind === 'ok'),
      );
      const latency = hub.sloEvents.filter((e) => e.sloId === provider.sloIds.latency);
      expect(latency.map((e) => e.good)).toEqual(
        outcomes.filter((o) => o.kind !== 'client').map((o) => o.latencyMs <= 500),
      );
      const alert = hub.alertStore.get(provider.errorAlertId);
      expect(alert?.state === 'firing').toBe(modelFiring);
      expect(hub.spans.map((s) => s.status)).toEqual(outcomes.map((o) => (o.kind === 'ok' ? 'ok' : 'error')));
    },
  );
});
