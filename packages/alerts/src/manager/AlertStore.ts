import type { Labels } from '@obs/core';
import type { Alert, NormalizedInit } from '../Alert';
import { AlertState, type AlertSeverity } from '../AlertSeverity';
import { alertMatchLabels } from '../matchers';

/** The mutable state of one active (pending, firing or suppressed) alert. */
export interface AlertRecord {
  readonly fingerprint: string;
  readonly alertId: string;
  readonly name: string;
  readonly labels: Labels;
  /** labels + alertname + severity, what matchers see (recomputed when severity changes). */
  matchLabels: Labels;
  severity: AlertSeverity;
  message: string;
  source: string;
  annotations: Labels;
  value: number;
  startedAt: number;
  firingSince: number | undefined;
  phase: 'pending' | 'firing';
  ownerRule: string | undefined;
  lastSeenAt: number;
  suppressedBy: readonly string[];
  /** Published state; undefined until the mute resolver first computes it. */
  state: AlertState | undefined;
  cached: Alert | undefined;
}

/**
 * Where alerts live: the active records (by fingerprint and by alertId) and the bounded
 * history of resolved alerts. It knows nothing of mutes, rules or handlers; the manager
 * decides when a record is created, changed or archived.
 */
export class AlertStore {
  private readonly active = new Map<string, AlertRecord>();
  private readonly byId = new Map<string, string>();
  private history: Alert[] = [];

  constructor(private readonly maxHistory: number) {}

  get size(): number {
    return this.active.size;
  }

  get historySize(): number {
    return this.history.length;
  }

  get(fingerprint: string): AlertRecord | undefined {
    return this.active.get(fingerprint);
  }

  /** The active record with this alertId. */
  byAlertId(alertId: string): AlertRecord | undefined {
    const fp = this.byId.get(alertId);
    return fp === undefined ? undefined : this.active.get(fp);
  }

  /** Whether an active alert already uses this alertId. */
  hasAlertId(alertId: string): boolean {
    return this.byId.has(alertId);
  }

  /** Whether `rec` is still the live record of its fingerprint (not resolved meanwhile). */
  isLive(rec: AlertRecord): boolean {
    return this.active.get(rec.fingerprint) === rec;
  }

  records(): IterableIterator<AlertRecord> {
    return this.active.values();
  }

  /** Adds a new record for a validated init. */
  insert(n: NormalizedInit, startedAt: number, now: number, phase: 'pending' | 'firing'): AlertRecord {
    const rec: AlertRecord = {
      fingerprint: n.fingerprint,
      alertId: n.alertId ?? n.fingerprint,
      name: n.name,
      labels: n.labels,
      matchLabels: alertMatchLabels(n),
      severity: n.severity,
      message: n.message,
      source: n.source,
      annotations: n.annotations,
      value: n.value,
      startedAt,
      firingSince: phase === 'firing' ? now : undefined,
      phase,
      ownerRule: undefined,
      lastSeenAt: now,
      suppressedBy: [],
      state: undefined,
      cached: undefined,
    };
    this.active.set(rec.fingerprint, rec);
    this.byId.set(rec.alertId, rec.fingerprint);
    return rec;
  }

  /** Copies the changeable content of a new firing of the same alert into its record. */
  updateContent(rec: AlertRecord, n: NormalizedInit): void {
    if (rec.severity !== n.severity) {
      rec.severity = n.severity;
      rec.matchLabels = alertMatchLabels(rec);
    }
    rec.message = n.message;
    rec.source = n.source;
    rec.annotations = n.annotations;
    rec.value = n.value;
    rec.cached = undefined;
  }

  remove(rec: AlertRecord): void {
    this.active.delete(rec.fingerprint);
    if (this.byId.get(rec.alertId) === rec.fingerprint) this.byId.delete(rec.alertId);
  }

  /** Removes a record and keeps its resolved version in the history; returns that version. */
  archive(rec: AlertRecord, resolvedAt: number): Alert {
    this.remove(rec);
    const { suppressedBy: _muted, ...base } = this.view(rec);
    const resolved: Alert = Object.freeze({ ...base, state: AlertState.RESOLVED, resolvedAt });
    this.history.push(resolved);
    if (this.history.length > this.maxHistory) this.history.splice(0, this.history.length - this.maxHistory);
    return resolved;
  }

  /** The latest resolved alert with this id. */
  findResolved(alertId: string): Alert | undefined {
    for (let i = this.history.length - 1; i >= 0; i--) if (this.history[i]?.alertId === alertId) return this.history[i];
    return undefined;
  }

  /** Resolved alerts, newest first. */
  resolved(limit: number): Alert[] {
    return this.history.slice(Math.max(0, this.history.length - limit)).reverse();
  }

  /** Resolved alerts, oldest first (for snapshots). */
  historyList(): readonly Alert[] {
    return this.history;
  }

  /** Forgets every active record and replaces the history (restore). */
  reset(history: Alert[]): void {
    this.active.clear();
    this.byId.clear();
    this.history = history;
  }

  /** The frozen public view of a record, cached until the record changes. */
  view(rec: AlertRecord): Alert {
    if (rec.cached) return rec.cached;
    const state = rec.state ?? (rec.phase === 'pending' ? AlertState.PENDING : AlertState.FIRING);
    const alert: Alert = Object.freeze({
      alertId: rec.alertId,
      fingerprint: rec.fingerprint,
      name: rec.name,
      severity: rec.severity,
      state,
      message: rec.message,
      source: rec.source,
      labels: rec.labels,
      annotations: rec.annotations,
      startedAt: rec.startedAt,
      value: rec.value,
      ...(rec.firingSince !== undefined ? { firingSince: rec.firingSince } : {}),
      ...(state === AlertState.SUPPRESSED ? { suppressedBy: rec.suppressedBy } : {}),
    });
    rec.cached = alert;
    return alert;
  }
}
