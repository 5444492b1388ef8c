import { fc, test } from '@fast-check/vitest';
import { describe, expect, it } from 'vitest';
import { aggregateStatus, HealthStatus, type AggregateInput } from './index';

const inputArb = fc.record({
  status: fc.constantFrom<HealthStatus>(
    HealthStatus.HEALTHY,
    HealthStatus.DEGRADED,
    HealthStatus.UNHEALTHY,
    HealthStatus.UNKNOWN,
  ),
  critical: fc.boolean(),
});

// Severity order for a service: how bad each overall status is.
const badness: Record<HealthStatus, number> = { healthy: 0, unknown: 1, degraded: 2, unhealthy: 3 };

describe('aggregateStatus', () => {
  it('follows the issue rules on examples', () => {
    const c = (status: HealthStatus, critical = true): AggregateInput => ({ status, critical });
    expect(aggregateStatus([])).toBe('unknown');
    expect(aggregateStatus([c('unknown'), c('unknown', false)])).toBe('unknown');
    expect(aggregateStatus([c('healthy'), c('unhealthy')])).toBe('unhealthy');
    expect(aggregateStatus([c('healthy'), c('unhealthy', false)])).toBe('degraded');
    expect(aggregateStatus([c('healthy'), c('degraded', false)])).toBe('degraded');
    expect(aggregateStatus([c('degraded'), c('unhealthy')])).toBe('unhealthy');
    expect(aggregateStatus([c('healthy'), c('unknown')])).toBe('unknown');
    expect(aggregateStatus([c('healthy'), c('unknown', false)])).toBe('healthy');
    expect(aggregateStatus([c('healthy'), c('healthy', false)])).toBe('healthy');
  });

  test.prop([fc.array(inputArb, { maxLength: 12 })])('does not depend on the order of checks', (checks) => {
    expect(aggregateStatus([...checks].reverse())).toBe(aggregateStatus(checks));
  });

  test.prop([fc.array(inputArb, { maxLength: 12 })])(
    'is UNHEALTHY exactly when a critical check is UNHEALTHY',
    (checks) => {
      const criticalDown = checks.some((c) => c.critical && c.status === HealthStatus.UNHEALTHY);
      expect(aggregateStatus(checks) === HealthStatus.UNHEALTHY).toBe(criticalDown);
    },
  );

  test.prop([fc.array(inputArb, { maxLength: 12 }), inputArb])(
    'adding an unhealthy or degraded check never makes things better',
    (checks, extra) => {
      fc.pre(extra.status === HealthStatus.UNHEALTHY || extra.status === HealthStatus.DEGRADED);
      const before = aggregateStatus(checks);
      const after = aggregateStatus([...checks, extra]);
      if (before !== HealthStatus.UNKNOWN) expect(badness[after]).toBeGreaterThanOrEqual(badness[before]);
      expect(after).not.toBe(HealthStatus.HEALTHY);
    },
  );

  test.prop([fc.array(inputArb, { maxLength: 12 })])(
    'is HEALTHY only if every critical check is healthy and no check is degraded or unhealthy',
    (checks) => {
      const healthy =
        checks.some((c) => c.status !== HealthStatus.UNKNOWN) &&
        checks.every((c) => c.status === HealthStatus.HEALTHY || (!c.critical && c.status === HealthStatus.UNKNOWN));
      expect(aggregateStatus(checks) === HealthStatus.HEALTHY).toBe(healthy);
    },
  );
});
