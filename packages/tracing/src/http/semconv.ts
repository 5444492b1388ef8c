/**
 * The HTTP semantic conventions (stable, v1.23+) as the OpenTelemetry http
 * and undici instrumentations write them, shared by the server and client
 * halves of `instrumentHttp`.
 */

const KNOWN_METHODS = new Set(['GET', 'HEAD', 'POST', 'PUT', 'DELETE', 'CONNECT', 'OPTIONS', 'TRACE', 'PATCH']);

/** The method as the conventions want it: known methods as is, anything else `_OTHER`. */
export function normalizeMethod(method: unknown): { method: string; original: string | undefined } {
  const raw = typeof method === 'string' && method !== '' ? method : 'GET';
  const upper = raw.toUpperCase();
  if (KNOWN_METHODS.has(upper)) return { method: upper, original: raw === upper ? undefined : raw };
  return { method: '_OTHER', original: raw.slice(0, 64) };
}

/** Splits a request target (`/a/b?x=1`) into path and query (without `?`). */
export function splitTarget(target: unknown): { path: string; query: string | undefined } {
  const t = typeof target === 'string' ? target : '/';
  const q = t.indexOf('?');
  return q < 0 ? { path: t, query: undefined } : { path: t.slice(0, q), query: t.slice(q + 1) };
}

/** `host[:port]` from a Host header, IPv6 brackets kept off the address. */
export function splitHost(host: unknown): { address: string | undefined; port: number | undefined } {
  if (typeof host !== 'string' || host === '') return { address: undefined, port: undefined };
  const m = /^(\[[^\]]*\]|[^:]*)(?::(\d{1,5}))?$/.exec(host);
  if (!m) return { address: undefined, port: undefined };
  const address = m[1]!.startsWith('[') ? m[1]!.slice(1, -1) : m[1]!;
  return { address: address === '' ? undefined : address, port: m[2] !== undefined ? Number(m[2]) : undefined };
}

/** Bucket bounds (seconds) OpenTelemetry advises for HTTP durations. */
export const DURATION_BUCKETS_SECONDS: readonly number[] = [
  0.005, 0.01, 0.025, 0.05, 0.075, 0.1, 0.25, 0.5, 0.75, 1, 2.5, 5, 7.5, 10,
];

export const SERVER_DURATION = 'http_server_request_duration_seconds';
export const CLIENT_DURATION = 'http_client_request_duration_seconds';
