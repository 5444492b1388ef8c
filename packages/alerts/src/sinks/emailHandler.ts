import { describeValue } from '@obs/core';
import nodemailer, { type Transporter } from 'nodemailer';
import type { Alert } from '../Alert';
import { AlertValidationError } from '../errors';
import type { AlertNotification } from '../Notification';
import { AlertSinkError, sinkNumber } from './http';
import { createQueuedSink, type QueuedSink, type QueuedSinkOptions } from './queuedSink';
import { renderAlert, renderTitle, validateTemplate, type Template } from './template';

export interface EmailSmtpOptions {
  readonly host: string;
  /** Default 587 (25 when `secure` is false and you say so, 465 with `secure: true`). */
  readonly port?: number;
  /** TLS from the first byte (port 465). Default false: STARTTLS when the server offers it. */
  readonly secure?: boolean;
  /** Refuse to send unless the server upgrades with STARTTLS. Default false. */
  readonly requireTLS?: boolean;
  readonly auth?: { readonly user: string; readonly pass: string };
  /** Passed to Node's TLS (e.g. `{ rejectUnauthorized: false }` for a self-signed test server). */
  readonly tls?: Readonly<Record<string, unknown>>;
}

export interface EmailHandlerConfig extends QueuedSinkOptions {
  /** The SMTP server to submit to (nodemailer's SMTP transport). */
  readonly smtp: EmailSmtpOptions;
  readonly from: string;
  readonly to: string | readonly string[];
  /** Subject; default `[FIRING:2] HighLatency api`. */
  readonly subject?: Template<AlertNotification>;
  /** One paragraph per alert in the body; default `critical HighLatency {service=api}: message (value 1500)`. */
  readonly text?: Template<Alert>;
  /** Extra mail headers. */
  readonly headers?: Readonly<Record<string, string>>;
}

const ADDRESS = /^[^\s<>@,;"]+@[^\s<>@,;"]+$/;

function address(value: unknown, what: string): string {
  if (typeof value !== 'string' || value.length > 320 || !ADDRESS.test(value)) {
    throw new AlertValidationError('INVALID_SINK', `${what} must be an e-mail address, got ${describeValue(value)}`);
  }
  return value;
}

/** SMTP 5xx replies (and a refused envelope) are permanent: the same mail cannot succeed later. */
function isPermanentSmtpError(error: unknown): boolean {
  const cause = error instanceof AlertSinkError ? (error as { cause?: unknown }).cause : error;
  const code = (cause as { responseCode?: unknown } | undefined)?.responseCode;
  return typeof code === 'number' && code >= 500 && code < 600;
}

function bodyOf(n: AlertNotification, template: Template<Alert> | undefined): string {
  const lines = [`${n.alerts.length} alert(s), status ${n.status}, receiver ${n.receiver}`, ''];
  for (const a of n.alerts) {
    lines.push(renderAlert(template, a));
    const notes = Object.entries(a.annotations);
    for (const [k, v] of notes) lines.push(`  ${k}: ${v}`);
    lines.push(
      `  since ${new Date(a.firingSince ?? a.startedAt).toISOString()}${a.resolvedAt !== undefined ? `, resolved ${new Date(a.resolvedAt).toISOString()}` : ''}`,
    );
    lines.push('');
  }
  return lines.join('\n');
}

/**
 * A sink e-mailing each group notification over SMTP through nodemailer (install it:
 * `pnpm add nodemailer`), with the shared queue, timeout and retries (SMTP 5xx is not
 * retried; when only some recipients are refused the mail went to the others, so it is
 * counted as rejected and reported, not retried). Plain-text mail: the subject is the title, the body one paragraph per alert.
 *
 * @example
 * import { createEmailHandler } from '@obs/alerts/email';
 * alerts.addNotificationHandler(createEmailHandler({
 *   smtp: { host: 'smtp.example.com', port: 587, auth: { user, pass } },
 *   from: 'alerts@example.com', to: ['oncall@example.com'],
 * }));
 */
export function createEmailHandler(config: EmailHandlerConfig): QueuedSink & { close(): void } {
  if (config === null || typeof config !== 'object')
    throw new AlertValidationError('INVALID_SINK', 'email sink config must be an object');
  const smtp = config.smtp;
  if (
    smtp === null ||
    typeof smtp !== 'object' ||
    typeof smtp.host !== 'string' ||
    smtp.host.length === 0 ||
    smtp.host.length > 255
  ) {
    throw new AlertValidationError('INVALID_SINK', `smtp.host is required, got ${describeValue(smtp?.host)}`);
  }
  const secure = smtp.secure ?? false;
  const port = Math.floor(sinkNumber(smtp.port, 'smtp.port', secure ? 465 : 587, 1, 65_535));
  const from = address(config.from, 'from');
  const to = (Array.isArray(config.to) ? config.to : [config.to]).map((t, i) => address(t, `to[${i}]`));
  if (to.length === 0 || to.length > 100)
    throw new AlertValidationError('INVALID_SINK', 'to must list 1 to 100 addresses');
  validateTemplate(config.subject, 'subject');
  validateTemplate(config.text, 'text');
  const headers = { ...(config.headers ?? {}) };
  for (const [k, v] of Object.entries(headers)) {
    if (!/^[A-Za-z0-9-]+$/.test(k) || typeof v !== 'string' || /[\r\n]/.test(v))
      throw new AlertValidationError('INVALID_SINK', `invalid mail header ${describeValue(k)}`);
  }
  const timeoutMs = sinkNumber(config.timeoutMs, 'timeoutMs', 10_000, 1, 600_000);
  const transport: Transporter = nodemailer.createTransport({
    host: smtp.host,
    port,
    secure,
    requireTLS: smtp.requireTLS ?? false,
    ...(smtp.auth ? { auth: { user: smtp.auth.user, pass: smtp.auth.pass } } : {}),
    ...(smtp.tls ? { tls: { ...smtp.tls } } : {}),
    connectionTimeout: timeoutMs,
    greetingTimeout: timeoutMs,
    socketTimeout: timeoutMs,
  });
  const sink = createQueuedSink(
    'email',
    config,
    async (n, options, timers) => {
      let timer: (() => void) | undefined;
      const timeout = new Promise<never>((_, reject) => {
        timer = timers(
          () =>
            reject(new AlertSinkError(`SMTP ${smtp.host}:${port} timed out after ${options.timeoutMs} ms`, undefined)),
          options.timeoutMs,
        );
      });
      try {
        const info = (await Promise.race([
          transport.sendMail({
            from,
            to,
            subject: renderTitle(config.subject, n),
            text: bodyOf(n, config.text),
            headers,
          }),
          timeout,
        ])) as { rejected?: unknown[] };
        const refused = (info.rejected ?? []).map(String);
        if (refused.length > 0) {
          // Sent to the others: a retry would mail them twice, so this counts as rejected, not retried.
          throw new AlertSinkError(`SMTP ${smtp.host}:${port} refused ${refused.join(', ')}`, undefined, {
            cause: { responseCode: 550 },
          });
        }
      } catch (error) {
        if (error instanceof AlertSinkError) throw error;
        const message = error instanceof Error ? error.message : String(error);
        throw new AlertSinkError(`SMTP ${smtp.host}:${port} failed: ${message}`, undefined, { cause: error });
      } finally {
        timer?.();
      }
    },
    isPermanentSmtpError,
  );
  return Object.assign(sink, { close: () => transport.close() });
}
