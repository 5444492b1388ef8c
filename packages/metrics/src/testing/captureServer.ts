/** Test-only HTTP receiver on 127.0.0.1 that records requests and answers from a script. */
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface CapturedRequest {
  readonly url: string;
  readonly headers: IncomingHttpHeaders;
  readonly body: Buffer;
}

export interface CaptureServer {
  readonly url: string;
  readonly requests: CapturedRequest[];
  /** Status (and headers) for the next requests, in order; afterwards 200. */
  respond(
    ...answers: Array<number | { status: number; headers?: Record<string, string>; body?: string | Uint8Array }>
  ): void;
  close(): Promise<void>;
}

export async function startCaptureServer(path = '/'): Promise<CaptureServer> {
  const requests: CapturedRequest[] = [];
  const script: Array<{ status: number; headers?: Record<string, string>; body?: string | Uint8Array }> = [];
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      requests.push({ url: req.url ?? '', headers: req.headers, body: Buffer.concat(chunks) });
      const answer = script.shift() ?? { status: 200 };
      res.writeHead(answer.status, answer.headers ?? {});
      res.end(answer.body ?? '');
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}${path}`,
    requests,
    respond: (...answers) => script.push(...answers.map((a) => (typeof a === 'number' ? { status: a } : a))),
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
