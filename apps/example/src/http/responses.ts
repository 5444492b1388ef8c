import type { ServerResponse } from 'node:http';

/**
 * The app's Content-Security-Policy, passed to the hub's handler so every
 * response carries it: scripts, styles and connections only from this
 * origin, no inline script or style element, no eval, no framing, no
 * plugins, no forms. uPlot and the dashboard set element styles through the
 * CSSOM, which `style-src 'self'` allows.
 */
export const DASHBOARD_CSP = [
  "default-src 'none'",
  "script-src 'self'",
  "style-src 'self'",
  "img-src 'self'",
  "connect-src 'self'",
  "font-src 'self'",
  "base-uri 'none'",
  "form-action 'none'",
  "frame-ancestors 'none'",
].join('; ');

/** A JSON response (the hub's handler has already set the security headers). */
export function sendJson(
  res: ServerResponse,
  status: number,
  body: unknown,
  extraHeaders: Record<string, string> = {},
): void {
  if (res.headersSent) {
    res.destroy();
    return;
  }
  const text = JSON.stringify(body);
  res.writeHead(status, {
    'Content-Type': 'application/json; charset=utf-8',
    'Content-Length': String(Buffer.byteLength(text)),
    'Cache-Control': 'no-store',
    ...extraHeaders,
  });
  res.end(text);
}

/** A JSON error in the hub's shape: `{ error: '<snake_case_code>', message }`. */
export function sendError(
  res: ServerResponse,
  status: number,
  code: string,
  message: string,
  extraHeaders: Record<string, string> = {},
): void {
  sendJson(res, status, { error: code.toLowerCase(), message }, extraHeaders);
}
