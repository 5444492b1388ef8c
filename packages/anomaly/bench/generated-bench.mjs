// The extra benchmark set: generated series unlike the NAB development split
// (bench/generated-series.mjs), scored with NAB's rules (nab-score.mjs's
// scoreCorpus: windows, probationary period, profiles, normalisation) for the
// NAB adapter (exactly what detect() returns) and NAB's windowed-Gaussian reference.
//
//   pnpm --filter @obs/anomaly build && node packages/anomaly/bench/generated-bench.mjs [--json]
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { SERIES_KINDS, generatedCorpus } from './generated-series.mjs';

const here = dirname(fileURLToPath(import.meta.url));
const nabDir = [process.env.NAB_DIR, join(here, '../../../../shared/nab'), '/work/shared/nab'].find(
  (d) => d && existsSync(join(d, 'nab-score.mjs')),
);
if (!nabDir) throw new Error('nab-score.mjs not found: set NAB_DIR');
const { scoreCorpus, probationaryLength } = await import(pathToFileURL(join(nabDir, 'nab-score.mjs')).href);
const detectors = {
  '@obs/anomaly (detect())': (await import('./nab-detector.mjs')).createDetector,
  'windowed Gaussian (NAB reference)': (
    await import(pathToFileURL(join(nabDir, 'detectors/windowed-gaussian.mjs')).href)
  ).createDetector,
};

export function scoreGenerated() {
  const series = generatedCorpus();
  const files = series.map((s) => ({
    rel: `${s.kind}/${s.name}`,
    ts: s.ts,
    values: s.values,
    windows: s.windows,
    probation: probationaryLength(s.ts.length),
  }));
  const out = {
    series: files.length,
    rows: files.reduce((n, f) => n + f.ts.length, 0),
    windows: files.reduce((n, f) => n + f.windows.length, 0),
    detectors: {},
  };
  for (const [name, factory] of Object.entries(detectors)) {
    const scores = files.map((f) => {
      const d = factory({ probationaryLength: f.probation });
      return Float64Array.from(f.values, (v, i) => d.update(f.ts[i], v));
    });
    const overall = scoreCorpus(files, scores);
    const byKind = {};
    for (const kind of SERIES_KINDS) {
      const idx = files.map((f, i) => (f.rel.startsWith(kind + '/') ? i : -1)).filter((i) => i >= 0);
      byKind[kind] = scoreCorpus(
        idx.map((i) => files[i]),
        idx.map((i) => scores[i]),
      ).standard.normalised;
    }
    out.detectors[name] = {
      standard: overall.standard.normalised,
      reward_low_FP_rate: overall.reward_low_FP_rate.normalised,
      reward_low_FN_rate: overall.reward_low_FN_rate.normalised,
      windowsFound: overall.standard.windowsDetected,
      fpRows: overall.standard.fpRows,
      byKind,
    };
  }
  return out;
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  const res = scoreGenerated();
  if (process.argv.includes('--json')) console.log(JSON.stringify(res, null, 2));
  else {
    console.log(`generated set: ${res.series} series, ${res.rows} rows, ${res.windows} windows`);
    for (const [name, r] of Object.entries(res.detectors)) {
      console.log(
        `${name}: standard ${r.standard.toFixed(2)}, low FP ${r.reward_low_FP_rate.toFixed(2)}, low FN ${r.reward_low_FN_rate.toFixed(2)}, windows ${r.windowsFound}/${res.windows}, fp rows ${r.fpRows}; standard by kind ${Object.entries(
          r.byKind,
        )
          .map(([k, v]) => `${k} ${v.toFixed(2)}`)
          .join(', ')}`,
      );
    }
  }
}
