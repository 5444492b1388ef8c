import { fc, test } from '@fast-check/vitest';
import { describe, expect, it } from 'vitest';
import { createHealthMonitor, HealthSnapshotError, HealthStatus, type HealthSnapshot } from './index';

async function monitorWithHistory() {
  const monitor = createHealthMonitor({ failureThreshold: 3 });
  let ok = true;
  monitor.registerCheck('db', () => ({
    status: ok ? HealthStatus.HEALTHY : HealthStatus.UNHEALTHY,
    message: ok ? 'up' : 'down',
    details: { pool: 3 },
  }));
  monitor.registerCheck('cache', () => true, { critical: false });
  await monitor.runAllChecks();
  ok = false;
  await monitor.runAllChecks();
  return monitor;
}

describe('snapshot / restore', () => {
  it('round-trips results and threshold counters through JSON', async () => {
    const original = await monitorWithHistory();
    const snapshot = JSON.parse(JSON.stringify(original.snapshot())) as HealthSnapshot;
    expect(snapshot.version).toBe(1);
    expect(snapshot.checks.find((c) => c.name === 'db')).toMatchObject({
      status: 'healthy',
      consecutiveFailures: 1,
      consecutiveSuccesses: 0,
    });

    const restored = createHealthMonitor({ failureThreshold: 3 });
    let calls = 0;
    restored.registerCheck('db', () => {
      calls++;
      return false;
    });
    restored.registerCheck('cache', () => true, { critical: false });
    restored.registerCheck('new', () => true);
    expect(restored.restore(snapshot)).toEqual({ restored: ['db', 'cache'], unknown: [] });
    expect(calls).toBe(0);
    expect(restored.getCheckResult('db')).toEqual(original.getCheckResult('db'));
    expect(restored.getCheckState('db')?.consecutiveFailures).toBe(1);
    expect(restored.getCheckStatus('new')).toBe('unknown');
    // Two more failures reach the threshold of three, counting the restored one.
    await restored.runCheck('db');
    expect(restored.getCheckStatus('db')).toBe('healthy');
    await restored.runCheck('db');
    expect(restored.getCheckStatus('db')).toBe('unhealthy');
  });

  it('reports snapshot entries for checks that are not registered', async () => {
    const original = await monitorWithHistory();
    const other = createHealthMonitor();
    other.registerCheck('db', () => true);
    expect(other.restore(original.snapshot())).toEqual({ restored: ['db'], unknown: ['cache'] });
  });

  it('restoring does not emit events but later changes are computed from the restored state', async () => {
    const original = await monitorWithHistory();
    const other = createHealthMonitor({ failureThreshold: 3 });
    other.registerCheck('db', () => true);
    other.registerCheck('cache', () => false, { critical: false, failureThreshold: 1 });
    const events: string[] = [];
    other.events$.subscribe((e) =>
      events.push(e.type === 'health/changed' ? `${e.scope}:${e.previous}->${e.current}` : e.type),
    );
    other.restore(original.snapshot());
    expect(events).toEqual([]);
    expect(other.getOverallStatus()).toBe('healthy');
    await other.runCheck('cache');
    expect(events).toEqual(['health/check-completed', 'check:healthy->unhealthy', 'overall:healthy->degraded']);
  });

  const bad: [string, unknown][] = [
    ['null', null],
    ['a string', 'snapshot'],
    ['an array', []],
    ['a wrong version', { version: 2, checks: [] }],
    ['checks not an array', { version: 1, checks: {} }],
    ['an entry that is not an object', { version: 1, checks: [5] }],
    [
      'a bad name',
      {
        version: 1,
        checks: [{ name: '', status: 'healthy', consecutiveFailures: 0, consecutiveSuccesses: 0, lastResult: null }],
      },
    ],
    [
      'a duplicate name',
      {
        version: 1,
        checks: [
          { name: 'db', status: 'healthy', consecutiveFailures: 0, consecutiveSuccesses: 0, lastResult: null },
          { name: 'db', status: 'healthy', consecutiveFailures: 0, consecutiveSuccesses: 0, lastResult: null },
        ],
      },
    ],
    [
      'a bad status',
      {
        version: 1,
        checks: [{ name: 'db', status: 'ok', consecutiveFailures: 0, consecutiveSuccesses: 0, lastResult: null }],
      },
    ],
    [
      'a negative counter',
      {
        version: 1,
        checks: [{ name: 'db', status: 'healthy', consecutiveFailures: -1, consecutiveSuccesses: 0, lastResult: null }],
      },
    ],
    [
      'a NaN counter',
      {
        version: 1,
        checks: [
          { name: 'db', status: 'healthy', consecutiveFailures: 0, consecutiveSuccesses: Number.NaN, lastResult: null },
        ],
      },
    ],
    [
      'a fractional counter',
      {
        version: 1,
        checks: [
          { name: 'db', status: 'healthy', consecutiveFailures: 0.5, consecutiveSuccesses: 0, lastResult: null },
        ],
      },
    ],
    [
      'a result with another name',
      {
        version: 1,
        checks: [
          {
            name: 'db',
            status: 'healthy',
            consecutiveFailures: 0,
            consecutiveSuccesses: 0,
            lastResult: result({ name: 'x' }),
          },
        ],
      },
    ],
    [
      'a result with NaN timestamp',
      {
        version: 1,
        checks: [
          {
            name: 'db',
            status: 'healthy',
            consecutiveFailures: 0,
            consecutiveSuccesses: 0,
            lastResult: result({ timestamp: Number.NaN }),
          },
        ],
      },
    ],
    [
      'a result with a far-future timestamp',
      {
        version: 1,
        checks: [
          {
            name: 'db',
            status: 'healthy',
            consecutiveFailures: 0,
            consecutiveSuccesses: 0,
            lastResult: result({ timestamp: 1e300 }),
          },
        ],
      },
    ],
    [
      'a result with negative duration',
      {
        version: 1,
        checks: [
          {
            name: 'db',
            status: 'healthy',
            consecutiveFailures: 0,
            consecutiveSuccesses: 0,
            lastResult: result({ durationMs: -1 }),
          },
        ],
      },
    ],
    [
      'a result with array details',
      {
        version: 1,
        checks: [
          {
            name: 'db',
            status: 'healthy',
            consecutiveFailures: 0,
            consecutiveSuccesses: 0,
            lastResult: result({ details: [] }),
          },
        ],
      },
    ],
    [
      'a result with a numeric message',
      {
        version: 1,
        checks: [
          {
            name: 'db',
            status: 'healthy',
            consecutiveFailures: 0,
            consecutiveSuccesses: 0,
            lastResult: result({ message: 1 }),
          },
        ],
      },
    ],
    [
      'a result that is a string',
      {
        version: 1,
        checks: [{ name: 'db', status: 'healthy', consecutiveFailures: 0, consecutiveSuccesses: 0, lastResult: 'r' }],
      },
    ],
  ];

  function result(override: Record<string, unknown>): Record<string, unknown> {
    return { name: 'db', status: 'healthy', message: '', timestamp: 1, durationMs: 1, details: {}, ...override };
  }

  it.each(bad)('rejects %s with HealthSnapshotError and leaves state untouched', async (_label, snapshot) => {
    const monitor = await monitorWithHistory();
    const before = JSON.stringify(monitor.snapshot());
    expect(() => monitor.restore(snapshot)).toThrow(HealthSnapshotError);
    expect(JSON.stringify(monitor.snapshot())).toBe(before);
  });

  it('rejects a bad entry after good ones without applying the good ones', async () => {
    const monitor = await monitorWithHistory();
    const before = JSON.stringify(monitor.snapshot());
    const snapshot = {
      version: 1,
      checks: [
        { name: 'db', status: 'unhealthy', consecutiveFailures: 9, consecutiveSuccesses: 0, lastResult: null },
        { name: 'cache', status: 'nope', consecutiveFailures: 0, consecutiveSuccesses: 0, lastResult: null },
      ],
    };
    expect(() => monitor.restore(snapshot)).toThrow(HealthSnapshotError);
    expect(JSON.stringify(monitor.snapshot())).toBe(before);
  });

  it('rejects a snapshot with more entries than maxChecks', () => {
    const monitor = createHealthMonitor({ maxChecks: 1 });
    const entry = (name: string) => ({
      name,
      status: 'healthy',
      consecutiveFailures: 0,
      consecutiveSuccesses: 0,
      lastResult: null,
    });
    expect(() => monitor.restore({ version: 1, checks: [entry('a'), entry('b')] })).toThrow(HealthSnapshotError);
  });

  it('bounds restored messages and details by the configured limits', () => {
    const monitor = createHealthMonitor({ maxMessageLength: 50, maxDetailsBytes: 100 });
    monitor.registerCheck('db', () => true);
    monitor.restore({
      version: 1,
      checks: [
        {
          name: 'db',
          status: 'healthy',
          consecutiveFailures: 0,
          consecutiveSuccesses: 1,
          lastResult: result({ message: 'm'.repeat(500), details: { big: 'x'.repeat(500) } }),
        },
      ],
    });
    expect(monitor.getCheckResult('db')?.message.length).toBeLessThan(100);
    expect(monitor.getCheckResult('db')?.details['truncated']).toBe(true);
  });

  test.prop([fc.anything()])('never throws anything but HealthSnapshotError on arbitrary input', (input) => {
    const monitor = createHealthMonitor();
    monitor.registerCheck('db', () => true);
    try {
      monitor.restore(input);
    } catch (error) {
      expect(error).toBeInstanceOf(HealthSnapshotError);
    }
    expect(monitor.listChecks()).toEqual(['db']);
  });
});
