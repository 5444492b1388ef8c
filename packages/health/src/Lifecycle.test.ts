import { EventEmitter } from 'node:events';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import {
  createHealthMonitor,
  createLifecycle,
  HealthValidationError,
  HealthLimitError,
  LifecyclePhase,
  OVERFLOW_BEACON_NAME,
  type LifecycleConfig,
  type LifecycleEvent,
  type LifecyclePhase as Phase,
} from './index';

/** A lifecycle on a fake `process` with a recording exit function; time is vitest's fake clock. */
function setup(config: LifecycleConfig = {}) {
  const proc = new EventEmitter();
  const exit = vi.fn<(code: number) => void>();
  const lifecycle = createLifecycle({ process: proc, exit, ...config });
  const events: LifecycleEvent[] = [];
  lifecycle.events$.subscribe((e) => events.push(e));
  const phases: Phase[] = [];
  lifecycle.phase$.subscribe((p) => phases.push(p));
  return { lifecycle, proc, exit, events, phases };
}

const t0 = 1_000_000;

describe('Lifecycle (virtual time)', () => {
  beforeEach(() => {
    vi.useFakeTimers();
    vi.setSystemTime(t0);
  });
  afterEach(() => {
    vi.useRealTimers();
  });

  it('fails readiness at once, serves through the delay, drains, then runs handlers in order', async () => {
    const { lifecycle, events, phases } = setup({ shutdownDelayMs: 5000, drainTimeoutMs: 10_000 });
    const log: string[] = [];
    lifecycle.onDrain('http', async () => {
      log.push(`drain-called@${Date.now() - t0}`);
      await new Promise((r) => setTimeout(r, 1000));
      log.push(`drain-done@${Date.now() - t0}`);
    });
    lifecycle.onShutdown('first', async () => {
      log.push(`first@${Date.now() - t0}`);
      await new Promise((r) => setTimeout(r, 200));
    });
    lifecycle.onShutdown('second', () => {
      log.push(`second@${Date.now() - t0}`);
    });
    expect(lifecycle.ready()).toBe(true);
    expect(lifecycle.toHealthJson('readiness').httpStatus).toBe(200);
    const upload = lifecycle.beacon('upload');

    const done = lifecycle.shutdown('test');
    // Synchronously: readiness fails, startup stays passed.
    expect(lifecycle.phase).toBe('draining');
    expect(lifecycle.isReady).toBe(false);
    const ready = lifecycle.toHealthJson('readiness');
    expect(ready.httpStatus).toBe(503);
    expect(ready.body.output).toContain('shutting down');
    expect(lifecycle.toHealthJson('startup').httpStatus).toBe(200);

    await vi.advanceTimersByTimeAsync(4999);
    expect(log).toEqual([]); // the delay: nothing stops yet
    await vi.advanceTimersByTimeAsync(1);
    expect(log).toEqual(['drain-called@5000']);
    await vi.advanceTimersByTimeAsync(1000);
    expect(log).toEqual(['drain-called@5000', 'drain-done@6000']);
    // The beacon still holds the shutdown.
    await vi.advanceTimersByTimeAsync(2000);
    expect(lifecycle.phase).toBe('draining');
    expect(log).toHaveLength(2);
    upload();
    await vi.advanceTimersByTimeAsync(0);
    expect(log).toEqual(['drain-called@5000', 'drain-done@6000', 'first@8000']);
    await vi.advanceTimersByTimeAsync(200);
    const report = await done;
    expect(log).toEqual(['drain-called@5000', 'drain-done@6000', 'first@8000', 'second@8200']);
    expect(report).toMatchObject({ reason: 'test', startedAt: t0, delayMs: 5000, drained: true, ok: true });
    expect(report.durationMs).toBe(8200);
    expect(report.steps.map((s) => [s.kind, s.name, s.outcome, s.durationMs])).toEqual([
      ['drain', 'http', 'ok', 1000],
      ['shutdown', 'first', 'ok', 200],
      ['shutdown', 'second', 'ok', 0],
    ]);
    expect(phases).toEqual(['starting', 'ready', 'draining', 'stopping', 'stopped']);
    expect(events.map((e) => e.type)).toEqual([
      'lifecycle/phase-changed',
      'lifecycle/phase-changed',
      'lifecycle/drain-started',
      'lifecycle/step-completed',
      'lifecycle/drained',
      'lifecycle/phase-changed',
      'lifecycle/step-completed',
      'lifecycle/step-completed',
      'lifecycle/phase-changed',
      'lifecycle/stopped',
    ]);
    const drainStarted = events.find((e) => e.type === 'lifecycle/drain-started');
    expect(drainStarted).toMatchObject({ ts: t0 + 5000, beacons: { upload: 1 } });
    expect(await lifecycle.whenStopped()).toBe(report);
    expect(lifecycle.shutdown()).toBe(done);
    expect(vi.getTimerCount()).toBe(0);
  });

  it('bounds the wait for beacons by drainTimeoutMs and still runs the handlers', async () => {
    const { lifecycle, events } = setup({ shutdownDelayMs: 1000, drainTimeoutMs: 3000 });
    lifecycle.ready();
    const ran: number[] = [];
    lifecycle.onShutdown('after', () => void ran.push(Date.now() - t0));
    lifecycle.beacon('upload');
    lifecycle.beacon('upload');
    const job = lifecycle.beacon('job');
    job();
    job(); // closing twice counts once
    expect(lifecycle.openBeacons()).toEqual({ upload: 2 });
    const done = lifecycle.shutdown();
    await vi.advanceTimersByTimeAsync(3999);
    expect(ran).toEqual([]);
    await vi.advanceTimersByTimeAsync(1);
    const report = await done;
    expect(ran).toEqual([4000]);
    expect(report.drained).toBe(false);
    expect(report.ok).toBe(false);
    expect(report.remainingBeacons).toEqual({ upload: 2 });
    expect(events.find((e) => e.type === 'lifecycle/drained')).toMatchObject({
      timedOut: true,
      durationMs: 3000,
      remainingBeacons: { upload: 2 },
      pendingHandlers: [],
    });
  });

  it('reports a hanging drain handler as timed out, aborting its signal', async () => {
    const { lifecycle, events } = setup({ shutdownDelayMs: 0, drainTimeoutMs: 2000 });
    lifecycle.ready();
    let aborted: unknown;
    lifecycle.onDrain('stuck', (signal) => {
      signal.addEventListener('abort', () => (aborted = signal.reason));
      return new Promise(() => undefined);
    });
    lifecycle.onDrain('broken', () => {
      throw new Error('no socket');
    });
    const done = lifecycle.shutdown();
    await vi.advanceTimersByTimeAsync(2000);
    const report = await done;
    expect(report.steps.map((s) => [s.name, s.outcome])).toEqual([
      ['stuck', 'timeout'],
      ['broken', 'error'],
    ]);
    expect(report.steps[1]?.error).toBe('Error: no socket');
    expect(String(aborted)).toMatch(/timed out after 2000 ms/);
    expect(report.drained).toBe(false);
    const drained = events.find((e) => e.type === 'lifecycle/drained');
    expect(drained).toMatchObject({ timedOut: true, pendingHandlers: ['stuck'] });
  });

  it('runs every shutdown handler in order even when one throws, rejects or hangs', async () => {
    const { lifecycle } = setup({ shutdownDelayMs: 0, handlerTimeoutMs: 1000 });
    const ran: string[] = [];
    lifecycle.onShutdown('throws', () => {
      ran.push('throws');
      throw new TypeError('boom');
    });
    lifecycle.onShutdown('rejects', async () => {
      ran.push('rejects');
      throw 'plain string';
    });
    lifecycle.onShutdown(
      'hangs',
      (signal) => {
        ran.push('hangs');
        return new Promise((_, reject) => signal.addEventListener('abort', () => reject(signal.reason)));
      },
      { timeoutMs: 7000 },
    );
    lifecycle.onShutdown('default-timeout', () => {
      ran.push('default-timeout');
      return new Promise(() => undefined);
    });
    const bad = {
      then() {
        throw new Error('bad thenable');
      },
    };
    lifecycle.onShutdown('bad-thenable', () => bad as unknown as Promise<void>);
    lifecycle.onShutdown('last', () => void ran.push('last'));
    const removed = lifecycle.onShutdown('removed', () => void ran.push('removed'));
    removed();

    const done = lifecycle.shutdown();
    await vi.advanceTimersByTimeAsync(6999);
    expect(ran).toEqual(['throws', 'rejects', 'hangs']);
    await vi.advanceTimersByTimeAsync(1);
    expect(ran).toEqual(['throws', 'rejects', 'hangs', 'default-timeout']);
    await vi.advanceTimersByTimeAsync(1000);
    const report = await done;
    expect(ran).toEqual(['throws', 'rejects', 'hangs', 'default-timeout', 'last']);
    expect(report.steps.map((s) => [s.name, s.outcome, s.durationMs])).toEqual([
      ['throws', 'error', 0],
      ['rejects', 'error', 0],
      ['hangs', 'timeout', 7000],
      ['default-timeout', 'timeout', 1000],
      ['bad-thenable', 'error', 0],
      ['last', 'ok', 0],
    ]);
    expect(report.steps.map((s) => s.error)).toEqual([
      'TypeError: boom',
      'plain string',
      'shutdown handler "hangs" timed out after 7000 ms',
      'shutdown handler "default-timeout" timed out after 1000 ms',
      'Error: bad thenable',
      undefined,
    ]);
    expect(report.ok).toBe(false);
    expect(report.drained).toBe(true);
    // Never ready, so no delay was waited.
    expect(report.delayMs).toBe(0);
  });

  it('shuts down on a signal, forces exit on a second one, and removes its listeners once stopped', async () => {
    const { lifecycle, proc, exit, events } = setup({ shutdownDelayMs: 3000 });
    lifecycle.ready();
    expect(proc.listenerCount('SIGTERM')).toBe(1);
    expect(proc.listenerCount('SIGINT')).toBe(1);
    proc.emit('SIGTERM', 'SIGTERM');
    expect(lifecycle.phase).toBe('draining');
    await vi.advanceTimersByTimeAsync(1000);
    expect(exit).not.toHaveBeenCalled();
    proc.emit('SIGINT', 'SIGINT');
    expect(exit).toHaveBeenCalledWith(1);
    expect(events.filter((e) => e.type === 'lifecycle/signal')).toMatchObject([
      { signal: 'SIGTERM', forced: false },
      { signal: 'SIGINT', forced: true },
    ]);
    expect(events.find((e) => e.type === 'lifecycle/forced-exit')).toMatchObject({
      reason: 'second-signal',
      code: 1,
      phase: 'draining',
    });
    // With a fake exit the shutdown goes on and ends normally.
    await vi.advanceTimersByTimeAsync(2000);
    const report = await lifecycle.whenStopped();
    expect(report.reason).toBe('SIGTERM');
    expect(proc.listenerCount('SIGTERM')).toBe(0);
    expect(proc.listenerCount('SIGINT')).toBe(0);
    expect(exit).toHaveBeenCalledTimes(1);
  });

  it('listens to the configured signals only, and dispose() removes them', () => {
    const { lifecycle, proc } = setup({ signals: ['SIGTERM', 'SIGHUP', 'SIGTERM'] });
    expect(proc.listenerCount('SIGTERM')).toBe(1);
    expect(proc.listenerCount('SIGHUP')).toBe(1);
    expect(proc.listenerCount('SIGINT')).toBe(0);
    let completed = false;
    lifecycle.events$.subscribe({ complete: () => (completed = true) });
    lifecycle.dispose();
    lifecycle.dispose();
    expect(proc.listenerCount('SIGTERM')).toBe(0);
    expect(proc.listenerCount('SIGHUP')).toBe(0);
    expect(completed).toBe(true);
    // With no signals, no process is needed at all.
    const quiet = createLifecycle({ signals: [], process: 'not an emitter' as never });
    expect(quiet.phase).toBe('starting');
  });

  it('calls exit(1) when the whole shutdown passes shutdownTimeoutMs', async () => {
    const { lifecycle, exit, events } = setup({
      shutdownDelayMs: 2000,
      shutdownTimeoutMs: 5000,
      handlerTimeoutMs: 60_000,
    });
    lifecycle.ready();
    lifecycle.onShutdown('slow', () => new Promise((r) => setTimeout(r, 10_000)));
    const done = lifecycle.shutdown();
    await vi.advanceTimersByTimeAsync(4999);
    expect(exit).not.toHaveBeenCalled();
    await vi.advanceTimersByTimeAsync(1);
    expect(exit).toHaveBeenCalledWith(1);
    expect(events.find((e) => e.type === 'lifecycle/forced-exit')).toMatchObject({
      reason: 'timeout',
      phase: 'stopping',
    });
    await vi.advanceTimersByTimeAsync(10_000);
    expect((await done).ok).toBe(true);
    expect(exit).toHaveBeenCalledTimes(1);
  });

  it('does not arm the overall bound with shutdownTimeoutMs: Infinity', async () => {
    const { lifecycle, exit } = setup({ shutdownDelayMs: 0, shutdownTimeoutMs: Infinity, handlerTimeoutMs: 100_000 });
    lifecycle.onShutdown('slow', () => new Promise((r) => setTimeout(r, 90_000)));
    const done = lifecycle.shutdown();
    await vi.advanceTimersByTimeAsync(90_000);
    await done;
    expect(exit).not.toHaveBeenCalled();
  });

  it('skips the delay when the service never was ready', async () => {
    const { lifecycle } = setup({ shutdownDelayMs: 10_000 });
    const ran: number[] = [];
    lifecycle.onShutdown('h', () => void ran.push(Date.now() - t0));
    const done = lifecycle.shutdown();
    await vi.advanceTimersByTimeAsync(0);
    expect(ran).toEqual([0]);
    expect((await done).delayMs).toBe(0);
    // Once shutting down, ready() is refused.
    expect(lifecycle.ready()).toBe(false);
    expect(lifecycle.phase).toBe('stopped');
  });

  it('becomes ready only once startup checks pass; the startup probe then passes for good', async () => {
    const health = createHealthMonitor();
    let warm = false;
    health.registerCheck('cache-warm', () => warm, { groups: ['startup'] });
    health.registerCheck('db', () => true, { groups: ['readiness'] });
    const { lifecycle, phases } = setup({ health });

    const before = lifecycle.toHealthJson('startup');
    expect(before.httpStatus).toBe(503);
    expect(before.body.output).toContain('has not started');
    expect(lifecycle.ready()).toBe(false); // no check has run yet
    expect(lifecycle.toHealthJson('readiness').httpStatus).toBe(503);
    await health.runAllChecks();
    expect(lifecycle.phase).toBe('starting');
    const failing = lifecycle.toHealthJson('startup');
    expect(failing.httpStatus).toBe(503);
    expect(failing.body.output).toMatch(/^startup checks have not passed yet; cache-warm: unhealthy/);
    expect(failing.body.checks?.['cache-warm:responseTime']?.[0]?.status).toBe('fail');
    // Without details (unauthenticated callers), no output.
    expect(lifecycle.toHealthJson('startup', { includeDetails: false }).body.output).toBeUndefined();

    warm = true;
    await health.runCheck('cache-warm');
    expect(lifecycle.phase).toBe('ready');
    expect(lifecycle.toHealthJson('startup')).toMatchObject({ httpStatus: 200, body: { status: 'pass' } });
    expect(lifecycle.toHealthJson('readiness')).toMatchObject({ httpStatus: 200, body: { status: 'pass' } });

    // A startup check failing later does not send the startup probe back to 503 (Kubernetes stops probing anyway).
    warm = false;
    await health.runCheck('cache-warm');
    expect(lifecycle.toHealthJson('startup').httpStatus).toBe(200);
    // Readiness follows the readiness group while ready.
    health.registerCheck('db', () => false, { groups: ['readiness'] });
    await health.runCheck('db');
    expect(lifecycle.toHealthJson('readiness').httpStatus).toBe(503);
    expect(phases).toEqual(['starting', 'ready']);
  });

  it('is ready at once without startup checks; readiness falls back to the overall status', async () => {
    const health = createHealthMonitor();
    health.registerCheck('db', () => true);
    const { lifecycle } = setup({ health });
    expect(lifecycle.toHealthJson('readiness').httpStatus).toBe(503);
    expect(lifecycle.ready()).toBe(true);
    expect(lifecycle.isStarted).toBe(true);
    expect(lifecycle.toHealthJson('readiness').httpStatus).toBe(503); // db not run: UNKNOWN
    await health.runAllChecks();
    expect(lifecycle.toHealthJson('readiness').httpStatus).toBe(200);
  });

  it('phase$ gives the current phase to late subscribers and completes when stopped', async () => {
    const { lifecycle } = setup({ shutdownDelayMs: 0 });
    lifecycle.ready();
    const seen: Phase[] = [];
    let completed = false;
    lifecycle.phase$.subscribe({ next: (p) => seen.push(p), complete: () => (completed = true) });
    expect(seen).toEqual([LifecyclePhase.READY]);
    await lifecycle.shutdown();
    expect(seen).toEqual(['ready', 'draining', 'stopping', 'stopped']);
    expect(completed).toBe(true);
  });

  it('counts beacons past maxBeaconNames under one name', () => {
    const { lifecycle } = setup({ maxBeaconNames: 2 });
    const a = lifecycle.beacon('a');
    lifecycle.beacon('b');
    lifecycle.beacon('c');
    lifecycle.beacon('d');
    lifecycle.beacon('__proto__');
    expect(lifecycle.openBeacons()).toEqual({ a: 1, b: 1, [OVERFLOW_BEACON_NAME]: 3 });
    a();
    // 'a' is free again, so a new name can take its place.
    lifecycle.beacon('e');
    expect(lifecycle.openBeacons()).toEqual({ b: 1, e: 1, [OVERFLOW_BEACON_NAME]: 3 });
  });

  it('refuses bad options and late handlers with typed errors', async () => {
    const proc = new EventEmitter();
    expect(() => createLifecycle({ process: proc, shutdownDelayMs: -1 })).toThrow(HealthValidationError);
    expect(() => createLifecycle({ process: proc, shutdownTimeoutMs: NaN })).toThrow(HealthValidationError);
    expect(() => createLifecycle({ process: proc, signals: ['TERM'] })).toThrow(HealthValidationError);
    expect(() => createLifecycle({ process: {} as never })).toThrow(/on\(\) and removeListener\(\)/);
    expect(() => createLifecycle({ process: proc, exit: 1 as never })).toThrow(HealthValidationError);
    expect(() => createLifecycle({ process: proc, health: {} as never })).toThrow(HealthValidationError);
    expect(proc.listenerCount('SIGTERM')).toBe(0);

    const { lifecycle } = setup({ shutdownDelayMs: 0, maxHandlers: 2 });
    expect(() => lifecycle.beacon('')).toThrow(HealthValidationError);
    expect(() => lifecycle.onShutdown('x', 'nope' as never)).toThrow(HealthValidationError);
    expect(() => lifecycle.onShutdown('x', () => undefined, { timeoutMs: 0 })).toThrow(HealthValidationError);
    expect(() => lifecycle.toHealthJson('liveness' as never)).toThrow(HealthValidationError);
    lifecycle.onDrain('a', () => undefined);
    lifecycle.onShutdown('b', () => undefined);
    expect(() => lifecycle.onShutdown('c', () => undefined)).toThrow(HealthLimitError);
    await lifecycle.shutdown();
    expect(() => lifecycle.onShutdown('late', () => undefined)).toThrow(/already running/);
    expect(() => lifecycle.onDrain('late', () => undefined)).toThrow(/already running/);
  });
});
