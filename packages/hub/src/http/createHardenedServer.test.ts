import { request, type IncomingMessage, type ServerResponse } from 'node:http';
import { connect, type AddressInfo, type Socket } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { createHardenedServer, type HardenedServer, type HardenedServerOptions } from './createHardenedServer';

const servers: HardenedServer[] = [];
const sockets: Socket[] = [];

afterEach(async () => {
  for (const socket of sockets.splice(0)) socket.destroy();
  for (const server of servers.splice(0)) {
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
  }
});

async function start(
  listener: (req: IncomingMessage, res: ServerResponse) => void,
  options: HardenedServerOptions = {},
): Promise<{ server: HardenedServer; port: number }> {
  const server = createHardenedServer(listener, options);
  servers.push(server);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { server, port: (server.address() as AddressInfo).port };
}

/** A raw TCP connection that records what it receives and when it closes. */
function rawConnection(port: number): Promise<{ socket: Socket; received: () => string; closed: Promise<number> }> {
  return new Promise((resolve, reject) => {
    const socket = connect(port, '127.0.0.1');
    sockets.push(socket);
    let text = '';
    const openedAt = Date.now();
    socket.on('data', (d: Buffer) => (text += d.toString()));
    socket.on('error', () => undefined);
    const closed = new Promise<number>((r) => socket.once('close', () => r(Date.now() - openedAt)));
    socket.once('connect', () => resolve({ socket, received: () => text, closed }));
    socket.once('error', reject);
  });
}

function get(port: number, path: string): Promise<{ status: number; body: string; headers: Record<string, unknown> }> {
  return new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port, path, agent: false }, (res) => {
      let body = '';
      res.on('data', (d: Buffer) => (body += d.toString()));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body, headers: res.headers }));
    });
    req.on('error', reject);
    req.end();
  });
}

const ok = (_req: IncomingMessage, res: ServerResponse) => res.end('ok');

describe('createHardenedServer', () => {
  it('closes a connection that sent half its headers within the header timeout plus one check interval', async () => {
    const { port } = await start(ok, {
      headersTimeoutMs: 600,
      requestTimeoutMs: 2000,
      connectionsCheckingIntervalMs: 100,
    });
    const conn = await rawConnection(port);
    conn.socket.write('GET / HTTP/1.1\r\nHost: x\r\nX-Slow: ');
    const after = await conn.closed;
    expect(after).toBeGreaterThanOrEqual(550);
    expect(after).toBeLessThan(600 + 100 + 1500);
    expect(conn.received()).toMatch(/^HTTP\/1.1 408/);
  }, 60_000);

  it('closes a connection that never sends a byte', async () => {
    const { server, port } = await start(ok, { headersTimeoutMs: 500, connectionsCheckingIntervalMs: 100 });
    const conn = await rawConnection(port);
    const after = await conn.closed;
    expect(after).toBeGreaterThanOrEqual(450);
    expect(after).toBeLessThan(500 + 100 + 1500);
    expect(server.connectionStats().closedSilent).toBe(1);
  }, 60_000);

  it('at the cap, closes the oldest idle connection so a health probe is served', async () => {
    const { server, port } = await start(ok, { maxConnections: 4, reservedConnections: 0 });
    const idle = [];
    for (let i = 0; i < 4; i++) idle.push(await rawConnection(port));
    await waitFor(() => server.connectionStats().open === 4);
    // Idle for longer than the eviction grace (1 s).
    await new Promise((r) => setTimeout(r, 1100));
    const res = await get(port, '/health');
    expect(res.status).toBe(200);
    // The first idle connection was the one closed.
    await idle[0]!.closed;
    expect(server.connectionStats().evictedIdle).toBeGreaterThanOrEqual(1);
    expect(idle[3]!.socket.destroyed).toBe(false);
  }, 60_000);

  it('when every connection is busy, serves only reserved paths on the reserve and refuses past it', async () => {
    const held: ServerResponse[] = [];
    const { server, port } = await start(
      (req, res) => {
        if (req.url?.startsWith('/slow')) held.push(res);
        else res.end('ok');
      },
      { maxConnections: 2, reservedConnections: 2, reservedPaths: ['/health/ready', '/slow-probe'] },
    );
    const busy = [get(port, '/slow'), get(port, '/slow')];
    await waitFor(() => held.length === 2);
    const health = await get(port, '/health/ready');
    expect(health.status).toBe(200);
    const other = await get(port, '/api/anything');
    expect(other.status).toBe(503);
    expect(other.headers['retry-after']).toBe('1');
    // Fill the reserve with two busy probes: the next connection is refused outright.
    const probes = [get(port, '/slow-probe'), get(port, '/slow-probe')];
    await waitFor(() => held.length === 4);
    const refused = await rawConnection(port);
    await refused.closed;
    expect(refused.received()).toBe('');
    expect(server.connectionStats()).toMatchObject({ refused: 1, reservedRejected: 1, evictedIdle: 0, peak: 4 });
    for (const res of held) res.end('done');
    expect((await Promise.all([...busy, ...probes])).map((r) => r.status)).toEqual([200, 200, 200, 200]);
  }, 60_000);

  it('closes the connection after refusing a request whose body was not read, reading at most a few MB', async () => {
    let serverSocket: Socket | undefined;
    const { port } = await start((req, res) => {
      serverSocket = req.socket;
      res.statusCode = 401;
      res.end('{"error":"unauthorized"}');
    });
    const conn = await rawConnection(port);
    conn.socket.write('POST /api/analyze HTTP/1.1\r\nHost: x\r\nContent-Length: 500000000\r\n\r\n');
    let sent = 0;
    const chunk = Buffer.alloc(64 * 1024);
    const pump = () => {
      while (!conn.socket.destroyed && sent < 500_000_000) {
        sent += chunk.length;
        if (!conn.socket.write(chunk)) return void conn.socket.once('drain', pump);
      }
    };
    pump();
    await conn.closed;
    expect(conn.received()).toMatch(/^HTTP\/1.1 401/);
    expect(conn.received()).toMatch(/connection: close/i);
    expect(serverSocket!.bytesRead).toBeLessThan(8 * 1024 * 1024);
    expect(sent).toBeLessThan(64 * 1024 * 1024);
  }, 60_000);

  it('keeps the connection alive after a response to a request whose body was read', async () => {
    const { port } = await start((req, res) => {
      req.resume();
      req.on('end', () => res.end('read'));
    });
    const conn = await rawConnection(port);
    conn.socket.write('POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 3\r\n\r\nabcGET / HTTP/1.1\r\nHost: x\r\n\r\n');
    await waitFor(() => (conn.received().match(/HTTP\/1.1 200/g) ?? []).length === 2);
    expect(conn.received()).not.toMatch(/connection: close/i);
  }, 60_000);

  it('answers malformed requests with a JSON 400 and oversized headers with 431', async () => {
    const { port } = await start(ok, { maxHeaderSize: 1024 });
    const bad = await rawConnection(port);
    bad.socket.write('NOT HTTP\r\n\r\n');
    await bad.closed;
    expect(bad.received()).toMatch(/^HTTP\/1.1 400[\s\S]*"bad_request"/);
    const big = await rawConnection(port);
    big.socket.write(`GET / HTTP/1.1\r\nHost: x\r\nX-Big: ${'a'.repeat(4096)}\r\n\r\n`);
    await big.closed;
    expect(big.received()).toMatch(/^HTTP\/1.1 431/);
  }, 60_000);

  it('refuses invalid options with a typed error', () => {
    expect(() => createHardenedServer(ok, { maxConnections: 0 })).toThrow(/maxConnections/);
    expect(() => createHardenedServer(ok, { headersTimeoutMs: 5000, requestTimeoutMs: 1000 })).toThrow(
      /requestTimeoutMs/,
    );
    expect(() => createHardenedServer(ok, { reservedPaths: ['health'] })).toThrow(/reservedPaths/);
    expect(() => createHardenedServer(ok, { reservedConnections: -1 })).toThrow(/reservedConnections/);
    expect(() => createHardenedServer(undefined as never)).toThrow(/listener/);
  });
});

async function waitFor(condition: () => boolean, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await new Promise((r) => setTimeout(r, 20));
  }
}
