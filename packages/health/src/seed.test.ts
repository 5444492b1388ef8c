import { describe, expect, it } from 'vitest';
import { createHealthCheck, createHealthMonitor, HealthStatus, type HealthCheck } from './index';

// The seed's usage, as written in TypeScript.
describe('seed example', () => {
  it('registers, runs and aggregates checks returning HealthCheck objects or partials', async () => {
    const monitor = createHealthMonitor();
    monitor.registerCheck('database', async () =>
      createHealthCheck({ name: 'database', status: HealthStatus.HEALTHY, message: 'Connected' }),
    );
    monitor.registerCheck('cache', () => ({ status: HealthStatus.DEGRADED, message: 'High latency' }));
    monitor.registerCheck('queue', async () => ({ status: 'healthy', details: { depth: 3 } }));
    monitor.registerCheck('disk', () => true);

    const results: Record<string, HealthCheck> = await monitor.runAllChecks();
    expect(Object.keys(results)).toEqual(['database', 'cache', 'queue', 'disk']);
    expect(results['database']).toMatchObject({
      name: 'database',
      status: 'healthy',
      message: 'Connected',
      details: {},
    });
    expect(results['queue']?.details).toEqual({ depth: 3 });
    expect(results['disk']?.status).toBe(HealthStatus.HEALTHY);
    expect(monitor.getOverallStatus()).toBe(HealthStatus.DEGRADED);
    expect(monitor.getCheckResult('cache')?.message).toBe('High latency');
    expect(monitor.listChecks()).toEqual(['database', 'cache', 'queue', 'disk']);
    expect(monitor.unregisterCheck('cache')).toBe(true);
    expect(monitor.unregisterCheck('cache')).toBe(false);
    expect(monitor.getOverallStatus()).toBe(HealthStatus.HEALTHY);
    expect(await monitor.runCheck('missing')).toBeUndefined();
  });
});
