import { createServer } from 'node:net';
import { SMTPServer } from 'smtp-server';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createEmailHandler } from '../email';
import { createAlertManager } from '../index';

interface Mail {
  from: string;
  to: string[];
  raw: string;
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address() as { port: number };
      s.close(() => resolve(port));
    });
  });
}

/** A real SMTP server (the smtp-server package) on 127.0.0.1 that keeps what it receives. */
describe('email over SMTP (local smtp-server)', () => {
  const mails: Mail[] = [];
  let rejectNext = 0;
  let server: SMTPServer;
  let port = 0;

  beforeAll(async () => {
    port = await freePort();
    server = new SMTPServer({
      authOptional: true,
      disabledCommands: ['STARTTLS'],
      logger: false,
      onRcptTo(address, _session, callback) {
        if (rejectNext > 0) {
          rejectNext--;
          const err = new Error('mailbox unavailable, try later') as Error & { responseCode: number };
          err.responseCode = 450;
          return callback(err);
        }
        callback();
      },
      onData(stream, session, callback) {
        let raw = '';
        stream.setEncoding('utf8');
        stream.on('data', (c: string) => (raw += c));
        stream.on('end', () => {
          mails.push({
            from: session.envelope.mailFrom ? session.envelope.mailFrom.address : '',
            to: session.envelope.rcptTo.map((r) => r.address),
            raw,
          });
          callback();
        });
      },
    });
    await new Promise<void>((resolve) => server.listen(port, '127.0.0.1', resolve));
  }, 30_000);

  afterAll(async () => {
    await new Promise<void>((resolve) => server.close(() => resolve()));
  });

  it('sends one mail per notification with the templated subject and alert lines; retries a 4xx', async () => {
    const mail = createEmailHandler({
      smtp: { host: '127.0.0.1', port, secure: false },
      from: 'alerts@obs.test',
      to: ['oncall@obs.test', 'lead@obs.test'],
      subject: '[{{STATUS}}] {{groupLabels.alertname}} on {{commonLabels.service}}',
      retryInitialMs: 50,
      timeoutMs: 20_000,
    });
    const alerts = createAlertManager({ receivers: { mail }, route: { receiver: 'mail', groupBy: ['alertname'] } });
    alerts.fireAlert({
      name: 'QueueBacklog',
      severity: 'error',
      message: 'uploads waiting',
      labels: { service: 'uploads' },
      annotations: { runbook: 'https://runbooks.test/q' },
      value: 812,
    });
    await alerts.drain();
    expect(mails).toHaveLength(1);
    expect(mails[0]?.from).toBe('alerts@obs.test');
    expect(mails[0]?.to).toEqual(['oncall@obs.test', 'lead@obs.test']);
    expect(mails[0]?.raw).toMatch(/^Subject: \[FIRING\] QueueBacklog on uploads$/m);
    expect(mails[0]?.raw).toContain('error QueueBacklog {service=uploads}: uploads waiting (value 812)');
    expect(mails[0]?.raw).toContain('runbook: https://runbooks.test/q');

    rejectNext = 2; // both recipients refused temporarily (4xx): the sink retries and delivers
    alerts.resolveAlert(alerts.getActiveAlerts()[0]!.alertId);
    await alerts.drain();
    const deadline = Date.now() + 20_000;
    while (mails.length < 2 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
    expect(mails[1]?.raw).toMatch(/^Subject: \[RESOLVED\] QueueBacklog on uploads$/m);
    expect(mail.stats()).toMatchObject({ sent: 2, failures: 1, queued: 0, rejected: 0 });

    // One recipient refused for good: the other got the mail; counted as rejected, reported, not retried.
    const errors: string[] = [];
    alerts.events$.subscribe((e) => e.type === 'alerts/handler-error' && errors.push(e.error));
    rejectNext = 1;
    alerts.fireAlert({ name: 'Partial', labels: { service: 'uploads' } });
    await alerts.drain();
    expect(mails).toHaveLength(3);
    expect(mails[2]?.to).toEqual(['lead@obs.test']);
    expect(errors).toEqual([expect.stringContaining('refused oncall@obs.test')]);
    expect(mail.stats()).toMatchObject({ sent: 2, rejected: 1, queued: 0 });
    mail.close();
  }, 60_000);
});
