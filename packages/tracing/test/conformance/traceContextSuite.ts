/**
 * The W3C Trace Context test suite's cases (w3c/trace-context, test/test.py), written as vitest
 * cases against a real HTTP service. The protocol is the suite's: the harness POSTs a JSON list of
 * `{ url, arguments }` to the service with the headers under test; the service calls back each url
 * with the context it propagates; the harness checks the callbacks' `traceparent` and `tracestate`.
 *
 * Two places follow later decisions instead of the suite's first text:
 * - duplicated tracestate keys are inherited (one of the members kept), as the suite's later revision
 *   and issue #12 ask, not discarded;
 * - keys follow the Level 2 grammar (`( lcalpha / DIGIT ) 0*255 keychar`, `@` anywhere), which dropped
 *   Level 1's tenant@system key format and its 241/14-character limits, so `foo@=1` is a valid key.
 * Both are marked where they occur.
 */
import { createServer, type IncomingMessage, type Server } from 'node:http';
import { connect, type AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

/** A service under test: started on 127.0.0.1, it serves the suite's protocol at `url`. */
export interface ServiceUnderTest {
  readonly url: string;
  close(): Promise<void>;
}

/** Header lines as [name, value] pairs, in order: what the harness sends, and what a callback carried. */
type HeaderLines = Array<[string, string]>;

const TRACE_ID = '12345678901234567890123456789012';
const PARENT = (version: string, flags = '01') => `${version}-${TRACE_ID}-1234567890123456-${flags}`;
const VALID = PARENT('00');
const UNSAMPLED = PARENT('00', '00');

interface Traceparent {
  version: string;
  traceId: string;
  parentId: string;
  flags: string;
}

const TRACEPARENT_FORMAT = /^([0-9a-f]{2})-([0-9a-f]{32})-([0-9a-f]{16})-([0-9a-f]{2})$/;
// One member as the service must write it (Level 2 key, value without trailing space).
const MEMBER = /^([a-z0-9][a-z0-9_\-*/@]{0,255})=([\x20-\x2b\x2d-\x3c\x3e-\x7e]{0,255}[\x21-\x2b\x2d-\x3c\x3e-\x7e])$/;

/** The callback's single, well-formed traceparent (the suite fails on zero, two or a malformed one). */
function traceparentOf(callback: HeaderLines): Traceparent {
  const values = callback.filter(([name]) => name.toLowerCase() === 'traceparent').map(([, v]) => v);
  expect(values, 'exactly one traceparent header').toHaveLength(1);
  const match = TRACEPARENT_FORMAT.exec(values[0]!);
  expect(match, `well-formed traceparent: ${values[0]}`).not.toBeNull();
  const [, version, traceId, parentId, flags] = match!;
  expect(traceId).not.toBe('0'.repeat(32));
  expect(parentId).not.toBe('0'.repeat(16));
  return { version: version!, traceId: traceId!, parentId: parentId!, flags: flags! };
}

/** The callback's tracestate: its members in order (the combined value of every tracestate header). */
function tracestateOf(callback: HeaderLines): { text: string; members: Map<string, string> } {
  const text = callback
    .filter(([name]) => name.toLowerCase() === 'tracestate')
    .map(([, v]) => v)
    .join(',');
  const members = new Map<string, string>();
  for (const raw of text.split(',')) {
    const member = raw.replace(/^[ \t]+|[ \t]+$/g, '');
    if (member === '') continue;
    const match = MEMBER.exec(member);
    expect(match, `well-formed tracestate member: ${member}`).not.toBeNull();
    expect(members.has(match![1]!), `key ${match![1]} written once`).toBe(false);
    members.set(match![1]!, match![2]!);
  }
  expect(members.size).toBeLessThanOrEqual(32);
  return { text, members };
}

/** Sends one request with exactly these header lines (duplicates and odd spacing kept) over a raw socket. */
function rawPost(target: string, headers: HeaderLines, body: string): Promise<number> {
  const url = new URL(target);
  return new Promise((resolve, reject) => {
    const socket = connect(Number(url.port), url.hostname);
    let response = '';
    socket.setEncoding('latin1');
    socket.on('data', (chunk: string) => (response += chunk));
    socket.on('error', reject);
    socket.on('close', () => {
      const status = /^HTTP\/1\.1 (\d{3})/.exec(response);
      if (status) resolve(Number(status[1]));
      else reject(new Error(`no HTTP response from the service: ${JSON.stringify(response.slice(0, 200))}`));
    });
    const lines = [`POST ${url.pathname} HTTP/1.1`, `Host: ${url.host}`];
    for (const [name, value] of headers) lines.push(`${name}: ${value}`);
    lines.push('Content-Type: application/json', `Content-Length: ${Buffer.byteLength(body)}`, 'Connection: close');
    // write, not end: a half-closed socket makes node:http drop the request before it answers.
    socket.write(lines.join('\r\n') + '\r\n\r\n' + body, 'latin1');
  });
}

function rawHeaders(request: IncomingMessage): HeaderLines {
  const pairs: HeaderLines = [];
  for (let i = 0; i < request.rawHeaders.length; i += 2)
    pairs.push([request.rawHeaders[i]!, request.rawHeaders[i + 1]!]);
  return pairs;
}

/** The harness: receives the service's callbacks, one path per expected callback. */
class Harness {
  private server: Server | undefined;
  private base = '';
  private nextScope = 0;
  private readonly received = new Map<string, HeaderLines>();

  async start(): Promise<void> {
    this.server = createServer((request, response) => {
      this.received.set(request.url ?? '', rawHeaders(request));
      request.resume();
      request.on('end', () => response.end('{}'));
    });
    await new Promise<void>((resolve) => this.server!.listen(0, '127.0.0.1', resolve));
    this.base = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
  }

  async stop(): Promise<void> {
    this.server?.closeAllConnections();
    await new Promise<void>((resolve) => (this.server ? this.server.close(() => resolve()) : resolve()));
  }

  /** Asks the service to call back `count` times with the context it got from `headers`; returns the callbacks. */
  async request(service: string, headers: HeaderLines, count = 1): Promise<HeaderLines[]> {
    const scope = `/scope${this.nextScope++}`;
    const targets = Array.from({ length: count }, (_, i) => `${this.base}${scope}/${i}`);
    const status = await rawPost(service, headers, JSON.stringify(targets.map((url) => ({ url, arguments: [] }))));
    expect(status, 'the service answers the harness').toBe(200);
    return targets.map((url) => {
      const callback = this.received.get(new URL(url).pathname);
      expect(callback, `the service called back ${url}`).toBeDefined();
      return callback!;
    });
  }
}

/**
 * Defines the suite's cases for one service. `start` starts the service (on 127.0.0.1, any port); it must
 * serve the protocol described at the top of this file.
 */
export function describeTraceContextSuite(title: string, start: () => Promise<ServiceUnderTest>): void {
  describe(`W3C Trace Context test suite: ${title}`, () => {
    const harness = new Harness();
    let service: ServiceUnderTest;

    beforeAll(async () => {
      await harness.start();
      service = await start();
    });
    afterAll(async () => {
      await service?.close();
      await harness.stop();
    });

    const one = async (headers: HeaderLines) => {
      const [callback] = await harness.request(service.url, headers);
      return { traceparent: traceparentOf(callback!), tracestate: tracestateOf(callback!) };
    };
    const newTrace = async (headers: HeaderLines, ...notIds: string[]) => {
      const { traceparent } = await one(headers);
      for (const id of [TRACE_ID, ...notIds]) expect(traceparent.traceId).not.toBe(id);
    };
    const sameTrace = async (headers: HeaderLines) => {
      const result = await one(headers);
      expect(result.traceparent.traceId).toBe(TRACE_ID);
      return result;
    };
    /** tracestate `foo` inherited (value 1), or (`false`) nothing inherited. */
    const fooInherited = async (inherited: boolean, ...tracestates: string[]) => {
      const { tracestate } = await sameTrace([
        ['traceparent', UNSAMPLED],
        ...tracestates.map((v): [string, string] => ['tracestate', v]),
      ]);
      if (inherited) expect(tracestate.members.get('foo')).toBe('1');
      else expect(tracestate.members.has('foo')).toBe(false);
    };

    describe('traceparent', () => {
      it('both traceparent and tracestate missing: a valid traceparent', async () => {
        await one([]);
      });

      it('traceparent included, tracestate missing: the same trace id, a new parent id', async () => {
        const { traceparent } = await sameTrace([['traceparent', VALID]]);
        expect(traceparent.parentId).not.toBe('1234567890123456');
      });

      it('traceparent duplicated: a new trace', async () => {
        await newTrace(
          [
            ['traceparent', `00-${TRACE_ID.slice(0, 31)}1-1234567890123456-01`],
            ['traceparent', VALID],
          ],
          `${TRACE_ID.slice(0, 31)}1`,
        );
      });

      it('header name: trace-parent and trace.parent are not traceparent', async () => {
        await newTrace([['trace-parent', VALID]]);
        await newTrace([['trace.parent', VALID]]);
      });

      it('header name: any casing of traceparent is valid', async () => {
        for (const name of ['TraceParent', 'TrAcEpArEnT', 'TRACEPARENT']) await sameTrace([[name, VALID]]);
      });

      it('version 0x00 with extra trailing characters: a new trace', async () => {
        await newTrace([['traceparent', `${VALID}.`]]);
        await newTrace([['traceparent', `${VALID}-what-the-future-will-be-like`]]);
      });

      it('version 0xcc (a future version): the trace is kept, extra fields after a dash allowed', async () => {
        await sameTrace([['traceparent', PARENT('cc')]]);
        await sameTrace([['traceparent', `${PARENT('cc')}-what-the-future-will-be-like`]]);
        await newTrace([['traceparent', `${PARENT('cc')}.what-the-future-will-be-like`]]);
      });

      it('version 0xff is invalid: a new trace', async () => {
        await newTrace([['traceparent', PARENT('ff')]]);
      });

      it('version with illegal characters, too long or too short: a new trace', async () => {
        for (const version of ['.0', '0.', '000', '0000', '0']) await newTrace([['traceparent', PARENT(version)]]);
      });

      it('trace id all zero, with illegal characters, too long or too short: a new trace', async () => {
        await newTrace([['traceparent', `00-${'0'.repeat(32)}-1234567890123456-01`]]);
        await newTrace([['traceparent', `00-.${TRACE_ID.slice(1)}-1234567890123456-01`]]);
        await newTrace([['traceparent', `00-${TRACE_ID.slice(0, 31)}.-1234567890123456-01`]]);
        await newTrace(
          [['traceparent', `00-${TRACE_ID}3-1234567890123456-01`]],
          `${TRACE_ID}3`.slice(1),
          `${TRACE_ID}3`.slice(0, 32),
        );
        await newTrace([['traceparent', `00-${TRACE_ID.slice(0, 31)}-1234567890123456-01`]]);
      });

      it('parent id all zero, with illegal characters, too long or too short: a new trace', async () => {
        for (const parent of [
          '0000000000000000',
          '.234567890123456',
          '123456789012345.',
          '12345678901234567',
          '123456789012345',
        ])
          await newTrace([['traceparent', `00-${TRACE_ID}-${parent}-01`]]);
      });

      it('trace flags with illegal characters, too long or too short: a new trace', async () => {
        for (const flags of ['.0', '0.', '001', '1'])
          await newTrace([['traceparent', `00-${TRACE_ID}-1234567890123456-${flags}`]]);
      });

      it('leading and trailing spaces and tabs (OWS) around traceparent are allowed', async () => {
        for (const value of [` ${VALID}`, `\t${VALID}`, `${VALID} `, `${VALID}\t`, `\t ${VALID} \t`])
          await sameTrace([['traceparent', value]]);
      });
    });

    describe('tracestate', () => {
      it('tracestate without traceparent is discarded', async () => {
        const first = await one([['tracestate', 'foo=1']]);
        const second = await one([['tracestate', 'foo=1,bar=2']]);
        expect(first.tracestate.members.size).toBe(second.tracestate.members.size);
        expect(second.tracestate.members.has('bar')).toBe(false);
      });

      it('tracestate with traceparent is inherited', async () => {
        const { tracestate } = await sameTrace([
          ['traceparent', UNSAMPLED],
          ['tracestate', 'foo=1,bar=2'],
        ]);
        expect(tracestate.members.get('foo')).toBe('1');
        expect(tracestate.members.get('bar')).toBe('2');
      });

      it('header name: trace-state and trace.state are not tracestate', async () => {
        const dashed = await sameTrace([
          ['traceparent', UNSAMPLED],
          ['trace-state', 'foo=1'],
        ]);
        expect(dashed.tracestate.members.has('foo')).toBe(false);
        const dotted = await sameTrace([
          ['traceparent', UNSAMPLED],
          ['trace.state', 'foo=1'],
        ]);
        expect(dotted.tracestate.members.has('foo')).toBe(false);
      });

      it('header name: any casing of tracestate is valid', async () => {
        for (const name of ['TraceState', 'TrAcEsTaTe', 'TRACESTATE']) {
          const { tracestate } = await sameTrace([
            ['traceparent', UNSAMPLED],
            [name, 'foo=1'],
          ]);
          expect(tracestate.members.get('foo')).toBe('1');
        }
      });

      it('an empty tracestate header is discarded, and does not spoil another one', async () => {
        const { tracestate } = await sameTrace([
          ['traceparent', UNSAMPLED],
          ['tracestate', ''],
        ]);
        expect(tracestate.members.size).toBe(0);
        await fooInherited(true, 'foo=1', '');
        await fooInherited(true, '', 'foo=1');
      });

      it('several tracestate headers are combined in order', async () => {
        const { tracestate } = await sameTrace([
          ['traceparent', UNSAMPLED],
          ['tracestate', 'foo=1,bar=2'],
          ['tracestate', 'rojo=1,congo=2'],
          ['tracestate', 'baz=3'],
        ]);
        const order = ['foo=1', 'bar=2', 'rojo=1', 'congo=2', 'baz=3'].map((m) => tracestate.text.indexOf(m));
        expect(order.every((at) => at >= 0)).toBe(true);
        expect([...order].sort((a, b) => a - b)).toEqual(order);
      });

      it('duplicated keys: the tracestate is still inherited, with one of the members (issue #12; the suite later)', async () => {
        for (const [headers, allowed] of [
          [['foo=1,foo=1'], ['1']],
          [['foo=1,foo=2'], ['1', '2']],
          [['foo=1', 'foo=1'], ['1']],
          [
            ['foo=1', 'foo=2'],
            ['1', '2'],
          ],
        ] as const) {
          const { tracestate } = await sameTrace([
            ['traceparent', UNSAMPLED],
            ...headers.map((v): [string, string] => ['tracestate', v]),
          ]);
          expect(allowed).toContain(tracestate.members.get('foo'));
        }
      });

      it('all allowed characters in keys and values are inherited', async () => {
        const keyWithoutVendor = 'abcdefghijklmnopqrstuvwxyz0123456789_-*/';
        const keyWithVendor = `${keyWithoutVendor}@a-z0-9_-*/`;
        let value = '';
        for (let c = 0x20; c <= 0x7e; c++) if (c !== 0x2c && c !== 0x3d) value += String.fromCharCode(c);
        for (const key of [keyWithoutVendor, keyWithVendor]) {
          const { tracestate } = await sameTrace([
            ['traceparent', UNSAMPLED],
            ['tracestate', `${key}=${value}`],
          ]);
          expect(tracestate.members.get(key)).toBe(value);
        }
      });

      it('spaces and tabs (OWS) around members are allowed', async () => {
        for (const header of ['foo=1 \t , \t bar=2, \t baz=3', 'foo=1\t \t,\t \tbar=2,\t \tbaz=3']) {
          const { tracestate } = await sameTrace([
            ['traceparent', UNSAMPLED],
            ['tracestate', header],
          ]);
          expect(Object.fromEntries(tracestate.members)).toEqual({ foo: '1', bar: '2', baz: '3' });
        }
        for (const header of [' foo=1', '\tfoo=1', 'foo=1 ', 'foo=1\t', '\t foo=1 \t'])
          await fooInherited(true, header);
      });

      it('a key with illegal characters makes the whole tracestate invalid', async () => {
        for (const [header, key] of [
          ['foo =1', 'foo '],
          ['FOO=1', 'FOO'],
          ['foo.bar=1', 'foo.bar'],
        ] as const) {
          const { tracestate } = await sameTrace([
            ['traceparent', UNSAMPLED],
            ['tracestate', `${header},bar=2`],
          ]);
          expect(tracestate.members.has(key)).toBe(false);
          expect(tracestate.members.has('bar')).toBe(false);
        }
      });

      it('keys with @ follow Level 2 (any position, the suite expected Level 1 tenant@system)', async () => {
        for (const key of ['foo@', '@foo', 'foo@@bar', 'foo@bar@baz']) {
          const { tracestate } = await sameTrace([
            ['traceparent', UNSAMPLED],
            ['tracestate', `${key}=1,bar=2`],
          ]);
          // '@foo' does not start with lcalpha / DIGIT, so it is invalid in both levels.
          if (key.startsWith('@')) expect(tracestate.members.has('bar')).toBe(false);
          else expect(tracestate.members.get('bar')).toBe('2');
        }
      });

      it('32 members are inherited, 33 make the tracestate invalid', async () => {
        const members = (from: number, to: number) =>
          Array.from({ length: to - from + 1 }, (_, i) => {
            const n = String(from + i).padStart(2, '0');
            return `bar${n}=${n}`;
          }).join(',');
        const full = await sameTrace([
          ['traceparent', UNSAMPLED],
          ['tracestate', members(1, 10)],
          ['tracestate', members(11, 20)],
          ['tracestate', members(21, 30)],
          ['tracestate', members(31, 32)],
        ]);
        expect(full.tracestate.members.get('bar01')).toBe('01');
        expect(full.tracestate.members.size).toBe(32);
        const over = await sameTrace([
          ['traceparent', UNSAMPLED],
          ['tracestate', members(1, 10)],
          ['tracestate', members(11, 20)],
          ['tracestate', members(21, 30)],
          ['tracestate', members(31, 33)],
        ]);
        expect(over.tracestate.members.has('bar01')).toBe(false);
      });

      it('key length: 256 characters are allowed, 257 make the tracestate invalid', async () => {
        await fooInherited(true, 'foo=1', `${'z'.repeat(256)}=1`);
        await fooInherited(false, 'foo=1', `${'z'.repeat(257)}=1`);
        // Level 1's tenant (241) and system (14) limits are gone in Level 2: only the 256 total counts.
        await fooInherited(true, 'foo=1', `${'t'.repeat(241)}@${'v'.repeat(14)}=1`);
        await fooInherited(true, 'foo=1', `${'t'.repeat(242)}@v=1`);
        await fooInherited(true, 'foo=1', `t@${'v'.repeat(15)}=1`);
        await fooInherited(false, 'foo=1', `${'t'.repeat(250)}@${'v'.repeat(6)}=1`);
      });

      it('a value with illegal characters makes the tracestate invalid', async () => {
        await fooInherited(false, 'foo=bar=baz');
        const { tracestate } = await sameTrace([
          ['traceparent', UNSAMPLED],
          ['tracestate', 'foo=,bar=3'],
        ]);
        expect(tracestate.members.has('foo')).toBe(false);
        expect(tracestate.members.has('bar')).toBe(false);
      });
    });

    describe('several callbacks (AdvancedTest)', () => {
      it('a valid traceparent: every callback in the same trace, each with its own parent id', async () => {
        const callbacks = await harness.request(service.url, [['traceparent', VALID]], 3);
        const parents = callbacks.map(traceparentOf);
        expect(new Set(parents.map((p) => p.traceId))).toEqual(new Set([TRACE_ID]));
        expect(new Set(parents.map((p) => p.parentId)).size).toBe(3);
      });

      it('no traceparent: a different parent id for each callback', async () => {
        const parents = (await harness.request(service.url, [], 3)).map(traceparentOf);
        expect(new Set(parents.map((p) => p.parentId)).size).toBe(3);
      });

      it('an invalid traceparent: new trace ids, a different parent id for each callback', async () => {
        const callbacks = await harness.request(
          service.url,
          [['traceparent', `00-${'0'.repeat(32)}-1234567890123456-01`]],
          3,
        );
        const parents = callbacks.map(traceparentOf);
        expect(parents.some((p) => p.traceId === '0'.repeat(32))).toBe(false);
        expect(new Set(parents.map((p) => p.parentId)).size).toBe(3);
      });
    });
  });
}

/** Reads the harness's JSON request body: the list of callbacks to make. */
export async function readCallbacks(request: IncomingMessage): Promise<Array<{ url: string; arguments: unknown }>> {
  const chunks: Buffer[] = [];
  for await (const chunk of request) chunks.push(chunk as Buffer);
  const parsed: unknown = JSON.parse(Buffer.concat(chunks).toString('utf8'));
  if (!Array.isArray(parsed)) throw new TypeError('the harness sends a JSON list');
  return parsed as Array<{ url: string; arguments: unknown }>;
}
