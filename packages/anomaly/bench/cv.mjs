// Leave-one-category-out cross-validation of every constant detect()'s verdicts
// depend on, on the NAB development split, through the public API exactly as the
// NAB adapter uses it (a row scores 1 when detect() returns an anomaly from that
// row's call).
//
//   pnpm --filter @obs/anomaly build
//   nice node packages/anomaly/bench/cv.mjs [--nab ../shared/nab] [--json out.json] [--passes 3] [--rule agree|total]
//
// The selection procedure is a coordinate descent over a ladder of values per
// constant (PARAMS below), started from the fixed prior PRIOR: for each constant in
// turn, step to a neighbouring value on its ladder while that raises the training
// score (NAB standard profile, normalised) and, under the default `agree` rule,
// lowers the raw score of no training category; repeat the passes until none
// moves a constant (`--rule total` drops the second condition). For each of the five categories the procedure runs on the other
// four and the held-out category is scored with what it chose; the
// cross-validated corpus score is NAB's score of all 31 files, each scored with
// the configuration its fold chose (per profile too: chosen by the standard
// profile, scored under each). The shipped default is the procedure's choice on
// all five categories. Detections are cached per configuration and build in the
// OS temp folder, so folds share the runs they have in common.
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
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

/**
 * Every constant detect()'s verdicts depend on, with the ladder of values the
 * search may step along. `detector.*` are options of createAnomalyDetector,
 * `scorer.*` its `scorer` options. Not here: the refractory settings
 * (refractoryPoints, refractoryFactor, alarmScore), which only damp the `score`
 * of score() and never change what detect() returns, and the classification
 * constants in SeriesModel.ts (3 sigmas, drift bias 1), which name an anomaly's
 * type but never decide whether there is one (NAB does not score types).
 */
export const PARAMS = [
  { key: 'detector.threshold', values: [0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9] },
  { key: 'detector.quietPoints', values: [3, 5, 10, 20, 35, 50, 100] },
  { key: 'detector.suppressPoints', values: [0, 1, 2, 3, 5, 10, 20, 50] },
  { key: 'scorer.warmupPoints', values: [8, 16, 32, 64, 128] },
  { key: 'scorer.extremeSigma', values: [3, 3.5, 4, 5, 6, 8] },
  { key: 'scorer.clip', values: [2, 2.5, 3, 4, 5, 6] },
  { key: 'scorer.scaleAlpha', values: [0.0025, 0.005, 0.01, 0.02, 0.04] },
  { key: 'scorer.slowAlpha', values: [0.0025, 0.005, 0.01, 0.02, 0.04] },
  { key: 'scorer.fastAlpha', values: [0.1, 0.2, 0.3, 0.5, 0.7, 0.9] },
  { key: 'scorer.seasonalAlpha', values: [0.05, 0.1, 0.2, 0.3, 0.5] },
  { key: 'scorer.minEvidence', values: [8, 16, 24, 48, 96] },
  { key: 'scorer.shiftPoints', values: [2, 4, 8, 16, 32] },
  { key: 'scorer.likelihoodWindow', values: [3, 5, 7, 10, 15, 20, 30] },
  { key: 'scorer.likelihoodHorizon', values: [250, 500, 1000, 2000, 4000, 8000] },
  { key: 'scorer.likelihoodClip', values: [2, 3, 4, 5, 7, 10] },
  { key: 'scorer.decades', values: [5, 7, 10, 14, 20] },
  { key: 'scorer.rangeTolerance', values: [0, 0.02, 0.05, 0.1, 0.2, 0.5] },
  { key: 'scorer.rangeMinSigma', values: [2, 3, 4, 5, 6, 8] },
];

/** Where every search starts: the values fixed before this search (same for every fold). */
export const PRIOR = {
  'detector.threshold': 0.5,
  'detector.quietPoints': 20,
  'detector.suppressPoints': 0,
  'scorer.warmupPoints': 32,
  'scorer.extremeSigma': 4,
  'scorer.clip': 4,
  'scorer.scaleAlpha': 0.01,
  'scorer.slowAlpha': 0.01,
  'scorer.fastAlpha': 0.5,
  'scorer.seasonalAlpha': 0.2,
  'scorer.minEvidence': 24,
  'scorer.shiftPoints': 8,
  'scorer.likelihoodWindow': 10,
  'scorer.likelihoodHorizon': 2000,
  'scorer.likelihoodClip': 5,
  'scorer.decades': 10,
  'scorer.rangeTolerance': 0.05,
  'scorer.rangeMinSigma': 4,
};
for (const p of PARAMS) {
  if (!p.values.includes(PRIOR[p.key])) throw new Error(`prior ${p.key}=${PRIOR[p.key]} is not on its ladder`);
}

/** A point of the search: the index on each ladder. */
const keyOf = (at) => at.join(',');
const valuesOf = (at) => Object.fromEntries(PARAMS.map((p, i) => [p.key, p.values[at[i]]]));

export function toDetectorConfig(values) {
  const detector = {};
  const scorer = {};
  for (const [key, v] of Object.entries(values)) {
    const [where, name] = key.split('.');
    (where === 'detector' ? detector : scorer)[name] = v;
  }
  return { ...detector, scorer };
}

/** Detected row indices per file for one configuration (what the NAB adapter reports). */
function runConfig(files, values) {
  const config = toDetectorConfig(values);
  return files.map((f) => {
    const d = createAnomalyDetector(config);
    const hits = [];
    for (let i = 0; i < f.values.length; i++)
      if (d.detect('nab', f.values[i], undefined, f.ts[i]) !== undefined) hits.push(i);
    return hits;
  });
}

const PROFILES = ['standard', 'reward_low_FP_rate', 'reward_low_FN_rate'];

export async function crossValidate({ maxPasses = 3, rule = 'agree', log = () => {} } = {}) {
  const files = loadCorpus(nabDir);
  const categories = [...new Set(files.map((f) => f.rel.split('/')[0]))].sort();
  const catOf = files.map((f) => categories.indexOf(f.rel.split('/')[0]));
  const all = files.map((_, i) => i);

  const build = createHash('sha1').update(readFileSync(dist)).digest('hex').slice(0, 12);
  const cacheFile = join(tmpdir(), 'obs-anomaly-cv', `${build}-ladder.json`);
  mkdirSync(dirname(cacheFile), { recursive: true });
  const cache = existsSync(cacheFile) ? JSON.parse(readFileSync(cacheFile, 'utf8')) : {};
  let runs = 0;
  const started = Date.now();
  const detections = (at) => {
    const k = keyOf(at);
    if (!cache[k]) {
      cache[k] = runConfig(files, valuesOf(at));
      if (++runs % 10 === 0) {
        writeFileSync(cacheFile, JSON.stringify(cache));
        log(`${runs} runs (${((Date.now() - started) / 1000).toFixed(0)} s)`);
      }
    }
    return cache[k];
  };
  const scoreSubset = (idx, hitsOf) => {
    const res = scoreCorpus(
      idx.map((i) => files[i]),
      idx.map((i) => {
        const s = new Float64Array(files[i].ts.length);
        for (const r of hitsOf(i)) s[r] = 1;
        return s;
      }),
    );
    const out = {};
    for (const p of PROFILES)
      out[p] = {
        normalised: res[p].normalised,
        windows: res[p].windows,
        found: res[p].windowsDetected,
        fpRows: res[p].fpRows,
      };
    return out;
  };
  /** The training score of a configuration: NAB's normalised standard score, and each category's raw part of it. */
  const trainScore = new Map();
  const score = (idx, at) => {
    const k = `${idx.join(' ')}|${keyOf(at)}`;
    if (!trainScore.has(k)) {
      const hits = detections(at);
      const res = scoreCorpus(
        idx.map((i) => files[i]),
        idx.map((i) => {
          const s = new Float64Array(files[i].ts.length);
          for (const r of hits[i]) s[r] = 1;
          return s;
        }),
      ).standard;
      const byCategory = new Float64Array(categories.length);
      res.perFile.forEach((pf, j) => (byCategory[catOf[idx[j]]] += pf.raw));
      trainScore.set(k, { total: res.normalised, byCategory });
    }
    return trainScore.get(k);
  };
  /**
   * Whether `next` is better than `best` on the training files: a higher total
   * and, under the `agree` rule, no training category worse (a change that
   * helps some kinds of data at the expense of others is not taken).
   */
  const better = (next, best) =>
    next.total > best.total + 1e-9 &&
    (rule !== 'agree' || next.byCategory.every((v, c) => v >= best.byCategory[c] - 1e-9));

  /** The coordinate descent on the files `idx`, from the prior. */
  const descend = (idx, name) => {
    let at = PARAMS.map((p) => p.values.indexOf(PRIOR[p.key]));
    let best = score(idx, at);
    const path = [];
    for (let pass = 0; pass < maxPasses; pass++) {
      let moved = false;
      for (let c = 0; c < PARAMS.length; c++) {
        for (const dir of [-1, 1]) {
          for (;;) {
            const next = at.slice();
            next[c] += dir;
            if (next[c] < 0 || next[c] >= PARAMS[c].values.length) break;
            const s = score(idx, next);
            if (!better(s, best)) break;
            at = next;
            best = s;
            moved = true;
            path.push(`${PARAMS[c].key}=${PARAMS[c].values[next[c]]} (${s.total.toFixed(2)})`);
          }
        }
      }
      log(`${name}: pass ${pass + 1}, training score ${best.total.toFixed(2)}`);
      if (!moved) break;
    }
    return { at, trainScore: best.total, path };
  };

  const folds = categories.map((c, ci) => {
    const train = all.filter((i) => catOf[i] !== ci);
    return { heldOut: c, ...descend(train, `without ${c}`) };
  });
  const final = descend(all, 'all five');
  const prior = PARAMS.map((p) => p.values.indexOf(PRIOR[p.key]));

  const cv = scoreSubset(all, (i) => detections(folds[catOf[i]].at)[i]);
  const plain = scoreSubset(all, (i) => detections(final.at)[i]);
  const priorScore = scoreSubset(all, (i) => detections(prior)[i]);
  writeFileSync(cacheFile, JSON.stringify(cache));
  const inCat = (ci) => all.filter((i) => catOf[i] === ci);
  /**
   * Windows found and false-positive rows counted at detect()'s own operating
   * point (every report counts; NAB's scoring of a category alone would drop all
   * reports of a category whose net score is negative, e.g. one without windows).
   */
  const counts = (idx, hitsOf) => {
    let found = 0;
    let windows = 0;
    let fpRows = 0;
    for (const i of idx) {
      const f = files[i];
      const hits = hitsOf(i).filter((r) => r >= f.probation);
      windows += f.windows.length;
      found += f.windows.filter((w) => hits.some((r) => r >= w.left && r <= w.right)).length;
      fpRows += hits.filter((r) => !f.windows.some((w) => r >= w.left && r <= w.right)).length;
    }
    return { found, windows, fpRows };
  };
  const changed = (at) =>
    Object.fromEntries(
      PARAMS.filter((p, i) => p.values[at[i]] !== PRIOR[p.key]).map((p) => [p.key, p.values[at[PARAMS.indexOf(p)]]]),
    );
  return {
    rule,
    categories,
    params: PARAMS,
    prior: PRIOR,
    chosen: valuesOf(final.at),
    chosenChanges: changed(final.at),
    chosenPath: final.path,
    plain,
    cv,
    priorScore,
    folds: folds.map((f, ci) => ({
      heldOut: f.heldOut,
      changes: changed(f.at),
      trainScore: f.trainScore,
      heldOutCV: scoreSubset(inCat(ci), (i) => detections(f.at)[i]),
      heldOutPlain: scoreSubset(inCat(ci), (i) => detections(final.at)[i]),
      countsCV: counts(inCat(ci), (i) => detections(f.at)[i]),
      countsPlain: counts(inCat(ci), (i) => detections(final.at)[i]),
    })),
    runs: Object.keys(cache).length,
  };
}

if (resolve(process.argv[1] ?? '') === fileURLToPath(import.meta.url)) {
  const result = await crossValidate({
    maxPasses: Number(opt('--passes', '3')),
    rule: opt('--rule', 'agree'),
    log: (m) => process.stderr.write(m + '\n'),
  });
  const json = opt('--json', undefined);
  if (json) writeFileSync(json, JSON.stringify(result, null, 2));
  const f = (x) => (Number.isFinite(x) ? x.toFixed(2) : 'n/a');
  const row = (s) =>
    PROFILES.map((p) => `${f(s[p].normalised)} [${s[p].found}/${s[p].windows}, fp ${s[p].fpRows}]`).join('  ');
  console.log(`profiles: ${PROFILES.join(' / ')}`);
  console.log(`prior        ${row(result.priorScore)}`);
  console.log(`plain        ${row(result.plain)}`);
  console.log(`CV           ${row(result.cv)}`);
  console.log(`chosen on all five: ${JSON.stringify(result.chosenChanges)}`);
  for (const fold of result.folds) {
    const c = (x) => `windows ${x.found}/${x.windows}, fp rows ${x.fpRows}`;
    console.log(
      `  ${fold.heldOut.padEnd(22)} CV ${row(fold.heldOutCV)}; at detect()'s operating point ${c(fold.countsCV)}`,
    );
    console.log(
      `  ${''.padEnd(22)} plain ${row(fold.heldOutPlain)}; at detect()'s operating point ${c(fold.countsPlain)}`,
    );
    console.log(`  ${''.padEnd(22)} chose ${JSON.stringify(fold.changes)} (train ${f(fold.trainScore)})`);
  }
}
