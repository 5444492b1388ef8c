/**
 * `@obs/hub/http`: the hub over HTTP. The handler (`/metrics`, health probes, the
 * dashboard API and SSE, the Alertmanager v2 API), a server created with its
 * protections, body reading with a limit, security headers and bearer tokens.
 * A subpath so that a hub without a server never loads it.
 */
export { createHttpHandler } from './createHttpHandler';
export type { HttpHandlerOptions, HubHttpHandler, FallbackContext } from './createHttpHandler';
export { readBody } from './readBody';
export type { ReadBodyOptions } from './readBody';
export { hardenServer, requestBodyPending, DEFAULT_HARDEN_OPTIONS } from './hardenServer';
export type { HardenServerOptions } from './hardenServer';
export { createHardenedServer, DEFAULT_RESERVED_PATHS } from './createHardenedServer';
export type { HardenedServerOptions, HardenedServer } from './createHardenedServer';
export type { ConnectionGuardStats } from './ConnectionGuard';
export { CONTENT_SECURITY_POLICY, SECURITY_HEADERS, applySecurityHeaders } from './securityHeaders';
export type { SseOptions } from './SseBroadcaster';
export { DEFAULT_SSE_EVENTS } from './SseBroadcaster';
export { BearerToken } from './tokens';
export { BodyTooLargeError, BodyReadError } from '../errors';
