import type { Clock } from '@obs/core';
import { describeValue, requireFunction } from '@obs/core';
import { AlertLimitError, AlertValidationError } from '../errors';
import type { AlertsEvent } from '../events';
import type { AlertHandler, AlertNotification, NotificationHandler } from '../Notification';
import type { TimerFn } from '../internal/timers';
import { duration, errorMessage, isThenable, invalidArgument, requireId } from '../internal/validate';

export interface HandlerOptions {
  /** Name used in `alerts/handler-error` events. Default: the function's name or `handler#n`. */
  readonly name?: string;
  /** Per-call timeout for async handlers. Default: `handlerTimeoutMs` of the manager. */
  readonly timeoutMs?: number;
  /**
   * The receiver this handler belongs to: it gets the notifications of the routes naming that
   * receiver. Default `'default'` (the root route's receiver unless the route names another).
   * Other names must be declared in the manager's `receivers` config.
   */
  readonly receiver?: string;
}

interface Receiver {
  readonly alert: RegisteredHandler<AlertHandler>[];
  readonly group: RegisteredHandler<NotificationHandler>[];
}

interface RegisteredHandler<F> {
  readonly fn: F;
  readonly name: string;
  readonly timeoutMs: number;
}

const SOURCE = 'alerts';

/**
 * Hands each notification to the handlers of its receiver: group handlers (sinks) once,
 * alert handlers once per alert. Every call is isolated: a throw, a rejection or no settlement within the
 * handler's timeout becomes an `alerts/handler-error` event and the others still run.
 * Async calls in flight are tracked so that `drain()` can wait for them.
 */
export class HandlerDispatcher {
  private readonly receivers = new Map<string, Receiver>();
  private handlerCount = 0;
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
    receiverNames: Iterable<string>,
  ) {
    for (const name of receiverNames) this.receivers.set(name, { alert: [], group: [] });
  }

  /** Names of the receivers handlers can belong to. */
  receiverNames(): string[] {
    return [...this.receivers.keys()];
  }

  addAlertHandler(fn: AlertHandler, options: HandlerOptions): () => boolean {
    return this.addTo((r) => r.alert, fn, options);
  }

  addNotificationHandler(fn: NotificationHandler, options: HandlerOptions): () => boolean {
    return this.addTo((r) => r.group, fn, options);
  }

  private addTo<F>(pick: (r: Receiver) => RegisteredHandler<F>[], fn: F, options: HandlerOptions): () => boolean {
    requireFunction(fn, 'handler', invalidArgument);
    if (options === null || typeof options !== 'object')
      throw new AlertValidationError('INVALID_ARGUMENT', 'handler options must be an object');
    const receiverName = options.receiver ?? 'default';
    const receiver = typeof receiverName === 'string' ? this.receivers.get(receiverName) : undefined;
    if (!receiver) {
      throw new AlertValidationError(
        'INVALID_ARGUMENT',
        `unknown receiver ${describeValue(receiverName)}; declare it in the manager's receivers config (known: ${this.receiverNames().join(', ')})`,
      );
    }
    const list = pick(receiver);
    if (this.handlerCount >= this.maxHandlers) {
      throw new AlertLimitError('HANDLER_LIMIT', `at most ${this.maxHandlers} handlers`, this.maxHandlers);
    }
    const seq = ++this.seq;
    const fnName = (fn as { name?: unknown }).name;
    const name =
      options.name !== undefined
        ? requireId(options.name, 'handler name')
        : typeof fnName === 'string' && fnName
          ? fnName
          : `handler#${seq}`;
    const entry: RegisteredHandler<F> = {
      fn,
      name,
      timeoutMs: duration(options.timeoutMs, 'timeoutMs', this.defaultTimeoutMs, 1),
    };
    list.push(entry);
    this.handlerCount++;
    return () => {
      const i = list.indexOf(entry);
      if (i < 0) return false;
      list.splice(i, 1);
      this.handlerCount--;
      return true;
    };
  }

  /** Announces a notification (`alerts/notified`) and calls every handler with it. */
  deliver(n: AlertNotification): void {
    this.notifications++;
    const receiver = this.receivers.get(n.receiver);
    const alertHandlers = receiver ? [...receiver.alert] : [];
    const groupHandlers = receiver ? [...receiver.group] : [];
    this.emit({
      type: 'alerts/notified',
      ts: n.timestamp,
      source: SOURCE,
      groupKey: n.groupKey,
      receiver: n.receiver,
      status: n.status,
      alertIds: n.alerts.map((a) => a.alertId),
      handlers: alertHandlers.length + groupHandlers.length,
    });
    for (const h of groupHandlers) this.invoke(h, () => h.fn(n), n, undefined);
    for (const h of alertHandlers) for (const a of n.alerts) this.invoke(h, () => h.fn(a, n), n, a.alertId);
  }

  /** Calls one handler, isolating throws, rejections and hangs. */
  private invoke(
    h: RegisteredHandler<unknown>,
    call: () => unknown,
    n: AlertNotification,
    alertId: string | undefined,
  ): void {
    const report = (error: string, timedOut: boolean) => {
      this.errors++;
      this.emit({
        type: 'alerts/handler-error',
        ts: this.clock.now(),
        source: SOURCE,
        handler: h.name,
        groupKey: n.groupKey,
        receiver: n.receiver,
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
