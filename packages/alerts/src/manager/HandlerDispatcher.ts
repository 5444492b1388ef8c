import type { Clock } from '@obs/core';
import { AlertLimitError, AlertValidationError } from '../errors';
import type { AlertsEvent } from '../events';
import type { AlertHandler, AlertNotification, NotificationHandler } from '../Notification';
import type { TimerFn } from '../internal/timers';
import { duration, errorMessage, isThenable, requireFunction, requireId } from '../internal/validate';

export interface HandlerOptions {
  /** Name used in `alerts/handler-error` events. Default: the function's name or `handler#n`. */
  readonly name?: string;
  /** Per-call timeout for async handlers. Default: `handlerTimeoutMs` of the manager. */
  readonly timeoutMs?: number;
}

interface RegisteredHandler<F> {
  readonly fn: F;
  readonly name: string;
  readonly timeoutMs: number;
}

const SOURCE = 'alerts';

/**
 * Hands each notification to the handlers: group handlers (sinks) once, alert handlers once
 * per alert. Every call is isolated: a throw, a rejection or no settlement within the
 * handler's timeout becomes an `alerts/handler-error` event and the others still run.
 * Async calls in flight are tracked so that `drain()` can wait for them.
 */
export class HandlerDispatcher {
  private readonly alertHandlers: RegisteredHandler<AlertHandler>[] = [];
  private readonly notificationHandlers: RegisteredHandler<NotificationHandler>[] = [];
  private readonly inflight = new Set<Promise<void>>();
  private seq = 0;
  notifications = 0;
  errors = 0;

  constructor(
    private readonly clock: Clock,
    private readonly timers: TimerFn,
    private readonly defaultTimeoutMs: number,
    private readonly maxHandlers: number,
    private readonly emit: (event: AlertsEvent) => void,
  ) {}

  addAlertHandler(fn: AlertHandler, options: HandlerOptions): () => boolean {
    return this.addTo(this.alertHandlers, fn, options);
  }

  addNotificationHandler(fn: NotificationHandler, options: HandlerOptions): () => boolean {
    return this.addTo(this.notificationHandlers, fn, options);
  }

  private addTo<F>(list: RegisteredHandler<F>[], fn: F, options: HandlerOptions): () => boolean {
    requireFunction(fn, 'handler');
    if (options === null || typeof options !== 'object') throw new AlertValidationError('INVALID_ARGUMENT', 'handler options must be an object');
    if (this.alertHandlers.length + this.notificationHandlers.length >= this.maxHandlers) {
      throw new AlertLimitError('HANDLER_LIMIT', `at most ${this.maxHandlers} handlers`, this.maxHandlers);
    }
    const seq = ++this.seq;
    const fnName = (fn as { name?: unknown }).name;
    const name = options.name !== undefined ? requireId(options.name, 'handler name') : typeof fnName === 'string' && fnName ? fnName : `handler#${seq}`;
    const entry: RegisteredHandler<F> = { fn, name, timeoutMs: duration(options.timeoutMs, 'timeoutMs', this.defaultTimeoutMs, 1) };
    list.push(entry);
    return () => {
      const i = list.indexOf(entry);
      if (i < 0) return false;
      list.splice(i, 1);
      return true;
    };
  }

  /** Announces a notification (`alerts/notified`) and calls every handler with it. */
  deliver(n: AlertNotification): void {
    this.notifications++;
    const alertHandlers = [...this.alertHandlers];
    const groupHandlers = [...this.notificationHandlers];
    this.emit({
      type: 'alerts/notified',
      ts: n.timestamp,
      source: SOURCE,
      groupKey: n.groupKey,
      status: n.status,
      alertIds: n.alerts.map((a) => a.alertId),
      handlers: alertHandlers.length + groupHandlers.length,
    });
    for (const h of groupHandlers) this.invoke(h, () => h.fn(n), n.groupKey, undefined);
    for (const h of alertHandlers) for (const a of n.alerts) this.invoke(h, () => h.fn(a, n), n.groupKey, a.alertId);
  }

  /** Calls one handler, isolating throws, rejections and hangs. */
  private invoke(h: RegisteredHandler<unknown>, call: () => unknown, groupKey: string, alertId: string | undefined): void {
    const report = (error: string, timedOut: boolean) => {
      this.errors++;
      this.emit({
        type: 'alerts/handler-error',
        ts: this.clock.now(),
        source: SOURCE,
        handler: h.name,
        groupKey,
        ...(alertId !== undefined ? { alertId } : {}),
        error,
        timedOut,
      });
    };
    let result: unknown;
    try {
      result = call();
    } catch (error) {
      report(errorMessage(error), false);
      return;
    }
    if (!isThenable(result)) return;
    let settled = false;
    let release: () => void = () => undefined;
    const done = new Promise<void>((resolve) => (release = resolve));
    const finish = () => {
      cancel();
      this.inflight.delete(done);
      release();
    };
    const cancel = this.timers(() => {
      if (settled) return;
      settled = true;
      report(`timed out after ${h.timeoutMs} ms`, true);
      finish();
    }, h.timeoutMs);
    this.inflight.add(done);
    Promise.resolve(result).then(
      () => {
        if (settled) return;
        settled = true;
        finish();
      },
      (error: unknown) => {
        if (settled) return; // late failures after a timeout were already reported
        settled = true;
        report(errorMessage(error), false);
        finish();
      },
    );
  }

  /** Resolves once every async call in flight has settled (or timed out). */
  async drain(): Promise<void> {
    while (this.inflight.size > 0) await Promise.all([...this.inflight]);
  }
}
