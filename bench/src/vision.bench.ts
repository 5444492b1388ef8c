/**
 * @obs/vision: the cost of describing an image with LocalImageProvider, next
 * to the decoders alone (pngjs / jpeg-js through `decodeImage`) and the
 * header-only limit check that runs before any decoding. No peer library
 * describes images, so the baseline is decoding itself: the ratio shows what
 * the statistics (brightness, contrast, colours) add on top.
 */
import { spawn } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { fileURLToPath } from 'node:url';
import { createObservabilityHub } from '@obs/hub';
import { ObservableVisionProvider, type VisionDescription, type VisionProvider } from '@obs/vision';
import { LocalImageProvider, decodeImage, inspectImage } from '@obs/vision/local';
import { benchGroup, formatGroup, formatOps } from './harness';

/** Median ops/s of an async operation over rotated rounds (the harness times synchronous code only). */
async function asyncGroup(
  group: string,
  baseline: string,
  cases: { name: string; run: () => Promise<unknown> }[],
  rounds = 7,
  perRound = 20_000,
): Promise<string> {
  for (const c of cases) for (let i = 0; i < 2_000; i++) await c.run(); // warm-up
  const samples = cases.map(() => [] as number[]);
  for (let round = 0; round < rounds; round++) {
    for (let k = 0; k < cases.length; k++) {
      const i = (k + round) % cases.length;
      const start = process.hrtime.bigint();
      for (let n = 0; n < perRound; n++) await cases[i]!.run();
      samples[i]!.push((perRound / Number(process.hrtime.bigint() - start)) * 1e9);
    }
  }
  const medians = samples.map((s) => [...s].sort((a, b) => a - b)[s.length >> 1]!);
  const base = medians[cases.findIndex((c) => c.name === baseline)]!;
  const lines = [`### ${group}`, '', `| case | ops/s | vs ${baseline} | µs per call |`, '| --- | ---: | ---: | ---: |'];
  cases.forEach((c, i) =>
    lines.push(
      `| ${c.name} | ${formatOps(medians[i]!)} | ${(medians[i]! / base).toFixed(2)}x | ${(1e6 / medians[i]!).toFixed(2)} |`,
    ),
  );
  return lines.join('\n');
}

const samples = fileURLToPath(new URL('../../apps/example/samples/', import.meta.url));
const exampleApp = fileURLToPath(new URL('../../apps/example/', import.meta.url));

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.on('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const port = (server.address() as { port: number }).port;
      server.close(() => resolve(port));
    });
  });
}

/** Runs `node <script> <args>` and resolves with the JSON it prints last. */
function runJson<T>(args: string[]): Promise<T> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, args, { stdio: ['ignore', 'pipe', 'inherit'] });
    let out = '';
    child.stdout.on('data', (d: Buffer) => (out += d.toString()));
    child.on('exit', (code) =>
      code === 0 ? resolve(JSON.parse(out.trim().split('\n').at(-1)!) as T) : reject(new Error(`exit ${code}`)),
    );
  });
}

interface UploadFigures {
  analyzedPerSecond: number;
  statuses: Record<string, number>;
  peakRssMiB: number;
  healthP50: number;
  healthP99: number;
  healthMax: number;
}

/**
 * The built example app as a child process, 20 clients each posting a 4-megapixel
 * PNG (6.5 MiB) twice, and a third process probing /health every 50 ms: what a
 * load balancer sees while the server decodes.
 */
async function uploadRun(workers: number): Promise<UploadFigures> {
  const port = await freePort();
  const app = spawn(process.execPath, [exampleApp + 'dist/main.js'], {
    env: {
      ...process.env,
      PORT: String(port),
      HOST: '127.0.0.1',
      OBS_TOKEN: '',
      OBS_METRICS_TOKEN: '',
      OBS_VISION_WORKERS: String(workers),
    },
    stdio: 'ignore',
  });
  try {
    const url = `http://127.0.0.1:${port}`;
    for (let i = 0; i < 100; i++) {
      if (
        await fetch(url + '/health/live').then(
          (r) => r.ok,
          () => false,
        )
      )
        break;
      await new Promise((r) => setTimeout(r, 100));
    }
    const script = exampleApp + 'scripts/hostile-client.mjs';
    const [uploads, probe] = await Promise.all([
      runJson<{ analyzedPerSecond: number; statuses: Record<string, number>; peakRssMiB: number }>([
        script,
        'uploads',
        '--url',
        url,
        '--concurrency',
        '20',
        '--rounds',
        '2',
        '--probe',
        'false',
        '--pid',
        String(app.pid),
      ]),
      runJson<{ health: { p50Ms: number; p99Ms: number; maxMs: number } }>([
        script,
        'probe',
        '--url',
        url,
        '--seconds',
        '20',
        '--every',
        '50',
      ]),
    ]);
    return { ...uploads, healthP50: probe.health.p50Ms, healthP99: probe.health.p99Ms, healthMax: probe.health.maxMs };
  } finally {
    app.kill('SIGKILL');
  }
}

/** Before (decoding on the event loop) and after (worker threads, bounded queue). */
export async function uploadsUnderLoad(): Promise<string> {
  if (!existsSync(exampleApp + 'dist/main.js'))
    return '### 20 concurrent 4 MP uploads\n\n(skipped: build the example app first)';
  const before = await uploadRun(0);
  const after = await uploadRun(Number(process.env.OBS_VISION_WORKERS ?? 1));
  const row = (name: string, f: UploadFigures) =>
    `| ${name} | ${f.analyzedPerSecond.toFixed(2)} | ${f.statuses['200'] ?? 0} / ${f.statuses['503'] ?? 0} | ${f.healthP50} | ${f.healthP99} | ${f.healthMax} | ${f.peakRssMiB} |`;
  return [
    '### 20 concurrent 4 MP PNG uploads (6.5 MiB each), /health probed from another process',
    '',
    '| decoding | analysed/s | 200 / 503 | /health p50 ms | /health p99 ms | /health max ms | peak RSS MiB |',
    '| --- | ---: | ---: | ---: | ---: | ---: | ---: |',
    row('on the event loop (before)', before),
    row('worker pool, bounded queue (after)', after),
  ].join('\n');
}

export async function run(): Promise<string> {
  const provider = new LocalImageProvider();
  const out: string[] = [];
  for (const [file, label] of [
    ['sunset.jpg', 'describe a 480×320 JPEG (11 KB)'],
    ['forest.png', 'describe a 320×240 PNG (165 KB, noisy)'],
    ['logo.png', 'describe a 256×256 PNG with alpha (2 KB)'],
  ] as const) {
    const bytes = readFileSync(samples + file);
    const group = benchGroup(
      label,
      'decode only',
      [
        {
          name: 'decode only',
          run: (n) => {
            let last;
            for (let i = 0; i < n; i++) last = decodeImage(bytes);
            return last;
          },
        },
        {
          name: 'analyzeImage (decode + statistics)',
          run: (n) => {
            let last;
            for (let i = 0; i < n; i++) last = provider.analyzeImageSync(bytes);
            return last;
          },
        },
        {
          name: 'header and limit check only',
          run: (n) => {
            let last;
            for (let i = 0; i < n; i++) last = inspectImage(bytes);
            return last;
          },
        },
      ],
      { rounds: 5, roundMs: 300 },
    );
    out.push(formatGroup(group));
  }

  // The wrapper's own cost: a provider that answers at once, bare and instrumented.
  const answer: VisionDescription = { summary: 'ok', details: {}, confidence: 0.9 };
  const instant: VisionProvider = { providerName: 'instant', analyzeImage: async () => answer };
  const failing: VisionProvider = {
    providerName: 'failing',
    analyzeImage: async () => {
      throw new Error('down');
    },
  };
  const hub = createObservabilityHub({ traceSampleRate: 0.1 });
  await hub.start();
  const observed = new ObservableVisionProvider(instant, hub, { errorAlert: false });
  const observedFailing = new ObservableVisionProvider(failing, hub, { errorAlert: false });
  const bytes = new Uint8Array(16);
  out.push(
    await asyncGroup('instrumentation overhead per request (real hub, 10 % of traces sampled)', 'bare provider', [
      { name: 'bare provider', run: () => instant.analyzeImage(bytes) },
      { name: 'ObservableVisionProvider, success', run: () => observed.analyzeImage(bytes) },
      {
        name: 'ObservableVisionProvider, failure',
        run: () => observedFailing.analyzeImage(bytes).catch(() => undefined),
      },
    ]),
  );
  await hub.stop();
  out.push(await uploadsUnderLoad());
  return out.join('\n\n');
}
