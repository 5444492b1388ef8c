import { ManualClock, ObsError, ObsValidationError } from '@obs/core';
import { config as rxjsConfig } from 'rxjs';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import {
  createHealthCheck,
  createHealthMonitor,
  HealthLimitError,
  HealthStatus,
  HealthValidationError,
  type HealthCheckFunction,
  type HealthEvent,
} from './index';

function collect(monitor: ReturnType<typeof createHealthMonitor>): HealthEvent[] {
  const events: HealthEvent[] = [];
  monitor.events$.subscribe((e) => events.push(e));
  return events;
}

describe('registerCheck validation', () => {
  const ok: HealthCheckFunction = () => true;

  it.each([
    ['empty', ''],
    ['too long', 'x'.repeat(129)],
    ['colon', 'db:primary'],
    ['control char', 'db\n'],
    ['leading space', ' db'],
    ['number', 42],
    ['null', null],
    ['undefined', undefined],
    ['object', { name: 'db' }],
  ])('rejects a bad name (%s) with a typed error', (_label, name) => {
    const monitor = createHealthMonitor();
    expect(() => monitor.registerCheck(name as string, ok)).toThrow(HealthValidationError);
    expect(monitor.listChecks()).toEqual([]);
  });

  it('accepts names with spaces, dots, unicode, and __proto__ / constructor safely', async () => {
    const monitor = createHealthMonitor();
    for (const name of ['__proto__', 'constructor', 'toString', 'db primary', 'db.v2', 'Datenbank-ü'])
      monitor.registerCheck(name, ok);
    const results = await monitor.runAllChecks();
    expect(Object.keys(results)).toEqual([
      '__proto__',
      'constructor',
      'toString',
      'db primary',
      'db.v2',
      'Datenbank-ü',
    ]);
    expect(Object.getPrototypeOf(results)).toBe(Object.prototype);
    expect(results['__proto__']?.status).toBe('healthy');
    expect(({} as Record<string, unknown>)['status']).toBeUndefined();
    expect(monitor.getCheckResult('__proto__')?.name).toBe('__proto__');
    expect(monitor.getCheckResult('hasOwnProperty')).toBeUndefined();
    expect(monitor.unregisterCheck('__proto__')).toBe(true);
    expect(monitor.listChecks()).not.toContain('__proto__');
  });

  it.each([
    ['string', 'not a function'],
    ['null', null],
    ['object', { run: () => true }],
    ['number', 1],
  ])('rejects a non-function check (%s)', (_label, fn) => {
    const monitor = createHealthMonitor();
    expect(() => monitor.registerCheck('db', fn as unknown as HealthCheckFunction)).toThrow(HealthValidationError);
  });

  it.each([
    ['NaN timeout', { timeoutMs: Number.NaN }],
    ['Infinity timeout', { timeoutMs: Number.POSITIVE_INFINITY }],
    ['zero timeout', { timeoutMs: 0 }],
    ['negative timeout', { timeoutMs: -5 }],
    ['string timeout', { timeoutMs: '100' }],
    ['huge timeout', { timeoutMs: 2 ** 31 }],
    ['string critical', { critical: 'yes' }],
    ['groups not an array', { groups: 'readiness' }],
    ['bad group name', { groups: ['ok', ''] }],
    ['group with colon', { groups: ['a:b'] }],
    ['too many groups', { groups: Array.from({ length: 17 }, (_, i) => `g${i}`) }],
    ['zero failureThreshold', { failureThreshold: 0 }],
    ['fractional successThreshold', { successThreshold: 1.5 }],
    ['NaN failureThreshold', { failureThreshold: Number.NaN }],
    ['componentName with colon', { componentName: 'a:b' }],
    ['empty componentType', { componentType: '' }],
  ])('rejects bad options (%s)', (_label, options) => {
    const monitor = createHealthMonitor();
    expect(() => monitor.registerCheck('db', ok, options as never)).toThrow(HealthValidationError);
    expect(monitor.listChecks()).toEqual([]);
  });

  it('rejects options that are not an object', () => {
    const monitor = createHealthMonitor();
    expect(() => monitor.registerCheck('db', ok, 5 as never)).toThrow(HealthValidationError);
    expect(() => monitor.registerCheck('db', ok, [] as never)).toThrow(HealthValidationError);
  });

  it('typed errors derive from ObsError', () => {
    const monitor = createHealthMonitor();
    try {
      monitor.registerCheck('', ok);
      expect.unreachable();
    } catch (error) {
      expect(error).toBeInstanceOf(ObsValidationError);
      expect(error).toBeInstanceOf(ObsError);
      expect((error as ObsError).code).toBe('INVALID_NAME');
    }
  });

  it('de-duplicates groups and reports them', () => {
    const monitor = createHealthMonitor();
    monitor.registerCheck('db', ok, { groups: ['readiness', 'readiness', 'liveness'] });
    expect(monitor.getCheckState('db')?.groups).toEqual(['readiness', 'liveness']);
    expect(monitor.listGroups()).toEqual(['liveness', 'readiness']);
  });

  it('enforces maxChecks with HealthLimitError, but allows replacing an existing check', () => {
    const monitor = createHealthMonitor({ maxChecks: 2 });
    monitor.registerCheck('a', ok);
    monitor.registerCheck('b', ok);
    expect(() => monitor.registerCheck('c', ok)).toThrow(HealthLimitError);
    try {
      monitor.registerCheck('c', ok);
    } catch (error) {
      expect((error as HealthLimitError).limit).toBe(2);
      expect((error as HealthLimitError).code).toBe('CHECK_LIMIT');
    }
    monitor.registerCheck('a', () => false);
    expect(monitor.listChecks()).toEqual(['a', 'b']);
    expect(monitor.unregisterCheck('a')).toBe(true);
    monitor.registerCheck('c', ok);
    expect(monitor.listChecks()).toEqual(['b', 'c']);
  });

  it('replacing a check resets its state and uses the new function', async () => {
    const monitor = createHealthMonitor();
    monitor.registerCheck('db', () => false);
    await monitor.runCheck('db');
    expect(monitor.getCheckStatus('db')).toBe('unhealthy');
    monitor.registerCheck('db', () => true);
    expect(monitor.getCheckStatus('db')).toBe('unknown');
    expect(monitor.getCheckResult('db')).toBeUndefined();
    await monitor.runCheck('db');
    expect(monitor.getCheckStatus('db')).toBe('healthy');
  });
});

describe('createHealthMonitor config validation', () => {
  it.each([
    ['NaN checkTimeoutMs', { checkTimeoutMs: Number.NaN }],
    ['negative checkTimeoutMs', { checkTimeoutMs: -1 }],
    ['string interval', { healthCheckIntervalSeconds: '30' }],
    ['zero interval', { healthCheckIntervalSeconds: 0 }],
    ['Infinity interval', { healthCheckIntervalSeconds: Number.POSITIVE_INFINITY }],
    ['zero maxChecks', { maxChecks: 0 }],
    ['fractional maxChecks', { maxChecks: 2.5 }],
    ['tiny maxMessageLength', { maxMessageLength: 1 }],
    ['clock without now', { clock: {} }],
    ['clock not an object', { clock: 5 }],
    ['scheduler without schedule', { scheduler: { now: () => 0 } }],
    ['bad source', { source: '' }],
    ['bad failureThreshold', { failureThreshold: -1 }],
  ])('rejects %s', (_label, config) => {
    expect(() => createHealthMonitor(config as never)).toThrow(HealthValidationError);
  });

  it('rejects a config that is not an object', () => {
    expect(() => createHealthMonitor('fast' as never)).toThrow(HealthValidationError);
    expect(() => createHealthMonitor(null as never)).toThrow(HealthValidationError);
  });
});

describe('lookups', () => {
  it('throw a typed error on a non-string name and return undefined for an unknown one', () => {
    const monitor = createHealthMonitor();
    expect(() => monitor.getCheckResult(1 as never)).toThrow(HealthValidationError);
    expect(() => monitor.runCheck(undefined as never)).toThrow(HealthValidationError);
    expect(() => monitor.unregisterCheck({} as never)).toThrow(HealthValidationError);
    expect(() => monitor.getGroupStatus('' as never)).toThrow(HealthValidationError);
    expect(monitor.getCheckResult('nope')).toBeUndefined();
    expect(monitor.getCheckStatus('nope')).toBeUndefined();
    expect(monitor.getCheckState('nope')).toBeUndefined();
    expect(monitor.unregisterCheck('nope')).toBe(false);
  });

  it('getCheckState reports configuration and counters', async () => {
    const monitor = createHealthMonitor({ checkTimeoutMs: 1000, failureThreshold: 3 });
    monitor.registerCheck('db', () => false, { critical: false, groups: ['readiness'], successThreshold: 2 });
    await monitor.runCheck('db');
    expect(monitor.getCheckState('db')).toMatchObject({
      name: 'db',
      status: 'unknown',
      consecutiveFailures: 1,
      consecutiveSuccesses: 0,
      critical: false,
      groups: ['readiness'],
      timeoutMs: 1000,
      failureThreshold: 3,
      successThreshold: 2,
      running: false,
    });
    expect(monitor.getCheckState('db')?.lastResult?.status).toBe('unhealthy');
  });
});

describe('running checks', () => {
  it('fills name, timestamp and durationMs from the monitor clock, overriding what the check said', async () => {
    const clock = new ManualClock(1_000);
    const monitor = createHealthMonitor({ clock });
    let release: () => void = () => undefined;
    monitor.registerCheck(
      'db',
      () =>
        new Promise((resolve) => {
          release = () =>
            resolve(
              createHealthCheck({ name: 'other', status: HealthStatus.HEALTHY, timestamp: 5, durationMs: 99 }, clock),
            );
        }),
    );
    const pending = monitor.runCheck('db');
    clock.advance(250);
    release();
    const result = await pending;
    expect(result).toEqual({
      name: 'db',
      status: 'healthy',
      message: '',
      timestamp: 1_250,
      durationMs: 250,
      details: {},
    });
  });

  it('never reports a negative duration when the clock goes backwards', async () => {
    const clock = new ManualClock(1_000);
    const monitor = createHealthMonitor({ clock });
    monitor.registerCheck('db', () => {
      clock.set(500);
      return true;
    });
    expect((await monitor.runCheck('db'))?.durationMs).toBe(0);
  });

  it('a sync throw, an async rejection and a thrown non-Error are UNHEALTHY with the message', async () => {
    const monitor = createHealthMonitor();
    monitor.registerCheck('sync', () => {
      throw new Error('connection refused');
    });
    monitor.registerCheck('async', async () => {
      throw new TypeError('bad gateway');
    });
    monitor.registerCheck('string', () => {
      throw 'plain string';
    });
    monitor.registerCheck('object', () => Promise.reject({ message: 'object message' }));
    monitor.registerCheck('number', () => Promise.reject(42));
    monitor.registerCheck('empty', () => {
      throw new Error('');
    });
    const results = await monitor.runAllChecks();
    expect(results['sync']).toMatchObject({ status: 'unhealthy', message: 'connection refused' });
    expect(results['async']).toMatchObject({ status: 'unhealthy', message: 'bad gateway' });
    expect(results['string']).toMatchObject({ status: 'unhealthy', message: 'plain string' });
    expect(results['object']).toMatchObject({ status: 'unhealthy', message: 'object message' });
    expect(results['number']).toMatchObject({ status: 'unhealthy', message: 'check threw 42' });
    expect(results['empty']).toMatchObject({ status: 'unhealthy', message: 'Error' });
    expect(monitor.stats().errors).toBe(6);
  });

  it('an error whose message getter throws is still reported', async () => {
    const monitor = createHealthMonitor();
    const nasty = new Error('x');
    Object.defineProperty(nasty, 'message', {
      get() {
        throw new Error('gotcha');
      },
    });
    monitor.registerCheck('nasty', () => {
      throw nasty;
    });
    const result = await monitor.runCheck('nasty');
    expect(result?.status).toBe('unhealthy');
    expect(result?.message).toBe('check threw an object');
  });

  it.each([
    ['a number', 42, 'check returned 42'],
    ['null', null, 'check returned null'],
    ['undefined', undefined, 'check returned undefined'],
    ['a string', 'healthy', 'check returned "healthy"'],
    ['an array', [], 'check returned an array'],
    ['an unknown status', { status: 'ok' }, 'check returned status "ok"'],
    ['an uppercase status', { status: 'HEALTHY' }, 'check returned status "HEALTHY"'],
    ['no status', { message: 'fine' }, 'check returned status undefined'],
    ['a non-string message', { status: 'healthy', message: 5 }, 'check returned message 5'],
    ['array details', { status: 'healthy', details: [1] }, 'check returned details an array'],
    ['string details', { status: 'healthy', details: 'x' }, 'check returned details "x"'],
  ])('returning %s is UNHEALTHY with a clear message', async (_label, value, expected) => {
    const monitor = createHealthMonitor();
    monitor.registerCheck('bad', () => value as never);
    monitor.registerCheck('badAsync', async () => value as never);
    const results = await monitor.runAllChecks();
    for (const r of [results['bad'], results['badAsync']]) {
      expect(r?.status).toBe('unhealthy');
      expect(r?.message).toContain('invalid check result');
      expect(r?.message).toContain(expected);
    }
    expect(monitor.stats().invalidResults).toBe(2);
  });

  it('a result whose status getter throws is UNHEALTHY, not a crash', async () => {
    const monitor = createHealthMonitor();
    monitor.registerCheck(
      'getter',
      () =>
        Object.defineProperty({}, 'status', {
          get() {
            throw new Error('boom');
          },
          enumerable: true,
        }) as never,
    );
    const result = await monitor.runCheck('getter');
    expect(result?.status).toBe('unhealthy');
    expect(result?.message).toContain('boom');
  });

  it('a thenable whose then getter throws is UNHEALTHY', async () => {
    const monitor = createHealthMonitor();
    monitor.registerCheck(
      'thenable',
      () =>
        Object.defineProperty({}, 'then', {
          get() {
            throw new Error('then exploded');
          },
        }) as never,
    );
    const result = await monitor.runCheck('thenable');
    expect(result).toMatchObject({ status: 'unhealthy', message: 'then exploded' });
  });

  it('accepts custom thenables', async () => {
    const monitor = createHealthMonitor();
    monitor.registerCheck(
      'thenable',
      () => ({ then: (resolve: (v: unknown) => void) => resolve({ status: 'degraded' }) }) as never,
    );
    expect((await monitor.runCheck('thenable'))?.status).toBe('degraded');
  });

  it('false is UNHEALTHY with a message and true is HEALTHY', async () => {
    const monitor = createHealthMonitor();
    monitor.registerCheck('no', () => false);
    monitor.registerCheck('yes', async () => true);
    const results = await monitor.runAllChecks();
    expect(results['no']).toMatchObject({ status: 'unhealthy', message: 'check returned false' });
    expect(results['yes']).toMatchObject({ status: 'healthy', message: '' });
  });

  it('copies details so later mutation by the check does not change the stored result', async () => {
    const monitor = createHealthMonitor();
    const details: Record<string, unknown> = { pool: { active: 1 } };
    monitor.registerCheck('db', () => ({ status: HealthStatus.HEALTHY, details }));
    await monitor.runCheck('db');
    (details['pool'] as { active: number }).active = 99;
    expect(monitor.getCheckResult('db')?.details).toEqual({ pool: { active: 1 } });
  });

  it('truncates huge messages and counts it', async () => {
    const monitor = createHealthMonitor({ maxMessageLength: 100 });
    monitor.registerCheck('loud', () => ({ status: HealthStatus.DEGRADED, message: 'x'.repeat(10_000) }));
    monitor.registerCheck('loudThrow', () => {
      throw new Error('y'.repeat(5_000));
    });
    const results = await monitor.runAllChecks();
    expect(results['loud']?.message.startsWith('x'.repeat(100) + '… [truncated 9900 chars]')).toBe(true);
    expect(results['loud']?.message.length).toBeLessThan(200);
    expect(results['loudThrow']?.message.length).toBeLessThan(200);
    expect(monitor.stats().truncatedMessages).toBe(2);
  });

  it('replaces huge, cyclic or unserializable details with a marker and counts it', async () => {
    const monitor = createHealthMonitor({ maxDetailsBytes: 1000 });
    const cyclic: Record<string, unknown> = {};
    cyclic['self'] = cyclic;
    monitor.registerCheck('big', () => ({ status: HealthStatus.HEALTHY, details: { blob: 'z'.repeat(5000) } }));
    monitor.registerCheck('cyclic', () => ({ status: HealthStatus.HEALTHY, details: cyclic }));
    monitor.registerCheck('bigint', () => ({ status: HealthStatus.HEALTHY, details: { n: 10n } }));
    const results = await monitor.runAllChecks();
    for (const name of ['big', 'cyclic', 'bigint']) {
      expect(results[name]?.status).toBe('healthy');
      expect(results[name]?.details['truncated']).toBe(true);
      expect(JSON.stringify(results[name]?.details).length).toBeLessThan(1000);
    }
    expect(monitor.stats().truncatedDetails).toBe(3);
  });

  it('details with a __proto__ key stay data, not a prototype', async () => {
    const monitor = createHealthMonitor();
    monitor.registerCheck('db', () => ({
      status: HealthStatus.HEALTHY,
      details: JSON.parse('{"__proto__":{"polluted":true}}') as Record<string, unknown>,
    }));
    const result = await monitor.runCheck('db');
    expect(Object.keys(result?.details ?? {})).toEqual(['__proto__']);
    expect((result?.details as { polluted?: unknown }).polluted).toBeUndefined();
    expect(({} as { polluted?: unknown }).polluted).toBeUndefined();
  });

  it('calls the check without a this binding and with an AbortSignal', async () => {
    const monitor = createHealthMonitor();
    let seen: unknown = 'unset';
    let signal: unknown;
    monitor.registerCheck('db', function (this: unknown, s) {
      seen = this; // eslint-disable-line @typescript-eslint/no-this-alias -- the test checks the binding
      signal = s;
      return true;
    });
    await monitor.runCheck('db');
    expect(seen).toBeUndefined();
    expect(signal).toBeInstanceOf(AbortSignal);
    expect((signal as AbortSignal).aborted).toBe(false);
  });
});

describe('timeouts (fake timers)', () => {
  beforeEach(() => {
    vi.useFakeTimers();
  });
  afterEach(() => {
    vi.useRealTimers();
  });

  it('a check that never settles is UNHEALTHY after the default 5 s, with the signal aborted', async () => {
    const monitor = createHealthMonitor();
    let signal: AbortSignal | undefined;
    monitor.registerCheck('hang', (s) => {
      signal = s;
      return new Promise(() => undefined);
    });
    let result: unknown;
    void monitor.runCheck('hang').then((r) => (result = r));
    await vi.advanceTimersByTimeAsync(4_999);
    expect(result).toBeUndefined();
    expect(monitor.getCheckState('hang')?.running).toBe(true);
    await vi.advanceTimersByTimeAsync(1);
    expect(result).toMatchObject({
      name: 'hang',
      status: 'unhealthy',
      message: 'check timed out after 5000 ms',
      durationMs: 5000,
    });
    expect(signal?.aborted).toBe(true);
    expect((signal?.reason as ObsError).code).toBe('CHECK_TIMEOUT');
    expect(monitor.stats().timeouts).toBe(1);
    expect(monitor.getCheckState('hang')?.running).toBe(false);
  });

  it('uses the per-check timeout over the monitor default', async () => {
    const monitor = createHealthMonitor({ checkTimeoutMs: 10_000 });
    monitor.registerCheck('slow', () => new Promise((resolve) => setTimeout(() => resolve(true), 300)), {
      timeoutMs: 200,
    });
    monitor.registerCheck('fine', () => new Promise((resolve) => setTimeout(() => resolve(true), 300)));
    const all = monitor.runAllChecks();
    await vi.advanceTimersByTimeAsync(300);
    const results = await all;
    expect(results['slow']).toMatchObject({ status: 'unhealthy', message: 'check timed out after 200 ms' });
    expect(results['fine']).toMatchObject({ status: 'healthy' });
  });

  it('ignores and counts a late result or a late rejection', async () => {
    const monitor = createHealthMonitor({ checkTimeoutMs: 100 });
    monitor.registerCheck('lateOk', () => new Promise((resolve) => setTimeout(() => resolve(true), 500)));
    monitor.registerCheck(
      'lateFail',
      () => new Promise((_, reject) => setTimeout(() => reject(new Error('late')), 500)),
    );
    const events = collect(monitor);
    const all = monitor.runAllChecks();
    await vi.advanceTimersByTimeAsync(100);
    await all;
    await vi.advanceTimersByTimeAsync(1000);
    expect(monitor.getCheckResult('lateOk')?.status).toBe('unhealthy');
    expect(monitor.getCheckResult('lateFail')?.message).toBe('check timed out after 100 ms');
    expect(monitor.stats().lateResults).toBe(2);
    expect(events.filter((e) => e.type === 'health/check-completed')).toHaveLength(2);
  });

  it('a result just before the timeout wins and cancels the timer', async () => {
    const monitor = createHealthMonitor({ checkTimeoutMs: 100 });
    monitor.registerCheck('quick', () => new Promise((resolve) => setTimeout(() => resolve(true), 99)));
    const run = monitor.runCheck('quick');
    await vi.advanceTimersByTimeAsync(99);
    expect((await run)?.status).toBe('healthy');
    expect(vi.getTimerCount()).toBe(0);
  });

  it('runs checks concurrently: total time is the slowest check, not the sum', async () => {
    const monitor = createHealthMonitor();
    const started: string[] = [];
    for (const [name, ms] of [
      ['a', 300],
      ['b', 200],
      ['c', 100],
    ] as const) {
      monitor.registerCheck(name, () => {
        started.push(name);
        return new Promise((resolve) => setTimeout(() => resolve(true), ms));
      });
    }
    let done = false;
    const all = monitor.runAllChecks().then((r) => {
      done = true;
      return r;
    });
    expect(started).toEqual(['a', 'b', 'c']);
    await vi.advanceTimersByTimeAsync(299);
    expect(done).toBe(false);
    await vi.advanceTimersByTimeAsync(1);
    expect(done).toBe(true);
    const results = await all;
    expect(results['a']?.durationMs).toBe(300);
    expect(results['c']?.durationMs).toBe(100);
  });

  it('a second runCheck while one is in flight joins it instead of running the check twice', async () => {
    const monitor = createHealthMonitor();
    let calls = 0;
    monitor.registerCheck('db', () => {
      calls++;
      return new Promise((resolve) => setTimeout(() => resolve(true), 100));
    });
    const first = monitor.runCheck('db');
    const second = monitor.runCheck('db');
    const all = monitor.runAllChecks();
    await vi.advanceTimersByTimeAsync(100);
    expect(calls).toBe(1);
    expect(await first).toBe(await second);
    expect((await all)['db']).toBe(await first);
    const third = monitor.runCheck('db');
    await vi.advanceTimersByTimeAsync(100);
    expect(await third).not.toBe(await first);
    expect(calls).toBe(2);
  });

  it('a check unregistered (or replaced) during its run is not recorded and emits nothing', async () => {
    const monitor = createHealthMonitor();
    monitor.registerCheck('db', () => new Promise((resolve) => setTimeout(() => resolve(false), 100)));
    const events = collect(monitor);
    const run = monitor.runCheck('db');
    monitor.unregisterCheck('db');
    monitor.registerCheck('db', () => true);
    await vi.advanceTimersByTimeAsync(100);
    expect((await run)?.status).toBe('unhealthy');
    expect(monitor.getCheckResult('db')).toBeUndefined();
    expect(monitor.getCheckStatus('db')).toBe('unknown');
    expect(events.filter((e) => e.type === 'health/check-completed')).toEqual([]);
  });
});

describe('aggregation through the monitor', () => {
  it('is UNKNOWN with no checks and with no results yet', async () => {
    const monitor = createHealthMonitor();
    expect(monitor.getOverallStatus()).toBe('unknown');
    monitor.registerCheck('db', () => true);
    expect(monitor.getOverallStatus()).toBe('unknown');
    await monitor.runAllChecks();
    expect(monitor.getOverallStatus()).toBe('healthy');
  });

  it('critical unhealthy -> UNHEALTHY; non-critical unhealthy -> DEGRADED', async () => {
    const monitor = createHealthMonitor();
    monitor.registerCheck('db', () => true);
    monitor.registerCheck('cache', () => false, { critical: false });
    await monitor.runAllChecks();
    expect(monitor.getOverallStatus()).toBe('degraded');
    monitor.registerCheck('db', () => false);
    await monitor.runAllChecks();
    expect(monitor.getOverallStatus()).toBe('unhealthy');
  });

  it('a check that returns UNKNOWN keeps the service UNKNOWN if critical and is ignored if not', async () => {
    const monitor = createHealthMonitor();
    monitor.registerCheck('db', () => true);
    monitor.registerCheck('probe', () => ({ status: HealthStatus.UNKNOWN }), { critical: false });
    await monitor.runAllChecks();
    expect(monitor.getOverallStatus()).toBe('healthy');
    monitor.registerCheck('probe', () => ({ status: HealthStatus.UNKNOWN }));
    await monitor.runAllChecks();
    expect(monitor.getOverallStatus()).toBe('unknown');
  });

  it('groups have their own status; an empty group is UNKNOWN', async () => {
    const monitor = createHealthMonitor();
    monitor.registerCheck('process', () => true, { groups: ['liveness'] });
    monitor.registerCheck('db', () => false, { groups: ['readiness'] });
    monitor.registerCheck('cache', () => ({ status: HealthStatus.DEGRADED }), {
      groups: ['readiness', 'custom-group'],
    });
    await monitor.runAllChecks();
    expect(monitor.getGroupStatus('liveness')).toBe('healthy');
    expect(monitor.getGroupStatus('readiness')).toBe('unhealthy');
    expect(monitor.getGroupStatus('custom-group')).toBe('degraded');
    expect(monitor.getGroupStatus('startup')).toBe('unknown');
    expect(monitor.getOverallStatus()).toBe('unhealthy');
  });
});

describe('events$', () => {
  it('emits check-completed for every run and changed only on changes, with previous and current', async () => {
    const monitor = createHealthMonitor({ clock: new ManualClock(7) });
    let healthy = true;
    monitor.registerCheck('db', () => healthy);
    const events = collect(monitor);
    await monitor.runCheck('db');
    await monitor.runCheck('db');
    healthy = false;
    await monitor.runCheck('db');
    await monitor.runCheck('db');
    const summary = events.map((e) =>
      e.type === 'health/changed'
        ? `${e.scope}:${e.name ?? '*'}:${e.previous}->${e.current}`
        : e.type === 'health/check-completed'
          ? `done:${e.name}:${e.result.status}:${e.outcome}`
          : e.type,
    );
    expect(summary).toEqual([
      'done:db:healthy:ok',
      'check:db:unknown->healthy',
      'overall:*:unknown->healthy',
      'done:db:healthy:ok',
      'done:db:unhealthy:ok',
      'check:db:healthy->unhealthy',
      'overall:*:healthy->unhealthy',
      'done:db:unhealthy:ok',
    ]);
    for (const e of events) {
      expect(e.ts).toBe(7);
      expect(e.source).toBe('health');
    }
    const changed = events.find((e) => e.type === 'health/changed' && e.scope === 'check' && e.current === 'unhealthy');
    expect(changed?.type === 'health/changed' && changed.result?.message).toBe('check returned false');
  });

  it('reports the outcome of failed runs', async () => {
    const monitor = createHealthMonitor();
    monitor.registerCheck('throws', () => {
      throw new Error('x');
    });
    monitor.registerCheck('invalid', () => 5 as never);
    const events = collect(monitor);
    await monitor.runAllChecks();
    const outcomes = events.flatMap((e) =>
      e.type === 'health/check-completed' ? [`${e.name}:${e.outcome}:${e.reportedStatus}`] : [],
    );
    expect(outcomes).toEqual(['throws:error:unhealthy', 'invalid:invalid:unhealthy']);
  });

  it('emits an overall change when registering or unregistering changes it', async () => {
    const monitor = createHealthMonitor();
    monitor.registerCheck('db', () => true);
    await monitor.runAllChecks();
    const events = collect(monitor);
    monitor.registerCheck('cache', () => false, { critical: false });
    await monitor.runAllChecks();
    monitor.unregisterCheck('cache');
    const overall = events.flatMap((e) =>
      e.type === 'health/changed' && e.scope === 'overall' ? [`${e.previous}->${e.current}`] : [],
    );
    expect(overall).toEqual(['healthy->degraded', 'degraded->healthy']);
  });

  it('a throwing subscriber does not break the monitor or other subscribers', async () => {
    // RxJS reports subscriber errors through config.onUnhandledError (the hub installs one).
    const reported: unknown[] = [];
    const previous = rxjsConfig.onUnhandledError;
    rxjsConfig.onUnhandledError = (error) => reported.push(error);
    try {
      const monitor = createHealthMonitor();
      monitor.registerCheck('db', () => true);
      const seen: string[] = [];
      monitor.events$.subscribe(() => {
        throw new Error('subscriber bug');
      });
      monitor.events$.subscribe((e) => seen.push(e.type));
      const result = await monitor.runCheck('db');
      expect(result?.status).toBe('healthy');
      expect(seen).toEqual(['health/check-completed', 'health/changed', 'health/changed']);
      expect(monitor.getOverallStatus()).toBe('healthy');
      await new Promise((resolve) => setTimeout(resolve, 5));
      expect(reported).toHaveLength(3);
    } finally {
      rxjsConfig.onUnhandledError = previous;
    }
  });

  it('dispose completes events$ and forbids start', () => {
    const monitor = createHealthMonitor();
    let completed = false;
    monitor.events$.subscribe({ complete: () => (completed = true) });
    monitor.dispose();
    expect(completed).toBe(true);
    expect(() => monitor.start()).toThrow(ObsError);
  });
});
