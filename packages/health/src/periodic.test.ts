import { ManualClock } from '@obs/core';
import { VirtualTimeScheduler } from 'rxjs';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { createHealthMonitor, type HealthEvent } from './index';

describe('periodic runs (fake timers, default asyncScheduler)', () => {
  beforeEach(() => {
    vi.useFakeTimers();
  });
  afterEach(() => {
    vi.useRealTimers();
  });

  it('runs at start and then every healthCheckIntervalSeconds; a second start is a no-op', async () => {
    const monitor = createHealthMonitor({ healthCheckIntervalSeconds: 30 });
    let calls = 0;
    monitor.registerCheck('db', () => {
      calls++;
      return true;
    });
    monitor.start();
    monitor.start();
    expect(monitor.isRunning).toBe(true);
    await vi.advanceTimersByTimeAsync(0);
    expect(calls).toBe(1);
    expect(monitor.getOverallStatus()).toBe('healthy');
    await vi.advanceTimersByTimeAsync(29_999);
    expect(calls).toBe(1);
    await vi.advanceTimersByTimeAsync(1);
    expect(calls).toBe(2);
    await vi.advanceTimersByTimeAsync(60_000);
    expect(calls).toBe(4);
    monitor.stop();
    monitor.stop();
    expect(monitor.isRunning).toBe(false);
    await vi.advanceTimersByTimeAsync(120_000);
    expect(calls).toBe(4);
    expect(vi.getTimerCount()).toBe(0);
  });

  it('can be restarted after stop', async () => {
    const monitor = createHealthMonitor({ healthCheckIntervalSeconds: 10 });
    let calls = 0;
    monitor.registerCheck('db', () => {
      calls++;
      return true;
    });
    monitor.start();
    await vi.advanceTimersByTimeAsync(10_000);
    monitor.stop();
    monitor.start();
    await vi.advanceTimersByTimeAsync(0);
    expect(calls).toBe(3);
    monitor.dispose();
    await vi.advanceTimersByTimeAsync(100_000);
    expect(calls).toBe(3);
  });

  it('skips a run that is due while the previous one is still going, and reports it', async () => {
    const monitor = createHealthMonitor({ healthCheckIntervalSeconds: 30, checkTimeoutMs: 60_000 });
    let calls = 0;
    monitor.registerCheck('slow', () => {
      calls++;
      return new Promise((resolve) => setTimeout(() => resolve(true), 45_000));
    });
    monitor.registerCheck('fast', () => true);
    const events: HealthEvent[] = [];
    monitor.events$.subscribe((e) => events.push(e));
    monitor.start();
    await vi.advanceTimersByTimeAsync(30_000);
    expect(calls).toBe(1);
    expect(monitor.stats().skippedRuns).toBe(1);
    const skipped = events.filter((e) => e.type === 'health/run-skipped');
    expect(skipped).toHaveLength(1);
    expect(skipped[0]?.type === 'health/run-skipped' && skipped[0].runningForMs).toBe(30_000);
    // The fast check was not run again either: whole runs never overlap.
    expect(events.filter((e) => e.type === 'health/check-completed' && e.name === 'fast')).toHaveLength(1);
    await vi.advanceTimersByTimeAsync(30_000);
    expect(calls).toBe(2);
    expect(monitor.getCheckResult('slow')?.durationMs).toBe(45_000);
    monitor.stop();
  });

  it('a periodic run of a hanging check ends at its timeout, so the next run happens', async () => {
    const monitor = createHealthMonitor({ healthCheckIntervalSeconds: 30, checkTimeoutMs: 5_000 });
    let calls = 0;
    monitor.registerCheck('hang', () => {
      calls++;
      return new Promise(() => undefined);
    });
    monitor.start();
    await vi.advanceTimersByTimeAsync(60_000);
    expect(calls).toBe(3);
    // The third run started at 60 s; its timeout is due at 65 s.
    expect(monitor.stats()).toMatchObject({ timeouts: 2, skippedRuns: 0 });
    expect(monitor.getOverallStatus()).toBe('unhealthy');
    monitor.stop();
  });
});

describe('periodic runs on an injected virtual-time scheduler', () => {
  /** Advances the virtual scheduler to `frame`, letting promise callbacks run between actions. */
  async function advanceTo(scheduler: VirtualTimeScheduler, frame: number): Promise<void> {
    while (scheduler.frame < frame) {
      const next = Math.min(frame, scheduler.frame + 1_000);
      scheduler.maxFrames = next;
      scheduler.flush();
      // flush() stops at maxFrames without moving `frame` when nothing is due; step it explicitly.
      scheduler.frame = next;
      for (let i = 0; i < 10; i++) await Promise.resolve();
    }
  }

  it('runs on the injected scheduler and times out checks in virtual time', async () => {
    const scheduler = new VirtualTimeScheduler();
    const clock = { now: () => scheduler.frame };
    const monitor = createHealthMonitor({ healthCheckIntervalSeconds: 60, checkTimeoutMs: 2_000, scheduler, clock });
    const calls: number[] = [];
    monitor.registerCheck('hang', () => {
      calls.push(scheduler.frame);
      return new Promise(() => undefined);
    });
    monitor.start();
    await advanceTo(scheduler, 180_000);
    expect(calls).toEqual([0, 60_000, 120_000, 180_000]);
    expect(monitor.stats().timeouts).toBe(3);
    expect(monitor.getCheckResult('hang')).toMatchObject({
      status: 'unhealthy',
      message: 'check timed out after 2000 ms',
      durationMs: 2_000,
    });
    monitor.stop();
  });

  it('uses the injected clock for timestamps', async () => {
    const clock = new ManualClock(42_000);
    const monitor = createHealthMonitor({ clock, scheduler: new VirtualTimeScheduler() });
    monitor.registerCheck('db', () => true);
    expect((await monitor.runCheck('db'))?.timestamp).toBe(42_000);
  });
});
