import { describeValue, type Labels } from '@obs/core';
import type { Alert } from '../Alert';
import { AlertState } from '../AlertSeverity';
import { AlertValidationError } from '../errors';
import type { AlertNotification } from '../Notification';

/**
 * Message text: a function, or a string with `{{path}}` placeholders. In a notification
 * template: `status`, `STATUS` (upper case), `receiver`, `groupKey`, `groupLabels.<name>`,
 * `commonLabels.<name>`, `commonAnnotations.<name>`, `count`, `firingCount`, `resolvedCount`,
 * `groupLabelValues` (the group's label values joined by spaces). In an alert template:
 * `name`, `state`, `STATE`, `severity`, `value`, `message`, `alertId`, `fingerprint`,
 * `labels.<name>`, `annotations.<name>`, `startedAt`, `resolvedAt` (ISO 8601). A placeholder
 * naming nothing renders as empty; a label set renders as `a=1, b=2`.
 */
export type Template<T> = string | ((value: T) => string);

const PLACEHOLDER = /\{\{\s*([A-Za-z_][A-Za-z0-9_]*(?:\.[A-Za-z_][A-Za-z0-9_]*)*)\s*\}\}/g;
const MAX_OUTPUT = 64 * 1024;

function stringify(value: unknown): string {
  if (value === undefined || value === null) return '';
  if (typeof value === 'object') {
    return Object.entries(value as Record<string, unknown>)
      .map(([k, v]) => `${k}=${String(v)}`)
      .join(', ');
  }
  return String(value);
}

function lookup(scope: Record<string, unknown>, path: string): unknown {
  let current: unknown = scope;
  for (const part of path.split('.')) {
    if (current === null || typeof current !== 'object' || !Object.prototype.hasOwnProperty.call(current, part))
      return undefined;
    current = (current as Record<string, unknown>)[part];
  }
  return current;
}

export function validateTemplate(value: unknown, what: string): void {
  if (value === undefined || typeof value === 'function') return;
  if (typeof value !== 'string' || value.length > 16_384) {
    throw new AlertValidationError(
      'INVALID_SINK',
      `${what} must be a template string (at most 16384 characters) or a function, got ${describeValue(value)}`,
    );
  }
}

function render(template: string, scope: Record<string, unknown>): string {
  return template.replace(PLACEHOLDER, (_, path: string) => stringify(lookup(scope, path))).slice(0, MAX_OUTPUT);
}

function common(maps: readonly Labels[]): Record<string, string> {
  const [first, ...rest] = maps;
  const out: Record<string, string> = {};
  if (!first) return out;
  for (const [k, v] of Object.entries(first)) if (rest.every((m) => m[k] === v)) out[k] = v;
  return out;
}

/** The scope a notification template sees. */
export function notificationScope(n: AlertNotification): Record<string, unknown> {
  const firingCount = n.alerts.filter((a) => a.state === AlertState.FIRING).length;
  return {
    status: n.status,
    STATUS: n.status.toUpperCase(),
    receiver: n.receiver,
    groupKey: n.groupKey,
    groupLabels: { ...n.groupLabels },
    groupLabelValues: Object.values(n.groupLabels).join(' '),
    commonLabels: common(n.alerts.map((a) => ({ alertname: a.name, severity: a.severity, ...a.labels }))),
    commonAnnotations: common(n.alerts.map((a) => a.annotations)),
    count: n.alerts.length,
    firingCount,
    resolvedCount: n.alerts.length - firingCount,
  };
}

/** The scope an alert template sees. */
export function alertScope(a: Alert): Record<string, unknown> {
  return {
    name: a.name,
    state: a.state,
    STATE: a.state.toUpperCase(),
    severity: a.severity,
    value: a.value,
    message: a.message,
    alertId: a.alertId,
    fingerprint: a.fingerprint,
    labels: { ...a.labels },
    annotations: { ...a.annotations },
    startedAt: new Date(a.startedAt).toISOString(),
    resolvedAt: a.resolvedAt === undefined ? '' : new Date(a.resolvedAt).toISOString(),
  };
}

/** Alertmanager's default title: `[FIRING:2] HighLatency api` / `[RESOLVED] HighLatency api`. */
export function defaultTitle(n: AlertNotification): string {
  const firing = n.alerts.filter((a) => a.state === AlertState.FIRING).length;
  const values = Object.values(n.groupLabels).join(' ');
  return `[${n.status.toUpperCase()}${n.status === 'firing' ? `:${firing}` : ''}] ${values || n.alerts[0]?.name || ''}`.trim();
}

/** One line per alert: `critical HighLatency {service=api}: p99 above 1 s (value 1500)`. */
export function defaultAlertLine(a: Alert): string {
  const labels = Object.entries(a.labels).map(([k, v]) => `${k}=${v}`);
  const state = a.state === AlertState.RESOLVED ? 'RESOLVED ' : '';
  return `${state}${a.severity} ${a.name}${labels.length ? ` {${labels.join(', ')}}` : ''}${a.message ? `: ${a.message}` : ''} (value ${a.value})`;
}

export function renderTitle(template: Template<AlertNotification> | undefined, n: AlertNotification): string {
  if (template === undefined) return defaultTitle(n);
  return typeof template === 'function'
    ? String(template(n)).slice(0, MAX_OUTPUT)
    : render(template, notificationScope(n));
}

export function renderAlert(template: Template<Alert> | undefined, a: Alert): string {
  if (template === undefined) return defaultAlertLine(a);
  return typeof template === 'function' ? String(template(a)).slice(0, MAX_OUTPUT) : render(template, alertScope(a));
}

/** The body text: one rendered line (or block) per alert, firing first. */
export function renderBody(template: Template<Alert> | undefined, n: AlertNotification): string {
  return n.alerts
    .map((a) => renderAlert(template, a))
    .join('\n')
    .slice(0, MAX_OUTPUT);
}
