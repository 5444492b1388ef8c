import type { Clock } from '@obs/core';
import { ObsError, errorMessage } from '@obs/core';
import type { SchedulerLike } from 'rxjs';
import type { LifecycleStepResult } from '../lifecycleEvents';

/** A drain or shutdown handler: sync or async; its signal is aborted when its time is up. */
export type LifecycleHandler = (signal: AbortSignal) => void | PromiseLike<unknown>;

/**
 * Runs one handler against its timeout and resolves to how it ended. Never
 * rejects: a throw, a rejection or a hang becomes an outcome, so the handlers
 * after it still run. A handler that ends after its timeout is ignored.
 */
export function runStep(
  name: string,
  kind: LifecycleStepResult['kind'],
  fn: LifecycleHandler,
  timeoutMs: number,
  scheduler: SchedulerLike,
  clock: Clock,
): Promise<LifecycleStepResult> {
  const started = clock.now();
  const controller = new AbortController();
  return new Promise<LifecycleStepResult>((resolve) => {
    let settled = false;
    const settle = (outcome: LifecycleStepResult['outcome'], error: string | undefined) => {
      if (settled) return;
      settled = true;
      timeout?.unsubscribe();
      resolve({ name, kind, outcome, durationMs: Math.max(0, clock.now() - started), error });
    };
    const timeout = Number.isFinite(timeoutMs)
      ? scheduler.schedule(() => {
          const message = `${kind} handler ${JSON.stringify(name)} timed out after ${timeoutMs} ms`;
          controller.abort(new ObsError('HANDLER_TIMEOUT', message));
          settle('timeout', message);
        }, timeoutMs)
      : undefined;
    let value: unknown;
    try {
      value = fn.call(undefined, controller.signal);
    } catch (error) {
      settle('error', errorMessage(error));
      return;
    }
    // Promise.resolve adopts any thenable (a throwing `then` becomes a rejection) and waits a tick for sync ones.
    Promise.resolve(value).then(
      () => settle('ok', undefined),
      (error: unknown) => settle('error', errorMessage(error)),
    );
  });
}
