import http from 'node:http';
import https from 'node:https';
import { gzipSync } from 'node:zlib';
import { globalRegistry, type Registry, type RegistryContentType } from './Registry';

export interface PushgatewayParameters {
  jobName: string;
  groupings?: { [key: string]: string };
}

/** Options: `requireJobName` (default true) plus any `http.request` options (headers, auth, timeout, agent…). */
export interface PushgatewayOptions extends http.RequestOptions {
  requireJobName?: boolean;
}

export interface PushgatewayResult {
  resp?: unknown;
  body?: unknown;
}

type Method = 'POST' | 'PUT' | 'DELETE';

/**
 * prom-client's `Pushgateway`: `push` (PUT, replaces the group), `pushAdd` (POST, replaces
 * metrics of the same name) and `delete` a group on a Prometheus Pushgateway. A
 * `Content-Encoding: gzip` header gzips the body.
 */
export class Pushgateway<T extends RegistryContentType = RegistryContentType> {
  readonly registry: Registry<T>;
  private readonly requireJobName: boolean;
  private readonly requestOptions: http.RequestOptions;

  constructor(
    readonly gatewayUrl: string,
    options?: PushgatewayOptions,
    registry?: Registry<T>,
  ) {
    this.registry = registry ?? (globalRegistry as unknown as Registry<T>);
    const { requireJobName = true, ...requestOptions } = options ?? {};
    this.requireJobName = requireJobName;
    this.requestOptions = requestOptions;
  }

  pushAdd(params: PushgatewayParameters = {} as PushgatewayParameters): Promise<PushgatewayResult> {
    return this.send('POST', params);
  }

  push(params: PushgatewayParameters = {} as PushgatewayParameters): Promise<PushgatewayResult> {
    return this.send('PUT', params);
  }

  delete(params: PushgatewayParameters = {} as PushgatewayParameters): Promise<PushgatewayResult> {
    return this.send('DELETE', params);
  }

  private send(method: Method, params: PushgatewayParameters): Promise<PushgatewayResult> {
    // Thrown, not rejected, as prom-client does.
    if (this.requireJobName && !params.jobName) throw new Error('Missing jobName parameter');
    const target = this.target(params);
    const transport = target.protocol === 'https:' ? https : http;
    const headers: http.OutgoingHttpHeaders = {
      ...(this.requestOptions.headers as http.OutgoingHttpHeaders | undefined),
    };
    const gzip = headerValue(headers, 'content-encoding') === 'gzip';
    if (method === 'DELETE') deleteHeader(headers, 'content-encoding');
    return new Promise<PushgatewayResult>((resolve, reject) => {
      const req = transport.request(target, { ...this.requestOptions, headers, method }, (resp) => {
        let body = '';
        resp.setEncoding('utf8');
        resp.on('data', (chunk: string) => (body += chunk));
        resp.on('end', () => {
          if ((resp.statusCode ?? 0) >= 400) reject(new Error(`push failed with status ${resp.statusCode}, ${body}`));
          else resolve({ resp, body });
        });
        resp.on('error', reject);
      });
      req.on('error', reject);
      req.on('timeout', () => req.destroy(new Error('Pushgateway request timed out')));
      if (method === 'DELETE') {
        req.end();
        return;
      }
      this.registry.metrics().then(
        (text) => req.end(gzip ? gzipSync(text) : text),
        (err: unknown) => {
          req.destroy();
          reject(err);
        },
      );
    });
  }

  /** `<gateway path>/metrics/job/<job>/<label>/<value>…`, every part URL-encoded. */
  private target(params: PushgatewayParameters): URL {
    const base = new URL(this.gatewayUrl);
    const prefix = base.pathname && base.pathname !== '/' ? base.pathname.replace(/\/$/, '') : '';
    let path = `${prefix}/metrics`;
    if (params.jobName) {
      path += pathPart('job', params.jobName);
      for (const [key, value] of Object.entries(params.groupings ?? {})) path += pathPart(key, String(value));
    }
    return new URL(path, base);
  }
}

/**
 * `/<label>/<value>`, URL-encoded. A value with a `/` (which the gateway would split even
 * when encoded) or an empty one uses the gateway's `@base64` form; prom-client sends those
 * as they are and the gateway rejects them.
 */
function pathPart(label: string, value: string): string {
  if (value === '' || value.includes('/'))
    return `/${encodeURIComponent(label)}@base64/${Buffer.from(value).toString('base64url') || '='}`;
  return `/${encodeURIComponent(label)}/${encodeURIComponent(value)}`;
}

function headerValue(headers: http.OutgoingHttpHeaders, name: string): unknown {
  for (const key of Object.keys(headers)) if (key.toLowerCase() === name) return headers[key];
  return undefined;
}

function deleteHeader(headers: http.OutgoingHttpHeaders, name: string): void {
  for (const key of Object.keys(headers)) if (key.toLowerCase() === name) delete headers[key];
}
