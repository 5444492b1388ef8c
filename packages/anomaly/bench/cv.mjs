// Leave-one-category-out cross-validation of the detector's constants on the NAB
// development split, through the public API exactly as the NAB adapter uses it
// (a row scores 1 when detect() returns an anomaly from that row's call).
//
//   pnpm --filter @obs/anomaly build
//   nice node packages/anomaly/bench/cv.mjs [--nab ../shared/nab] [--json out.json]
//
// For every configuration of a coarse grid the detector is run once over the 31
// files (results cached per configuration and build in the OS temp folder). Then,
// for each profile and each of the five categories, the configuration with the
// best normalised score on the other four categories is chosen and the held-out
// category is scored with it. The cross-validated corpus score is NAB's score of
// all files, each scored with the configuration its fold chose. The shipped
// default is the configuration that is best on all five categories (standard
// profile); the cross-validated score estimates how that choice generalises.
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
const args = process.argv.slice(2);
const opt = (name, fallback) => {
  const i = args.indexOf(name);
  return i >= 0 ? args[i + 1] : fallback;
};
const nabDir = resolve(
  opt(
    '--nab',
    [join(here, '../../../../shared/nab'), '/work/shared/nab'].find((d) => existsSync(join(d, 'nab-score.mjs'))),
  ),
);
const { loadCorpus, scoreCorpus } = await import(pathToFileURL(join(nabDir, 'nab-score.mjs')).href);
const dist = join(here, '../dist/index.js');
const { createAnomalyDetector } = await import(pathToFileURL(dist).href);

/** The coarse grid: the constants detect()'s verdicts depend on most. */
export const GRID = {
  threshold: [0.4, 0.5, 0.6, 0.7],
  quietPoints: [5, 10, 20, 50],
  clip: [3, 4, 5],
  scaleAlpha: [0.005, 0.01, 0.02],
};
export const DEFAULTS = { threshold: 0.5, quietPoints: 20, clip: 4, scaleAlpha: 0.01 };

function configs() {
  const out = [];
  for (const threshold of GRID.threshold)
    for (const quietPoints of GRID.quietPoints)
      for (const clip of GRID.clip)
        for (const scaleAlpha of GRID.scaleAlpha) out.push({ threshold, quietPoints, clip, scaleAlpha });
  // The current defaults first, so ties keep them.
  const key = (c) => JSON.stringify(c);
  out.sort((a, b) => (key(b) === key(DEFAULTS)) - (key(a) === key(DEFAULTS)));
  return out;
}

const toDetectorConfig = (c) => ({
  threshold: c.threshold,
  quietPoints: c.quietPoints,
  scorer: { clip: c.clip, scaleAlpha: c.scaleAlpha },
});

/** Detected row indices per file for one configuration (what the NAB adapter reports). */
function runConfig(files, c) {
  return files.map((f) => {
    const d = createAnomalyDetector(toDetectorConfig(c));
    const hits = [];
    for (let i = 0; i < f.values.length; i++)
      if (d.detect('nab', f.values[i], undefined, f.ts[i]) !== undefined) hits.push(i);
    return hits;
  });
}

function asScores(file, hits) {
  const s = new Float64Array(file.ts.length);
  for (const i of hits) s[i] = 1;
  return s;
}

const PROFILES = ['standard', 'reward_low_FP_rate', 'reward_low_FN_rate'];

/** NAB scores of a subset of files (indices), each file with its own detections. */
function scoreSubset(files, idx, hitsOf) {
  const sub = idx.map((i) => files[i]);
  const res = scoreCorpus(
    sub,
    idx.map((i) => asScores(files[i], hitsOf(i))),
  );
  const out = {};
  for (const p of PROFILES)
    out[p] = {
      normalised: res[p].normalised,
      raw: res[p].raw,
      windows: res[p].windows,
      found: res[p].windowsDetected,
      fpRows: res[p].fpRows,
    };
  return out;
}

export async function crossValidate() {
  const files = loadCorpus(nabDir);
  const categories = [...new Set(files.map((f) => f.rel.split('/')[0]))].sort();
  const inCat = (c) => files.map((f, i) => (f.rel.startsWith(c + '/') ? i : -1)).filter((i) => i >= 0);
  const all = files.map((_, i) => i);
  const grid = configs();

  const build = createHash('sha1').update(readFileSync(dist)).digest('hex').slice(0, 12);
  const cacheFile = join(tmpdir(), 'obs-anomaly-cv', `${build}.json`);
  mkdirSync(dirname(cacheFile), { recursive: true });
  const cache = existsSync(cacheFile) ? JSON.parse(readFileSync(cacheFile, 'utf8')) : {};
  const started = Date.now();
  const detections = grid.map((c, k) => {
    const key = JSON.stringify(c);
    if (!cache[key]) {
      cache[key] = runConfig(files, c);
      if (k % 8 === 0) writeFileSync(cacheFile, JSON.stringify(cache));
      if (k % 16 === 0)
        process.stderr.write(`config ${k + 1}/${grid.length} (${((Date.now() - started) / 1000).toFixed(0)} s)\n`);
    }
    return cache[key];
  });
  writeFileSync(cacheFile, JSON.stringify(cache));

  // Scores of every configuration on every "all but one category" training set.
  const train = categories.map((c) => all.filter((i) => !files[i].rel.startsWith(c + '/')));
  const trainScores = grid.map((_, k) => train.map((idx) => scoreSubset(files, idx, (i) => detections[k][i])));
  const fullScores = grid.map((_, k) => scoreSubset(files, all, (i) => detections[k][i]));

  const argmax = (value) => {
    let best = 0;
    for (let k = 1; k < grid.length; k++) if (value(k) > value(best) + 1e-9) best = k;
    return best;
  };
  const result = { grid: GRID, configurations: grid.length, categories, profiles: {} };
  for (const p of PROFILES) {
    const chosen = categories.map((_, ci) => argmax((k) => trainScores[k][ci][p].normalised));
    const fileConfig = all.map((i) => chosen[categories.findIndex((c) => files[i].rel.startsWith(c + '/'))]);
    const cv = scoreSubset(files, all, (i) => detections[fileConfig[i]][i]);
    const finalK = argmax((k) => fullScores[k][p].normalised);
    result.profiles[p] = {
      cv: cv[p],
      plainDefault: fullScores[0][p],
      bestOnAll: { config: grid[finalK], score: fullScores[finalK][p] },
      folds: categories.map((c, ci) => ({
        heldOut: c,
        chosen: grid[chosen[ci]],
        trainScore: trainScores[chosen[ci]][ci][p].normalised,
        heldOutCV: scoreSubset(files, inCat(c), (i) => detections[chosen[ci]][i])[p],
        heldOutDefault: scoreSubset(files, inCat(c), (i) => detections[0][i])[p],
      })),
    };
  }
  result.defaultConfig = grid[0];
  return result;
}

if (resolve(process.argv[1] ?? '') === fileURLToPath(import.meta.url)) {
  const result = await crossValidate();
  const json = opt('--json', undefined);
  if (json) writeFileSync(json, JSON.stringify(result, null, 2));
  const f = (x) => (Number.isFinite(x) ? x.toFixed(2) : 'n/a');
  const cfg = (c) => `threshold ${c.threshold}, quiet ${c.quietPoints}, clip ${c.clip}, scaleAlpha ${c.scaleAlpha}`;
  for (const [p, r] of Object.entries(result.profiles)) {
    console.log(
      `\n${p}: cross-validated ${f(r.cv.normalised)} (windows ${r.cv.found}/${r.cv.windows}, fp rows ${r.cv.fpRows}); plain with the defaults ${f(r.plainDefault.normalised)}; best on all five: ${f(r.bestOnAll.score.normalised)} with ${cfg(r.bestOnAll.config)}`,
    );
    for (const fold of r.folds) {
      console.log(
        `  ${fold.heldOut.padEnd(22)} chosen ${cfg(fold.chosen)} (train ${f(fold.trainScore)}): held-out ${f(fold.heldOutCV.normalised)} [fp ${fold.heldOutCV.fpRows}], defaults ${f(fold.heldOutDefault.normalised)} [fp ${fold.heldOutDefault.fpRows}]`,
      );
    }
  }
}
