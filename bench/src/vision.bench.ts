/**
 * @obs/vision: the cost of describing an image with LocalImageProvider, next
 * to the decoders alone (pngjs / jpeg-js through `decodeImage`) and the
 * header-only limit check that runs before any decoding. No peer library
 * describes images, so the baseline is decoding itself: the ratio shows what
 * the statistics (brightness, contrast, colours) add on top.
 */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { createObservabilityHub } from '@obs/hub';
import { LocalImageProvider, ObservableVisionProvider, decodeImage, inspectImage, type VisionDescription, type VisionProvider } from '@obs/vision';
import { benchGroup, formatGroup, formatOps } from './harness';

/** Median ops/s of an async operation over rotated rounds (the harness times synchronous code only). */
async function asyncGroup(group: string, baseline: string, cases: { name: string; run: () => Promise<unknown> }[], rounds = 7, perRound = 20_000): Promise<string> {
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
  cases.forEach((c, i) => lines.push(`| ${c.name} | ${formatOps(medians[i]!)} | ${(medians[i]! / base).toFixed(2)}x | ${(1e6 / medians[i]!).toFixed(2)} |`));
  return lines.join('\n');
}

const samples = fileURLToPath(new URL('../../apps/example/samples/', import.meta.url));

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
        { name: 'decode only', run: (n) => { let last; for (let i = 0; i < n; i++) last = decodeImage(bytes); return last; } },
        { name: 'analyzeImage (decode + statistics)', run: (n) => { let last; for (let i = 0; i < n; i++) last = provider.analyzeImageSync(bytes); return last; } },
        { name: 'header and limit check only', run: (n) => { let last; for (let i = 0; i < n; i++) last = inspectImage(bytes); return last; } },
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
      { name: 'ObservableVisionProvider, failure', run: () => observedFailing.analyzeImage(bytes).catch(() => undefined) },
    ]),
  );
  await hub.stop();
  return out.join('\n\n');
}
