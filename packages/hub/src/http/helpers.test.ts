import { createServer, request, type IncomingMessage, type Server } from 'node:http';
import { connect, type AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BodyTooLargeError } from '../errors';
import { hardenServer } from './hardenServer';
import { readBody } from './readBody';
import { BearerToken, presentedToken } from './tokens';

describe('BearerToken', () => {
  it('matches only the exact secret', () => {
    const token = new BearerToken('s3cret');
    expect(token.matches('s3cret')).toBe(true);
    expect(token.matches('s3cre')).toBe(false);
    expect(token.matches('s3cret ')).toBe(false);
    expect(token.matches('')).toBe(false);
    expect(token.matches(undefined)).toBe(false);
    expect(token.matches('x'.repeat(100_000))).toBe(false);
  });

  it('reads the bearer header, or access_token on GET only', () => {
    const req = (method: string, authorization?: string) =>
      ({ method, headers: authorization ? { authorization } : {} }) as IncomingMessage;
    const url = new URL('http://h/api/events?access_token=q');
    expect(presentedToken(req('GET', 'Bearer abc'), url)).toBe('abc');
    expect(presentedToken(req('GET', 'bearer   abc'), url)).toBe('abc');
    expect(presentedToken(req('GET', 'Basic abc'), url)).toBeUndefined();
    expect(presentedToken(req('GET'), url)).toBe('q');
    expect(presentedToken(req('POST'), url)).toBeUndefined();
  });
});

describe('readBody and hardenServer', () => {
  let server: Server;
  let port: number;
  beforeAll(async () => {
    server = hardenServer(
      createServer((req, res) => {
        readBody(req, { limit: 10 }).then(
          (body) => res.end(`ok:${body.toString()}`),
          (error: Error & { statusCode?: number }) => {
            res.statusCode = error.statusCode ?? 500;
            res.setHeader('connection', 'close');
            res.end(error instanceof BodyTooLargeError ? 'too-large' : error.name);
          },
        );
      }),
    );
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    port = (server.address() as AddressInfo).port;
  });
  afterAll(async () => {
    await new Promise((resolve) => server.close(resolve));
  });

  function send(
    body: string | undefined,
    headers: Record<string, string> = {},
  ): Promise<{ status: number; text: string }> {
    return new Promise((resolve, reject) => {
      const req = request({ host: '127.0.0.1', port, method: 'POST', path: '/', headers }, (res) => {
        let text = '';
        res.on('data', (d: Buffer) => (text += d.toString()));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, text }));
      });
      req.on('error', reject);
      if (body !== undefined) req.write(body);
      req.end();
    });
  }

  it('reads a small body', async () => {
    expect(await send('hello')).toEqual({ status: 200, text: 'ok:hello' });
  });

  it('refuses a declared length over the limit before reading', async () => {
    expect(await send('x'.repeat(11))).toEqual({ status: 413, text: 'too-large' });
  });

  it('refuses a chunked body that grows over the limit', async () => {
    expect(await send('x'.repeat(50), { 'transfer-encoding': 'chunked' })).toEqual({ status: 413, text: 'too-large' });
  });

  it('keeps serving after bad requests and answers a malformed one with 400', async () => {
    const raw = await new Promise<string>((resolve) => {
      const socket = connect(port, '127.0.0.1', () => socket.write('NONSENSE\r\n\r\n'));
      let data = '';
      socket.on('data', (d: Buffer) => (data += d.toString()));
      socket.on('close', () => resolve(data));
    });
    expect(raw).toMatch(/^HTTP\/1.1 400/);
    expect(await send('again')).toEqual({ status: 200, text: 'ok:again' });
  });

  it('sets conservative timeouts', () => {
    expect(server.headersTimeout).toBe(10_000);
    expect(server.requestTimeout).toBe(30_000);
  });

  it('rejects a bad limit with a typed error', () => {
    expect(() => readBody({} as IncomingMessage, { limit: -1 })).toThrow(/limit/);
  });
});
