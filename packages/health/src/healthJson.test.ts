import { ManualClock } from '@obs/core';
import { fc, test } from '@fast-check/vitest';
import { describe, expect, it } from 'vitest';
import {
  createHealthMonitor,
  HEALTH_JSON_CONTENT_TYPE,
  HealthStatus,
  HealthValidationError,
  type HealthJsonResponse,
} from './index';

const JSON_STATUSES = ['pass', 'warn', 'fail'];
const ISO_8601 = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})$/;

/**
 * Checks a response against the rules of draft-inadarei-api-health-check:
 * returns the list of violations (empty when valid).
 */
function violations(response: HealthJsonResponse): string[] {
  const out: string[] = [];
  const body = JSON.parse(JSON.stringify(response.body)) as Record<string, unknown>;
  if (response.contentType !== 'application/health+json') out.push('content type');
  if (!JSON_STATUSES.includes(body['status'] as string)) out.push('root status must be pass, warn or fail');
  if (response.status !== body['status']) out.push('response.status differs from body.status');
  const ok = body['status'] === 'pass' || body['status'] === 'warn';
  if (ok && !(response.httpStatus >= 200 && response.httpStatus < 400)) out.push('pass/warn MUST use 2xx-3xx');
  if (!ok && !(response.httpStatus >= 400 && response.httpStatus < 600)) out.push('fail MUST use 4xx-5xx');
  for (const key of ['version', 'releaseId', 'serviceId', 'description', 'output']) {
    if (body[key] !== undefined && typeof body[key] !== 'string') out.push(`${key} must be a string`);
  }
  if (body['status'] === 'pass' && body['output'] !== undefined) out.push('output SHOULD be omitted for pass');
  const checks = body['checks'];
  if (checks === undefined) return out;
  if (typeof checks !== 'object' || checks === null || Array.isArray(checks))
    return [...out, 'checks must be an object'];
  for (const [key, list] of Object.entries(checks)) {
    if (key.split(':').length > 2) out.push(`key ${key}: component and measurement names MUST NOT contain colons`);
    if (key.split(':').some((part) => part === '')) out.push(`key ${key}: empty part`);
    if (!Array.isArray(list) || list.length === 0) {
      out.push(`checks[${key}] must be a non-empty array`);
      continue;
    }
    for (const entry of list as Record<string, unknown>[]) {
      if (typeof entry !== 'object' || entry === null || Object.keys(entry).length === 0)
        out.push(`checks[${key}] entry needs at least one key`);
      for (const f of ['componentId', 'componentType', 'observedUnit', 'output', 'time']) {
        if (entry[f] !== undefined && typeof entry[f] !== 'string') out.push(`checks[${key}].${f} must be a string`);
      }
      if (entry['status'] !== undefined && !JSON_STATUSES.includes(entry['status'] as string))
        out.push(`checks[${key}].status invalid`);
      if (entry['status'] === 'pass' && entry['output'] !== undefined)
        out.push(`checks[${key}].output SHOULD be omitted for pass`);
      if (
        entry['observedValue'] !== undefined &&
        entry['observedUnit'] === undefined &&
        typeof entry['observedValue'] === 'number'
      ) {
        out.push(`checks[${key}].observedUnit SHOULD accompany a numeric observedValue`);
      }
      if (entry['componentType'] === undefined)
        out.push(`checks[${key}].componentType SHOULD be present with a componentName`);
      if (
        entry['time'] !== undefined &&
        (!ISO_8601.test(entry['time'] as string) || Number.isNaN(Date.parse(entry['time'] as string)))
      ) {
        out.push(`checks[${key}].time is not ISO 8601`);
      }
    }
  }
  return out;
}

describe('toHealthJson', () => {
  it('produces the draft format with component:measurement keys and HTTP status', async () => {
    const clock = new ManualClock(Date.UTC(2026, 10, 29, 9, 0, 0));
    const monitor = createHealthMonitor({ clock });
    monitor.registerCheck(
      'database',
      () => {
        clock.advance(12);
        return { status: HealthStatus.HEALTHY, message: 'Connected' };
      },
      { componentType: 'datastore', groups: ['readiness'] },
    );
    monitor.registerCheck('cache', () => ({ status: HealthStatus.DEGRADED, message: 'slow' }), { critical: false });
    monitor.registerCheck(
      'cpu',
      () => ({ status: HealthStatus.HEALTHY, details: { observedValue: 85, observedUnit: 'percent' } }),
      {
        measurementName: 'utilization',
        componentType: 'system',
      },
    );
    await monitor.runAllChecks();
    const response = monitor.toHealthJson(undefined, {
      description: 'health of the api',
      version: '1',
      releaseId: '1.2.3',
      serviceId: 'svc-1',
    });
    expect(violations(response)).toEqual([]);
    expect(response).toEqual({
      status: 'warn',
      httpStatus: 200,
      contentType: HEALTH_JSON_CONTENT_TYPE,
      body: {
        status: 'warn',
        version: '1',
        releaseId: '1.2.3',
        serviceId: 'svc-1',
        description: 'health of the api',
        output: 'cache: degraded',
        checks: {
          'database:responseTime': [
            {
              componentId: 'database',
              componentType: 'datastore',
              observedValue: 12,
              observedUnit: 'ms',
              status: 'pass',
              time: '2026-11-29T09:00:00.012Z',
            },
          ],
          'cache:responseTime': [
            {
              componentId: 'cache',
              componentType: 'component',
              observedValue: 0,
              observedUnit: 'ms',
              status: 'warn',
              time: '2026-11-29T09:00:00.012Z',
              output: 'slow',
            },
          ],
          'cpu:utilization': [
            {
              componentId: 'cpu',
              componentType: 'system',
              observedValue: 85,
              observedUnit: 'percent',
              status: 'pass',
              time: '2026-11-29T09:00:00.012Z',
            },
          ],
        },
      },
    });
  });

  it('is 503 fail when a critical check fails, with the message as output', async () => {
    const monitor = createHealthMonitor();
    monitor.registerCheck('database', () => {
      throw new Error('ECONNREFUSED 127.0.0.1:5432');
    });
    await monitor.runAllChecks();
    const response = monitor.toHealthJson();
    expect(violations(response)).toEqual([]);
    expect(response.httpStatus).toBe(503);
    expect(response.status).toBe('fail');
    expect(response.body.checks?.['database:responseTime']?.[0]?.output).toBe('ECONNREFUSED 127.0.0.1:5432');
  });

  it('omits observed values and outputs with includeDetails: false, and checks with includeChecks: false', async () => {
    const monitor = createHealthMonitor();
    monitor.registerCheck('database', () => ({
      status: HealthStatus.UNHEALTHY,
      message: 'password rejected for user admin',
      details: { observedValue: 3 },
    }));
    await monitor.runAllChecks();
    const response = monitor.toHealthJson(undefined, { includeDetails: false });
    expect(violations(response)).toEqual([]);
    expect(JSON.stringify(response.body)).not.toContain('password');
    expect(response.body.output).toBeUndefined();
    const entry = response.body.checks?.['database:responseTime']?.[0];
    expect(entry).toEqual({
      componentId: 'database',
      componentType: 'component',
      status: 'fail',
      time: expect.any(String),
    });
    const bare = monitor.toHealthJson(undefined, { includeChecks: false });
    expect(bare.body).toEqual({ status: 'fail', output: 'database: unhealthy' });
  });

  it('reports UNKNOWN as fail by default (or as asked) and lists checks without a result', () => {
    const monitor = createHealthMonitor();
    monitor.registerCheck('database', () => true);
    const response = monitor.toHealthJson();
    expect(violations(response)).toEqual([]);
    expect(response.httpStatus).toBe(503);
    expect(response.body.checks?.['database:responseTime']).toEqual([
      { componentId: 'database', componentType: 'component', status: 'warn', output: 'no result yet' },
    ]);
    expect(monitor.toHealthJson(undefined, { unknownAs: 'pass' }).httpStatus).toBe(200);
    expect(monitor.toHealthJson(undefined, { unknownAs: 'warn' }).status).toBe('warn');
  });

  it('restricts to a group and uses the group status', async () => {
    const monitor = createHealthMonitor();
    monitor.registerCheck('process', () => true, { groups: ['liveness'] });
    monitor.registerCheck('database', () => false, { groups: ['readiness'] });
    await monitor.runAllChecks();
    const live = monitor.toHealthJson('liveness');
    const ready = monitor.toHealthJson('readiness');
    expect(violations(live)).toEqual([]);
    expect(violations(ready)).toEqual([]);
    expect(live.httpStatus).toBe(200);
    expect(Object.keys(live.body.checks ?? {})).toEqual(['process:responseTime']);
    expect(ready.httpStatus).toBe(503);
    expect(Object.keys(ready.body.checks ?? {})).toEqual(['database:responseTime']);
    expect(monitor.toHealthJson('nobody').body).toEqual({ status: 'fail', checks: {} });
  });

  it('puts checks sharing a component:measurement key into one array (one entry per node)', async () => {
    const monitor = createHealthMonitor();
    monitor.registerCheck('db-1', () => true, { componentName: 'db', componentId: 'node-1' });
    monitor.registerCheck('db-2', () => false, { componentName: 'db', componentId: 'node-2', critical: false });
    await monitor.runAllChecks();
    const response = monitor.toHealthJson();
    expect(violations(response)).toEqual([]);
    expect(response.body.checks?.['db:responseTime']?.map((e) => [e.componentId, e.status])).toEqual([
      ['node-1', 'pass'],
      ['node-2', 'fail'],
    ]);
  });

  it('takes measurement and component facts from details, ignoring unusable ones', async () => {
    const monitor = createHealthMonitor();
    monitor.registerCheck('pool', () => ({
      status: HealthStatus.HEALTHY,
      details: {
        measurementName: 'connections',
        observedValue: 75,
        observedUnit: 'count',
        componentType: 'datastore',
        componentId: 'urn:pool:1',
      },
    }));
    monitor.registerCheck('weird', () => ({
      status: HealthStatus.HEALTHY,
      details: { measurementName: 'a:b', componentType: 42, observedValue: { nested: true } },
    }));
    await monitor.runAllChecks();
    const response = monitor.toHealthJson();
    expect(violations(response)).toEqual([]);
    expect(response.body.checks?.['pool:connections']).toEqual([
      {
        componentId: 'urn:pool:1',
        componentType: 'datastore',
        observedValue: 75,
        observedUnit: 'count',
        status: 'pass',
        time: expect.any(String),
      },
    ]);
    expect(response.body.checks?.['weird:responseTime']?.[0]).toMatchObject({
      componentType: 'component',
      observedValue: { nested: true },
    });
  });

  it('names a check __proto__ safely', async () => {
    const monitor = createHealthMonitor();
    monitor.registerCheck('__proto__', () => true);
    await monitor.runAllChecks();
    const response = monitor.toHealthJson();
    expect(Object.keys(response.body.checks ?? {})).toEqual(['__proto__:responseTime']);
    expect(violations(response)).toEqual([]);
  });

  it('rejects bad arguments with typed errors', () => {
    const monitor = createHealthMonitor();
    expect(() => monitor.toHealthJson('')).toThrow(HealthValidationError);
    expect(() => monitor.toHealthJson(5 as never)).toThrow(HealthValidationError);
    expect(() => monitor.toHealthJson(undefined, 'x' as never)).toThrow(HealthValidationError);
    expect(() => monitor.toHealthJson(undefined, { unknownAs: 'ok' as never })).toThrow(HealthValidationError);
    expect(() => monitor.toHealthJson(undefined, { includeDetails: 'no' as never })).toThrow(HealthValidationError);
    expect(() => monitor.toHealthJson(undefined, { version: 2 as never })).toThrow(HealthValidationError);
  });

  const checkArb = fc.record({
    name: fc.stringMatching(/^[a-z][a-z0-9 _.-]{0,10}[a-z0-9]$/),
    result: fc.oneof(
      fc.boolean(),
      fc.record({
        status: fc.constantFrom('healthy', 'degraded', 'unhealthy', 'unknown'),
        message: fc.option(fc.string({ maxLength: 50 }), { nil: undefined }),
        details: fc.option(fc.dictionary(fc.string({ maxLength: 12 }), fc.jsonValue({ maxDepth: 2 }), { maxKeys: 4 }), {
          nil: undefined,
        }),
      }),
      fc.constant('throw'),
      fc.constant(42),
    ),
    critical: fc.boolean(),
    groups: fc.subarray(['liveness', 'readiness', 'other']),
    run: fc.boolean(),
  });

  test.prop([
    fc.uniqueArray(checkArb, { selector: (c) => c.name, maxLength: 8 }),
    fc.constantFrom(undefined, 'liveness', 'readiness'),
    fc.boolean(),
  ])('every response follows the draft rules', async (checks, group, includeDetails) => {
    const monitor = createHealthMonitor();
    for (const c of checks) {
      monitor.registerCheck(
        c.name,
        () => {
          if (c.result === 'throw') throw new Error('failed');
          return c.result as never;
        },
        { critical: c.critical, groups: c.groups },
      );
    }
    for (const c of checks) if (c.run) await monitor.runCheck(c.name);
    const response = monitor.toHealthJson(group, { includeDetails });
    expect(violations(response)).toEqual([]);
    const status = group === undefined ? monitor.getOverallStatus() : monitor.getGroupStatus(group);
    const expected = { healthy: 'pass', degraded: 'warn', unhealthy: 'fail', unknown: 'fail' }[status];
    expect(response.status).toBe(expected);
    const entries = Object.values(response.body.checks ?? {}).flat();
    expect(entries).toHaveLength(checks.filter((c) => group === undefined || c.groups.includes(group)).length);
  });
});
