// The metric explorer: search metric names, pick one and a label filter, and
// watch it live (rate for counters, sum for gauges, p50/p90/p99 for histograms),
// refreshed on every chart sample of the event stream. Anomalies of the chosen
// metric are marked on its chart. Lists are searched on the server and bounded,
// so thousands of series never reach the page at once.
import uPlot from '/vendor/uPlot.esm.js';
import { $, el, fmt, getJson } from './dom.js';
import { anomalyMarkersPlugin, markersFor } from './markers.js';

const LIST_LIMIT = 30;
let selected; // { name, filter: {k: v} }
let chart;
let chartKind;
let anomalies = [];
let refreshing = false;

function parseFilter(text) {
  const filter = {};
  for (const part of text.split(',')) {
    const i = part.indexOf('=');
    if (i <= 0) continue;
    const key = part.slice(0, i).trim();
    const value = part.slice(i + 1).trim();
    if (/^[a-zA-Z_][a-zA-Z0-9_]*$/.test(key)) filter[key] = value;
  }
  return filter;
}

function queryString(name, filter) {
  const params = new URLSearchParams({ name });
  for (const [k, v] of Object.entries(filter)) params.set(`label.${k}`, v);
  return params.toString();
}

async function search() {
  const text = $('explorer-search').value.trim();
  let data;
  try {
    data = await getJson(`/api/metrics?limit=${LIST_LIMIT}&search=${encodeURIComponent(text)}`);
  } catch (error) {
    $('explorer-status').textContent = `metric list not available (${error.message})`;
    return;
  }
  const list = $('explorer-metrics');
  list.replaceChildren(
    ...data.metrics.map((m) => {
      const li = el('li', selected?.name === m.name ? 'selected' : '');
      li.dataset.metric = m.name;
      li.append(el('span', 'name', m.name), el('span', 'meta', ` ${m.type} · ${m.series} series`));
      li.addEventListener('click', () => select(m.name));
      return li;
    }),
  );
  $('explorer-status').textContent =
    `${data.total} metric${data.total === 1 ? '' : 's'}${data.total > data.metrics.length ? `, first ${data.metrics.length} shown` : ''}`;
}

async function select(name) {
  selected = { name, filter: parseFilter($('explorer-filter').value) };
  for (const li of $('explorer-metrics').children) li.classList.toggle('selected', li.dataset.metric === name);
  try {
    const series = await getJson(`/api/metrics/series?limit=8&${queryString(name, selected.filter)}`);
    $('explorer-series').replaceChildren(
      ...series.series.map((labels) => {
        const text = Object.entries(labels)
          .map(([k, v]) => `${k}=${v}`)
          .join(',');
        const chip = el('button', 'chip', text || '(no labels)');
        chip.type = 'button';
        chip.addEventListener('click', () => {
          $('explorer-filter').value = text;
          select(name);
        });
        return chip;
      }),
    );
  } catch {
    $('explorer-series').replaceChildren();
  }
  await refresh();
}

function ensureChart(kind) {
  if (chart && chartKind === kind) return chart;
  chart?.destroy();
  chartKind = kind;
  const target = $('explorer-chart');
  const series =
    kind === 'histogram'
      ? [
          { label: 'p50', stroke: '#4caf79' },
          { label: 'p90', stroke: '#f0b429' },
          { label: 'p99', stroke: '#ef5350' },
        ]
      : [{ label: kind === 'gauge' ? 'value' : 'per second', stroke: '#4fc3f7', fill: 'rgba(79,195,247,0.12)' }];
  chart = new uPlot(
    {
      width: Math.max(300, target.clientWidth || 600),
      height: 200,
      scales: { x: { time: true } },
      axes: [
        { stroke: '#8391a5', grid: { stroke: '#263142' } },
        { stroke: '#8391a5', grid: { stroke: '#263142' }, size: 60 },
      ],
      series: [{}, ...series.map((s) => ({ width: 2, points: { show: false }, ...s }))],
      plugins: [
        anomalyMarkersPlugin(
          () => (selected ? markersFor(anomalies, selected.name) : []),
          (n) => (document.body.dataset.explorerMarkers = String(n)),
        ),
      ],
    },
    [[], ...series.map(() => [])],
    target,
  );
  return chart;
}

/** Fetches the chosen query's points and redraws (called on every chart sample of the event stream). */
export async function refresh() {
  if (!selected || refreshing) return;
  refreshing = true;
  try {
    const q = await getJson(`/api/metrics/query?${queryString(selected.name, selected.filter)}`);
    const kind = q.type === 'histogram' || q.type === 'timer' ? 'histogram' : q.type === 'gauge' ? 'gauge' : 'counter';
    const c = ensureChart(kind);
    const t = q.points.map((p) => p.ts / 1000);
    const col = (key) => q.points.map((p) => (typeof p[key] === 'number' ? p[key] : null));
    c.setData(kind === 'histogram' ? [t, col('p50'), col('p90'), col('p99')] : [t, col('value')]);
    const last = q.points[q.points.length - 1];
    const what =
      kind === 'histogram'
        ? `observations ${fmt(last?.value, 2)}/s · p99 ${fmt(last?.p99, 2)}`
        : kind === 'gauge'
          ? `value ${fmt(last?.value, 2)}`
          : `rate ${fmt(last?.value, 2)}/s`;
    $('explorer-title').textContent = `${q.name} ${Object.entries(q.filter)
      .map(([k, v]) => `${k}=${v}`)
      .join(' ')}`;
    $('explorer-meta').textContent = `${q.type} · ${q.matchedSeries} series · ${q.points.length} points · ${what}`;
    document.body.dataset.explorerPoints = String(q.points.length);
  } catch (error) {
    $('explorer-meta').textContent = `query failed (${error.message})`;
  } finally {
    refreshing = false;
  }
}

/** The dashboard's anomalies, for markers on the explored metric. */
export function setAnomalies(list) {
  anomalies = list;
  chart?.redraw(false, false);
}

export function initExplorer() {
  let timer;
  $('explorer-search').addEventListener('input', () => {
    clearTimeout(timer);
    timer = setTimeout(search, 250);
  });
  $('explorer-filter').addEventListener('change', () => selected && select(selected.name));
  window.addEventListener('resize', () =>
    chart?.setSize({ width: Math.max(300, $('explorer-chart').clientWidth), height: 200 }),
  );
  search();
}
