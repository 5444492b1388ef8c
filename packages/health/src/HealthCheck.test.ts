import { ManualClock, ofType } from '@obs/core';
import { describe, expect, expectTypeOf, it } from 'vitest';
import {
  createHealthCheck,
  createHealthMonitor,
  HealthGroup,
  HealthStatus,
  HealthValidationError,
  isHealthStatus,
  type HealthChangedEvent,
  type HealthCheck,
} from './index';

describe('HealthStatus', () => {
  it('is an as-const object with the seed values and a matching type', () => {
    expect(HealthStatus).toEqual({
      HEALTHY: 'healthy',
      DEGRADED: 'degraded',
      UNHEALTHY: 'unhealthy',
      UNKNOWN: 'unknown',
    });
    expectTypeOf<HealthStatus>().toEqualTypeOf<'healthy' | 'degraded' | 'unhealthy' | 'unknown'>();
    expect(HealthGroup.LIVENESS).toBe('liveness');
    expect(isHealthStatus('healthy')).toBe(true);
    expect(isHealthStatus('HEALTHY')).toBe(false);
    expect(isHealthStatus(undefined)).toBe(false);
  });
});

describe('createHealthCheck', () => {
  it('fills defaults from the clock', () => {
    const check: HealthCheck = createHealthCheck(
      { name: 'database', status: HealthStatus.HEALTHY },
      new ManualClock(123),
    );
    expect(check).toEqual({
      name: 'database',
      status: 'healthy',
      message: '',
      timestamp: 123,
      durationMs: 0,
      details: {},
    });
  });

  it('keeps given values', () => {
    const check = createHealthCheck({
      name: 'db',
      status: HealthStatus.DEGRADED,
      message: 'slow',
      timestamp: 5,
      durationMs: 7,
      details: { a: 1 },
    });
    expect(check).toEqual({
      name: 'db',
      status: 'degraded',
      message: 'slow',
      timestamp: 5,
      durationMs: 7,
      details: { a: 1 },
    });
  });

  it.each([
    ['not an object', 'db'],
    ['null', null],
    ['bad name', { name: '', status: 'healthy' }],
    ['bad status', { name: 'db', status: 'fine' }],
    ['missing status', { name: 'db' }],
    ['numeric message', { name: 'db', status: 'healthy', message: 3 }],
    ['array details', { name: 'db', status: 'healthy', details: [] }],
    ['NaN timestamp', { name: 'db', status: 'healthy', timestamp: Number.NaN }],
    ['negative duration', { name: 'db', status: 'healthy', durationMs: -1 }],
    ['Infinity duration', { name: 'db', status: 'healthy', durationMs: Number.POSITIVE_INFINITY }],
  ])('rejects %s with a typed error', (_label, init) => {
    expect(() => createHealthCheck(init as never)).toThrow(HealthValidationError);
  });
});

describe('results are immutable snapshots', () => {
  it('freezes results and their details', async () => {
    const monitor = createHealthMonitor();
    monitor.registerCheck('db', () => ({
      status: HealthStatus.HEALTHY,
      details: { pool: { active: 1 }, list: [1, 2] },
    }));
    const result = await monitor.runCheck('db');
    expect(Object.isFrozen(result)).toBe(true);
    expect(Object.isFrozen(result?.details)).toBe(true);
    expect(Object.isFrozen(result?.details['pool'])).toBe(true);
    expect(() => {
      (result as { status: string }).status = 'unhealthy';
    }).toThrow(TypeError);
    expect(monitor.getCheckResult('db')?.status).toBe('healthy');
  });
});

describe('types', () => {
  it('ofType narrows the HealthEvent union', () => {
    const monitor = createHealthMonitor();
    const changed$ = monitor.events$.pipe(ofType('health/changed'));
    expectTypeOf(changed$).toEqualTypeOf<import('rxjs').Observable<HealthChangedEvent>>();
  });

  it('accepts the check shapes of the contract', () => {
    const monitor = createHealthMonitor();
    monitor.registerCheck('a', () => true);
    monitor.registerCheck('b', async () => false);
    monitor.registerCheck('c', () => ({ status: 'healthy' }));
    monitor.registerCheck('d', async () => ({ status: HealthStatus.DEGRADED, message: 'm', details: { x: 1 } }));
    monitor.registerCheck('e', async () => createHealthCheck({ name: 'e', status: HealthStatus.HEALTHY }));
    monitor.registerCheck('f', async (signal) => (signal.aborted ? false : { status: 'unhealthy' }));
    // @ts-expect-error a number is not a valid check result
    monitor.registerCheck('g', () => 5);
    // @ts-expect-error an unknown status string is not a HealthStatus
    monitor.registerCheck('h', () => ({ status: 'ok' }));
    expect(monitor.listChecks()).toHaveLength(8);
  });
});
