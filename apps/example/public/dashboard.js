// The dashboard page's script (an ES module, served from this origin only).
// Every string that comes from data is written with textContent, never as
// HTML, so alert messages, label values or span names cannot inject markup.
import uPlot from '/vendor/uPlot.esm.js';
import { $, apiUrl, asArray, el, fmt, getJson, num, safeClass } from './dom.js';
import { initExplorer, refresh as refreshExplorer, setAnomalies as setExplorerAnomalies } from './explorer.js';
import { exemplarMarksPlugin, exemplarsOf } from './exemplars.js';
import { anomalyMarkersPlugin, markersFor } from './markers.js';
import { renderSloItems } from './slos.js';
import { silenceButton } from './silences.js';

const POLL_MS = 1000;

function replaceChildren(parent, children) {
  parent.replaceChildren(...children);
}

function ago(ts) {
  const n = num(ts);
  if (n === undefined) return '';
  const s = Math.max(0, Math.round((Date.now() - n) / 1000));
  if (s < 60) return `${s}s ago`;
  if (s < 3600) return `${Math.round(s / 60)}m ago`;
  return `${Math.round(s / 3600)}h ago`;
}

// ---------- charts ----------

const axisStroke = '#8391a5';
const gridStroke = '#263142';

function makeChart(target, series, yLabel, yRange = (_u, _min, max) => [0, Math.max(1, max * 1.15)], plugins = []) {
  const width = Math.max(300, target.clientWidth || 480);
  const opts = {
    width,
    height: 180,
    scales: { x: { time: true }, y: { range: yRange } },
    axes: [
      { stroke: axisStroke, grid: { stroke: gridStroke } },
      { stroke: axisStroke, grid: { stroke: gridStroke }, label: yLabel, size: 50 },
    ],
    legend: { live: true },
    series: [{}, ...series.map((s) => ({ spanGaps: false, width: 2, points: { show: false }, ...s }))],
    plugins,
  };
  const empty = [[], ...series.map(() => [])];
  return new uPlot(opts, empty, target);
}

/** The latest dashboard anomalies and the latency metric's name, for the latency chart's markers. */
let latestAnomalies = [];
let latencyMetric = 'vision_request_duration_ms';
/** The latest latency exemplars (a recorded latency and the trace that made it), for the latency chart's marks. */
let latestExemplars = [];

const charts = {
  requests: makeChart(
    $('chart-requests'),
    [{ label: 'requests/s', stroke: '#4fc3f7', fill: 'rgba(79,195,247,0.12)' }],
    'req/s',
  ),
  errors: makeChart(
    $('chart-errors'),
    [{ label: 'errors/s', stroke: '#ef5350', fill: 'rgba(239,83,80,0.15)' }],
    'err/s',
  ),
  latency: makeChart(
    $('chart-latency'),
    [
      { label: 'p50', stroke: '#4caf79' },
      { label: 'p95', stroke: '#f0b429' },
      { label: 'p99', stroke: '#ef5350' },
    ],
    'ms',
    undefined,
    [
      anomalyMarkersPlugin(
        () => markersFor(latestAnomalies, latencyMetric),
        (n) => (document.body.dataset.latencyMarkers = String(n)),
      ),
      exemplarMarksPlugin(
        () => latestExemplars,
        (n) => (document.body.dataset.latencyExemplars = String(n)),
        (exemplar) => {
          showTrace(exemplar.traceId);
          $('panel-traces').scrollIntoView({ block: 'nearest' });
        },
      ),
    ],
  ),
  confidence: makeChart($('chart-confidence'), [{ label: 'confidence', stroke: '#b388ff' }], '', () => [0, 1]),
  eventloop: makeChart(
    $('chart-eventloop'),
    [
      { label: 'p50', stroke: '#4caf79' },
      { label: 'p99', stroke: '#ef5350' },
    ],
    'ms',
  ),
  heap: makeChart(
    $('chart-heap'),
    [
      { label: 'used', stroke: '#4fc3f7', fill: 'rgba(79,195,247,0.12)' },
      { label: 'total', stroke: '#8391a5' },
    ],
    'MiB',
  ),
};

// ---------- runtime metrics (event-loop delay, heap) from /api/runtime ----------

let runtimePoints = [];
/** How many runtime samples were drawn; read by the browser test. */
let runtimeUpdates = 0;

async function pollRuntime() {
  let snap;
  try {
    snap = await getJson(apiUrl('/api/runtime'));
  } catch {
    return;
  }
  if (!snap || snap.enabled !== true || num(snap.ts) === undefined) return;
  runtimePoints = [...runtimePoints, snap].slice(-MAX_SAMPLES);
  const t = runtimePoints.map((p) => p.ts / 1000);
  const ms = (key) => runtimePoints.map((p) => (num(p[key]) === undefined ? null : p[key] * 1000));
  const mib = (key) => runtimePoints.map((p) => (num(p[key]) === undefined ? null : p[key] / 1048576));
  charts.eventloop.setData([t, ms('eventLoopDelayP50Seconds'), ms('eventLoopDelayP99Seconds')]);
  charts.heap.setData([t, mib('heapUsedBytes'), mib('heapTotalBytes')]);
  const p99 = num(snap.eventLoopDelayP99Seconds);
  const used = num(snap.heapUsedBytes);
  $('runtime-eld').textContent = p99 === undefined ? '' : `p99 ${fmt(p99 * 1000, 1)} ms`;
  $('runtime-heap').textContent = used === undefined ? '' : `${fmt(used / 1048576, 1)} MiB used`;
  runtimeUpdates++;
  document.body.dataset.runtimeUpdates = String(runtimeUpdates);
}

/** How many chart updates have drawn data; read by the browser test. */
let chartUpdates = 0;

const MAX_SAMPLES = 300;
let samples = [];

/** Merges chart samples (from `/api/dashboard` or `hub/sample` events) by timestamp, keeping the last five minutes. */
function mergeSamples(incoming) {
  const byTs = new Map(samples.map((p) => [p.ts, p]));
  for (const p of asArray(incoming)) if (p && num(p.ts) !== undefined) byTs.set(p.ts, p);
  samples = [...byTs.values()].sort((a, b) => a.ts - b.ts).slice(-MAX_SAMPLES);
  updateCharts(samples);
}

/** Draws the hub's chart samples (one per second, oldest first). */
function updateCharts(list) {
  const t = list.map((p) => p.ts / 1000);
  const col = (key) => list.map((p) => (num(p[key]) === undefined ? null : p[key]));
  charts.requests.setData([t, col('requestRate')]);
  charts.errors.setData([t, col('errorRate')]);
  charts.latency.setData([t, col('p50'), col('p95'), col('p99')]);
  charts.confidence.setData([t, col('confidence')]);
  if (list.some((p) => p.requestRate > 0)) {
    chartUpdates++;
    document.body.dataset.chartUpdates = String(chartUpdates);
    document.body.dataset.chartPoints = String(list.length);
  }
}

function resizeCharts() {
  for (const [key, chart] of Object.entries(charts)) {
    const target = $(`chart-${key}`);
    chart.setSize({ width: Math.max(300, target.clientWidth), height: 180 });
  }
}
requestAnimationFrame(resizeCharts);
window.addEventListener('resize', resizeCharts);

// ---------- reading the hub's dashboard data (tolerant of shape) ----------

function pick(obj, ...keys) {
  for (const key of keys) {
    if (obj && obj[key] !== undefined && obj[key] !== null) return obj[key];
  }
  return undefined;
}

function readHealth(data) {
  const health = pick(data, 'health') ?? {};
  const status = String(pick(health, 'status', 'overall', 'overallStatus') ?? 'unknown');
  const checks = asArray(pick(health, 'checks', 'results') ?? []).map((c) => ({
    name: String(pick(c, 'name') ?? '?'),
    status: String(pick(c, 'status') ?? 'unknown'),
    message: pick(c, 'message', 'output') ?? '',
    durationMs: num(pick(c, 'durationMs')),
  }));
  return { status, checks };
}

function readAlerts(data) {
  const alerts = pick(data, 'alerts') ?? {};
  let firing = pick(alerts, 'firing') ?? (Array.isArray(alerts) ? alerts : []);
  if (!Array.isArray(firing) && typeof firing === 'object') {
    // grouped by severity: { critical: [...], error: [...] }
    firing = Object.values(firing).flatMap((v) => (Array.isArray(v) ? v : []));
  }
  const rank = { critical: 0, error: 1, warning: 2, info: 3 };
  return firing
    .filter((a) => a && (a.state === undefined || a.state === 'firing'))
    .sort(
      (a, b) =>
        (rank[a.severity] ?? 9) - (rank[b.severity] ?? 9) ||
        (num(b.firingSince ?? b.startedAt) ?? 0) - (num(a.firingSince ?? a.startedAt) ?? 0),
    );
}

function readSlos(data) {
  const slos = pick(data, 'slos', 'slo') ?? [];
  return asArray(pick(slos, 'results') ?? slos).map((r) => ({
    name: String(pick(r.slo ?? {}, 'name') ?? pick(r, 'name', 'sloId') ?? '?'),
    target: num(pick(r.slo ?? {}, 'target') ?? r.target),
    current: num(r.currentValue),
    budget: num(r.errorBudgetRemaining),
    burnRate: num(r.burnRate),
    burnRates: r.burnRates ?? r.windows,
    status: String(r.status ?? 'met'),
    sloId: r.sloId,
    burnDown: asArray(r.burnDown),
    groups: asArray(r.groups),
    groupCount: num(r.groupCount) ?? 0,
  }));
}

function readAnomalies(data) {
  const anomalies = pick(data, 'anomalies') ?? [];
  return asArray(pick(anomalies, 'recent') ?? anomalies);
}

function readTraces(data) {
  const traces = pick(data, 'traces') ?? [];
  const list = asArray(pick(traces, 'recent') ?? traces);
  const active = Array.isArray(traces) ? [] : asArray(pick(traces, 'active') ?? []);
  return [...list, ...active];
}

// ---------- panels ----------

function renderHealth(health) {
  const overall = $('health-overall');
  overall.textContent = `health: ${health.status}`;
  overall.className = `pill status-${safeClass(health.status, ['healthy', 'degraded', 'unhealthy', 'unknown'], 'unknown')}`;
  replaceChildren(
    $('health-list'),
    health.checks.map((c) => {
      const li = el('li');
      const row = el('div', 'row');
      row.append(
        el('span', 'name', c.name),
        el(
          'span',
          `pill status-${safeClass(c.status, ['healthy', 'degraded', 'unhealthy', 'unknown'], 'unknown')}`,
          c.status,
        ),
      );
      li.append(row);
      if (c.message)
        li.append(el('div', 'meta', `${c.message}${c.durationMs !== undefined ? ` · ${fmt(c.durationMs)} ms` : ''}`));
      return li;
    }),
  );
  $('health-empty').hidden = health.checks.length > 0;
}

function renderAlerts(alerts) {
  const count = $('alerts-count');
  count.textContent = String(alerts.length);
  count.className = alerts.length > 0 ? 'count hot' : 'count';
  replaceChildren(
    $('alerts-list'),
    alerts.map((a) => {
      const li = el('li', 'alert');
      li.dataset.alertId = String(a.alertId ?? '');
      const row = el('div', 'row');
      const title = el('span', 'name');
      const severity = safeClass(a.severity, ['info', 'warning', 'error', 'critical'], 'info');
      title.append(el('span', `sev sev-${severity}`, severity), document.createTextNode(String(a.name ?? 'alert')));
      row.append(title, el('span', 'meta', `since ${ago(a.firingSince ?? a.startedAt)}`), silenceButton(a));
      li.append(row, el('div', 'message', a.message ?? ''));
      const labels = a.labels && typeof a.labels === 'object' ? Object.entries(a.labels) : [];
      if (labels.length) li.append(el('div', 'meta', labels.map(([k, v]) => `${k}=${v}`).join(' ')));
      return li;
    }),
  );
  $('alerts-empty').hidden = alerts.length > 0;
}

function renderSlos(slos) {
  replaceChildren($('slo-list'), renderSloItems(slos));
  $('slo-empty').hidden = slos.length > 0;
}

function renderAnomalies(anomalies) {
  latestAnomalies = anomalies;
  charts.latency.redraw(false, false);
  setExplorerAnomalies(anomalies);
  const recent = [...anomalies].sort((a, b) => (num(b.timestamp) ?? 0) - (num(a.timestamp) ?? 0)).slice(0, 8);
  replaceChildren(
    $('anomaly-list'),
    recent.map((a) => {
      const li = el('li');
      const row = el('div', 'row');
      row.append(
        el('span', 'name', `${a.anomalyType ?? 'anomaly'} in ${a.metricName ?? '?'}`),
        el('span', 'meta', ago(a.timestamp)),
      );
      li.append(
        row,
        el(
          'div',
          'meta',
          `expected ${fmt(a.expectedValue)} · actual ${fmt(a.actualValue)} · confidence ${fmt(a.confidence, 2)}`,
        ),
      );
      return li;
    }),
  );
  $('anomaly-empty').hidden = recent.length > 0;
}

let selectedTrace;

function renderTraces(traces) {
  const list = traces
    .map((t) => ({
      traceId: String(pick(t, 'traceId') ?? pick(t.context ?? {}, 'traceId') ?? ''),
      name: String(pick(t, 'rootOperation', 'operationName', 'name') ?? 'trace'),
      service: String(pick(t, 'serviceName', 'rootService') ?? ''),
      start: num(pick(t, 'startTime', 'start')),
      duration: num(pick(t, 'durationMs', 'duration')),
      spans: num(pick(t, 'spanCount', 'spans')),
      error: pick(t, 'status') === 'error' || pick(t, 'hasError') === true,
    }))
    .filter((t) => /^[0-9a-f]{32}$/.test(t.traceId))
    .sort((a, b) => (b.start ?? 0) - (a.start ?? 0))
    .slice(0, 12);
  replaceChildren(
    $('trace-list'),
    list.map((t) => {
      const li = el('li', t.traceId === selectedTrace ? 'selected' : '');
      li.dataset.traceId = t.traceId;
      const row = el('div', 'row');
      row.append(
        el('span', t.error ? 'name trace-error' : 'name', t.name),
        el('span', 'meta', `${fmt(t.duration)} ms`),
      );
      li.append(
        row,
        el(
          'div',
          'meta',
          `${t.traceId.slice(0, 12)}… ${t.service} ${t.spans !== undefined ? `· ${t.spans} spans ` : ''}· ${ago(t.start)}`,
        ),
      );
      li.addEventListener('click', () => showTrace(t.traceId));
      return li;
    }),
  );
  if (!selectedTrace && list[0]) showTrace(list[0].traceId);
}

async function showTrace(traceId) {
  selectedTrace = traceId;
  for (const li of $('trace-list').children) li.classList.toggle('selected', li.dataset.traceId === traceId);
  const box = $('waterfall');
  let spans;
  try {
    const data = await getJson(`/api/traces/${encodeURIComponent(traceId)}`);
    spans = asArray(Array.isArray(data) ? data : (pick(data, 'spans') ?? []));
  } catch (error) {
    replaceChildren(box, [el('p', 'empty', `Trace not available (${error.message}).`)]);
    return;
  }
  const rows = spans
    .map((s) => ({
      id: String(pick(s.context ?? {}, 'spanId') ?? pick(s, 'spanId') ?? ''),
      parent: pick(s.context ?? {}, 'parentSpanId') ?? pick(s, 'parentSpanId'),
      name: String(pick(s, 'operationName', 'name') ?? 'span'),
      service: String(pick(s, 'serviceName') ?? ''),
      start: num(pick(s, 'startTime')) ?? 0,
      duration: num(pick(s, 'durationMs')) ?? 0,
      error: pick(s, 'status') === 'error',
    }))
    .sort((a, b) => a.start - b.start);
  if (rows.length === 0) {
    replaceChildren(box, [el('p', 'empty', 'No spans recorded for this trace.')]);
    return;
  }
  const depthOf = new Map();
  const byId = new Map(rows.map((r) => [r.id, r]));
  const depth = (r, guard = 0) => {
    if (depthOf.has(r.id)) return depthOf.get(r.id);
    const parent = r.parent ? byId.get(r.parent) : undefined;
    const d = parent && guard < 32 ? depth(parent, guard + 1) + 1 : 0;
    depthOf.set(r.id, d);
    return d;
  };
  const t0 = Math.min(...rows.map((r) => r.start));
  const t1 = Math.max(...rows.map((r) => r.start + r.duration));
  const total = Math.max(1e-6, t1 - t0);
  replaceChildren(
    box,
    [el('div', 'meta', `trace ${traceId} · ${rows.length} spans · ${fmt(total)} ms`)].concat(
      rows.map((r) => {
        const row = el('div', 'span-row');
        const label = el('div', 'span-label', `${r.name}${r.service ? ' · ' + r.service : ''}`);
        label.style.paddingLeft = `${depth(r) * 14}px`;
        label.title = label.textContent;
        const track = el('div', 'span-track');
        const bar = el('div', r.error ? 'span-bar error' : 'span-bar');
        bar.style.left = `${((r.start - t0) / total) * 100}%`;
        bar.style.width = `${Math.max(0.5, (r.duration / total) * 100)}%`;
        track.append(bar);
        row.append(label, track, el('div', 'span-dur', `${fmt(r.duration)} ms`));
        return row;
      }),
    ),
  );
}

function renderDashboard(data) {
  if (typeof data?.metrics?.names?.latency === 'string') latencyMetric = data.metrics.names.latency;
  latestExemplars = exemplarsOf(data);
  mergeSamples(data.charts);
  renderHealth(readHealth(data));
  renderAlerts(readAlerts(data));
  renderSlos(readSlos(data));
  renderAnomalies(readAnomalies(data));
  renderTraces(readTraces(data));
}

// ---------- data flow: polling plus Server-Sent Events ----------

let refreshQueued = false;
async function refreshDashboard() {
  refreshQueued = false;
  try {
    renderDashboard(await getJson('/api/dashboard'));
  } catch (error) {
    setConnection('offline', `offline (${error.message})`);
  }
}

/** Coalesces bursts of events into one refresh. */
function queueRefresh() {
  if (refreshQueued) return;
  refreshQueued = true;
  setTimeout(refreshDashboard, 250);
}

async function refreshDemo() {
  try {
    const demo = await getJson('/api/demo');
    const pill = $('demo-phase');
    pill.hidden = !(demo && demo.enabled && typeof demo.phase === 'string');
    if (!pill.hidden) pill.textContent = `demo: ${demo.phase}`;
  } catch {
    // optional: the pill stays as it was
  }
}

function setConnection(kind, text) {
  const pill = $('connection');
  pill.className = `pill conn-${kind}`;
  pill.textContent = text;
}

function connectEvents() {
  if (typeof EventSource !== 'function') {
    setConnection('polling', 'polling');
    setInterval(refreshExplorer, POLL_MS);
    return;
  }
  const source = new EventSource(apiUrl('/api/events'));
  source.onopen = () => setConnection('live', 'live');
  source.onerror = () => setConnection('polling', 'reconnecting…');
  // Each message is a JSON array of hub events: chart samples are drawn at
  // once; anything else (alerts, anomalies, SLO, health, spans) refreshes the panels.
  source.onmessage = (message) => {
    setConnection('live', 'live');
    let events;
    try {
      events = JSON.parse(message.data);
    } catch {
      return;
    }
    const fresh = asArray(events)
      .filter((e) => e && e.type === 'hub/sample' && e.sample)
      .map((e) => e.sample);
    if (fresh.length) {
      mergeSamples(fresh);
      refreshExplorer();
    }
    if (asArray(events).some((e) => e && e.type !== 'hub/sample')) queueRefresh();
  };
}

initExplorer();
refreshDashboard();
refreshDemo();
pollRuntime();
setInterval(refreshDashboard, POLL_MS);
setInterval(refreshDemo, POLL_MS);
setInterval(pollRuntime, 2 * POLL_MS);
connectEvents();
