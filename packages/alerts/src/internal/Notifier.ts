import type { Clock, Labels } from '@obs/core';
import type { Alert } from '../Alert';
import { AlertState } from '../AlertSeverity';
import { alertMatchLabels } from '../matchers';
import type { AlertNotification } from '../Notification';
import { groupOf, matchRoutes, routeMuted, type ResolvedRoute } from '../route';
import { nextMinute } from '../timeIntervals';
import type { CancelTimer, TimerFn } from './timers';

interface Group {
  readonly key: string;
  readonly route: ResolvedRoute;
  readonly labels: Labels;
  readonly createdAt: number;
  /** Current version of every alert in the group: firing, suppressed, or resolved-not-yet-sent. */
  readonly alerts: Map<string, Alert>;
  /** Firing set of the last notification (an alert leaves it when muted, so unmuting re-notifies). */
  readonly sentFiring: Set<string>;
  /** Announced as firing and not yet announced as resolved. */
  readonly announced: Set<string>;
  lastFlushAt: number | undefined;
  lastNotifyAt: number | undefined;
  dirty: boolean;
  /** While the route's time intervals hold notifications back: when to look again. */
  heldUntil: number | undefined;
  timerAt: number | undefined;
  cancel: CancelTimer | undefined;
}

export interface NotifierHooks {
  /** Runs the callback of a timer inside a manager batch (so mutes are current). */
  readonly runTimer: (fn: () => void) => void;
  readonly deliver: (notification: AlertNotification) => void;
}

export const OVERFLOW_GROUP_KEY = '{overflow}';

/**
 * Alertmanager's dispatcher, aggregation groups and dedup stage: each alert goes down the
 * routing tree to one or more routes; in each it joins the group of its `groupBy` labels. A
 * new group waits `groupWait`, then changes are sent at most every `groupInterval`, and an
 * unchanged firing group is re-sent after `repeatInterval`. A notification goes out only when
 * a firing alert is new to the receiver or an announced alert resolved, and not while the
 * route's time intervals hold it back.
 */
export class Notifier {
  private readonly groups = new Map<string, Group>();
  /** fingerprint -> the groups holding it (one per matched route), so updates do not re-walk the tree. */
  private readonly member = new Map<string, { severity: string; groups: Group[] }>();
  private readonly due = new Set<Group>();
  private flushing = false;

  constructor(
    private readonly route: ResolvedRoute,
    private readonly clock: Clock,
    private readonly timers: TimerFn,
    private readonly maxGroups: number,
    private readonly hooks: NotifierHooks,
  ) {}

  get groupCount(): number {
    return this.groups.size;
  }

  /** Takes note of an alert's new state (FIRING, SUPPRESSED or RESOLVED). */
  update(alert: Alert): void {
    const now = this.clock.now();
    const entry = this.member.get(alert.fingerprint);
    if (alert.state === AlertState.RESOLVED || alert.state === AlertState.PENDING) {
      if (!entry) return;
      this.member.delete(alert.fingerprint);
      for (const group of entry.groups) this.leave(group, alert, now);
      return;
    }
    let groups = entry?.groups;
    if (!entry || entry.severity !== alert.severity) {
      // New, or its severity (a label routes match on) changed: walk the tree again.
      groups = matchRoutes(this.route, alertMatchLabels(alert)).map((route) => this.groupFor(route, alert, now));
      if (entry) {
        const resolvedHere = Object.freeze({ ...alert, state: AlertState.RESOLVED, resolvedAt: now }) as Alert;
        for (const old of entry.groups) if (!groups.includes(old)) this.leave(old, resolvedHere, now);
      }
      this.member.set(alert.fingerprint, { severity: alert.severity, groups });
    }
    for (const group of groups as Group[]) {
      group.alerts.set(alert.fingerprint, alert);
      if (alert.state === AlertState.SUPPRESSED) {
        group.sentFiring.delete(alert.fingerprint);
      } else if (!group.sentFiring.has(alert.fingerprint)) {
        group.dirty = true;
      }
      this.schedule(group, now);
    }
  }

  /** The alert resolved (or left the group's route): announce it if it was announced, else drop it. */
  private leave(group: Group, alert: Alert, now: number): void {
    if (group.announced.has(alert.fingerprint)) {
      group.alerts.set(alert.fingerprint, alert);
      group.dirty = true;
    } else {
      group.alerts.delete(alert.fingerprint);
      group.sentFiring.delete(alert.fingerprint);
    }
    this.schedule(group, now);
  }

  /** Registers firing alerts as already announced (after `restore`), so they are not re-sent. */
  adopt(alert: Alert): void {
    const now = this.clock.now();
    const groups = matchRoutes(this.route, alertMatchLabels(alert)).map((route) => this.groupFor(route, alert, now));
    this.member.set(alert.fingerprint, { severity: alert.severity, groups });
    for (const group of groups) {
      group.alerts.set(alert.fingerprint, alert);
      if (alert.state === AlertState.FIRING) {
        group.sentFiring.add(alert.fingerprint);
        group.announced.add(alert.fingerprint);
        group.lastFlushAt = now;
        group.lastNotifyAt = now;
      }
      this.schedule(group, now);
    }
  }

  /** Sends every notification that is due now. Re-entrant calls return at once. */
  flushDue(): void {
    if (this.flushing) return;
    this.flushing = true;
    try {
      for (let group = first(this.due); group; group = first(this.due)) {
        this.due.delete(group);
        this.flush(group);
      }
    } finally {
      this.flushing = false;
    }
  }

  /** Cancels every timer and forgets every group. */
  clear(): void {
    for (const g of this.groups.values()) g.cancel?.();
    this.groups.clear();
    this.member.clear();
    this.due.clear();
  }

  private groupFor(route: ResolvedRoute, alert: Alert, now: number): Group {
    let { key, labels } = groupOf(route, alertMatchLabels(alert));
    const existing = this.groups.get(key);
    if (existing) return existing;
    if (this.groups.size >= this.maxGroups) {
      // Bounded: beyond the limit, alerts share one overflow group per route rather than being lost.
      key = route.id === '' ? OVERFLOW_GROUP_KEY : `${route.id}:${OVERFLOW_GROUP_KEY}`;
      labels = Object.freeze(Object.create(null) as Labels);
      const existing = this.groups.get(key);
      if (existing) return existing;
    }
    const group: Group = {
      key,
      route,
      labels,
      createdAt: now,
      alerts: new Map(),
      sentFiring: new Set(),
      announced: new Set(),
      lastFlushAt: undefined,
      lastNotifyAt: undefined,
      dirty: false,
      heldUntil: undefined,
      timerAt: undefined,
      cancel: undefined,
    };
    this.groups.set(key, group);
    return group;
  }

  private hasFiring(group: Group): boolean {
    for (const a of group.alerts.values()) if (a.state === AlertState.FIRING) return true;
    return false;
  }

  private schedule(group: Group, now: number): void {
    const { route } = group;
    let dueAt: number | undefined;
    if (group.dirty) {
      dueAt =
        group.lastFlushAt === undefined ? group.createdAt + route.groupWait : group.lastFlushAt + route.groupInterval;
    } else if (route.repeatInterval > 0 && group.lastNotifyAt !== undefined && this.hasFiring(group)) {
      dueAt = group.lastNotifyAt + route.repeatInterval;
    }
    if (dueAt !== undefined && group.heldUntil !== undefined) dueAt = Math.max(dueAt, group.heldUntil);
    if (dueAt === undefined) {
      this.cancelTimer(group);
      this.due.delete(group);
      if (group.alerts.size === 0) this.groups.delete(group.key);
      return;
    }
    if (dueAt <= now) {
      this.cancelTimer(group);
      this.due.add(group);
      return;
    }
    if (group.timerAt === dueAt) return;
    this.cancelTimer(group);
    group.timerAt = dueAt;
    group.cancel = this.timers(() => {
      group.timerAt = undefined;
      group.cancel = undefined;
      this.hooks.runTimer(() => {
        if (this.groups.get(group.key) === group) this.schedule(group, this.clock.now());
      });
    }, dueAt - now);
  }

  private cancelTimer(group: Group): void {
    group.cancel?.();
    group.cancel = undefined;
    group.timerAt = undefined;
  }

  private flush(group: Group): void {
    if (this.groups.get(group.key) !== group) return;
    const now = this.clock.now();
    const { route } = group;
    if (routeMuted(route, now)) {
      // Held by a mute/active time interval: nothing is sent or marked as sent; look again at the
      // next minute (interval membership only changes on minute boundaries).
      group.heldUntil = nextMinute(now);
      this.schedule(group, now);
      return;
    }
    group.heldUntil = undefined;
    const firing: Alert[] = [];
    const resolved: Alert[] = [];
    for (const a of group.alerts.values()) {
      if (a.state === AlertState.FIRING) firing.push(a);
      else if (a.state === AlertState.RESOLVED && group.announced.has(a.fingerprint)) resolved.push(a);
    }
    const byStart = (a: Alert, b: Alert) => a.startedAt - b.startedAt || (a.fingerprint < b.fingerprint ? -1 : 1);
    firing.sort(byStart);
    resolved.sort(byStart);
    const repeatDue =
      route.repeatInterval > 0 && group.lastNotifyAt !== undefined && now - group.lastNotifyAt >= route.repeatInterval;
    const needed =
      resolved.length > 0 ||
      firing.some((a) => !group.sentFiring.has(a.fingerprint)) ||
      (repeatDue && firing.length > 0);
    group.lastFlushAt = now;
    group.dirty = false;
    for (const a of resolved) {
      group.alerts.delete(a.fingerprint);
      group.announced.delete(a.fingerprint);
    }
    if (needed) {
      group.sentFiring.clear();
      for (const a of firing) {
        group.sentFiring.add(a.fingerprint);
        group.announced.add(a.fingerprint);
      }
      group.lastNotifyAt = now;
      this.hooks.deliver(
        Object.freeze({
          groupKey: group.key,
          receiver: route.receiver,
          groupLabels: group.labels,
          status: firing.length > 0 ? 'firing' : 'resolved',
          alerts: Object.freeze([...firing, ...resolved]),
          timestamp: now,
        }),
      );
    }
    this.schedule(group, this.clock.now());
  }
}

function first<T>(set: Set<T>): T | undefined {
  for (const v of set) return v;
  return undefined;
}
