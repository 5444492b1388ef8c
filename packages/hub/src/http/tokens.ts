import { createHash, timingSafeEqual } from 'node:crypto';
import type { IncomingMessage } from 'node:http';

/**
 * A secret compared in constant time. Both sides are hashed first, so the
 * comparison neither leaks the token's length nor depends on where it differs.
 */
export class BearerToken {
  private readonly digest: Buffer;

  constructor(secret: string) {
    this.digest = sha256(secret);
  }

  matches(candidate: string | undefined): boolean {
    if (candidate === undefined) return false;
    return timingSafeEqual(this.digest, sha256(candidate));
  }
}

function sha256(value: string): Buffer {
  return createHash('sha256').update(value, 'utf8').digest();
}

/**
 * The credential a request presents: `Authorization: Bearer <token>`, or for
 * GET requests the `access_token` query parameter (RFC 6750 §2.3), which is
 * how a browser's EventSource, which cannot set headers, authenticates.
 */
export function presentedToken(req: IncomingMessage, url: URL): string | undefined {
  const header = req.headers.authorization;
  if (typeof header === 'string') {
    const match = /^Bearer[ ]+([^ ]+)[ ]*$/i.exec(header);
    return match ? match[1] : undefined;
  }
  if (req.method === 'GET' || req.method === 'HEAD') {
    const fromQuery = url.searchParams.get('access_token');
    if (fromQuery !== null) return fromQuery;
  }
  return undefined;
}
