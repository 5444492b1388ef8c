#!/usr/bin/env node
/**
 * A hostile client for the example app, run as its own process so the figures
 * are measured from outside the server (as an attacker or a load balancer sees
 * them). Each mode prints one JSON line with its measurements.
 *
 *   node scripts/hostile-client.mjs idle        --url http://127.0.0.1:3000 [--connections 2000] [--seconds 15] [--probe false]
 *   node scripts/hostile-client.mjs probe       --url … [--seconds 15] [--every 100]
 *   node scripts/hostile-client.mjs slow-headers --url … [--seconds 20]
 *   node scripts/hostile-client.mjs big-body    --url … [--bytes 500000000] [--path /api/analyze]
 *   node scripts/hostile-client.mjs uploads     --url … [--concurrency 20] [--rounds 3] [--file image.png] [--pid N] [--probe false]
 *
 * `idle` opens N connections that never send a byte and probes /health every
 * 100 ms over a new connection; it reports when the server closed the idle
 * connections and the slowest probe. `uploads` sends 4-megapixel PNGs
 * concurrently while probing /health; with `--pid` it samples the server's RSS
 * from /proc. Only for servers you run yourself on 127.0.0.1.
 */
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { request } from 'node:http';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { deflateSync } from 'node:zlib';

const [mode, ...rest] = process.argv.slice(2);
const args = Object.fromEntries(
  rest.reduce((pairs, arg, i, all) => (arg.startsWith('--') ? [...pairs, [arg.slice(2), all[i + 1]]] : pairs), []),
);
const base = new URL(args.url ?? 'http://127.0.0.1:3000');
const host = base.hostname;
const port = Number(base.port || 80);
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

/** GET over a fresh connection; resolves with status and milliseconds (status 0 on a network error or timeout). */
function probe(path, timeoutMs = 5_000) {
  return new Promise((resolve) => {
    const started = performance.now();
    const req = request({ host, port, path, agent: false, timeout: timeoutMs }, (res) => {
      res.resume();
      res.on('end', () => resolve({ status: res.statusCode, ms: performance.now() - started }));
    });
    req.on('timeout', () => req.destroy(new Error('timeout')));
    req.on('error', () => resolve({ status: 0, ms: performance.now() - started }));
    req.end();
  });
}

/** Probes `path` every `everyMs` until `stop()`; returns the summary. */
function prober(path = '/health', everyMs = 100) {
  const results = [];
  const startedAt = performance.now();
  let running = true;
  const loop = (async () => {
    while (running) {
      const at = performance.now() - startedAt;
      results.push({ ...(await probe(path)), at });
      await sleep(everyMs);
    }
  })();
  return async () => {
    running = false;
    await loop;
    const ms = results.map((r) => r.ms).sort((a, b) => a - b);
    const at = (q) => ms[Math.min(ms.length - 1, Math.floor(q * ms.length))] ?? 0;
    return {
      probes: results.length,
      failures: results.filter((r) => r.status !== 200 && r.status !== 503).length,
      p50Ms: round(at(0.5)),
      p99Ms: round(at(0.99)),
      maxMs: round(ms[ms.length - 1] ?? 0),
      // When the slowest probes were sent (ms after the start), to tell a burst from a steady slowdown.
      slowest: [...results]
        .sort((a, b) => b.ms - a.ms)
        .slice(0, 3)
        .map((r) => ({ atMs: round(r.at), ms: round(r.ms) })),
    };
  };
}

function round(n) {
  return Math.round(n * 10) / 10;
}

function rssOf(pid) {
  try {
    const status = readFileSync(`/proc/${pid}/status`, 'utf8');
    return Number(/VmRSS:\s+(\d+)/.exec(status)?.[1] ?? 0) * 1024;
  } catch {
    return 0;
  }
}

async function idle() {
  const count = Number(args.connections ?? 2000);
  const seconds = Number(args.seconds ?? 15);
  const started = performance.now();
  const closedAt = [];
  let opened = 0;
  const stopProbes = args.probe === 'false' ? async () => undefined : prober('/health');
  const sockets = [];
  const lifetimes = [];
  for (let i = 0; i < count; i++) {
    const socket = connect(port, host);
    let connectedAt;
    socket.on('connect', () => {
      opened++;
      connectedAt = performance.now();
    });
    socket.on('close', () => connectedAt !== undefined && lifetimes.push(performance.now() - connectedAt));
    socket.on('error', () => undefined);
    // Consume what the server sends (a 408), or the close would never be seen.
    socket.resume();
    socket.on('close', () => closedAt.push(performance.now() - started));
    sockets.push(socket);
    if (i % 100 === 99) await sleep(5);
  }
  const openedIn = performance.now() - started;
  while (closedAt.length < count && performance.now() - started < seconds * 1000) await sleep(50);
  const health = await stopProbes();
  for (const s of sockets) s.destroy();
  return {
    mode: 'idle',
    connections: count,
    opened,
    openedInMs: round(openedIn),
    closedByServer: closedAt.length,
    // From the first connection attempt to the last close (includes the time this process took to open them all).
    allClosedWithinMs: closedAt.length === count ? round(Math.max(...closedAt)) : null,
    // The longest any one connection stayed open: the server's part.
    longestOpenMs: lifetimes.length ? round(Math.max(...lifetimes)) : null,
    health,
  };
}

async function slowHeaders() {
  const seconds = Number(args.seconds ?? 20);
  const started = performance.now();
  const socket = connect(port, host);
  let received = '';
  socket.on('data', (d) => (received += d.toString()));
  socket.on('error', () => undefined);
  socket.on('connect', () => socket.write(`GET /health HTTP/1.1\r\nHost: ${host}\r\nX-Slow: `));
  const closedMs = await new Promise((resolve) => {
    const timer = setTimeout(() => resolve(null), seconds * 1000);
    socket.on('close', () => {
      clearTimeout(timer);
      resolve(performance.now() - started);
    });
  });
  socket.destroy();
  return {
    mode: 'slow-headers',
    closedAfterMs: closedMs === null ? null : round(closedMs),
    response: received.split('\r\n')[0] ?? '',
  };
}

async function bigBody() {
  const total = Number(args.bytes ?? 500_000_000);
  const path = args.path ?? '/api/analyze';
  const started = performance.now();
  const socket = connect(port, host);
  let received = '';
  let sent = 0;
  let responseAtBytes = null;
  socket.on('data', (d) => {
    received += d.toString();
    responseAtBytes ??= sent;
  });
  socket.on('error', () => undefined);
  const chunk = Buffer.alloc(64 * 1024, 0x41);
  socket.on('connect', () => {
    socket.write(
      `POST ${path} HTTP/1.1\r\nHost: ${host}\r\nContent-Type: image/png\r\nContent-Length: ${total}\r\n\r\n`,
    );
    const pump = () => {
      while (!socket.destroyed && sent < total) {
        sent += chunk.length;
        if (!socket.write(chunk)) return void socket.once('drain', pump);
      }
    };
    pump();
  });
  await new Promise((resolve) => socket.on('close', resolve));
  return {
    mode: 'big-body',
    declaredBytes: total,
    // What the client managed to hand to the kernel before the server closed; the server read at most this.
    sentBytes: sent,
    responseAfterBytes: responseAtBytes,
    status: Number(/^HTTP\/1\.1 (\d{3})/.exec(received)?.[1] ?? 0),
    closedAfterMs: round(performance.now() - started),
  };
}

/** A 2048×2048 (4.2 MP) RGB PNG of about 6.5 MiB: smooth gradients with noise, cached in the temp directory. */
const NOISE = 10;

export function fourMegapixelPng() {
  const file = join(tmpdir(), 'obs-hostile-4mp.png');
  if (existsSync(file)) return readFileSync(file);
  const width = 2048;
  const height = 2048;
  const raw = Buffer.alloc((width * 3 + 1) * height);
  let seed = 42;
  const noise = () => {
    // xorshift32: cheap, deterministic, no visible pattern for deflate to exploit
    seed ^= seed << 13;
    seed ^= seed >>> 17;
    seed ^= seed << 5;
    return (seed >>> 0) % NOISE;
  };
  const line = Buffer.alloc(width * 3);
  for (let y = 0; y < height; y++) {
    const row = y * (width * 3 + 1);
    raw[row] = 1; // filter: Sub (each byte minus the one a pixel to the left), so deflate sees the noise, not the gradient
    for (let x = 0; x < width; x++) {
      const i = x * 3;
      line[i] = ((x >> 3) + noise()) & 255;
      line[i + 1] = ((y >> 3) + noise()) & 255;
      line[i + 2] = (((x + y) >> 4) + noise()) & 255;
    }
    for (let i = 0; i < line.length; i++) raw[row + 1 + i] = (line[i] - (i >= 3 ? line[i - 3] : 0)) & 255;
  }
  const chunk = (type, data) => {
    const out = Buffer.alloc(12 + data.length);
    out.writeUInt32BE(data.length, 0);
    out.write(type, 4, 'ascii');
    data.copy(out, 8);
    out.writeUInt32BE(crc32(Buffer.concat([Buffer.from(type, 'ascii'), data])), 8 + data.length);
    return out;
  };
  const ihdr = Buffer.alloc(13);
  ihdr.writeUInt32BE(width, 0);
  ihdr.writeUInt32BE(height, 4);
  ihdr[8] = 8; // bit depth
  ihdr[9] = 2; // RGB
  const png = Buffer.concat([
    Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
    chunk('IHDR', ihdr),
    chunk('IDAT', deflateSync(raw, { level: 6 })),
    chunk('IEND', Buffer.alloc(0)),
  ]);
  writeFileSync(file, png);
  return png;
}

const CRC_TABLE = Array.from({ length: 256 }, (_, n) => {
  let c = n;
  for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
  return c >>> 0;
});

function crc32(buffer) {
  let c = 0xffffffff;
  for (const byte of buffer) c = CRC_TABLE[(c ^ byte) & 0xff] ^ (c >>> 8);
  return (c ^ 0xffffffff) >>> 0;
}

function upload(body) {
  return new Promise((resolve) => {
    const started = performance.now();
    const req = request(
      {
        host,
        port,
        method: 'POST',
        path: '/api/analyze?description=false',
        agent: false,
        headers: {
          'Content-Type': 'image/png',
          'Content-Length': body.length,
          ...(args.token ? { Authorization: `Bearer ${args.token}` } : {}),
        },
      },
      (res) => {
        res.resume();
        res.on('end', () => resolve({ status: res.statusCode, ms: performance.now() - started }));
      },
    );
    req.on('error', () => resolve({ status: 0, ms: performance.now() - started }));
    req.end(body);
  });
}

async function uploads() {
  const body = args.file ? readFileSync(args.file) : fourMegapixelPng();
  const concurrency = Number(args.concurrency ?? 20);
  const rounds = Number(args.rounds ?? 3);
  const pid = args.pid ? Number(args.pid) : undefined;
  let peakRss = pid ? rssOf(pid) : 0;
  const rssTimer = pid ? setInterval(() => (peakRss = Math.max(peakRss, rssOf(pid))), 50) : undefined;
  const stopProbes = args.probe === 'false' ? async () => undefined : prober('/health', 50);
  const started = performance.now();
  const statuses = {};
  let completed = 0;
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      for (let r = 0; r < rounds; r++) {
        const result = await upload(body);
        statuses[result.status] = (statuses[result.status] ?? 0) + 1;
        if (result.status === 200) completed++;
        else if (result.status === 503) await sleep(100);
      }
    }),
  );
  const seconds = (performance.now() - started) / 1000;
  const health = await stopProbes();
  if (rssTimer) clearInterval(rssTimer);
  return {
    mode: 'uploads',
    imageBytes: body.length,
    concurrency,
    requests: concurrency * rounds,
    statuses,
    analyzedPerSecond: round(completed / seconds),
    seconds: round(seconds),
    health,
    peakRssMiB: pid ? round(peakRss / 1024 / 1024) : null,
  };
}

/** Only probes /health every 100 ms for `--seconds` (run beside an attack from another process). */
async function probeOnly() {
  const stop = prober(args.path ?? '/health', Number(args.every ?? 100));
  await sleep(Number(args.seconds ?? 15) * 1000);
  return { mode: 'probe', health: await stop() };
}

const modes = { probe: probeOnly, idle, 'slow-headers': slowHeaders, 'big-body': bigBody, uploads };
if (import.meta.url === `file://${process.argv[1]}`) {
  const run = modes[mode];
  if (!run) {
    process.stderr.write(`usage: hostile-client.mjs <${Object.keys(modes).join('|')}> --url http://127.0.0.1:PORT …\n`);
    process.exit(2);
  }
  process.stdout.write(JSON.stringify(await run()) + '\n');
}
