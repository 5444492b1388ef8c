/**
 * `@obs/alerts/email`: the SMTP e-mail sink, kept out of the root entry so that only users
 * who send mail need `nodemailer` (an optional peer dependency).
 */
export type { EmailHandlerConfig, EmailSmtpOptions } from './sinks/emailHandler';
export { createEmailHandler } from './sinks/emailHandler';
