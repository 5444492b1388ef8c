// The SLO panel: budget bar, burn rates per window, a burn-down sparkline of the
// remaining budget over the window, and a table of label groups for grouped SLOs.
// Text only (textContent); the sparkline is SVG built with createElementNS.

import { el, fmt, num, safeClass } from './dom.js';

const SVG = 'http://www.w3.org/2000/svg';
const WINDOWS = ['5m', '30m', '1h', '2h', '6h', '1d', '3d'];

function budgetText(budget) {
  if (budget === undefined) return 'error budget: no data';
  return budget < 0 ? `error budget exhausted (${fmt(budget, 0)}%)` : `error budget ${fmt(budget, 1)}% left`;
}

/** The remaining budget over time as an SVG polyline (100% at the top, 0% dashed). */
function burnDown(points) {
  const svg = document.createElementNS(SVG, 'svg');
  svg.setAttribute('class', 'burndown');
  svg.setAttribute('viewBox', '0 0 300 60');
  svg.setAttribute('preserveAspectRatio', 'none');
  svg.dataset.points = String(points.length);
  const zero = document.createElementNS(SVG, 'line');
  zero.setAttribute('x1', '0');
  zero.setAttribute('x2', '300');
  zero.setAttribute('y1', '50');
  zero.setAttribute('y2', '50');
  zero.setAttribute('class', 'burndown-zero');
  svg.append(zero);
  const valid = points.filter((p) => num(p.ts) !== undefined && num(p.remaining) !== undefined);
  if (valid.length === 0) return svg;
  const t0 = valid[0].ts;
  const span = Math.max(1, valid[valid.length - 1].ts - t0);
  // y: 100% -> 5, 0% -> 50; overspent budgets are clipped at the bottom.
  const y = (r) => 50 - (Math.max(-10, Math.min(100, r)) / 100) * 45;
  const line = document.createElementNS(SVG, 'polyline');
  line.setAttribute(
    'points',
    valid.map((p) => `${(((p.ts - t0) / span) * 300).toFixed(1)},${y(p.remaining).toFixed(1)}`).join(' '),
  );
  line.setAttribute('class', 'burndown-line');
  svg.append(line);
  return svg;
}

function burnRateTable(burnRates) {
  const table = el('table', 'burn-rates');
  const head = el('tr');
  const body = el('tr');
  for (const w of WINDOWS) {
    head.append(el('th', '', w));
    const rate = num(burnRates?.[w]);
    body.append(
      el(
        'td',
        rate !== undefined && rate > 1 ? 'hot' : '',
        rate === undefined ? '–' : `${fmt(rate, rate >= 10 ? 0 : 2)}×`,
      ),
    );
  }
  table.append(head, body);
  return table;
}

function groupTable(slo) {
  const table = el('table', 'slo-groups');
  table.dataset.testid = 'slo-groups';
  const head = el('tr');
  for (const h of ['labels', 'status', 'good %', 'budget left', 'burn 1h', 'events']) head.append(el('th', '', h));
  table.append(head);
  for (const g of slo.groups) {
    const row = el('tr');
    const labels = Object.entries(g.labels ?? {})
      .map(([k, v]) => `${k}=${v}`)
      .join(' ');
    const status = safeClass(g.status, ['met', 'at_risk', 'breached'], 'met');
    row.append(
      el('td', 'labels', labels || '(none)'),
      el('td', `slo-status-${status}`, status.replace('_', ' ')),
      el('td', '', fmt(g.currentValue, 2)),
      el('td', '', `${fmt(g.errorBudgetRemaining, 1)}%`),
      el('td', '', `${fmt(g.burnRate, 2)}×`),
      el('td', '', String(g.total ?? 0)),
    );
    table.append(row);
  }
  return table;
}

/** One list item per SLO. */
export function renderSloItems(slos) {
  return slos.map((s) => {
    const status = safeClass(s.status, ['met', 'at_risk', 'breached'], 'met');
    const li = el('li', 'slo');
    li.dataset.sloId = String(s.sloId ?? '');
    const row = el('div', 'row');
    row.append(el('span', 'name', s.name), el('span', `slo-status-${status}`, status.replace('_', ' ')));
    const budget = Math.max(0, Math.min(100, s.budget ?? 100));
    const bar = el('div', `budget ${status}`);
    const fill = el('div');
    fill.style.width = `${budget}%`;
    bar.append(fill);
    const burn = s.burnRate !== undefined ? `burn rate ${fmt(s.burnRate, 2)}×` : '';
    li.append(
      row,
      bar,
      el(
        'div',
        'meta wrap',
        `${fmt(s.current, 2)}% good of target ${fmt(s.target, 2)}% · ${budgetText(s.budget)}${burn ? ' · ' + burn : ''}`,
      ),
    );
    const detail = el('div', 'slo-detail');
    const chart = el('div', 'burndown-box');
    chart.append(el('div', 'meta', 'budget burn-down'), burnDown(s.burnDown));
    detail.append(chart, burnRateTable(s.burnRates));
    li.append(detail);
    if (s.groups.length > 0) {
      li.append(
        el(
          'div',
          'meta',
          `per ${Object.keys(s.groups[0].labels ?? {}).join(', ')}: ${s.groupCount} group${s.groupCount === 1 ? '' : 's'}${s.groupCount > s.groups.length ? ` (${s.groups.length} with the least budget shown)` : ''}`,
        ),
      );
      li.append(groupTable(s));
    }
    return li;
  });
}
