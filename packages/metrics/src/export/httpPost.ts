import { request as httpRequest } from 'node:http';
import { request as httpsRequest } from 'node:https';
import { parseRetryAfter } from '@obs/core';

/** What one POST returned: status 0 for a network error or timeout. */
export interface PostResult {
  readonly status: number;
  readonly retryAfterMs: number | undefined;
  /** The response body, truncated to 64 KiB. */
  readonly body: Buffer;
  readonly error?: string;
}

const MAX_RESPONSE_BYTES = 64 * 1024;

/** POSTs `body` once; never rejects (failures are results). */
export function httpPost(
  url: URL,
  body: Uint8Array,
  headers: Readonly<Record<string, string | number>>,
  timeoutMs: number,
): Promise<PostResult> {
  return new Promise<PostResult>((resolve) => {
    let settled = false;
    const finish = (result: PostResult): void => {
      if (!settled) {
        settled = true;
        resolve(result);
      }
    };
    const failed = (error: string): void =>
      finish({ status: 0, retryAfterMs: undefined, body: Buffer.alloc(0), error });
    try {
      const send = url.protocol === 'https:' ? httpsRequest : httpRequest;
      const req = send(
        url,
        { method: 'POST', headers: { ...headers, 'content-length': body.length }, timeout: timeoutMs },
        (res) => {
          const chunks: Buffer[] = [];
          let size = 0;
          res.on('data', (chunk: Buffer) => {
            if (size < MAX_RESPONSE_BYTES) {
              chunks.push(chunk);
              size += chunk.length;
            }
          });
          res.on('end', () =>
            finish({
              status: res.statusCode ?? 0,
              retryAfterMs: parseRetryAfter(res.headers['retry-after'], Date.now()),
              body: Buffer.concat(chunks).subarray(0, MAX_RESPONSE_BYTES),
            }),
          );
          res.on('error', (error) => failed(`response error: ${error.message}`));
        },
      );
      req.on('timeout', () => req.destroy(new Error(`request timed out after ${timeoutMs} ms`)));
      req.on('error', (error) => failed(error.message));
      req.end(body);
    } catch (error) {
      failed(error instanceof Error ? error.message : String(error));
    }
  });
}
