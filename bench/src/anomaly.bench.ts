/**
 * @obs/anomaly: the cost of `detect()` on one series (the hub's latency flow),
 * with labels, across many series, and of the bare per-series model; side by
 * side with NAB's windowed-Gaussian reference detector (../shared/nab/detectors/)
 * and a windowed z-score written inline (what a naive detector pays). Also the
 * heap one series model holds, and a full run of the NAB development split
 * through packages/anomaly/bench/nab-detector.mjs when ../shared/nab is present.
 */
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { createAnomalyDetector, createStreamScorer } from '@obs/anomaly';
import { benchGroup, formatGroup, heapUsed } from './harness';

const N = 1 << 16;
const MASK = N - 1;

/** Latency-like values: noise around 120 ms with a rare spike. */
function makeValues(): Float64Array {
  const values = new Float64Array(N);
  let seed = 12345;
  const u = () => {
    seed = (seed * 1103515245 + 12345) & 0x7fffffff;
    return seed / 0x7fffffff;
  };
  for (let i = 0; i < N; i++) values[i] = 120 + 15 * (u() + u() + u() - 1.5) + (i % 5000 === 4999 ? 400 : 0);
  return values;
}

/** Sliding-window mean/std z-score over the last 100 points: the naive reference. */
function windowedZ(size = 100) {
  const win = new Float64Array(size);
  let at = 0;
  let n = 0;
  let sum = 0;
  let sumSq = 0;
  return (x: number): boolean => {
    const mean = n > 0 ? sum / n : x;
    const sd = n > 1 ? Math.sqrt(Math.max(0, sumSq / n - mean * mean)) : 0;
    const anomalous = n >= size && sd > 0 && Math.abs(x - mean) / sd > 4;
    if (n === size) {
      const old = win[at]!;
      sum -= old;
      sumSq -= old * old;
    } else n++;
    win[at] = x;
    at = (at + 1) % size;
    sum += x;
    sumSq += x * x;
    return anomalous;
  };
}

function totalPerItem(count: number, build: (count: number) => unknown): number {
  const before = heapUsed() + process.memoryUsage().arrayBuffers;
  const kept = build(count);
  const after = heapUsed() + process.memoryUsage().arrayBuffers;
  void kept;
  return (after - before) / count;
}

/** The NAB development split: `NAB_DIR`, else `../shared/nab` beside the repository, else /work/shared/nab. */
function nabDir(): string | undefined {
  const candidates = [
    process.env['NAB_DIR'],
    fileURLToPath(new URL('../../../shared/nab', import.meta.url)),
    '/work/shared/nab',
  ];
  return candidates.find((d): d is string => d !== undefined && existsSync(`${d}/nab-score.mjs`));
}

function nabRun(): string {
  const dir = nabDir();
  const scorer = `${dir}/nab-score.mjs`;
  const adapter = fileURLToPath(new URL('../../packages/anomaly/bench/nab-detector.mjs', import.meta.url));
  if (dir === undefined) return '_NAB split not found at ../shared/nab; skipped._';
  const out = execFileSync(process.execPath, [scorer, adapter, '--jobs', '2', '--json'], {
    encoding: 'utf8',
    maxBuffer: 64 << 20,
  });
  const res = JSON.parse(out) as {
    files: number;
    rows: number;
    timing: { detectS: number };
    profiles: Record<
      string,
      { normalised: number; windowsDetected: number; windows: number; fpRows: number; threshold: number }
    >;
  };
  const lines = [
    `### NAB development split (${res.files} files, ${res.rows} rows, default configuration)`,
    '',
    `Detection time: ${res.timing.detectS.toFixed(2)} s with 2 worker threads (${(res.rows / res.timing.detectS / 1e3).toFixed(0)}k rows/s).`,
    '',
    '| profile | score | windows found | false-positive rows | threshold |',
    '| --- | ---: | ---: | ---: | ---: |',
  ];
  for (const [name, p] of Object.entries(res.profiles)) {
    lines.push(
      `| ${name} | ${p.normalised.toFixed(2)} | ${p.windowsDetected}/${p.windows} | ${p.fpRows} | ${p.threshold.toFixed(3)} |`,
    );
  }
  return lines.join('\n');
}

interface GeneratedResult {
  series: number;
  rows: number;
  windows: number;
  detectors: Record<
    string,
    {
      standard: number;
      reward_low_FP_rate: number;
      reward_low_FN_rate: number;
      windowsFound: number;
      fpRows: number;
      byKind: Record<string, number>;
    }
  >;
}

/** The extra set of generated series (bursty counts, cloud metrics, request rates), scored with NAB's rules. */
async function generatedRun(): Promise<string> {
  if (nabDir() === undefined) return '_NAB scorer not found at ../shared/nab; generated set skipped._';
  const url = new URL('../../packages/anomaly/bench/generated-bench.mjs', import.meta.url).href;
  const res = ((await import(url)) as { scoreGenerated(): GeneratedResult }).scoreGenerated();
  const kinds = Object.keys(Object.values(res.detectors)[0]!.byKind);
  const lines = [
    `### Generated series unlike the split (${res.series} series, ${res.rows} rows, ${res.windows} labelled windows, NAB rules)`,
    '',
    `| detector | standard | low FP | low FN | windows found | false-positive rows | ${kinds.map((k) => `${k} (standard)`).join(' | ')} |`,
    `| --- | ---: | ---: | ---: | ---: | ---: | ${kinds.map(() => '---:').join(' | ')} |`,
  ];
  for (const [name, r] of Object.entries(res.detectors)) {
    lines.push(
      `| ${name} | ${r.standard.toFixed(2)} | ${r.reward_low_FP_rate.toFixed(2)} | ${r.reward_low_FN_rate.toFixed(2)} | ${r.windowsFound}/${res.windows} | ${r.fpRows} | ${kinds.map((k) => r.byKind[k]!.toFixed(2)).join(' | ')} |`,
    );
  }
  return lines.join('\n');
}

export async function run(): Promise<string> {
  const values = makeValues();
  const T0 = Date.UTC(2024, 0, 1);
  const one = createAnomalyDetector();
  const labelled = createAnomalyDetector();
  const labels = { route: '/api/analyze', method: 'POST' };
  const many = createAnomalyDetector({ maxSeries: 10_000 });
  const names = Array.from({ length: 10_000 }, (_, i) => `latency_${i}`);
  const scorer = createStreamScorer();
  const z = windowedZ();
  let t = T0;
  const dir = nabDir();
  const gaussian =
    dir === undefined
      ? undefined
      : (
          (await import(`${dir}/detectors/windowed-gaussian.mjs`)) as {
            createDetector(): { update(t: number, x: number): number };
          }
        ).createDetector();

  const detect = benchGroup(
    'detect one value (one series)',
    gaussian ? 'NAB windowed Gaussian (reference detector)' : 'windowed z-score (inline reference)',
    [
      ...(gaussian
        ? [
            {
              name: 'NAB windowed Gaussian (reference detector)',
              run(n: number) {
                let s = 0;
                for (let i = 0; i < n; i++) s += gaussian.update((t += 1000), values[i & MASK]!);
                return s;
              },
            },
          ]
        : []),
      {
        name: 'windowed z-score (inline reference)',
        run(n) {
          let hits = 0;
          for (let i = 0; i < n; i++) if (z(values[i & MASK]!)) hits++;
          return hits;
        },
      },
      {
        name: '@obs/anomaly StreamScorer.update (model only)',
        run(n) {
          let s = 0;
          for (let i = 0; i < n; i++) s += scorer.update(values[i & MASK]!, (t += 1000)).score;
          return s;
        },
      },
      {
        name: '@obs/anomaly detect(name, value, undefined, ts)',
        run(n) {
          let hits = 0;
          for (let i = 0; i < n; i++) if (one.detect('latency_ms', values[i & MASK]!, undefined, (t += 1000))) hits++;
          return hits;
        },
      },
      {
        name: '@obs/anomaly detect with 2 labels',
        run(n) {
          let hits = 0;
          for (let i = 0; i < n; i++) if (labelled.detect('latency_ms', values[i & MASK]!, labels, (t += 1000))) hits++;
          return hits;
        },
      },
      {
        name: '@obs/anomaly detect, 10k series round-robin',
        run(n) {
          let hits = 0;
          for (let i = 0; i < n; i++)
            if (many.detect(names[i % 10_000]!, values[i & MASK]!, undefined, t + (i / 10_000) * 1000)) hits++;
          t += (n / 10_000) * 1000 + 1000;
          return hits;
        },
      },
    ],
  );

  const perSeries = totalPerItem(2000, (count) => {
    const d = createAnomalyDetector({ maxSeries: count });
    for (let s = 0; s < count; s++)
      for (let i = 0; i < 40; i++) d.detect(`s${s}`, values[i]!, undefined, T0 + i * 60_000);
    return d;
  });

  return [
    formatGroup(detect),
    '',
    `Memory per series model (JS heap + typed arrays, 2,000 warm series): ${(perSeries / 1024).toFixed(1)} KB (limit 64 KB).`,
    '',
    nabRun(),
    '',
    await generatedRun(),
  ].join('\n');
}
