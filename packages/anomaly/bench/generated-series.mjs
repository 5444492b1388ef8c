// Generated metric series unlike the NAB development split, with labelled
// anomalies: bursty integer counts (social-media volumes), cloud CPU/network/disk
// metrics with plateaus and step changes, and request rates with daily and weekly
// cycles. Deterministic per seed. Used by the property tests
// (src/generatedSeries.property.test.ts) and as an extra benchmark set
// (generated-bench.mjs), scored with NAB's rules: one window per anomaly, centred
// on its onset, 10% of the series length shared among its anomalies.

const MINUTE = 60_000;
const STEP = 5 * MINUTE;
/** Monday 2024-01-01 00:00 UTC. */
const T0 = Date.UTC(2024, 0, 1);

export const SERIES_KINDS = ['bursty-counts', 'cloud-metric', 'request-rate'];

function rng(seed) {
  let a = seed >>> 0;
  const u = () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  const normal = () => Math.sqrt(-2 * Math.log(1 - u())) * Math.cos(2 * Math.PI * u());
  /** Poisson draw (Knuth for small means, normal approximation above 50). */
  const poisson = (mean) => {
    if (mean <= 0) return 0;
    if (mean > 50) return Math.max(0, Math.round(mean + Math.sqrt(mean) * normal()));
    const l = Math.exp(-mean);
    let k = 0;
    let p = 1;
    do {
      k++;
      p *= u();
    } while (p > l);
    return k - 1;
  };
  const int = (lo, hi) => lo + Math.floor(u() * (hi - lo + 1));
  return { u, normal, poisson, int };
}

/** Daily shape in [0.25, 1]: low at night, peak in the afternoon (UTC). */
function daily(t) {
  const h = ((t - T0) / 3_600_000) % 24;
  return 0.625 - 0.375 * Math.cos((2 * Math.PI * (h - 3)) / 24);
}
/** Weekend factor. */
function weekly(t) {
  const d = Math.floor((t - T0) / 86_400_000) % 7;
  return d >= 5 ? 0.6 : 1;
}

/** Anomaly onsets spread over the series after its first quarter, at least `gap` apart. */
function onsets(r, n, count, gap) {
  const out = [];
  const lo = Math.floor(n * 0.3);
  const span = n - lo - gap;
  for (let k = 0; k < count; k++) out.push(lo + Math.floor(((k + 0.2 + 0.6 * r.u()) * span) / count));
  return out;
}

function burstyCounts(seed, n) {
  const r = rng(seed);
  const base = [0.8, 3, 12][seed % 3];
  const values = new Float64Array(n);
  const anomalies = [];
  for (const at of onsets(r, n, 2, 200)) {
    const surge = r.u() < 0.7;
    anomalies.push({ index: at, length: surge ? r.int(12, 48) : r.int(30, 60), kind: surge ? 'surge' : 'silence' });
  }
  let burst = 0;
  for (let i = 0; i < n; i++) {
    const t = T0 + i * STEP;
    let mean = base * daily(t) * weekly(t);
    // Ordinary bursts (a popular post): short, up to three times the usual rate. Not anomalies.
    if (burst > 0) {
      mean *= 2.5;
      burst--;
    } else if (r.u() < 0.01) burst = r.int(1, 4);
    for (const a of anomalies) {
      if (i >= a.index && i < a.index + a.length) mean = a.kind === 'surge' ? mean * 6 + 8 * Math.sqrt(base) + 6 : 0;
    }
    values[i] = r.poisson(mean);
  }
  return { values, anomalies };
}

function cloudMetric(seed, n) {
  const r = rng(seed);
  const kind = ['cpu', 'network', 'disk'][seed % 3];
  const values = new Float64Array(n);
  const anomalies = [];
  const [a1, a2] = onsets(r, n, 2, 150);
  anomalies.push({ index: a1, length: 1, kind: 'step' });
  anomalies.push({ index: a2, length: r.int(1, 3), kind: 'spike' });
  // Plateaus: the level holds for long stretches, with an ordinary re-deploy jitter.
  let level = kind === 'cpu' ? 20 + 30 * r.u() : kind === 'network' ? 5e6 * (1 + r.u()) : 40 + 20 * r.u();
  const noise = kind === 'cpu' ? 1.5 : kind === 'network' ? 2e5 : 0.05;
  const stepSize = kind === 'cpu' ? 35 : kind === 'network' ? 6e6 : -25;
  const spikeSize = kind === 'cpu' ? 40 : kind === 'network' ? 2e7 : 30;
  for (let i = 0; i < n; i++) {
    if (i === a1) level += stepSize;
    let v;
    if (kind === 'disk') {
      // Disk use grows slowly, rounded to 0.1%: a plateau-and-step staircase.
      level += 0.002;
      v = Math.round((level + noise * r.normal()) * 10) / 10;
    } else if (kind === 'cpu') {
      v = Math.min(100, Math.max(0, level + noise * r.normal() + (r.u() < 0.02 ? 4 * r.u() : 0)));
    } else {
      v = Math.max(0, level + noise * r.normal());
    }
    if (i >= a2 && i < a2 + anomalies[1].length) v += spikeSize;
    values[i] = kind === 'cpu' ? Math.round(v * 100) / 100 : v;
  }
  return { values, anomalies };
}

function requestRate(seed, n) {
  const r = rng(seed);
  const base = 200 + 800 * r.u();
  const values = new Float64Array(n);
  const anomalies = [];
  const kinds = ['outage', 'surge', 'flat-night'];
  onsets(r, n, 2, 300).forEach((at, k) => {
    const kind = kinds[(seed + k) % 3];
    anomalies.push({ index: at, length: kind === 'outage' ? r.int(6, 24) : kind === 'surge' ? r.int(6, 18) : 0, kind });
  });
  for (let i = 0; i < n; i++) {
    const t = T0 + i * STEP;
    let mean = base * daily(t) * weekly(t);
    for (const a of anomalies) {
      if (a.kind === 'flat-night') {
        // The night dip does not happen: the rate stays at its daytime level for 6 hours.
        if (a.length === 0) {
          // Anchor on the next night after the onset.
          let j = a.index;
          while (daily(T0 + j * STEP) > 0.3) j++;
          a.index = j;
          a.length = 72;
        }
        if (i >= a.index && i < a.index + a.length) mean = base * 0.9 * weekly(t);
      } else if (i >= a.index && i < a.index + a.length) mean = a.kind === 'outage' ? mean * 0.02 : mean * 2.5;
    }
    values[i] = r.poisson(mean);
  }
  return { values, anomalies };
}

const GENERATORS = { 'bursty-counts': burstyCounts, 'cloud-metric': cloudMetric, 'request-rate': requestRate };

/**
 * One generated series: timestamps every 5 minutes from Monday 2024-01-01,
 * values, labelled anomalies (onset index, length in points, kind) and NAB-style
 * windows (indices, inclusive).
 */
export function generateSeries(kind, seed, n = 4032) {
  const gen = GENERATORS[kind];
  if (!gen) throw new Error(`unknown series kind ${kind}`);
  const { values, anomalies } = gen(seed, n);
  const ts = new Float64Array(n);
  for (let i = 0; i < n; i++) ts[i] = T0 + i * STEP;
  const width = Math.floor((0.1 * n) / anomalies.length);
  const windows = anomalies
    .map((a) => ({ left: Math.max(0, a.index - (width >> 1)), right: Math.min(n - 1, a.index + (width >> 1)) }))
    .sort((p, q) => p.left - q.left);
  return { name: `${kind}-${seed}`, kind, ts, values, anomalies, windows };
}

/** The extra benchmark set: `perKind` series of each kind (default 6, 18 series of 14 days at 5 minutes). */
export function generatedCorpus(perKind = 6) {
  const out = [];
  for (const kind of SERIES_KINDS)
    for (let s = 1; s <= perKind; s++) out.push(generateSeries(kind, 1000 * (SERIES_KINDS.indexOf(kind) + 1) + s));
  return out;
}
